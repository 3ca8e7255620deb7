package domain

import "time"

// Programme is a prevention programme a partnership runs (Operation
// Choice, Operation Divan, Stepping Up, or its own): who owns it, the ages
// it is for, and its eligibility rules and routes as JSON (package
// eligibility).
type Programme struct {
	ID            string
	PartnershipID string
	Name          string
	Kind          ProgrammeKind
	OwnerAgencyID string
	OwnerName     string
	MinAge        int
	MaxAge        int
	Rules         string // JSON, valid eligibility.Rules
	Active        bool
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ProgrammeKind is what a programme does (DOMAIN.md 6.4).
type ProgrammeKind string

// The kinds of programme.
const (
	ProgrammeDrugsDiversion    ProgrammeKind = "drugs_diversion"
	ProgrammeKnifeIntervention ProgrammeKind = "knife_intervention"
	ProgrammeMentoring         ProgrammeKind = "mentoring"
	ProgrammeEducation         ProgrammeKind = "education"
	ProgrammeOther             ProgrammeKind = "other"
)

// ProgrammeKinds lists them in display order.
var ProgrammeKinds = []ProgrammeKind{ProgrammeDrugsDiversion, ProgrammeKnifeIntervention, ProgrammeMentoring, ProgrammeEducation, ProgrammeOther}

// Label is the kind as people say it.
func (k ProgrammeKind) Label() string {
	switch k {
	case ProgrammeDrugsDiversion:
		return "Drugs diversion"
	case ProgrammeKnifeIntervention:
		return "Knife intervention"
	case ProgrammeMentoring:
		return "Mentoring"
	case ProgrammeEducation:
		return "Education"
	case ProgrammeOther:
		return "Other"
	}
	return string(k)
}
