package web

import (
	"net/http"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/router"
	"alliance/internal/service"
)

type registerExportData struct {
	Form       *Form
	Kinds      []Option
	Formats    []Option
	Disclosure disclosureForm
}

func (h *Web) registerExportPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	var kinds []Option
	for _, k := range registerKinds {
		if h.importer != nil && h.importer.MayExport(r.Context(), a, importexport.RegisterKind(k.Value)) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return domain.ErrForbidden
	}
	df, err := h.disclosureFormFor(r.Context(), a, f)
	if err != nil {
		return err
	}
	if f.Get("format") == "" {
		f.Values.Set("format", "csv")
	}
	p := h.newPage(r, "Export the register", "/export/register")
	p.Errors = f.Summary()
	p.Data = registerExportData{Form: f, Kinds: kinds, Formats: []Option{{Value: "csv", Label: "CSV"}, {Value: "xlsx", Label: "XLSX (Excel)"}},
		Disclosure: df}
	return h.render(w, r, status, "register_export", p)
}

func (h *Web) registerExportForm(w http.ResponseWriter, r *http.Request) error {
	return h.registerExportPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

func (h *Web) registerExport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	kind, ok := importexport.ParseRegisterKind(f.Get("kind"))
	if !ok {
		f.Fail("kind", "Choose what to export")
		return h.registerExportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	format, ok := importexport.ParseFormat(f.Get("format"))
	if !ok {
		f.Fail("format", "Choose CSV or XLSX")
		return h.registerExportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if h.jobs == nil {
		return domain.ErrForbidden
	}
	// The form is checked here exactly as the export will check it, so a
	// refused disclosure re-renders with its fields named and nothing is
	// queued or logged; the export itself runs as a job.
	job, err := h.jobs.SubmitExport(r.Context(), a, service.ExportJobInput{Kind: kind, Format: format, Disclosure: disclosureOf(f)})
	if f.FailAll(err) {
		return h.registerExportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/jobs/"+job.ID)
	return nil
}
