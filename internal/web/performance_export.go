package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// performanceFilters is the query string of the dashboard p shows: the
// financial year, and the quarter, area, threat and agency when chosen.
// The dashboard's export links and the export form carry it.
func performanceFilters(p service.Performance) url.Values {
	q := url.Values{"fy": {p.FY.String()}}
	if p.Quarter > 0 {
		q.Set("quarter", fmt.Sprintf("Q%d", p.Quarter))
	}
	if p.Unit.ID != "" {
		q.Set("unit", p.Unit.Code)
	}
	if p.Threat != "" {
		q.Set("threat", p.Threat)
	}
	if p.AgencyID != "" {
		q.Set("agency", p.AgencyID)
	}
	return q
}

// performanceFilterFields are the dashboard filters the export form keeps
// in hidden fields. A problem with one of them means the form was not the
// one the dashboard linked to: the export answers "not found".
var performanceFilterFields = []string{"fy", "quarter", "unit", "threat", "agency"}

// hiddenField is a hidden input of a form.
type hiddenField struct{ Name, Value string }

// performanceExportData is the export form: what the figures are, kept in
// hidden fields, the format, and the disclosure every export asks.
type performanceExportData struct {
	P          service.Performance
	Area       string
	Hidden     []hiddenField
	Formats    []Option
	Form       *Form
	Disclosure disclosureForm
	Back       template.URL
}

// performanceExportPage shows the export form for the dashboard the form's
// filters describe, with f's values and errors.
func (h *Web) performanceExportPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.perf.MayExport(r.Context(), a) {
		return domain.ErrForbidden
	}
	in, _ := h.performanceInput(f.Values)
	p, err := h.perf.Compute(r.Context(), a, in)
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		return domain.ErrNotFound
	}
	if err != nil {
		return err
	}
	if _, ok := importexport.ParseFormat(f.Get("format")); !ok && f.OK() {
		f.Values.Set("format", "csv")
	}
	df, err := h.disclosureFormFor(r.Context(), a, f)
	if err != nil {
		return err
	}
	q := performanceFilters(p)
	d := performanceExportData{P: p, Area: "The whole partnership", Form: f, Disclosure: df, Back: template.URL("/performance?" + q.Encode()), //nolint:gosec // a fixed path and an encoded query
		Formats: []Option{{Value: "csv", Label: "CSV"}, {Value: "xlsx", Label: "XLSX (Excel)"}}}
	if p.Unit.ID != "" {
		d.Area = p.Unit.Name + " (" + p.Unit.Code + ")"
	}
	for _, k := range performanceFilterFields {
		if v := q.Get(k); v != "" {
			d.Hidden = append(d.Hidden, hiddenField{k, v})
		}
	}
	page := h.newPage(r, "Export performance figures", "/performance")
	page.Breadcrumbs = []view.Crumb{{Label: "Performance " + p.PeriodLabel(), Href: string(d.Back)}}
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "performance_export", page)
}

// performanceExportForm (GET /performance/export, where the dashboard's
// download links lead, with its filters and a format) asks why, to whom
// and under which agreement the figures go before any file is made.
func (h *Web) performanceExportForm(w http.ResponseWriter, r *http.Request) error {
	return h.performanceExportPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

// performanceExport (POST /performance/export) downloads the dashboard as
// CSV or XLSX once the disclosure is complete; otherwise it shows the form
// again with the problems, and nothing is logged or downloaded.
func (h *Web) performanceExport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	in, _ := h.performanceInput(r.PostForm)
	format, _ := importexport.ParseFormat(f.Get("format"))
	var buf bytes.Buffer
	p, err := h.perf.Export(r.Context(), a, in, format, disclosureOf(f), &buf, time.Now())
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		for _, k := range performanceFilterFields {
			if verr.Has(k) {
				return domain.ErrNotFound
			}
		}
		f.FailAll(err)
		return h.performanceExportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	label := p.FY.String()[:4] + "-" + p.FY.String()[5:]
	if p.Quarter > 0 {
		label += fmt.Sprintf("-q%d", p.Quarter)
	}
	w.Header().Set("Content-Type", service.ExportContentType(format))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="alliance-performance-%s-%s.%s"`, label, service.PerformanceMarking, format))
	w.Header().Set("X-Protective-Marking", string(service.PerformanceMarking))
	_, err = buf.WriteTo(w)
	return err
}
