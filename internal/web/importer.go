package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
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

// ImportDeadline is how long an upload may take to arrive, in place of the
// server's ordinary read deadline. The import itself runs as a job.
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
	Form           *Form
	Kinds, Classes []Option
	MaxMB          int64
	Columns        string
	Required       string
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

// importUpload reads the whole form (its fields, wherever they come, and
// its file, capped at the configured size) before it acts on any of it,
// then stores the file as an import job and sends the user to the job's
// status page. The job runs on whichever server claims it, so a long
// import outlives this request, a restart and the server that took it.
func (h *Web) importUpload(w http.ResponseWriter, r *http.Request) error {
	if h.importer == nil || h.jobs == nil || !h.mayImportAny(r) {
		return domain.ErrForbidden
	}
	max := h.importMax()
	// A large file takes longer to arrive than the server's ordinary read
	// deadline allows.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(ImportDeadline))
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10)
	f := NewForm(nil)
	tooBig := func() error {
		f.Fail("file", fmt.Sprintf("The file must be smaller than %d MB: split it into several files; nothing was stored", max>>20))
		return h.importPage(w, r, http.StatusRequestEntityTooLarge, f)
	}
	unreadable := func() error {
		f.Fail("file", "The upload could not be read. Try again")
		return h.importPage(w, r, http.StatusBadRequest, f)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		f.Fail("file", "Choose a CSV or XLSX file to upload")
		return h.importPage(w, r, http.StatusBadRequest, f)
	}
	var (
		file     []byte
		name     string
		haveFile bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		if err != nil {
			return unreadable()
		}
		if part.FormName() == "file" {
			if haveFile {
				f.Fail("file", "Upload one file at a time")
				return h.importPage(w, r, http.StatusUnprocessableEntity, f)
			}
			haveFile, name = true, part.FileName()
			file, err = io.ReadAll(io.LimitReader(part, max+1))
			if errors.As(err, &mbe) || int64(len(file)) > max {
				return tooBig()
			}
			if err != nil {
				return unreadable()
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 4096))
		if errors.As(err, &mbe) {
			return tooBig()
		}
		if err != nil {
			return unreadable()
		}
		f.Values.Add(part.FormName(), string(v))
	}
	// Every field has arrived, wherever the browser put it: act on them.
	if err := unstorableFields(f.Values); err != nil {
		return err
	}
	kind, ok := importexport.ParseRegisterKind(f.Get("kind"))
	if !ok {
		f.Fail("kind", "Choose what the file holds")
	}
	format, okF := importexport.ParseFormat(name[strings.LastIndexByte(name, '.')+1:])
	if !haveFile || name == "" {
		f.Fail("file", "Choose a CSV or XLSX file to upload")
	} else if !okF {
		f.Fail("file", "The file must be a CSV or XLSX file")
	} else if !domain.StorableText(name) {
		f.Fail("file", "The file's name "+domain.MsgUnstorableText)
	}
	if !f.OK() {
		return h.importPage(w, r, http.StatusUnprocessableEntity, f)
	}
	job, err := h.jobs.SubmitImport(r.Context(), router.ActorFrom(r.Context()), service.ImportJobInput{Kind: kind, Format: format, FileName: name,
		DryRun: f.Get("dry_run") != "", Marking: domain.MarkingInput{Classification: f.Get("classification"), Handling: f.Get("handling")}, File: file})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/jobs/"+job.ID, http.StatusSeeOther)
	return nil
}

// JobRefreshSeconds is how often a job's status page reloads itself while
// the job waits or runs.
const JobRefreshSeconds = 5

type jobData struct {
	Job service.JobView
	// RetentionHours is how long an export's file is kept.
	RetentionHours int
}

// jobShow is a job's status page (an import's, or an export's with its
// download link), for the user who asked for the job only. While the job waits or runs the page reloads itself (a meta
// refresh, no script); once it has ended it shows the result.
func (h *Web) jobShow(w http.ResponseWriter, r *http.Request) error {
	if h.jobs == nil {
		return domain.ErrNotFound
	}
	v, err := h.jobs.Job(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	title, nav := "Import "+strings.ToLower(v.Status.Label()), "/import"
	switch {
	case v.IsExport():
		title, nav = "Export "+strings.ToLower(v.Status.Label()), v.AgainPath()
		switch {
		case v.Status == domain.JobSucceeded:
			title = "Export ready"
		case v.Status == domain.JobFailed:
			title = "Export failed"
		}
	case v.Import != nil && v.Import.OK() && v.DryRun:
		title = "Import checked"
	case v.Import != nil && v.Import.OK():
		title = "Import complete"
	case v.Import != nil:
		title = "The file has problems"
	case v.Status == domain.JobFailed:
		title = "Import failed"
	}
	p := h.newPage(r, title, nav)
	if !v.Status.Done() {
		p.Refresh = JobRefreshSeconds
	}
	if v.Import != nil && !v.Import.OK() {
		n := len(v.Import.Problems) + v.Import.MoreProblems
		p.Errors = append(p.Errors, view.ErrorItem{Message: view.Count(n, "problem", "problems") + " in the file: nothing was stored. Fix them and upload the file again", Href: "#problems"})
	}
	if v.Export != nil && len(v.Export.Problems) > 0 {
		for _, pr := range v.Export.Problems {
			p.Errors = append(p.Errors, view.ErrorItem{Message: pr.Message, Href: "#problems"})
		}
	}
	p.Data = jobData{Job: v, RetentionHours: int(service.JobOutputRetention / time.Hour)}
	return h.render(w, r, http.StatusOK, "job", p)
}

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
	http.Redirect(w, r, "/jobs/"+job.ID, http.StatusSeeOther)
	return nil
}

// jobDownload sends the file an export job made, to the user who asked
// for it only (anyone else, and everyone once the file has been deleted,
// gets 404), named with its protective marking as the file is marked.
func (h *Web) jobDownload(w http.ResponseWriter, r *http.Request) error {
	if h.jobs == nil {
		return domain.ErrNotFound
	}
	file, err := h.jobs.Download(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", file.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, file.Name))
	w.Header().Set("X-Protective-Marking", string(file.Marking))
	w.Header().Set("X-Alliance-Rows", strconv.Itoa(file.Rows))
	w.Header().Set("Content-Length", strconv.Itoa(len(file.Body)))
	_, err = w.Write(file.Body)
	return err
}
