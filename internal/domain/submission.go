package domain

import "time"

// KindSubmission is what a partner submits or the public reports: raw,
// unassessed information waiting for the intelligence unit's triage.
const KindSubmission RecordKind = "submission"

// SubmissionSource says where a submission came from.
type SubmissionSource string

// Sources of submissions.
const (
	SourcePartner SubmissionSource = "partner" // a signed-in partner officer, or a partner system
	SourcePublic  SubmissionSource = "public"  // the public reporting page, no account
)

// Priority is how urgently triage must look at a submission (the force
// priority grading: threat to life and a child at risk are high, time
// critical is medium, the rest low).
type Priority string

// Priorities, most urgent first.
const (
	PriorityThreatToLife Priority = "threat_to_life"
	PriorityChildAtRisk  Priority = "child_at_risk"
	PriorityTimeCritical Priority = "time_critical"
	PriorityRoutine      Priority = "routine"
)

// Priorities lists them most urgent first.
var Priorities = []Priority{PriorityThreatToLife, PriorityChildAtRisk, PriorityTimeCritical, PriorityRoutine}

// Label is the priority as pages write it.
func (p Priority) Label() string {
	switch p {
	case PriorityThreatToLife:
		return "Threat to life"
	case PriorityChildAtRisk:
		return "Child at risk"
	case PriorityTimeCritical:
		return "Time critical"
	case PriorityRoutine:
		return "Routine"
	}
	return string(p)
}

// DefaultTriageHours is how soon triage should look at a submission of
// each priority when the partnership has set no target of its own.
var DefaultTriageHours = map[Priority]int{PriorityThreatToLife: 1, PriorityChildAtRisk: 4, PriorityTimeCritical: 24, PriorityRoutine: 120}

// SubmissionStatus is where a submission is in triage.
type SubmissionStatus string

// Statuses of a submission.
const (
	SubmissionNew      SubmissionStatus = "new"      // waiting for triage
	SubmissionQuestion SubmissionStatus = "question" // the analyst asked the submitter something
	SubmissionGraded   SubmissionStatus = "graded"   // made into an information report
	SubmissionClosed   SubmissionStatus = "closed"   // closed with a reason
)

// Label is the status as pages write it. A submitter sees "Dealt with"
// for both graded and closed: never what their submission became.
func (s SubmissionStatus) Label() string {
	switch s {
	case SubmissionNew:
		return "Waiting for triage"
	case SubmissionQuestion:
		return "Question for you"
	case SubmissionGraded:
		return "Graded into a report"
	case SubmissionClosed:
		return "Closed"
	}
	return string(s)
}

// Open reports whether the submission still waits in triage.
func (s SubmissionStatus) Open() bool { return s == SubmissionNew || s == SubmissionQuestion }

// Submission is one partner submission or public report.
type Submission struct {
	ID, PartnershipID, Reference string
	Source                       SubmissionSource
	What, Where, When, Who       string
	Contact                      string // a public reporter's contact details, only as they chose to give them
	OCGID, UnitID                string
	Priority                     Priority
	Status                       SubmissionStatus
	Question, Answer             string
	DecisionReason               string
	ReportID                     string
	Marking                      Marking
	SubmittedBy                  string
	DecidedBy                    string
	DecidedAt                    *time.Time
	CreatedAt, UpdatedAt         time.Time

	// Filled by reads.
	OCGName, UnitName, AgencyName, SubmitterName, DeciderName, ReportRef string
}

// Limits on what a submission may hold, in characters.
const (
	SubmissionWhatMax    = 5000
	SubmissionShortMax   = 500 // where, when
	SubmissionWhoMax     = 2000
	SubmissionContactMax = 500
	SubmissionReasonMax  = 2000
)
