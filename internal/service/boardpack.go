package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// BoardPacks puts a financial year's dashboard and OCG picture together
// as one printable pack, laid out like the slide a board is used to. Its
// figures are the dashboard's and the picture's own, counted under the same
// policy and suppressed the same way for the same viewer.
type BoardPacks struct {
	st   *store.Store
	perf *PerformanceService
	pics *Pictures
}

// NewBoardPacks returns the service.
func NewBoardPacks(st *store.Store, perf *PerformanceService, pics *Pictures) *BoardPacks {
	return &BoardPacks{st: st, perf: perf, pics: pics}
}

// BoardPack is one financial year for the board.
type BoardPack struct {
	Partnership string
	Performance Performance
	// Picture holds the OCG picture's counts; HasPicture is false for a
	// viewer who may not count groups.
	Picture    OCGPicture
	HasPicture bool
	Produced   time.Time
	By         string
}

// Pack returns the board pack for fy ("2023/24"; the current year when
// empty). A badly written fy is a *domain.ValidationError naming "fy".
func (b *BoardPacks) Pack(ctx context.Context, a domain.Actor, fy string) (BoardPack, error) {
	p, err := b.st.PartnershipByID(ctx, a.PartnershipID)
	if err != nil {
		return BoardPack{}, err
	}
	perf, err := b.perf.Compute(ctx, a, PerformanceInput{FY: fy})
	if err != nil {
		return BoardPack{}, err
	}
	bp := BoardPack{Partnership: p.Name, Performance: perf, Produced: b.st.Now().In(domain.UK()), By: a.DisplayName}
	pic, err := b.pics.Figures(ctx, a, perf.FY.String())
	switch {
	case errors.Is(err, domain.ErrForbidden):
	case err != nil:
		return BoardPack{}, err
	default:
		bp.Picture, bp.HasPicture = pic, true
	}
	return bp, nil
}

// BoardPackMarking is the protective marking a board pack carries, as the
// dashboard's exports do.
const BoardPackMarking = PerformanceMarking

// Title is the pack's title: "North Yorkshire: Project Alliance board pack 2023/24".
func (bp BoardPack) Title() string {
	return bp.Partnership + " board pack " + bp.Performance.PeriodLabel()
}

// Document is the pack as a printable document: the same sections, in
// the same order, as the pack's page.
func (bp BoardPack) Document() importexport.Document {
	p := bp.Performance
	t := p.Threshold
	doc := importexport.Document{Title: bp.Title(), Marking: string(BoardPackMarking), Author: bp.By, Produced: bp.Produced,
		Subtitle: fmt.Sprintf("Validated disruptions dated %s to %s, and the OCG picture at %s.", domain.FormatUK(p.Period.From),
			domain.FormatUK(p.Period.To), domain.FormatUK(bp.Picture.AsAt))}
	if !bp.HasPicture {
		doc.Subtitle = fmt.Sprintf("Validated disruptions dated %s to %s.", domain.FormatUK(p.Period.From), domain.FormatUK(p.Period.To))
	}
	var figs []importexport.Figure
	for _, c := range BoardFigures(p) {
		figs = append(figs, importexport.Figure{Value: c.Value, Label: c.Label})
	}
	first := importexport.Section{Heading: "Disruptions " + p.PeriodLabel(), Figures: figs}
	if p.Suppressing {
		first.Notes = append(first.Notes, fmt.Sprintf("Counts above 0 and below %d are shown as \"fewer than %d\"; where that leaves one such count in a table, another is shown as \"hidden\".", t, t))
	}
	labelled := func(caption, what string, cells []LabelledCell) importexport.Table {
		tb := importexport.Table{Caption: caption, Header: []string{what, "Disruptions"}, Numeric: []bool{false, true}, Widths: []float64{3, 1.2}, Half: true}
		for _, c := range cells {
			tb.Rows = append(tb.Rows, []string{c.Label, c.Cell.Text(t)})
		}
		return tb
	}
	first.Tables = append(first.Tables, labelled("By 4P category", "Category", p.ByFourP), labelled("By impact (as validated)", "Impact", p.ByImpact))
	doc.Sections = append(doc.Sections, first)

	second := importexport.Section{Heading: "Where and what", NewPage: true}
	second.Tables = append(second.Tables, labelled("By threat", "Threat", p.ByThreat))
	area := importexport.Table{Caption: "By area", Header: []string{"Area", "Disruptions", "Per 1,000 residents"}, Numeric: []bool{false, true, true},
		Widths: []float64{2, 1, 1.4}, Half: true}
	for _, u := range p.ByUnit {
		name, rate := "Not assigned to a lower area", ""
		if u.Unit.ID != "" {
			name, rate = u.Unit.Name, RateText(u.Rate)
		}
		area.Rows = append(area.Rows, []string{name, u.Cell.Text(t), rate})
	}
	second.Tables = append(second.Tables, area)
	second.Tables = append(second.Tables, labelled("Outcomes", "Outcome", p.Outcomes))
	month := importexport.Table{Caption: "By month, against a year earlier", Header: []string{"Month", "Disruptions", "A year earlier"},
		Numeric: []bool{false, true, true}, Half: true}
	for _, m := range p.ByMonth {
		month.Rows = append(month.Rows, []string{m.Label, m.This.Text(t), m.LastYear.Text(t)})
	}
	second.Tables = append(second.Tables, month)
	doc.Sections = append(doc.Sections, second)

	if bp.HasPicture {
		pic := bp.Picture
		third := importexport.Section{Heading: "OCG picture", NewPage: true, Figures: []importexport.Figure{
			{Value: domain.FormatCount(int64(pic.Mapped.Total)), Label: "groups scored and mapped at " + domain.FormatUK(pic.AsAt)},
			{Value: domain.FormatCount(int64(pic.Dismantled.Total)), Label: "groups dismantled " + domain.FormatUK(pic.Period.From) + " to " + domain.FormatUK(pic.Period.To)},
		}}
		counts := func(caption string, list []PictureCount) importexport.Table {
			tb := importexport.Table{Caption: caption, Header: []string{"Threat", "Groups"}, Numeric: []bool{false, true}, Widths: []float64{3, 1}, Half: true}
			for _, c := range list {
				tb.Rows = append(tb.Rows, []string{c.Name, domain.FormatCount(int64(c.Count))})
			}
			if len(list) == 0 {
				tb.Rows = append(tb.Rows, []string{"None", "0"})
			}
			return tb
		}
		third.Tables = append(third.Tables, counts("Mapped, by threat", pic.Mapped.ByThreat), counts("Dismantled, by threat", pic.Dismantled.ByThreat))
		if len(pic.Trend) > 0 {
			trend := importexport.Table{Caption: "Over the years", Header: []string{"Financial year", "Mapped at the year's end", "Dismantled in the year"},
				Numeric: []bool{false, true, true}}
			for _, y := range pic.Trend {
				trend.Rows = append(trend.Rows, []string{y.Year.String(), domain.FormatCount(int64(y.Mapped.Total)), domain.FormatCount(int64(y.Dismantled.Total))})
			}
			third.Tables = append(third.Tables, trend)
		}
		doc.Sections = append(doc.Sections, third)
	}
	return doc
}

// BoardFigure is one headline figure of the dashboard.
type BoardFigure struct{ ID, Value, Label string }

// BoardFigures are the dashboard's headline figures, written as the
// dashboard writes them: the page, the home page and the board pack share
// them.
func BoardFigures(p Performance) []BoardFigure {
	t := p.Threshold
	return []BoardFigure{{"disruptions", p.Disruptions.Text(t), "Disruptions"}, {"adults", p.AdultsSafeguarded.Text(t), "Adults safeguarded"},
		{"children", p.ChildrenSafeguarded.Text(t), "Children safeguarded"}, {"open-activities", p.OpenActivities.Text(t), "Open activity records"},
		{"guns", p.GunsSeized.Text(t), "Guns seized"}, {"warrants", p.Warrants.Text(t), "Warrants"}, {"sentence", p.SentenceYears(), "Sentence length (years)"}}
}

// RateText writes a rate per 1,000 residents to two places, or "Not known".
func RateText(r *float64) string {
	if r == nil {
		return "Not known"
	}
	return fmt.Sprintf("%.2f", *r)
}

// WritePDF writes the pack as a PDF, marked on every page.
func (bp BoardPack) WritePDF(w io.Writer) error { return importexport.WritePDF(w, bp.Document()) }

// FileName is the PDF's download name, with the year and the marking.
func (bp BoardPack) FileName() string {
	return "alliance-board-pack-" + strings.ReplaceAll(bp.Performance.PeriodLabel(), "/", "-") + "-" + string(BoardPackMarking) + ".pdf"
}
