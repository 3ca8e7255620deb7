package web

import (
	"bytes"
	"net/http"
	"strings"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/router"
	"alliance/internal/service"
)

// legacyMaxBytes bounds an uploaded file of historic reports: 20,000
// reports of the largest size would not fit, but real exports of old
// intelligence systems run to a few megabytes.
const legacyMaxBytes = 20 << 20

type legacyImportData struct {
	Form    *Form
	Columns string
	MaxMB   int
	Result  *service.LegacyImportResult
}

func (h *Web) legacyPage(w http.ResponseWriter, r *http.Request, status int, f *Form, res *service.LegacyImportResult) error {
	if !h.reports.Allowed(r.Context(), router.ActorFrom(r.Context()), authz.Create) {
		return domain.ErrForbidden
	}
	title := "Import historic reports (5x5x5)"
	if res != nil && !res.OK() {
		title = "The file has problems"
	}
	p := h.newPage(r, title, "/reports")
	p.Errors = f.Summary()
	p.Data = legacyImportData{Form: f, Columns: strings.Join(importexport.LegacyReportColumns, ", "), MaxMB: legacyMaxBytes >> 20, Result: res}
	return h.render(w, r, status, "reports_import", p)
}

func (h *Web) legacyForm(w http.ResponseWriter, r *http.Request) error {
	return h.legacyPage(w, r, http.StatusOK, NewForm(nil), nil)
}

// legacyUpload reads the whole upload (at most legacyMaxBytes) and imports
// it at once: the file is stored whole or not at all, and the page lists
// every problem by row and column.
func (h *Web) legacyUpload(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	if !h.reports.Allowed(r.Context(), a, authz.Create) {
		return domain.ErrForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, legacyMaxBytes+64<<10)
	f := NewForm(nil)
	mr, err := r.MultipartReader()
	if err != nil {
		f.Fail("file", "Choose a CSV or XLSX file to upload")
		return h.legacyPage(w, r, http.StatusBadRequest, f, nil)
	}
	up, problem := readImportParts(mr, f, legacyMaxBytes)
	switch problem {
	case uploadTooBig:
		f.Fail("file", "The file must be smaller than 20 MB: split it into several files; nothing was stored")
		return h.legacyPage(w, r, http.StatusRequestEntityTooLarge, f, nil)
	case uploadUnreadable:
		f.Fail("file", "The upload could not be read. Try again")
		return h.legacyPage(w, r, http.StatusBadRequest, f, nil)
	case uploadTwoFiles:
		f.Fail("file", "Upload one file at a time")
		return h.legacyPage(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	format, ok := importexport.ParseFormat(up.name[strings.LastIndexByte(up.name, '.')+1:])
	switch {
	case !up.have || up.name == "":
		f.Fail("file", "Choose a CSV or XLSX file to upload")
	case !ok:
		f.Fail("file", "The file must be a CSV or XLSX file")
	}
	if !f.OK() {
		return h.legacyPage(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	res, err := h.reports.ImportLegacy(r.Context(), a, format, bytes.NewReader(up.data))
	if err != nil {
		return err
	}
	if !res.OK() {
		return h.legacyPage(w, r, http.StatusUnprocessableEntity, f, &res)
	}
	return h.legacyPage(w, r, http.StatusOK, f, &res)
}
