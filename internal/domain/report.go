package domain

import "time"

// InfoReport is information submitted into the partnership by an analyst or
// a partner officer, graded 3x5x2 and protectively marked. It is the first
// protected record kind; every read of one goes through the access policy.
type InfoReport struct {
	ID        string
	Reference string // e.g. "IR-2026-000042", unique in the partnership
	Title     string
	Body      string
	// Scheme is the grading scheme the report was graded under:
	// Scheme3x5x2 (every report written here) or Scheme5x5x5 (a historic
	// report imported as recorded). An empty Scheme is 3x5x2.
	Scheme      string
	SourceGrade string // 3x5x2: 1 reliable, 2 untested, 3 not reliable; 5x5x5: A … E
	IntelGrade  string // 3x5x2: A … E; 5x5x5: 1 … 5
	// LegacyHandling is a 5x5x5 report's handling code as recorded (1 … 5);
	// empty for 3x5x2. Access is decided by Marking.Handling, which is C for
	// every 5x5x5 report (decision 32).
	LegacyHandling     string
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

// The grading schemes a report can carry.
const (
	Scheme3x5x2 = "3x5x2"
	Scheme5x5x5 = "5x5x5"
)

// Legacy reports whether the report carries a historic 5x5x5 grading.
func (r InfoReport) Legacy() bool { return r.Scheme == Scheme5x5x5 }

// Grading returns the grading as recorded: "1B P" under 3x5x2, or the
// 5x5x5 code with its scheme named, "B35 (5x5x5)".
func (r InfoReport) Grading() string {
	if r.Legacy() {
		return r.SourceGrade + r.IntelGrade + r.LegacyHandling + " (5x5x5)"
	}
	return r.SourceGrade + r.IntelGrade + " " + string(r.Marking.Handling)
}

// SourceMeaning returns what the report's recorded source evaluation
// means under its own scheme.
func (r InfoReport) SourceMeaning() string {
	if r.Legacy() {
		return LegacySourceGrades[r.SourceGrade]
	}
	return SourceGrades[r.SourceGrade]
}

// IntelMeaning returns what the report's recorded intelligence
// assessment means under its own scheme.
func (r InfoReport) IntelMeaning() string {
	if r.Legacy() {
		return LegacyIntelGrades[r.IntelGrade]
	}
	return IntelGrades[r.IntelGrade]
}

// LegacyHandlingMeaning is what a 5x5x5 report's handling code means.
func (r InfoReport) LegacyHandlingMeaning() string { return LegacyHandlingCodes[r.LegacyHandling] }

// LegacySourceGrades are the 5x5x5 source evaluations (DOMAIN.md 4.2).
var LegacySourceGrades = map[string]string{
	"A": "Always reliable", "B": "Mostly reliable", "C": "Sometimes reliable", "D": "Unreliable", "E": "Untested source",
}

// LegacyIntelGrades are the 5x5x5 intelligence evaluations.
var LegacyIntelGrades = map[string]string{
	"1": "Known to be true without reservation",
	"2": "Known personally to source but not to officer",
	"3": "Not personally known to source but corroborated",
	"4": "Cannot be judged",
	"5": "Suspected to be false or malicious",
}

// LegacyHandlingCodes are the 5x5x5 handling codes.
var LegacyHandlingCodes = map[string]string{
	"1": "May be disseminated to other law enforcement and prosecuting agencies",
	"2": "May be disseminated to UK non-prosecuting parties (authorisation and records needed)",
	"3": "May be disseminated to non-EEA law enforcement agencies (special conditions apply)",
	"4": "May be disseminated within the originating agency only",
	"5": "No further dissemination: refer to the originator",
}

// advisorySource and advisoryIntel are the nearest 3x5x2 readings of each
// 5x5x5 code, for the advisory line only: nothing stores them.
var (
	advisorySource = map[string]string{"A": "1", "B": "1", "C": "2", "D": "3", "E": "2"}
	advisoryIntel  = map[string]string{"1": "A", "2": "A", "3": "B", "4": "D", "5": "E"}
)

// Advisory returns, for a 5x5x5 report, an advisory 3x5x2 reading of its
// grading, to help a reader who regrades it: never stored, never used for
// access, and shown as advice beside the grading as recorded. It is empty
// for a 3x5x2 report.
func (r InfoReport) Advisory() string {
	if !r.Legacy() {
		return ""
	}
	h := "P or C"
	if r.LegacyHandling == "4" || r.LegacyHandling == "5" {
		h = "C, originator only"
	}
	return "about " + advisorySource[r.SourceGrade] + advisoryIntel[r.IntelGrade] + ", handling " + h
}

// SanitisedConditions is the handling condition every sanitised version
// carries: partners read it only once it is disseminated to them.
const SanitisedConditions = "Sanitised for partners: share only with the agencies it was disseminated to, for the purpose and under the agreement recorded."

// LegacyRecipients are the agency types a historic 5x5x5 report with
// handling code h is handled C for (decision 32): 1 and 2 permit other law
// enforcement and prosecuting agencies, 3 law enforcement only, 4 and 5
// nobody beyond the originating agency. Partners read it only through a
// sanitised version.
func LegacyRecipients(h string) []AgencyType {
	switch h {
	case "1", "2":
		return []AgencyType{AgencyPolice, AgencyROCU, AgencyNCA, AgencyHMRC}
	case "3":
		return []AgencyType{AgencyPolice, AgencyROCU, AgencyNCA}
	}
	return nil
}

// LegacyConditions is the handling conditions text of a historic report
// with 5x5x5 handling code h, followed by any conditions recorded with it.
func LegacyConditions(h, recorded string) string {
	s := "Historic 5x5x5 handling code " + h + " as recorded: " + LegacyHandlingCodes[h] + "."
	switch h {
	case "4", "5":
		s += " Only the originating agency reads it here; refer to the originator before any use or dissemination."
	default:
		s += " Law enforcement partners may read it here; partners read it only through a sanitised version."
	}
	if recorded != "" {
		s += " Recorded conditions: " + recorded
	}
	return s
}
