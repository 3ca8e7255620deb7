package domain

import (
	"slices"
	"time"
)

// Referral is a young person referred to a prevention programme: who
// they are, what happened, the facts the programme's rules were checked
// against, consent, where it was routed and how it is going. It holds a
// child's personal data and is not intelligence (the firewall: only
// referral coordinators, the allocated worker and the referrer read it).
type Referral struct {
	ID            string
	PartnershipID string
	Reference     string // REF-2026-000042
	ProgrammeID   string
	ProgrammeName string
	SubjectName   string
	SubjectDOB    time.Time
	SubjectGender string
	AgeAtReferral int
	Source        ReferralSource
	IncidentRef   string
	IncidentOn    time.Time
	ReferredOn    time.Time
	Facts         string // JSON of the facts checked
	Route         string // the delivering service the rules chose, if any
	ConsentYoung  *time.Time
	ConsentParent *time.Time
	Status        ReferralStatus
	Outcome       ReferralOutcome
	WorkerID      string
	WorkerName    string
	AgencyID      string
	AgencyName    string
	CreatedBy     string
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ReferralSource is who made a referral (DOMAIN.md 6.4).
type ReferralSource string

// SourceOption is a referral source with its label.
type SourceOption struct {
	Code  ReferralSource
	Label string
}

// ReferralSources lists the sources in display order, with their labels.
var ReferralSources = []SourceOption{
	{"police_officer", "Police officer"}, {"police_intelligence", "Police intelligence"}, {"school", "School"},
	{"cfs_early_help", "Children and Families or Early Help"}, {"yjs", "Youth Justice Service"}, {"health", "Health"},
	{"parent_self", "Parent or the young person"}, {"voluntary_sector", "Voluntary sector"}, {"other", "Other"},
}

// ReferralStatus is where a referral has got to.
type ReferralStatus string

// The statuses, in the order a referral moves through them.
const (
	ReferralReceived  ReferralStatus = "received"
	ReferralAccepted  ReferralStatus = "accepted"
	ReferralAllocated ReferralStatus = "allocated"
	ReferralEngaged   ReferralStatus = "engaged"
	ReferralDeclined  ReferralStatus = "declined"
	ReferralCompleted ReferralStatus = "completed"
	ReferralClosed    ReferralStatus = "closed"
)

// ReferralStatuses lists them in order.
var ReferralStatuses = []ReferralStatus{ReferralReceived, ReferralAccepted, ReferralAllocated, ReferralEngaged, ReferralDeclined,
	ReferralCompleted, ReferralClosed}

// Label is the status as people say it.
func (s ReferralStatus) Label() string {
	switch s {
	case ReferralReceived:
		return "Received"
	case ReferralAccepted:
		return "Accepted"
	case ReferralAllocated:
		return "Allocated"
	case ReferralEngaged:
		return "Engaged"
	case ReferralDeclined:
		return "Declined or did not engage"
	case ReferralCompleted:
		return "Completed"
	case ReferralClosed:
		return "Closed"
	}
	return string(s)
}

// Known reports whether s is one of ReferralStatuses.
func (s ReferralStatus) Known() bool { return slices.Contains(ReferralStatuses, s) }

// AgeOn is the age in whole years, on day, of someone born on dob.
func AgeOn(dob, day time.Time) int {
	age := day.Year() - dob.Year()
	if day.Month() < dob.Month() || day.Month() == dob.Month() && day.Day() < dob.Day() {
		age--
	}
	return age
}

// Open reports whether the referral is still being worked.
func (s ReferralStatus) Open() bool {
	return s != ReferralDeclined && s != ReferralCompleted && s != ReferralClosed
}

// ReferralOutcome is how a finished referral ended (DOMAIN.md 6.4).
type ReferralOutcome string

// ReferralSession is one session of a referral and whether the young
// person came.
type ReferralSession struct {
	ID         string
	ReferralID string
	HeldOn     time.Time
	Attended   bool
	Note       string
	CreatedBy  string
	CreatedAt  time.Time
}
