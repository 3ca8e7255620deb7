package domain

import (
	"fmt"
	"strings"
	"time"
)

// Record kinds of disruption recording (DOMAIN.md §2). Activities share the
// disruption kind: the access policy treats them alike.
const KindDisruption RecordKind = "disruption"

// Impact is a grading on the national disruption scale (DOMAIN.md §2.3).
type Impact string

// The national scale.
const (
	ImpactMajor    Impact = "major"
	ImpactModerate Impact = "moderate"
	ImpactMinor    Impact = "minor"
	ImpactNone     Impact = "none"
	ImpactNegative Impact = "negative"
)

// Impacts lists the scale from most to least.
var Impacts = []Impact{ImpactMajor, ImpactModerate, ImpactMinor, ImpactNone, ImpactNegative}

// Label is the grading as people write it.
func (i Impact) Label() string {
	switch i {
	case ImpactMajor:
		return "Major"
	case ImpactModerate:
		return "Moderate"
	case ImpactMinor:
		return "Minor"
	case ImpactNone:
		return "None"
	case ImpactNegative:
		return "Negative"
	}
	return string(i)
}

// Guidance is the working definition shown beside the choice (DOMAIN.md
// §2.3: national definitions exist only for negative).
func (i Impact) Guidance() string {
	switch i {
	case ImpactMajor:
		return "The group or person is dismantled or its capability removed for the foreseeable future."
	case ImpactModerate:
		return "A significant but partial or temporary reduction in capability or harm."
	case ImpactMinor:
		return "A limited or short-term impact."
	case ImpactNone:
		return "Activity took place but had no discernible effect."
	case ImpactNegative:
		return "No successful interventions, and activity has left the group more capable or more harmful."
	}
	return ""
}

// Valid reports whether i is on the scale.
func (i Impact) Valid() bool {
	for _, j := range Impacts {
		if i == j {
			return true
		}
	}
	return false
}

// SubjectKind is what a disruption is against.
type SubjectKind string

// Subjects.
const (
	SubjectOCG        SubjectKind = "ocg"
	SubjectIndividual SubjectKind = "individual"
	SubjectTheme      SubjectKind = "theme"
)

// DisruptionStatus is where a disruption is in its workflow: a draft is
// submitted to the panel, which validates it (and only then does it count)
// or returns it for changes; the recorder may withdraw it before it is
// validated.
type DisruptionStatus string

// Workflow states.
const (
	DisruptionDraft     DisruptionStatus = "draft"
	DisruptionSubmitted DisruptionStatus = "submitted"
	DisruptionValidated DisruptionStatus = "validated"
	DisruptionReturned  DisruptionStatus = "returned"
	DisruptionWithdrawn DisruptionStatus = "withdrawn"
)

// Label is the status as people say it.
func (s DisruptionStatus) Label() string {
	switch s {
	case DisruptionDraft:
		return "Draft"
	case DisruptionSubmitted:
		return "Submitted"
	case DisruptionValidated:
		return "Validated"
	case DisruptionReturned:
		return "Returned"
	case DisruptionWithdrawn:
		return "Withdrawn"
	}
	return string(s)
}

// NextDisruptionStatus says whether a disruption in from may move to to.
// Submitting is from a draft or a returned record; validating and returning
// are the panel's, from submitted; withdrawing is from anything not yet
// validated or withdrawn.
func NextDisruptionStatus(from, to DisruptionStatus) error {
	ok := false
	switch to {
	case DisruptionSubmitted:
		ok = from == DisruptionDraft || from == DisruptionReturned
	case DisruptionValidated, DisruptionReturned:
		ok = from == DisruptionSubmitted
	case DisruptionWithdrawn:
		ok = from == DisruptionDraft || from == DisruptionSubmitted || from == DisruptionReturned
	}
	if !ok {
		return fmt.Errorf("a disruption that is %s cannot be made %s: %w", strings.ToLower(from.Label()), strings.ToLower(to.Label()), ErrConflict)
	}
	return nil
}

// Measure says which figures an outcome type carries.
type Measure string

// Measures.
const (
	MeasureCount    Measure = "count"
	MeasureSeizure  Measure = "seizure"
	MeasureDrugs    Measure = "drugs"
	MeasureSentence Measure = "sentence"
)

// Tactic, OutcomeType and SeizureType are the editable reference data.
type Tactic struct {
	Code, Name string
	Partner    bool // a partner agency's own power (closure order, licence review, …)
}

// OutcomeType is a kind of outcome and the figures it carries.
type OutcomeType struct {
	Code, Name string
	Measure    Measure
}

// SeizureType is a kind of seizure, with the APMIS label as its name.
type SeizureType struct {
	Code, Name string
	Cash       bool
}

// Activity is an operation or intervention that disruptions hang off.
type Activity struct {
	ID, Reference, Title string
	Kind                 string // operation or intervention
	OCGID                string
	LeadAgencyID         string
	APMISRef             string
	OpenedOn             time.Time
	ClosedOn             *time.Time
	Marking              Marking
	HandlingNote         string // the handling conditions in words
	CreatedBy            string
	CreatedAt, UpdatedAt time.Time
}

// OpenOn reports whether the activity was open at the end of day.
func (a Activity) OpenOn(day time.Time) bool {
	return !a.OpenedOn.After(day) && (a.ClosedOn == nil || a.ClosedOn.After(day))
}

// Outcome is one result of a disruption.
type Outcome struct {
	ID          string
	Type        string // an OutcomeType code
	SeizureType string // for seizures
	DrugClass   string // for drugs: A, B, C or psychoactive
	AgencyID    string // for seizures: the agency that seized
	Quantity    int    // the count (people, items, rounds, warrants …)
	Grams       int    // for drugs
	ValuePence  int64  // for seizures and drugs: value in pence
	Months      int    // for a custodial sentence: one person's months
	Note        string
}

// Disruption is one recorded effect on an OCG, an individual or a theme
// or place (DOMAIN.md §2.4).
type Disruption struct {
	ID, Reference   string
	ActivityID      string
	Subject         SubjectKind
	OCGID           string // the group, for a group subject; optional otherwise
	EntityID        string // the person, for an individual subject
	Theme           string // for a theme or place
	FourP           FourP  // proposed
	Impact          Impact // proposed
	Rationale       string
	ValidatedFourP  FourP
	ValidatedImpact Impact
	On              time.Time // the day of the disruption
	UnitID          string    // the lowest reporting unit: a ward when known
	LeadAgencyID    string
	Agencies        []string // contributing agencies
	Tactics         []string
	Threats         []string
	Outcomes        []Outcome
	Narrative       string
	Status          DisruptionStatus
	APMISRef        string
	APMISStatus     string
	Marking         Marking
	HandlingNote    string
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Counted is the category and impact that count: the validated ones.
func (d Disruption) Counted() (FourP, Impact) { return d.ValidatedFourP, d.ValidatedImpact }

// DisruptionDecision is one workflow step.
type DisruptionDecision struct {
	ID        string
	From, To  DisruptionStatus
	FourP     FourP
	Impact    Impact
	Reason    string
	ActorID   string
	ActorName string
	At        time.Time
}

// MonthKey is the month a day falls in, as the database groups it:
// "2023-04".
func MonthKey(day time.Time) string { return day.Format("2006-01") }

// ParsePounds reads an amount of money as people write it ("£68,765",
// "118741.50", "1,200") into whole pence. Negative amounts, more than two
// decimal places and anything that is not a number are refused.
func ParsePounds(s string) (int64, error) {
	raw := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "£")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, nil
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (hasFrac && (len(frac) == 0 || len(frac) > 2 || !digits(frac))) || len(whole) > 13 {
		return 0, fmt.Errorf("%q is not an amount of money: write it like £1,250.50", raw)
	}
	var pence int64
	for _, r := range whole {
		pence = pence*10 + int64(r-'0')
	}
	pence *= 100
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		pence += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	return pence, nil
}

// FormatCount writes n with thousands separators: 12345 → "12,345".
func FormatCount(n int64) string {
	if n < 0 {
		return "-" + FormatCount(-n)
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatPounds writes pence as pounds: £68,765 or £1,250.50.
func FormatPounds(pence int64) string {
	neg := pence < 0
	if neg {
		pence = -pence
	}
	whole, p := pence/100, pence%100
	out := "£" + FormatCount(whole)
	if p != 0 {
		out += fmt.Sprintf(".%02d", p)
	}
	if neg {
		out = "-" + out
	}
	return out
}
