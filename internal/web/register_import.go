package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/router"
	"alliance/internal/service"
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
	up, problem := readImportParts(mr, f, max)
	switch problem {
	case uploadTooBig:
		return tooBig()
	case uploadUnreadable:
		return unreadable()
	case uploadTwoFiles:
		f.Fail("file", "Upload one file at a time")
		return h.importPage(w, r, http.StatusUnprocessableEntity, f)
	}
	file, name, haveFile := up.data, up.name, up.have
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
	seeOther(w, r, "/jobs/"+job.ID)
	return nil
}

// importFile is the file part of an import upload.
type importFile struct {
	data []byte
	name string
	have bool
}

// uploadProblem says why an upload could not be read to the end.
type uploadProblem int

const (
	uploadRead       uploadProblem = iota // read to the end
	uploadTooBig                          // the file or the body is over the limit
	uploadUnreadable                      // the body broke off or is not multipart
	uploadTwoFiles                        // more than one file part
)

// readImportParts reads every part of an import upload: the file (at most
// max bytes) and the other fields, into f, each at most 4 KB.
func readImportParts(mr *multipart.Reader, f *Form, max int64) (importFile, uploadProblem) {
	var up importFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, uploadRead
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return up, uploadTooBig
		}
		if err != nil {
			return up, uploadUnreadable
		}
		if part.FormName() == "file" {
			if up.have {
				return up, uploadTwoFiles
			}
			up.have, up.name = true, part.FileName()
			up.data, err = io.ReadAll(io.LimitReader(part, max+1))
			if errors.As(err, &mbe) || int64(len(up.data)) > max {
				return up, uploadTooBig
			}
			if err != nil {
				return up, uploadUnreadable
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 4096))
		if errors.As(err, &mbe) {
			return up, uploadTooBig
		}
		if err != nil {
			return up, uploadUnreadable
		}
		f.Values.Add(part.FormName(), string(v))
	}
}
