package web

import (
	"net/http"
	"net/url"

	"alliance/internal/router"
)

// auditExport checks the search whose entries are to be exported (a bad
// one re-renders the log with its fields named, queueing nothing), then
// queues the export as a job and sends the auditor to the job's page,
// where the file is offered once it is made.
func (h *Web) auditExport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	a := router.ActorFrom(r.Context())
	f := NewForm(r.PostForm)
	q := parseAuditQuery(url.Values{}, f)
	if !f.OK() || h.jobs == nil {
		return h.auditPage(w, r, a, f, q, "Audit log")
	}
	job, err := h.jobs.SubmitAuditExport(r.Context(), a, q)
	if f.FailAll(err) {
		return h.auditPage(w, r, a, f, q, "Audit log")
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/jobs/"+job.ID)
	return nil
}
