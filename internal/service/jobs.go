package service

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/observe"
	"alliance/internal/store"
)

// Jobs runs long work (web imports, register and audit log exports) as
// jobs kept in the database, apart from the request that asked for it: the request stores the job and its
// file and answers at once with the job's status page; any app server
// claims the job under a lease, renews the lease while it works and writes
// the job's end in the work's own transaction. A server that dies leaves a
// lease that expires, and another server runs the job again from the start
// (an import is all or nothing, so nothing is half done); a job that has
// stopped its server JobMaxAttempts times is failed with a reason instead.
// A server that shuts down stops claiming, lets its running job finish
// within its shutdown timeout, and otherwise gives the lease back.
type Jobs struct {
	st    *store.Store
	im    *Importer
	au    *Auditing
	log   *slog.Logger
	owner string
	lease time.Duration
	wake  chan struct{}
}

// JobLease is how long a claimed job stays its server's without a renewal;
// the server renews it every third of that. A job whose server died is run
// again by another server this long after its last renewal.
const JobLease = time.Minute

// JobMaxAttempts is how many times a job may be started before a job
// whose server keeps stopping is failed instead of started again.
const JobMaxAttempts = 3

// NewJobs returns the job runner of this process, whose leases carry a
// name unique to it. im runs register imports and exports, au exports of
// the audit log.
func NewJobs(st *store.Store, im *Importer, au *Auditing, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	return &Jobs{st: st, im: im, au: au, log: log, owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), st.NewID()),
		lease: JobLease, wake: make(chan struct{}, 1)}
}

// Wake tells a running Run loop to look for a job now. It never blocks.
func (j *Jobs) Wake() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// ImportJobInput is a register import to run as a job: the uploaded file
// and the choices on the form.
type ImportJobInput struct {
	Kind     importexport.RegisterKind
	Format   importexport.Format
	FileName string
	DryRun   bool
	Marking  domain.MarkingInput
	File     []byte
}

// importParams is what a register import job keeps besides its file: the
// form's choices and the request that asked for it, for the audit log.
type importParams struct {
	Kind       importexport.RegisterKind `json:"kind"`
	Format     importexport.Format       `json:"format"`
	FileName   string                    `json:"file_name"`
	DryRun     bool                      `json:"dry_run"`
	Marking    domain.MarkingInput       `json:"marking"`
	RequestID  string                    `json:"request_id"`
	ClientAddr string                    `json:"client_addr"`
}

// SubmitImport stores an import of in.File for a as a queued job and
// returns it. It returns domain.ErrForbidden when a may not import files
// of the kind at all; everything else about the file is checked when the
// job runs, and reported on its page.
func (j *Jobs) SubmitImport(ctx context.Context, a domain.Actor, in ImportJobInput) (domain.Job, error) {
	if a.Anonymous() || a.UserID == "" || !j.im.MayImport(ctx, a, in.Kind) {
		return domain.Job{}, domain.ErrForbidden
	}
	return j.queue(ctx, a, domain.JobRegisterImport, importParams{Kind: in.Kind, Format: in.Format, FileName: in.FileName, DryRun: in.DryRun,
		Marking: in.Marking, RequestID: observe.RequestID(ctx), ClientAddr: observe.ClientAddr(ctx)}, in.File)
}

// queue stores a queued job of kind for a, with params (as JSON) and its
// input, and wakes the runner.
func (j *Jobs) queue(ctx context.Context, a domain.Actor, kind domain.JobKind, params any, input []byte) (domain.Job, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return domain.Job{}, fmt.Errorf("job: %w", err)
	}
	job := domain.Job{PartnershipID: a.PartnershipID, Kind: kind, OwnerID: a.UserID, Params: string(b)}
	err = j.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		job.ID = ""
		return j.st.InsertJob(ctx, tx, &job, input)
	})
	if err != nil {
		return domain.Job{}, err
	}
	j.log.InfoContext(ctx, "job queued", "job", job.ID, "kind", string(job.Kind), "bytes", len(input))
	j.Wake()
	return job, nil
}

// runAs returns the actor job runs as: its owner as the account and roles
// stand now, with the request that asked for the job (requestID,
// clientAddr) in ctx for the audit log. ok is false when the account is no
// longer active in the job's partnership.
func (j *Jobs) runAs(ctx context.Context, job domain.Job, requestID, clientAddr string) (context.Context, domain.Actor, bool, error) {
	c, err := j.st.CredentialsByID(ctx, j.st.Reader(), job.OwnerID)
	if err != nil {
		return ctx, domain.Actor{}, false, err
	}
	if !c.User.Active || c.User.PartnershipID != job.PartnershipID {
		return ctx, domain.Actor{}, false, nil
	}
	return observe.WithClientAddr(observe.WithRequestID(ctx, requestID), clientAddr), actorOf(c, domain.ActorUser, "", nil), true, nil
}

// JobOutputRetention is how long an export job's file is kept for its
// owner to download; the job runner deletes it after that.
const JobOutputRetention = 24 * time.Hour

// ExportJobInput is a register export to run as a job: what to export, as
// what, and the disclosure it makes.
type ExportJobInput struct {
	Kind       importexport.RegisterKind
	Format     importexport.Format
	Disclosure Disclosure
}

// exportParams is what a register export job keeps: the form's choices
// and the request that asked for it, for the audit log.
type exportParams struct {
	Kind       importexport.RegisterKind `json:"kind"`
	Format     importexport.Format       `json:"format"`
	Disclosure Disclosure                `json:"disclosure"`
	RequestID  string                    `json:"request_id"`
	ClientAddr string                    `json:"client_addr"`
}

// auditExportParams is what an audit log export job keeps: the auditor's
// search and the request that asked for it.
type auditExportParams struct {
	Query      AuditQuery `json:"query"`
	RequestID  string     `json:"request_id"`
	ClientAddr string     `json:"client_addr"`
}

// ExportJobResult is what an export job made: its file's name, how many
// records (What they are) and under which marking, and until when the
// file is kept; or, when the disclosure was refused as the job ran, the
// problems.
type ExportJobResult struct {
	What      string                `json:"what"`
	Format    importexport.Format   `json:"format"`
	FileName  string                `json:"file_name,omitempty"`
	Rows      int                   `json:"rows"`
	Marking   domain.Classification `json:"marking,omitempty"`
	ExpiresAt time.Time             `json:"expires_at"`
	Problems  []domain.FieldError   `json:"problems,omitempty"`
}

// SubmitExport checks an export for a exactly as an export in the request
// would (domain.ErrForbidden for an actor who may not export the kind, a
// *domain.ValidationError naming the fields of a disclosure that would be
// refused), and then stores it as a queued job and returns it. Nothing is
// read or logged until the job runs; a refused export queues nothing.
func (j *Jobs) SubmitExport(ctx context.Context, a domain.Actor, in ExportJobInput) (domain.Job, error) {
	if a.Anonymous() || a.UserID == "" {
		return domain.Job{}, domain.ErrForbidden
	}
	if err := j.im.CheckExport(ctx, a, in.Kind, in.Format, in.Disclosure, j.st.Now()); err != nil {
		return domain.Job{}, err
	}
	return j.queue(ctx, a, domain.JobRegisterExport, exportParams{Kind: in.Kind, Format: in.Format, Disclosure: in.Disclosure,
		RequestID: observe.RequestID(ctx), ClientAddr: observe.ClientAddr(ctx)}, nil)
}

// JobView is a job as its status page shows it.
type JobView struct {
	domain.Job
	// FileName and DryRun describe an import.
	FileName string
	DryRun   bool
	// Import is an import's result, once it has one.
	Import *RegisterImportResult
	// ExportWhat and ExportFormat describe an export.
	ExportWhat   string
	ExportFormat importexport.Format
	// Export is an export's result, once it has one.
	Export *ExportJobResult
	// Downloadable says the export's file is there to download now.
	Downloadable bool
}

// IsExport reports whether the job is an export, of the register or of
// the audit log.
func (v JobView) IsExport() bool {
	return v.Kind == domain.JobRegisterExport || v.Kind == domain.JobAuditExport
}

// AgainPath is where to ask for another job like this one.
func (v JobView) AgainPath() string {
	switch v.Kind {
	case domain.JobRegisterExport:
		return "/export/register"
	case domain.JobAuditExport:
		return "/audit"
	}
	return "/import"
}

// Job returns job id if a asked for it; anyone else's job is not found.
func (j *Jobs) Job(ctx context.Context, a domain.Actor, id string) (JobView, error) {
	if a.Anonymous() || a.UserID == "" {
		return JobView{}, domain.NotFound("job", id)
	}
	job, err := j.st.OwnJob(ctx, a.PartnershipID, a.UserID, id)
	if err != nil {
		return JobView{}, err
	}
	v := JobView{Job: job}
	switch job.Kind {
	case domain.JobRegisterExport, domain.JobAuditExport:
		v.ExportWhat, v.ExportFormat = auditLogEntries, importexport.CSV
		if job.Kind == domain.JobRegisterExport {
			var p exportParams
			if err := json.Unmarshal([]byte(job.Params), &p); err != nil {
				return JobView{}, fmt.Errorf("job %s: params: %w", job.ID, err)
			}
			v.ExportWhat, v.ExportFormat = string(p.Kind), p.Format
		}
		if job.Result != "" {
			var res ExportJobResult
			if err := json.Unmarshal([]byte(job.Result), &res); err != nil {
				return JobView{}, fmt.Errorf("job %s: result: %w", job.ID, err)
			}
			v.Export = &res
			if job.Status == domain.JobSucceeded {
				if v.Downloadable, err = j.st.JobOutputKept(ctx, job.ID); err != nil {
					return JobView{}, err
				}
			}
		}
	default:
		var p importParams
		if err := json.Unmarshal([]byte(job.Params), &p); err != nil {
			return JobView{}, fmt.Errorf("job %s: params: %w", job.ID, err)
		}
		v.FileName, v.DryRun = p.FileName, p.DryRun
		if job.Result != "" {
			var res RegisterImportResult
			if err := json.Unmarshal([]byte(job.Result), &res); err != nil {
				return JobView{}, fmt.Errorf("job %s: result: %w", job.ID, err)
			}
			v.Import = &res
		}
	}
	return v, nil
}

// JobFile is an export job's file, as its owner downloads it.
type JobFile struct {
	Name, ContentType string
	Body              []byte
	Rows              int
	Marking           domain.Classification
}

// Download returns the file export job id made, to the user who asked for
// it only, while it is kept. Anyone else's job, a job without a file and
// a file past its time are not found.
func (j *Jobs) Download(ctx context.Context, a domain.Actor, id string) (JobFile, error) {
	v, err := j.Job(ctx, a, id)
	if err != nil {
		return JobFile{}, err
	}
	if !v.IsExport() || v.Export == nil || !j.mayStillExport(ctx, a, v) {
		return JobFile{}, domain.NotFound("job output", id)
	}
	o, err := j.st.OwnJobOutput(ctx, a.PartnershipID, a.UserID, id)
	if err != nil {
		return JobFile{}, err
	}
	return JobFile{Name: o.FileName, ContentType: o.ContentType, Body: o.Body, Rows: v.Export.Rows, Marking: v.Export.Marking}, nil
}

// mayStillExport reports whether a may still make the export job v made:
// its file goes only to an owner whose roles still allow it, so one whose
// export rights have gone since it ran gets not found.
func (j *Jobs) mayStillExport(ctx context.Context, a domain.Actor, v JobView) bool {
	if v.Kind == domain.JobAuditExport {
		return a.Has(domain.RoleAuditor)
	}
	return j.im.MayExport(ctx, a, importexport.RegisterKind(v.ExportWhat))
}

// Run claims and runs jobs, one at a time, whenever Wake is called and
// every interval, until claim is cancelled. work bounds the job that is
// running: cancelling it stops the job, which rolls back and gives its
// lease back so that another server runs it. Failures are logged.
func (j *Jobs) Run(claim, work context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for claim.Err() == nil {
		ran, err := j.RunOnce(work)
		if err != nil && work.Err() == nil {
			j.log.ErrorContext(work, "jobs", "error", err)
		}
		if ran && err == nil {
			continue // there may be more waiting
		}
		select {
		case <-claim.Done():
			return
		case <-t.C:
		case <-j.wake:
		}
	}
}

// RunOnce claims one job, runs it to its end and reports whether there
// was one. When ctx is cancelled while the job runs, the job's work rolls
// back and its lease is given back.
func (j *Jobs) RunOnce(ctx context.Context) (bool, error) {
	if _, err := j.st.FailAbandonedJobs(ctx, JobMaxAttempts,
		fmt.Sprintf("The job was interrupted %d times, each time because the server running it stopped or lost its database. Nothing was stored. Try again; an import may need splitting into smaller files", JobMaxAttempts)); err != nil {
		return false, err
	}
	if n, err := j.st.DeleteExpiredJobOutputs(ctx); err != nil {
		return false, err
	} else if n > 0 {
		j.log.InfoContext(ctx, "expired export files deleted", "files", n)
	}
	job, err := j.st.ClaimJob(ctx, j.owner, j.lease)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, j.run(ctx, job)
}

// run runs a claimed job, renewing its lease meanwhile.
func (j *Jobs) run(ctx context.Context, job domain.Job) error {
	log := j.log.With("job", job.ID, "kind", string(job.Kind), "attempt", job.Attempts)
	log.InfoContext(ctx, "job started")
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lost atomic.Bool
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(j.lease / 3)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(jctx, j.lease/3)
			err := j.st.RenewJobLease(rctx, job.ID, j.owner, j.lease, "")
			rcancel()
			switch {
			case store.ErrLeaseLost(err):
				lost.Store(true)
				cancel()
				return
			case err != nil && jctx.Err() == nil:
				// On SQLite the import may hold the one write connection
				// for longer than this; no other server can take the job
				// meanwhile, as taking it is a write too.
				log.DebugContext(ctx, "job lease not renewed", "error", err)
			}
		}
	}()
	var err error
	switch job.Kind {
	case domain.JobRegisterImport:
		err = j.runImport(jctx, job)
	case domain.JobRegisterExport:
		err = j.runExport(jctx, job)
	case domain.JobAuditExport:
		err = j.runAuditExport(jctx, job)
	default:
		err = fmt.Errorf("job %s: unknown kind %q", job.ID, job.Kind)
	}
	cancel()
	<-renewed
	switch {
	case err == nil:
		log.InfoContext(ctx, "job ended")
		return nil
	case store.ErrLeaseLost(err) || lost.Load():
		// This server stopped renewing in time and another took the job
		// over; the work here rolled back or could not commit.
		log.WarnContext(ctx, "job taken over by another server", "error", err)
		return nil
	case ctx.Err() != nil:
		// Stopped (the server is shutting down): the work rolled back;
		// give the job back so that another server runs it.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer rcancel()
		if rerr := j.st.ReleaseJob(rctx, job.ID, j.owner); rerr != nil {
			return fmt.Errorf("job %s stopped, and its lease could not be given back (it is run again once it expires): %w", job.ID, rerr)
		}
		log.InfoContext(rctx, "job stopped and given back, to be run again", "error", err)
		return nil
	}
	if cause, ok := Unavailable(err); ok {
		// The database failed under the job, not the job itself: leave the
		// lease to expire, so that the job is run again (and counted).
		log.ErrorContext(ctx, "job stopped: the database is unavailable; it will be run again", "cause", cause, "error", err)
		return nil
	}
	log.ErrorContext(ctx, "job failed", "error", err)
	if ferr := j.finish(ctx, job, domain.JobFailed, nil, "Something went wrong while the job ran. Nothing was stored. Try again; if it happens again, quote the job's reference to support"); ferr != nil {
		return errors.Join(err, ferr)
	}
	return nil
}

// finish ends job in a transaction of its own, with res (nil for none)
// as its result.
func (j *Jobs) finish(ctx context.Context, job domain.Job, status domain.JobStatus, res any, message string) error {
	result := ""
	if res != nil {
		b, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("job %s: result: %w", job.ID, err)
		}
		result = string(b)
	}
	return j.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return j.st.FinishJob(ctx, tx, job.ID, j.owner, status, result, message)
	})
}

// runImport runs a register import job as its owner, as the owner's
// account and roles stand now. A real import records the job's end in the
// import's own transaction; a dry run, a file with problems and a refusal
// record it afterwards, as nothing was stored.
func (j *Jobs) runImport(ctx context.Context, job domain.Job) error {
	var p importParams
	if err := json.Unmarshal([]byte(job.Params), &p); err != nil {
		return fmt.Errorf("job params: %w", err)
	}
	ctx, a, ok, err := j.runAs(ctx, job, p.RequestID, p.ClientAddr)
	if err != nil {
		return err
	}
	if !ok {
		return j.finish(ctx, job, domain.JobFailed, nil, "The account that uploaded the file is no longer active. Nothing was stored")
	}
	body, err := j.st.JobInput(ctx, job.ID)
	if err != nil {
		return err
	}
	res, err := j.im.Import(ctx, a, p.Kind, p.Format, bytes.NewReader(body), ImportOptions{DryRun: p.DryRun, FileName: p.FileName, Marking: p.Marking,
		Commit: func(ctx context.Context, tx *sql.Tx, res RegisterImportResult) error {
			b, err := json.Marshal(res)
			if err != nil {
				return fmt.Errorf("job result: %w", err)
			}
			return j.st.FinishJob(ctx, tx, job.ID, j.owner, domain.JobSucceeded, string(b), "")
		}})
	var verr *domain.ValidationError
	switch {
	case err == nil && !p.DryRun:
		return nil // ended in the import's transaction
	case err == nil:
		return j.finish(ctx, job, domain.JobSucceeded, &res, "")
	case errors.Is(err, ErrImportProblems):
		return j.finish(ctx, job, domain.JobFailed, &res, "The file has problems. Nothing was stored")
	case errors.As(err, &verr):
		res.Problems = verr.Problems
		return j.finish(ctx, job, domain.JobFailed, &res, "The file could not be imported. Nothing was stored")
	case errors.Is(err, domain.ErrForbidden):
		return j.finish(ctx, job, domain.JobFailed, nil, "You may not import this kind of file. Nothing was stored")
	}
	return err
}

// runExport runs a register export job as its owner, as the owner's
// account, roles and the access policy stand now. It writes the whole file
// first, then records the disclosure, stores the file and ends the job in
// one transaction: a job run again after its server died logs and stores
// once, and no file is kept without its disclosure entry. A disclosure
// that can no longer be made (an agreement that has ended since, say)
// fails the job with the problems, and nothing is logged.
func (j *Jobs) runExport(ctx context.Context, job domain.Job) error {
	var p exportParams
	if err := json.Unmarshal([]byte(job.Params), &p); err != nil {
		return fmt.Errorf("job params: %w", err)
	}
	ctx, a, ok, err := j.runAs(ctx, job, p.RequestID, p.ClientAddr)
	if err != nil {
		return err
	}
	if !ok {
		return j.finish(ctx, job, domain.JobFailed, nil, exportOwnerGone)
	}
	now := j.st.Now()
	var buf bytes.Buffer
	_, err = j.im.export(ctx, a, p.Kind, p.Format, p.Disclosure, &buf, now, func(ctx context.Context, tx *sql.Tx, res ExportResult) error {
		return j.keep(ctx, tx, job, ExportJobResult{What: string(p.Kind), Format: p.Format, FileName: ExportFileName(p.Kind, res.Marking, p.Format, now),
			Rows: res.Rows, Marking: res.Marking, ExpiresAt: now.Add(JobOutputRetention).UTC()}, ExportContentType(p.Format), buf.Bytes())
	})
	return j.endExport(ctx, job, err, string(p.Kind), p.Format, "You may no longer export these records. Nothing was exported")
}

// exportOwnerGone is why an export job whose owner's account is no
// longer active fails.
const exportOwnerGone = "The account that asked for the export is no longer active. Nothing was exported"

// endExport ends an export job whose export of what, in format, returned
// err: a success has already ended it, in its disclosure's transaction; a
// disclosure that can no longer be made as asked fails it with the
// problems, and an owner who may no longer export fails it with forbidden.
// Any other error is returned, for the job to be tried again.
func (j *Jobs) endExport(ctx context.Context, job domain.Job, err error, what string, format importexport.Format, forbidden string) error {
	var verr *domain.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verr):
		return j.finish(ctx, job, domain.JobFailed, &ExportJobResult{What: what, Format: format, Problems: verr.Problems},
			"The export could not be made as asked. Nothing was exported or logged")
	case errors.Is(err, domain.ErrForbidden):
		return j.finish(ctx, job, domain.JobFailed, nil, forbidden)
	}
	return err
}

// auditLogEntries is what an audit log export holds, in words.
const auditLogEntries = "audit log entries"

// keep stores an export job's file and ends the job with res, inside tx:
// the transaction that logs the file's disclosure.
func (j *Jobs) keep(ctx context.Context, tx *sql.Tx, job domain.Job, res ExportJobResult, contentType string, body []byte) error {
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("job result: %w", err)
	}
	if err := j.st.InsertJobOutput(ctx, tx, store.JobOutput{JobID: job.ID, FileName: res.FileName, ContentType: contentType, Body: body,
		ExpiresAt: res.ExpiresAt}); err != nil {
		return err
	}
	return j.st.FinishJob(ctx, tx, job.ID, j.owner, domain.JobSucceeded, string(b), "")
}

// SubmitAuditExport checks an export of the audit log entries q finds, as
// the export would (domain.ErrForbidden for anyone but an auditor, a
// *domain.ValidationError for a bad query), and stores it as a queued job.
// Nothing is read or logged until the job runs.
func (j *Jobs) SubmitAuditExport(ctx context.Context, a domain.Actor, q AuditQuery) (domain.Job, error) {
	if a.Anonymous() || a.UserID == "" || j.au == nil {
		return domain.Job{}, domain.ErrForbidden
	}
	q.Page = 0
	if err := j.au.CheckExport(ctx, a, q); err != nil {
		return domain.Job{}, err
	}
	return j.queue(ctx, a, domain.JobAuditExport, auditExportParams{Query: q, RequestID: observe.RequestID(ctx), ClientAddr: observe.ClientAddr(ctx)}, nil)
}

// runAuditExport runs an audit log export job as its owner as the
// account stands now (an auditor no longer is refused), writing the file,
// logging its disclosure, storing it and ending the job as runExport does.
func (j *Jobs) runAuditExport(ctx context.Context, job domain.Job) error {
	var p auditExportParams
	if err := json.Unmarshal([]byte(job.Params), &p); err != nil {
		return fmt.Errorf("job params: %w", err)
	}
	ctx, a, ok, err := j.runAs(ctx, job, p.RequestID, p.ClientAddr)
	if err != nil {
		return err
	}
	if !ok {
		return j.finish(ctx, job, domain.JobFailed, nil, exportOwnerGone)
	}
	now := j.st.Now()
	var buf bytes.Buffer
	_, err = j.au.export(ctx, a, p.Query, &buf, func(ctx context.Context, tx *sql.Tx, n int) error {
		return j.keep(ctx, tx, job, ExportJobResult{What: auditLogEntries, Format: importexport.CSV, FileName: AuditExportFileName(now), Rows: n,
			Marking: domain.OfficialSensitive, ExpiresAt: now.Add(JobOutputRetention).UTC()}, ExportContentType(importexport.CSV), buf.Bytes())
	})
	return j.endExport(ctx, job, err, auditLogEntries, importexport.CSV, "You may no longer export the audit log. Nothing was exported")
}
