package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

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
		switch v.Status {
		case domain.JobSucceeded:
			title = "Export ready"
		case domain.JobFailed:
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
