package domain

import "time"

// JobStatus is where a job is in its life: queued, running, then
// succeeded or failed.
type JobStatus string

// Job statuses.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// Done reports whether the job has ended, one way or the other.
func (s JobStatus) Done() bool { return s == JobSucceeded || s == JobFailed }

// Label is the status as a page shows it.
func (s JobStatus) Label() string {
	switch s {
	case JobQueued:
		return "Waiting to start"
	case JobRunning:
		return "In progress"
	case JobSucceeded:
		return "Finished"
	case JobFailed:
		return "Failed"
	}
	return string(s)
}

// JobKind names what a job does.
type JobKind string

// Job kinds.
const (
	// JobRegisterImport imports a file of groups, people or links.
	JobRegisterImport JobKind = "register_import"
	// JobRegisterExport exports groups, people or links as a file its
	// owner downloads from the job's page.
	JobRegisterExport JobKind = "register_export"
	// JobAuditExport exports audit log entries as a file for an auditor.
	JobAuditExport JobKind = "audit_export"
)

// Job is long work (a web import or a register export) that runs apart from the request that
// asked for it, on whichever app server claims it, and that its owner
// follows on a status page. Params and Result are JSON the job's kind
// defines.
type Job struct {
	ID            string
	PartnershipID string
	Kind          JobKind
	OwnerID       string
	Status        JobStatus
	Params        string
	Progress      string // a sentence for the status page, while it runs
	Result        string
	Error         string // why it failed, in words for its owner
	Attempts      int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    *time.Time
}
