package domain

import "time"

// InfoReport is information submitted into the partnership by an analyst or
// a partner officer, graded 3x5x2 and protectively marked. It is the first
// protected record kind; every read of one goes through the access policy.
type InfoReport struct {
	ID                 string
	Reference          string // e.g. "IR-2026-000042", unique in the partnership
	Title              string
	Body               string
	SourceGrade        string // 1 reliable, 2 untested, 3 not reliable
	IntelGrade         string // A … E
	HandlingConditions string // required when handling is C
	Marking            Marking
	AreaID             string
	AreaName           string
	OriginAgencyName   string
	// SanitisedFrom is, for a sanitised version written for partners, the
	// original it was written from.
	SanitisedFrom string
	CreatedBy     string
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SourceGrades are the 3x5x2 source evaluations.
var SourceGrades = map[string]string{"1": "Reliable", "2": "Untested", "3": "Not reliable"}

// IntelGrades are the 3x5x2 intelligence assessments.
var IntelGrades = map[string]string{
	"A": "Known directly to the source",
	"B": "Known indirectly to the source but corroborated",
	"C": "Known indirectly to the source",
	"D": "Not known",
	"E": "Suspected to be false",
}

// Grading returns the 3x5x2 grading, e.g. "1B P".
func (r InfoReport) Grading() string {
	return r.SourceGrade + r.IntelGrade + " " + string(r.Marking.Handling)
}

// SanitisedConditions is the handling condition every sanitised version
// carries: partners read it only once it is disseminated to them.
const SanitisedConditions = "Sanitised for partners: share only with the agencies it was disseminated to, for the purpose and under the agreement recorded."
