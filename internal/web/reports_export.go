package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
)

func (h *Web) exportPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.reports.Allowed(r.Context(), a, authz.Export) {
		return domain.ErrForbidden
	}
	df, err := h.disclosureFormFor(r.Context(), a, f)
	if err != nil {
		return err
	}
	p := h.newPage(r, "Export information reports", "/reports")
	p.Errors = f.Summary()
	p.Data = exportData{Query: f.Get("q"), Disclosure: df}
	return h.render(w, r, status, "report_export", p)
}

func (h *Web) reportExportForm(w http.ResponseWriter, r *http.Request) error {
	return h.exportPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

func (h *Web) reportExport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	var buf bytes.Buffer
	a := router.ActorFrom(r.Context())
	n, err := h.reports.Export(r.Context(), a, f.Get("q"), disclosureOf(f), &buf, time.Now())
	if f.FailAll(err) {
		return h.exportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="alliance-information-reports-OFFICIAL-SENSITIVE-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	w.Header().Set("X-Alliance-Rows", strconv.Itoa(n))
	_, err = buf.WriteTo(w)
	return err
}
