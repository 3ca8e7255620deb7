package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
)

// MayExport reports whether a may export the dashboard: the roles allowed
// to export disruptions.
func (ps *PerformanceService) MayExport(ctx context.Context, a domain.Actor) bool {
	policy, err := ps.policyOf(ctx, ps.st)
	return err == nil && policy.Allowed(a, authz.Export, domain.KindDisruption)
}

// Export writes the dashboard for in as CSV or XLSX: the marking first and
// last, who exported it for what and to whom, then the filters, the
// headline figures and every table, with suppressed cells written as
// Cell.Text writes them ("fewer than 5", or "hidden" for a cell hidden
// only to protect another). Cells are neutralised against formula
// injection. The file is OFFICIAL-SENSITIVE, so an export is a disclosure
// like the register's and the reports': d must say why, to whom and under
// which agreement (or ad hoc, approved), else a *domain.ValidationError
// names the fields and nothing is logged or written. The disclosure is
// logged, with the number of disruptions the figures count, before
// anything is written. Actors who may not export get domain.ErrForbidden.
func (ps *PerformanceService) Export(ctx context.Context, a domain.Actor, in PerformanceInput, format importexport.Format, d Disclosure,
	w io.Writer, now time.Time) (Performance, error) {
	if !ps.MayExport(ctx, a) {
		return Performance{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	if format != importexport.CSV && format != importexport.XLSX {
		verr.Add("format", "Choose CSV or XLSX")
	}
	isaRef, approver, err := checkDisclosure(ctx, ps.st, a, &d, now)
	var dverr *domain.ValidationError
	switch {
	case errors.As(err, &dverr):
		verr.Problems = append(verr.Problems, dverr.Problems...)
	case err != nil:
		return Performance{}, err
	}
	if err := verr.Err(); err != nil {
		return Performance{}, err
	}
	p, err := ps.compute(ctx, a, in, authz.Export)
	if err != nil {
		return p, err
	}
	filters := []string{p.PeriodLabel()}
	if p.Unit.ID != "" {
		filters = append(filters, p.Unit.Name+" ("+p.Unit.Code+")")
	}
	if p.Threat != "" {
		filters = append(filters, "threat "+p.Threat)
	}
	if p.AgencyName != "" {
		filters = append(filters, p.AgencyName)
	}
	t, err := importexport.NewTableWriter(format, w, "Performance")
	if err != nil {
		return p, err
	}
	err = ps.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return recordDisclosure(ctx, tx, ps.st, ps.alog, a, d, approver, disclosed{RecordType: string(domain.KindDisruption), RecordCount: int(p.Disruptions.N),
			Label: fmt.Sprintf("Performance figures exported (%s): %s", strings.ToUpper(string(format)), strings.Join(filters, ", "))}, now)
	})
	if err != nil {
		return p, err
	}
	for _, r := range p.exportRows(exportedBy(a, d, isaRef, now)) {
		if err := t.WriteValues(r...); err != nil {
			return p, fmt.Errorf("export: %w", err)
		}
	}
	return p, t.Close()
}

// exportRows is the dashboard as the rows of an export file, after the
// provenance row: the marking first and last, then the filters, the
// headline figures and every table. Suppressed cells are written as
// Cell.Text writes them.
func (p Performance) exportRows(provenance string) [][]any {
	val := p.exportValue
	area := "The whole partnership"
	if p.Unit.ID != "" {
		area = p.Unit.Name + " (" + p.Unit.Code + ")"
	}
	rows := [][]any{
		{string(PerformanceMarking)},
		{provenance},
		{"Alliance performance", p.PeriodLabel(), domain.FormatUK(p.Period.From) + " to " + domain.FormatUK(p.Period.To)},
		{"Area", area},
		{"Threat", orAll(p.Threat)},
		{"Agency", orAll(p.AgencyName)},
		{},
		{"Figure", "Value"},
		{"Disruptions", val(p.Disruptions)},
		{"Adults safeguarded", val(p.AdultsSafeguarded)},
		{"Children safeguarded", val(p.ChildrenSafeguarded)},
		{"Open activity records", val(p.OpenActivities)},
		{"Guns seized", val(p.GunsSeized)},
		{"Warrants", val(p.Warrants)},
		{"Sentence length (years)", p.SentenceYears()},
	}
	if p.Rate != nil {
		rows = append(rows, []any{"Disruptions per 1,000 residents", fmt.Sprintf("%.2f", *p.Rate)})
	}
	section := func(title string, header []any, body [][]any) {
		rows = append(rows, []any{}, []any{title}, header)
		rows = append(rows, body...)
	}
	section("By 4P category", []any{"Category", "Disruptions"}, p.labelledRows(p.ByFourP))
	section("By impact", []any{"Impact", "Disruptions"}, p.labelledRows(p.ByImpact))
	section("By threat", []any{"Threat", "Disruptions"}, p.labelledRows(p.ByThreat))
	section("Outcomes", []any{"Outcome", "Total"}, p.labelledRows(p.Outcomes))
	var months [][]any
	for _, m := range p.ByMonth {
		months = append(months, []any{m.Label, val(m.This), val(m.LastYear)})
	}
	section("By month", []any{"Month", "Disruptions", "A year earlier"}, months)
	section("By area", []any{"Area", "Code", "Disruptions", "Per 1,000 residents"}, p.unitRows())
	section("Seizures by agency and type", []any{"Agency", "Type", "Count", "Value"}, p.seizureRows())
	return append(rows, []any{}, []any{string(PerformanceMarking)})
}

// exportValue is a cell as an export writes it: its number, or its text
// when suppressed.
func (p Performance) exportValue(c Cell) any {
	if c.Suppressed {
		return c.Text(p.Threshold)
	}
	return c.N
}

// labelledRows are the rows of a table of labelled figures.
func (p Performance) labelledRows(list []LabelledCell) [][]any {
	var out [][]any
	for _, c := range list {
		out = append(out, []any{c.Label, p.exportValue(c.Cell)})
	}
	return out
}

// unitRows are the rows of the table by area.
func (p Performance) unitRows() [][]any {
	var units [][]any
	for _, u := range p.ByUnit {
		name := "Not assigned to a lower area"
		if u.Unit.ID != "" {
			name = u.Unit.Name
		}
		rate := ""
		if u.Rate != nil {
			rate = fmt.Sprintf("%.2f", *u.Rate)
		}
		units = append(units, []any{name, u.Unit.Code, p.exportValue(u.Cell), rate})
	}
	return units
}

// seizureRows are the rows of the table of seizures.
func (p Performance) seizureRows() [][]any {
	var seizures [][]any
	for _, s := range p.Seizures {
		v := any(domain.FormatPounds(s.ValuePence))
		if s.ValueHidden {
			v = "hidden"
		}
		seizures = append(seizures, []any{s.Agency, s.Type, p.exportValue(s.Count), v})
	}
	return seizures
}

func orAll(s string) string {
	if s == "" {
		return "All"
	}
	return s
}

// PerformanceMarking is the protective marking of the dashboard's exports:
// the figures are drawn from OFFICIAL-SENSITIVE records.
const PerformanceMarking = domain.OfficialSensitive
