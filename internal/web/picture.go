package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// pictureData is what the OCG picture page shows.
type pictureData struct {
	Pic       service.OCGPicture
	Form      *Form
	Years     []Option // the financial year selector: "" for the last twelve months
	Ranked    []pictureRow
	Attention []pictureRow
	// AsAtLabel says when the mapped figure counts: "at 31 March 2024".
	AsAtLabel string
	// The breakdown tables.
	MappedGroups, MappedThreats, DismantledGroups, DismantledThreats breakdown
}

// breakdown is one table of counts.
type breakdown struct {
	Caption, Heading string
	Rows             []service.PictureCount
}

// reasonTag is a needs-attention reason as a coloured tag.
type reasonTag struct{ Label, Colour string }

// pictureRow is one group of the ranked or needs-attention list,
// formatted for the page.
type pictureRow struct {
	Rank                              int
	ID, Reference, Title              string
	Threat, Status, Score, Band, Prio string
	LRO, Lead                         string
	Restricted, Sensitive, Unscored   bool
	ReviewDue                         string
	Reasons                           []reasonTag
	PlanReviewDue                     string
}

func newPictureRow(o domain.OCG) pictureRow {
	r := pictureRow{ID: o.ID, Reference: o.Reference, Title: o.Title(), Threat: o.PrimaryThreatName, Status: o.Status.Label(),
		Band: o.Band, Prio: o.Priority, LRO: o.LROName, Lead: o.LeadAgencyName, Restricted: o.Marking.Restricted,
		Sensitive: o.Marking.Classification == domain.OfficialSensitive, Unscored: o.Score == nil}
	if o.Score != nil {
		r.Score = fmt.Sprintf("%.0f", *o.Score)
	}
	if o.ReviewDue != nil {
		r.ReviewDue = view.FormatDate(*o.ReviewDue)
	}
	return r
}

// ocgPicture shows the OCG picture: ?fy=2023-24 (or 2023/24) for a
// financial year, nothing for the last twelve months. A badly written year
// is shown as a form error over the last twelve months' picture.
func (h *Web) ocgPicture(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	fy := r.URL.Query().Get("fy")
	if len(fy) > 40 {
		fy = fy[:40]
	}
	f := NewForm(url.Values{"fy": {fy}})
	status := http.StatusOK
	pic, err := h.pictures.Picture(r.Context(), a, fy)
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		f.FailAll(err)
		status = http.StatusBadRequest
		pic, err = h.pictures.Picture(r.Context(), a, "")
	}
	if err != nil {
		return err
	}
	if f.OK() {
		f.Values.Set("fy", pic.PeriodParam())
	}
	d := pictureData{Pic: pic, Form: f, AsAtLabel: "today, " + view.FormatDate(pic.AsAt),
		MappedGroups:      breakdown{"By threat group", "Threat group", pic.Mapped.ByGroup},
		MappedThreats:     breakdown{"By threat", "Threat", pic.Mapped.ByThreat},
		DismantledGroups:  breakdown{"By threat group", "Threat group", pic.Dismantled.ByGroup},
		DismantledThreats: breakdown{"By threat", "Threat", pic.Dismantled.ByThreat}}
	if pic.Year != nil {
		d.AsAtLabel = "at " + view.FormatDate(pic.AsAt)
	}
	d.Years = append(d.Years, Option{Value: "", Label: "The last 12 months"})
	years := pic.Years
	if pic.Year != nil && !slices.Contains(years, *pic.Year) {
		years = append([]domain.FiscalYear{*pic.Year}, years...)
	}
	for _, y := range years {
		d.Years = append(d.Years, Option{Value: service.OCGPicture{Year: &y}.PeriodParam(), Label: y.String()})
	}
	for i, o := range pic.Ranked {
		row := newPictureRow(o)
		row.Rank = i + 1
		d.Ranked = append(d.Ranked, row)
	}
	for _, x := range pic.NeedsAttention {
		row := newPictureRow(x.OCG)
		for _, why := range x.Reasons {
			colour := "orange"
			if why == service.ReasonNoLRO || why == service.ReasonNoScore {
				colour = "red"
			}
			row.Reasons = append(row.Reasons, reasonTag{Label: why.Label(), Colour: colour})
		}
		if x.PlanReviewDue != nil {
			row.PlanReviewDue = view.FormatDate(*x.PlanReviewDue)
		}
		d.Attention = append(d.Attention, row)
	}
	p := h.newPage(r, "The OCG picture", "/ocg-picture")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "ocg_picture", p)
}

// withPicture adds "OCG picture" after "Groups" in the navigation: the
// register's own item is there only for users whose roles let them read
// groups, who are the users the picture is for.
func withPicture(items []view.NavItem, current string) []view.NavItem {
	i := slices.IndexFunc(items, func(n view.NavItem) bool { return n.Href == "/ocgs" })
	if i < 0 {
		return items
	}
	return slices.Insert(items, i+1, view.NavItem{Label: "OCG picture", Href: "/ocg-picture", Current: current == "/ocg-picture"})
}
