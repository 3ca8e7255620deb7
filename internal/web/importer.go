package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// DefaultImportMaxBytes bounds an uploaded register file when
// Options.ImportMaxBytes is zero.
const DefaultImportMaxBytes = 50 << 20

// ImportDeadline is how long an upload may take to arrive and be imported,
// in place of the server's ordinary deadlines.
const ImportDeadline = 15 * time.Minute

func (h *Web) importMax() int64 {
	if h.importMaxBytes > 0 {
		return h.importMaxBytes
	}
	return DefaultImportMaxBytes
}

var registerKinds = []Option{{Value: "groups", Label: "Organised crime groups"}, {Value: "people", Label: "People (and their memberships)"},
	{Value: "links", Label: "Links between people and groups"}}

var classificationOptions = []Option{{Value: "OFFICIAL-SENSITIVE", Label: "OFFICIAL-SENSITIVE"}, {Value: "OFFICIAL", Label: "OFFICIAL"}}

type importData struct {
	Form            *Form
	Kinds, Classes  []Option
	MaxMB           int64
	Result          *service.RegisterImportResult
	Columns         string
	Required        string
	Stored, Checked string
}

func (h *Web) mayImportAny(r *http.Request) bool {
	a := router.ActorFrom(r.Context())
	for _, k := range []importexport.RegisterKind{importexport.KindGroups, importexport.KindPeople, importexport.KindLinks} {
		if h.importer.MayImport(r.Context(), a, k) {
			return true
		}
	}
	return false
}

func (h *Web) importPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	if h.importer == nil || !h.mayImportAny(r) {
		return domain.ErrForbidden
	}
	if f.Get("classification") == "" {
		f.Values.Set("classification", "OFFICIAL-SENSITIVE")
	}
	p := h.newPage(r, "Import groups, people or links", "/import")
	p.Errors = f.Summary()
	p.Data = importData{Form: f, Kinds: registerKinds, Classes: classificationOptions, MaxMB: h.importMax() >> 20}
	return h.render(w, r, status, "import", p)
}

func (h *Web) importForm(w http.ResponseWriter, r *http.Request) error {
	return h.importPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

// importUpload reads the form's fields and streams its file straight into
// the importer: a CSV file is never held whole; an XLSX workbook (which
// needs random access) goes to a temporary file first. The body is capped
// at the configured size.
func (h *Web) importUpload(w http.ResponseWriter, r *http.Request) error {
	if h.importer == nil || !h.mayImportAny(r) {
		return domain.ErrForbidden
	}
	max := h.importMax()
	// A large file is checked and stored as it arrives, which takes longer
	// than the server's ordinary read and write deadlines allow.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(ImportDeadline))
	_ = rc.SetWriteDeadline(time.Now().Add(ImportDeadline))
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
	f := NewForm(nil)
	mr, err := r.MultipartReader()
	if err != nil {
		f.Fail("file", "Choose a CSV or XLSX file to upload")
		return h.importPage(w, r, http.StatusBadRequest, f)
	}
	tooBig := func() error {
		f.Fail("file", fmt.Sprintf("The file must be smaller than %d MB: split it into several files", max>>20))
		return h.importPage(w, r, http.StatusRequestEntityTooLarge, f)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			f.Fail("file", "Choose a CSV or XLSX file to upload")
			return h.importPage(w, r, http.StatusUnprocessableEntity, f)
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		if err != nil {
			f.Fail("file", "The upload could not be read. Try again")
			return h.importPage(w, r, http.StatusBadRequest, f)
		}
		if part.FormName() != "file" {
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return tooBig()
			}
			f.Values.Add(part.FormName(), string(v))
			continue
		}
		return h.importFile(w, r, f, part)
	}
}

func (h *Web) importFile(w http.ResponseWriter, r *http.Request, f *Form, part *multipart.Part) error {
	a := router.ActorFrom(r.Context())
	kind, ok := importexport.ParseRegisterKind(f.Get("kind"))
	if !ok {
		f.Fail("kind", "Choose what the file holds")
	}
	name := part.FileName()
	format, okF := importexport.ParseFormat(name[strings.LastIndexByte(name, '.')+1:])
	if name == "" {
		f.Fail("file", "Choose a CSV or XLSX file to upload")
	} else if !okF {
		f.Fail("file", "The file must be a CSV or XLSX file")
	}
	if !f.OK() {
		return h.importPage(w, r, http.StatusUnprocessableEntity, f)
	}
	var src io.Reader = part
	if format == importexport.XLSX {
		tmp, err := os.CreateTemp("", "alliance-import-*.xlsx")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if _, err := io.Copy(tmp, part); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				f.Fail("file", fmt.Sprintf("The file must be smaller than %d MB: split it into several files", h.importMax()>>20))
				return h.importPage(w, r, http.StatusRequestEntityTooLarge, f)
			}
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		src = tmp
	}
	dry := f.Get("dry_run") != ""
	res, err := h.importer.Import(r.Context(), a, kind, format, src, service.ImportOptions{DryRun: dry, FileName: name,
		Marking: domain.MarkingInput{Classification: f.Get("classification"), Handling: f.Get("handling")}})
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		f.Fail("file", fmt.Sprintf("The file must be smaller than %d MB: split it into several files; nothing was stored", h.importMax()>>20))
		return h.importPage(w, r, http.StatusRequestEntityTooLarge, f)
	case errors.Is(err, service.ErrImportProblems):
		return h.importResult(w, r, http.StatusUnprocessableEntity, f, res)
	case f.FailAll(err):
		return h.importPage(w, r, http.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	return h.importResult(w, r, http.StatusOK, f, res)
}

func (h *Web) importResult(w http.ResponseWriter, r *http.Request, status int, f *Form, res service.RegisterImportResult) error {
	title := "Import checked"
	if !res.OK() {
		title = "The file has problems"
	}
	p := h.newPage(r, title, "/import")
	if !res.OK() {
		n := len(res.Problems) + res.MoreProblems
		p.Errors = append(p.Errors, view.ErrorItem{Message: fmt.Sprintf("%d problems in %d rows: nothing was stored. Fix them and upload the file again", n, res.Rows), Href: "#problems"})
	}
	d := importData{Form: f, Result: &res, Checked: strconv.Itoa(res.Rows), Stored: strconv.Itoa(res.Stored)}
	p.Data = d
	return h.render(w, r, status, "import_result", p)
}

type registerExportData struct {
	Form    *Form
	Kinds   []Option
	Formats []Option
	Options []Option
	None    bool
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
	isas, err := h.sharing.UsableBy(r.Context(), a)
	if err != nil {
		return err
	}
	opts := make([]Option, 0, len(isas)+1)
	for _, i := range isas {
		opts = append(opts, Option{Value: i.ID, Label: i.Reference + ": " + i.Title})
	}
	opts = append(opts, Option{Value: "adhoc", Label: "No agreement covers this: an approved ad hoc disclosure"})
	if f.Get("format") == "" {
		f.Values.Set("format", "csv")
	}
	p := h.newPage(r, "Export the register", "/export/register")
	p.Errors = f.Summary()
	p.Data = registerExportData{Form: f, Kinds: kinds, Formats: []Option{{Value: "csv", Label: "CSV"}, {Value: "xlsx", Label: "XLSX (Excel)"}},
		Options: opts, None: len(isas) == 0}
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
	isa, adhoc := f.Get("isa"), false
	if isa == "adhoc" {
		isa, adhoc = "", true
	}
	var buf bytes.Buffer
	now := time.Now()
	res, err := h.importer.Export(r.Context(), a, kind, format, service.Disclosure{Purpose: f.Get("purpose"), Recipients: f.Get("recipients"),
		ISAID: isa, AdHoc: adhoc, Justification: f.Get("justification"), ApproverEmail: f.Get("approver")}, &buf, now)
	if f.FailAll(err) {
		return h.registerExportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == importexport.XLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="alliance-%s-%s-%s.%s"`, kind, res.Marking, now.UTC().Format("2006-01-02"), format))
	w.Header().Set("X-Protective-Marking", string(res.Marking))
	w.Header().Set("X-Alliance-Rows", strconv.Itoa(res.Rows))
	_, err = buf.WriteTo(w)
	return err
}
