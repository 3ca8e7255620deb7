package domain

import "time"

// NRMReferral is a first responder's National Referral Mechanism referral,
// or a Duty to Notify report for an adult who does not consent (DOMAIN.md
// 5): the potential victim, the exploitation, and the competent
// authority's decisions. It sits behind the same firewall as referrals.
type NRMReferral struct {
	ID                 string
	PartnershipID      string
	Reference          string // NRM-2026-000042
	Kind               string // "nrm" or "dtn"
	SubjectName        string
	AgeAtExploitation  string // child, adult or unknown
	Gender             string
	Nationality        string
	ExploitationTypes  []string
	CountyLines        bool
	CompetentAuthority string // sca or ieca
	ReferredOn         time.Time
	RGDecision         string // pending, positive, negative, suspended, withdrawn
	RGOn               *time.Time
	CGDecision         string
	CGOn               *time.Time
	Reconsideration    bool
	AgencyID           string
	AgencyName         string
	CreatedBy          string
	CreatedByName      string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ExploitationTypes are the types the NRM statistics count, with labels.
var ExploitationTypes = []struct{ Code, Label string }{
	{"criminal", "Criminal"}, {"labour", "Labour"}, {"sexual", "Sexual"}, {"domestic_servitude", "Domestic servitude"},
	{"organ_harvesting", "Organ harvesting"}, {"unknown", "Not specified or unknown"},
}

// NRMDecisions are the outcomes of an RG or CG decision.
var NRMDecisions = []string{"pending", "positive", "negative", "suspended", "withdrawn"}

// AddWorkingDays returns the day n working days (Monday to Friday) after
// day.
func AddWorkingDays(day time.Time, n int) time.Time {
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return day
}

// RGOverdue reports whether the referral has waited more than 5 working
// days for its reasonable grounds decision on today.
func (n NRMReferral) RGOverdue(today time.Time) bool {
	return n.Kind == "nrm" && n.RGDecision == "pending" && today.After(AddWorkingDays(n.ReferredOn, 5))
}
