package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// KindDisruption is the record kind of disruption recording (DOMAIN.md §2).
// Activities share it: the access policy treats them alike.
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
// validated. The panel may reopen a validated one (CheckReopen), which
// sends it back to submitted and out of every count until it is validated
// again.
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

// CheckReopen says whether a disruption in from may be reopened: only a
// validated one, which goes back to the panel as submitted (awaiting its
// decision), and stops counting until the panel validates it again.
func CheckReopen(from DisruptionStatus) error {
	if from != DisruptionValidated {
		return fmt.Errorf("only a validated disruption can be reopened, and this one is %s: %w", strings.ToLower(from.Label()), ErrConflict)
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

// Tactic is a disruption tactic. Tactic, OutcomeType and SeizureType are
// the editable reference data of disruption recording.
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
	// OCGName, EntityName and CreatedByName are the group's, the person's
	// and the recorder's names, for showing; read with the disruption,
	// never stored with it. A disruption is shown only to those who may
	// see its group and person.
	OCGName, EntityName, CreatedByName string
	CreatedBy                          string
	CreatedAt                          time.Time
	UpdatedAt                          time.Time
}

// Counted is the category and impact that count: the validated ones.
func (d Disruption) Counted() (FourP, Impact) { return d.ValidatedFourP, d.ValidatedImpact }

// Messages of the rules Validate checks, shared with the forms that ask
// for the same fields.
const (
	MsgFourPRequired   = "Choose one 4P category: Pursue, Prevent, Protect or Prepare"
	MsgImpactRequired  = "Choose the impact: major, moderate, minor, none or negative"
	MsgThreatsRequired = "Choose at least one threat the disruption was against"
)

// Validate checks the rules every stored disruption keeps, whatever writes
// it (the recording form, a loader, the demo, the benchmark generator):
// DOMAIN.md §10 rules 1 to 3. It has one 4P category and an impact on the
// national scale, validated ones exactly when it is validated; its subject
// is a group, a person, or a theme or place, with what that needs; and it is
// linked to at least one threat. Problems are named by the recording form's
// fields (four_p, impact, subject, ocg, entity, theme, threats).
func (d Disruption) Validate() error {
	v := &ValidationError{}
	if !slices.Contains(FourPs, d.FourP) {
		v.Add("four_p", MsgFourPRequired)
	}
	if !d.Impact.Valid() {
		v.Add("impact", MsgImpactRequired)
	}
	validated := slices.Contains(FourPs, d.ValidatedFourP) && d.ValidatedImpact.Valid()
	if (d.Status == DisruptionValidated) != validated || (!validated && (d.ValidatedFourP != "" || d.ValidatedImpact != "")) {
		v.Add("status", "A disruption has a validated category and impact exactly when it is validated")
	}
	switch d.Subject {
	case SubjectOCG:
		if d.OCGID == "" {
			v.Add("ocg", "Choose the group the disruption was against")
		}
	case SubjectIndividual:
		if d.EntityID == "" {
			v.Add("entity", "Choose the person the disruption was against")
		}
	case SubjectTheme:
		if strings.TrimSpace(d.Theme) == "" {
			v.Add("theme", "Enter the theme or place the disruption was against")
		}
	default:
		v.Add("subject", "Choose what the disruption was against: a group, an individual, or a theme or place")
	}
	if !slices.ContainsFunc(d.Threats, func(t string) bool { return strings.TrimSpace(t) != "" }) {
		v.Add("threats", MsgThreatsRequired)
	}
	return v.Err()
}

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

// Reopened reports whether the step reopened a validated disruption.
func (x DisruptionDecision) Reopened() bool {
	return x.From == DisruptionValidated && x.To == DisruptionSubmitted
}

// Step is the workflow step as people say it: "Reopened" for a validated
// disruption sent back to the panel, otherwise the status it moved to.
func (x DisruptionDecision) Step() string {
	if x.Reopened() {
		return "Reopened"
	}
	return x.To.Label()
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

// Count writes n with its noun, singular or plural: "1 row", "1,204 rows".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return FormatCount(int64(n)) + " " + many
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
