package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// ScoringMethod is a way of scoring an organised crime group: attribute
// based (OCGM-style) or harm based (MoRiLE-style). DOMAIN.md §1.1, §1.2.
type ScoringMethod string

// Scoring methods.
const (
	MethodOCGM   ScoringMethod = "ocgm"
	MethodMoRiLE ScoringMethod = "morile"
)

// ScoringMethods lists the methods in the order pages show them.
var ScoringMethods = []ScoringMethod{MethodOCGM, MethodMoRiLE}

// Label is the method as pages name it. The "-style" is deliberate: the
// models are local configurations, not the national schemes.
func (m ScoringMethod) Label() string {
	switch m {
	case MethodOCGM:
		return "OCGM-style"
	case MethodMoRiLE:
		return "MoRiLE-style"
	}
	return string(m)
}

// Other is the other method, the one an assessment is compared with.
func (m ScoringMethod) Other() ScoringMethod {
	if m == MethodOCGM {
		return MethodMoRiLE
	}
	return MethodOCGM
}

// ParseScoringMethod accepts ocgm or morile (any case).
func ParseScoringMethod(s string) (ScoringMethod, bool) {
	m := ScoringMethod(strings.ToLower(strings.TrimSpace(s)))
	return m, slices.Contains(ScoringMethods, m)
}

// DefaultReviewThreshold is how far apart (on a 0–1 scale) the two methods'
// results may be before an assessment is flagged for review, unless a
// model says otherwise.
const DefaultReviewThreshold = 0.35

// ScaleValue is one allowed value of an attribute or dimension: the code a
// form sends and an assessment stores, the label people choose from, and
// the points (or, for a multiplying adjustment, the factor) it carries.
type ScaleValue struct {
	Code   string  `json:"code"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
}

// Attribute is one scored attribute of an OCGM-style model. Its
// contribution to the total is Weight × the chosen value's points.
type Attribute struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Weight      float64      `json:"weight"`
	Scale       []ScaleValue `json:"scale"`
}

// Band is one band of an OCGM-style model: a group whose total is at least
// Min (and below the next band up) is in it. Priority, when set, is the
// priority the band gives the group on the register.
type Band struct {
	Name        string  `json:"name"`
	Min         float64 `json:"min"`
	Priority    string  `json:"priority,omitempty"`
	Description string  `json:"description,omitempty"`
}

// Dimension is one scored dimension of a MoRiLE-style model (a harm type,
// or a part of likelihood such as frequency or trend). Its value's points
// are added to its section's total.
type Dimension struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Scale       []ScaleValue `json:"scale"`
}

// Adjustment modes.
const (
	AdjustMultiply = "multiply"
	AdjustAdd      = "add"
)

// Adjustment changes a section total by the chosen value's points: it
// multiplies the total by them (Mode "multiply") or adds them ("add").
// Geographic scope adjusts harm; victim vulnerability adjusts likelihood.
type Adjustment struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Mode        string       `json:"mode"`
	Scale       []ScaleValue `json:"scale"`
}

func (a Adjustment) apply(total, v float64) float64 {
	if a.Mode == AdjustAdd {
		return total + v
	}
	return total * v
}

// Risk formulas: how a MoRiLE-style model combines total harm and
// likelihood into the risk score.
const (
	RiskProduct = "product"
	RiskSum     = "sum"
)

// PriorityRule gives Priority to a risk score of at least MinRisk, when the
// organisational position is one of Positions (any position when empty).
// Rules are tried in order; the first that fits wins.
type PriorityRule struct {
	Priority  string   `json:"priority"`
	MinRisk   float64  `json:"min_risk"`
	Positions []string `json:"positions,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// ScoringField is one question an assessment form asks, in order: an
// attribute, a dimension or an adjustment, with the values to choose from.
type ScoringField struct {
	Code, Name, Description string
	Section                 string // e.g. "Harm", "Likelihood"
	Weight                  float64
	Options                 []ScaleValue
}

// ScoringInputs is what an assessor chose: a value code for every field of
// the model, and for MoRiLE-style models the opportunity in words. The
// confidence is deliberately not an input: it is recorded beside the
// result and never enters the computation.
type ScoringInputs struct {
	Values      map[string]string `json:"values"`
	Opportunity string            `json:"opportunity,omitempty"`
}

// ScorePart is one field's part in a result: the value chosen, its points,
// and what it added (or, for a multiplying adjustment, the factor).
type ScorePart struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	Value        string  `json:"value"`
	Label        string  `json:"label"`
	Points       float64 `json:"points"`
	Weight       float64 `json:"weight,omitempty"`
	Contribution float64 `json:"contribution"`
}

// ScoreResult is what a model computed from inputs. Score is the OCGM-style
// total or the MoRiLE-style risk score; Normalised is Score ÷ Max, the 0–1
// figure the two methods are compared on.
type ScoreResult struct {
	Method      ScoringMethod `json:"method"`
	Score       float64       `json:"score"`
	Max         float64       `json:"max"`
	Normalised  float64       `json:"normalised"`
	Band        string        `json:"band,omitempty"`
	Priority    string        `json:"priority,omitempty"`
	TotalHarm   float64       `json:"total_harm,omitempty"`
	Likelihood  float64       `json:"likelihood,omitempty"`
	OrgPosition string        `json:"organisational_position,omitempty"`
	Parts       []ScorePart   `json:"parts"`
}

// ScoringDefinition is a scoring model's content: the data that turns an
// assessor's choices into a score. Implementations are pure: Compute
// depends on nothing but the definition and the inputs.
type ScoringDefinition interface {
	// Method is the method the definition is for.
	Method() ScoringMethod
	// Title is the model's name.
	Title() string
	// Validate returns a *ValidationError naming each bad field by its
	// JSON path (such as "attributes[2].weight"), or nil.
	Validate() error
	// Compute scores inputs. It refuses, with a *ValidationError naming the
	// field by its code, a missing field, an unknown field or an unknown
	// value. The same definition and inputs always give the same result.
	Compute(in ScoringInputs) (ScoreResult, error)
	// Max is the highest score the definition can give.
	Max() float64
	// Fields lists the questions an assessment form asks, in order.
	Fields() []ScoringField
	// Threshold is how far apart the two methods' normalised results may be
	// before an assessment needs review.
	Threshold() float64
}

// reservedCodes are form field names an assessment form uses itself, so a
// model's codes may not take them.
var reservedCodes = []string{"method", "confidence", "rationale", "assessed_on", "opportunity"}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// round keeps results free of binary floating-point noise, so stored
// figures read as typed and recompute identically.
func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// checker collects problems with a definition under JSON paths.
type checker struct {
	v     ValidationError
	codes map[string]string // code → path where first used
}

func (c *checker) code(path, code string) {
	switch {
	case !codePattern.MatchString(code):
		c.v.Add(path+".code", "Code must start with a lower-case letter and use only lower-case letters, digits and underscores (40 at most)")
	case slices.Contains(reservedCodes, code):
		c.v.Add(path+".code", "Code %q is used by the assessment form itself; choose another", code)
	case c.codes[code] != "":
		c.v.Add(path+".code", "Code %q is already used at %s", code, c.codes[code])
	default:
		c.codes[code] = path
	}
}

func (c *checker) name(path, name string) {
	if strings.TrimSpace(name) == "" {
		c.v.Add(path+".name", "Enter a name")
	}
}

// scale checks a scale; factors marks a multiplying adjustment, whose
// points must be more than zero.
func (c *checker) scale(path string, s []ScaleValue, factors bool) {
	if len(s) < 2 {
		c.v.Add(path+".scale", "Give at least two values to choose from")
		return
	}
	seen := map[string]bool{}
	for i, sv := range s {
		p := fmt.Sprintf("%s.scale[%d]", path, i)
		switch {
		case !codePattern.MatchString(sv.Code):
			c.v.Add(p+".code", "Code must start with a lower-case letter and use only lower-case letters, digits and underscores (40 at most)")
		case seen[sv.Code]:
			c.v.Add(p+".code", "Code %q appears twice in this scale", sv.Code)
		}
		seen[sv.Code] = true
		if strings.TrimSpace(sv.Label) == "" {
			c.v.Add(p+".label", "Enter a label")
		}
		switch {
		case math.IsNaN(sv.Points) || math.IsInf(sv.Points, 0) || sv.Points < 0:
			c.v.Add(p+".points", "Points must be zero or more")
		case factors && sv.Points == 0:
			c.v.Add(p+".points", "A multiplying factor must be more than zero")
		}
	}
}

func (c *checker) threshold(t float64) {
	if !(t > 0 && t <= 1) {
		c.v.Add("review_threshold", "The review threshold must be more than 0 and at most 1 (it compares scores as fractions of each model's maximum)")
	}
}

func maxPoints(s []ScaleValue) float64 {
	m := 0.0
	for _, v := range s {
		m = max(m, v.Points)
	}
	return m
}

func findValue(s []ScaleValue, code string) (ScaleValue, bool) {
	for _, v := range s {
		if v.Code == code {
			return v, true
		}
	}
	return ScaleValue{}, false
}

// choose reads field code from in, marking it used, and returns the value
// chosen from scale, or records the problem.
func choose(v *ValidationError, in ScoringInputs, used map[string]bool, code, name string, scale []ScaleValue) (ScaleValue, bool) {
	used[code] = true
	got, ok := in.Values[code]
	if !ok || strings.TrimSpace(got) == "" {
		v.Add(code, "Choose a value for %s", name)
		return ScaleValue{}, false
	}
	sv, ok := findValue(scale, got)
	if !ok {
		v.Add(code, "%q is not a value of %s", got, name)
		return ScaleValue{}, false
	}
	return sv, true
}

// unknown records inputs the model does not ask for, in code order.
func unknown(v *ValidationError, in ScoringInputs, used map[string]bool) {
	var extra []string
	for k := range in.Values {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		v.Add(k, "%q is not part of this model", k)
	}
}

// OCGMDefinition is an OCGM-style model: weighted attributes and bands.
// Total = Σ weight × points; the band is the one with the highest minimum
// not above the total.
type OCGMDefinition struct {
	Name            string      `json:"name"`
	Notice          string      `json:"notice,omitempty"`
	ReviewThreshold float64     `json:"review_threshold"`
	Attributes      []Attribute `json:"attributes"`
	Bands           []Band      `json:"bands"`
}

// Method returns MethodOCGM.
func (d *OCGMDefinition) Method() ScoringMethod { return MethodOCGM }

// Title returns the model's name.
func (d *OCGMDefinition) Title() string { return d.Name }

// Threshold returns the review threshold.
func (d *OCGMDefinition) Threshold() float64 { return d.ReviewThreshold }

// Validate checks the definition, naming fields by JSON path.
func (d *OCGMDefinition) Validate() error {
	c := &checker{codes: map[string]string{}}
	if strings.TrimSpace(d.Name) == "" {
		c.v.Add("name", "Enter the model's name")
	}
	c.threshold(d.ReviewThreshold)
	if len(d.Attributes) == 0 {
		c.v.Add("attributes", "Give at least one attribute")
	}
	for i, a := range d.Attributes {
		p := fmt.Sprintf("attributes[%d]", i)
		c.code(p, a.Code)
		c.name(p, a.Name)
		if !(a.Weight > 0) || math.IsInf(a.Weight, 0) {
			c.v.Add(p+".weight", "Weight must be more than 0")
		}
		c.scale(p, a.Scale, false)
	}
	if len(d.Bands) == 0 {
		c.v.Add("bands", "Give at least one band")
	}
	names, mins := map[string]bool{}, map[float64]bool{}
	lowest := math.Inf(1)
	for i, b := range d.Bands {
		p := fmt.Sprintf("bands[%d]", i)
		if strings.TrimSpace(b.Name) == "" {
			c.v.Add(p+".name", "Enter the band's name")
		} else if names[b.Name] {
			c.v.Add(p+".name", "Band %q appears twice", b.Name)
		}
		names[b.Name] = true
		if math.IsNaN(b.Min) || math.IsInf(b.Min, 0) || b.Min < 0 {
			c.v.Add(p+".min", "The minimum score must be zero or more")
		} else if mins[b.Min] {
			c.v.Add(p+".min", "Another band already starts at %g", b.Min)
		}
		mins[b.Min] = true
		lowest = min(lowest, b.Min)
	}
	if len(d.Bands) > 0 && lowest != 0 {
		c.v.Add("bands", "One band must start at 0, so every score has a band")
	}
	return c.v.Err()
}

// Max returns Σ weight × the highest points of each attribute.
func (d *OCGMDefinition) Max() float64 {
	t := 0.0
	for _, a := range d.Attributes {
		t += a.Weight * maxPoints(a.Scale)
	}
	return round(t)
}

// Fields lists the attributes.
func (d *OCGMDefinition) Fields() []ScoringField {
	out := make([]ScoringField, len(d.Attributes))
	for i, a := range d.Attributes {
		out[i] = ScoringField{Code: a.Code, Name: a.Name, Description: a.Description, Section: "Attributes", Weight: a.Weight, Options: slices.Clone(a.Scale)}
	}
	return out
}

// Compute totals the weighted attributes and finds the band.
func (d *OCGMDefinition) Compute(in ScoringInputs) (ScoreResult, error) {
	var v ValidationError
	used := map[string]bool{}
	r := ScoreResult{Method: MethodOCGM, Max: d.Max(), Parts: []ScorePart{}}
	total := 0.0
	for _, a := range d.Attributes {
		sv, ok := choose(&v, in, used, a.Code, a.Name, a.Scale)
		if !ok {
			continue
		}
		c := round(a.Weight * sv.Points)
		total += c
		r.Parts = append(r.Parts, ScorePart{Code: a.Code, Name: a.Name, Value: sv.Code, Label: sv.Label, Points: sv.Points, Weight: a.Weight, Contribution: c})
	}
	unknown(&v, in, used)
	if err := v.Err(); err != nil {
		return ScoreResult{}, err
	}
	r.Score = round(total)
	if r.Max > 0 {
		r.Normalised = round(r.Score / r.Max)
	}
	best := math.Inf(-1)
	for _, b := range d.Bands {
		if b.Min <= r.Score && b.Min > best {
			best, r.Band, r.Priority = b.Min, b.Name, b.Priority
		}
	}
	return r, nil
}

// MoRiLEDefinition is a MoRiLE-style model. Total harm is the sum of the
// harm dimensions adjusted by geographic scope; likelihood is the sum of
// the likelihood dimensions adjusted by victim vulnerability; the risk
// score combines the two by Risk ("product" or "sum"). The organisational
// position (capacity and capability) and the risk score give the priority
// through the priority rules. Confidence is recorded beside the result and
// never enters it.
type MoRiLEDefinition struct {
	Name            string         `json:"name"`
	Notice          string         `json:"notice,omitempty"`
	ReviewThreshold float64        `json:"review_threshold"`
	Harm            []Dimension    `json:"harm"`
	Geography       Adjustment     `json:"geography"`
	Likelihood      []Dimension    `json:"likelihood"`
	Vulnerability   Adjustment     `json:"vulnerability"`
	Risk            string         `json:"risk"`
	Position        Dimension      `json:"organisational_position"`
	Priorities      []PriorityRule `json:"priorities"`
}

// Method returns MethodMoRiLE.
func (d *MoRiLEDefinition) Method() ScoringMethod { return MethodMoRiLE }

// Title returns the model's name.
func (d *MoRiLEDefinition) Title() string { return d.Name }

// Threshold returns the review threshold.
func (d *MoRiLEDefinition) Threshold() float64 { return d.ReviewThreshold }

// Validate checks the definition, naming fields by JSON path.
func (d *MoRiLEDefinition) Validate() error {
	c := &checker{codes: map[string]string{}}
	if strings.TrimSpace(d.Name) == "" {
		c.v.Add("name", "Enter the model's name")
	}
	c.threshold(d.ReviewThreshold)
	dims := func(path string, list []Dimension, what string) {
		if len(list) == 0 {
			c.v.Add(path, "Give at least one %s dimension", what)
		}
		for i, x := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			c.code(p, x.Code)
			c.name(p, x.Name)
			c.scale(p, x.Scale, false)
		}
	}
	adj := func(path string, a Adjustment) {
		c.code(path, a.Code)
		c.name(path, a.Name)
		if a.Mode != AdjustMultiply && a.Mode != AdjustAdd {
			c.v.Add(path+".mode", "Mode must be %q or %q", AdjustMultiply, AdjustAdd)
		}
		c.scale(path, a.Scale, a.Mode == AdjustMultiply)
	}
	dims("harm", d.Harm, "harm")
	adj("geography", d.Geography)
	dims("likelihood", d.Likelihood, "likelihood")
	adj("vulnerability", d.Vulnerability)
	if d.Risk != RiskProduct && d.Risk != RiskSum {
		c.v.Add("risk", "Risk must be %q (harm × likelihood) or %q (harm + likelihood)", RiskProduct, RiskSum)
	}
	c.code("organisational_position", d.Position.Code)
	c.name("organisational_position", d.Position.Name)
	c.scale("organisational_position", d.Position.Scale, false)
	if len(d.Priorities) == 0 {
		c.v.Add("priorities", "Give at least one priority rule")
	}
	for i, pr := range d.Priorities {
		p := fmt.Sprintf("priorities[%d]", i)
		if strings.TrimSpace(pr.Priority) == "" {
			c.v.Add(p+".priority", "Enter the priority the rule gives, like P1")
		}
		if math.IsNaN(pr.MinRisk) || math.IsInf(pr.MinRisk, 0) || pr.MinRisk < 0 {
			c.v.Add(p+".min_risk", "The minimum risk score must be zero or more")
		}
		for j, pos := range pr.Positions {
			if _, ok := findValue(d.Position.Scale, pos); !ok {
				c.v.Add(fmt.Sprintf("%s.positions[%d]", p, j), "%q is not a value of the organisational position", pos)
			}
		}
	}
	if n := len(d.Priorities); n > 0 {
		if last := d.Priorities[n-1]; last.MinRisk != 0 || len(last.Positions) != 0 {
			c.v.Add(fmt.Sprintf("priorities[%d]", n-1), "The last rule must have min_risk 0 and no positions, so every assessment gets a priority")
		}
	}
	return c.v.Err()
}

func sumMax(list []Dimension) float64 {
	t := 0.0
	for _, x := range list {
		t += maxPoints(x.Scale)
	}
	return t
}

func (d *MoRiLEDefinition) combine(harm, likelihood float64) float64 {
	if d.Risk == RiskSum {
		return harm + likelihood
	}
	return harm * likelihood
}

// Max returns the risk score of the worst answer to every question. Every
// step is non-decreasing in its inputs (points and factors are never
// negative), so that is the highest score the model can give.
func (d *MoRiLEDefinition) Max() float64 {
	h := d.Geography.apply(sumMax(d.Harm), maxPoints(d.Geography.Scale))
	l := d.Vulnerability.apply(sumMax(d.Likelihood), maxPoints(d.Vulnerability.Scale))
	return round(d.combine(round(h), round(l)))
}

// Fields lists harm, geographic scope, likelihood, victim vulnerability and
// organisational position, in that order.
func (d *MoRiLEDefinition) Fields() []ScoringField {
	var out []ScoringField
	for _, x := range d.Harm {
		out = append(out, ScoringField{Code: x.Code, Name: x.Name, Description: x.Description, Section: "Harm", Options: slices.Clone(x.Scale)})
	}
	out = append(out, ScoringField{Code: d.Geography.Code, Name: d.Geography.Name, Description: d.Geography.Description, Section: "Harm", Options: slices.Clone(d.Geography.Scale)})
	for _, x := range d.Likelihood {
		out = append(out, ScoringField{Code: x.Code, Name: x.Name, Description: x.Description, Section: "Likelihood", Options: slices.Clone(x.Scale)})
	}
	out = append(out, ScoringField{Code: d.Vulnerability.Code, Name: d.Vulnerability.Name, Description: d.Vulnerability.Description, Section: "Likelihood", Options: slices.Clone(d.Vulnerability.Scale)})
	out = append(out, ScoringField{Code: d.Position.Code, Name: d.Position.Name, Description: d.Position.Description, Section: "Organisational position", Options: slices.Clone(d.Position.Scale)})
	return out
}

// Compute works out total harm, likelihood, the risk score and the priority.
func (d *MoRiLEDefinition) Compute(in ScoringInputs) (ScoreResult, error) {
	var v ValidationError
	used := map[string]bool{}
	r := ScoreResult{Method: MethodMoRiLE, Max: d.Max(), Parts: []ScorePart{}}
	section := func(list []Dimension) float64 {
		t := 0.0
		for _, x := range list {
			if sv, ok := choose(&v, in, used, x.Code, x.Name, x.Scale); ok {
				t += sv.Points
				r.Parts = append(r.Parts, ScorePart{Code: x.Code, Name: x.Name, Value: sv.Code, Label: sv.Label, Points: sv.Points, Contribution: sv.Points})
			}
		}
		return t
	}
	adjust := func(a Adjustment, total float64) float64 {
		sv, ok := choose(&v, in, used, a.Code, a.Name, a.Scale)
		if !ok {
			return total
		}
		after := round(a.apply(total, sv.Points))
		r.Parts = append(r.Parts, ScorePart{Code: a.Code, Name: a.Name, Value: sv.Code, Label: sv.Label, Points: sv.Points, Contribution: round(after - total)})
		return after
	}
	harm := adjust(d.Geography, round(section(d.Harm)))
	likelihood := adjust(d.Vulnerability, round(section(d.Likelihood)))
	pos, _ := choose(&v, in, used, d.Position.Code, d.Position.Name, d.Position.Scale)
	unknown(&v, in, used)
	if err := v.Err(); err != nil {
		return ScoreResult{}, err
	}
	r.Parts = append(r.Parts, ScorePart{Code: d.Position.Code, Name: d.Position.Name, Value: pos.Code, Label: pos.Label, Points: pos.Points})
	r.TotalHarm, r.Likelihood = harm, likelihood
	r.Score = round(d.combine(harm, likelihood))
	if r.Max > 0 {
		r.Normalised = round(r.Score / r.Max)
	}
	r.OrgPosition = pos.Code
	for _, pr := range d.Priorities {
		if r.Score >= pr.MinRisk && (len(pr.Positions) == 0 || slices.Contains(pr.Positions, pos.Code)) {
			r.Priority = pr.Priority
			break
		}
	}
	return r, nil
}

// ParseScoringDefinition reads a definition of method from JSON, refusing
// fields it does not know (so a mistyped key is reported, not ignored), and
// validates it. Problems come back as a *ValidationError.
func ParseScoringDefinition(method ScoringMethod, b []byte) (ScoringDefinition, error) {
	var d ScoringDefinition
	switch method {
	case MethodOCGM:
		d = &OCGMDefinition{}
	case MethodMoRiLE:
		d = &MoRiLEDefinition{}
	default:
		var v ValidationError
		v.Add("method", "Choose OCGM-style or MoRiLE-style")
		return nil, v.Err()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		var v ValidationError
		v.Add("definition", "The definition is not valid JSON for a %s model: %s", method.Label(), strings.TrimPrefix(err.Error(), "json: "))
		return nil, v.Err()
	}
	if dec.More() {
		var v ValidationError
		v.Add("definition", "The definition has text after its closing brace")
		return nil, v.Err()
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// MarshalScoringDefinition writes d as the indented JSON that is stored
// and shown to administrators. The same definition always gives the same
// text.
func MarshalScoringDefinition(d ScoringDefinition) (string, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", fmt.Errorf("marshal %s definition: %w", d.Method(), err)
	}
	return string(b), nil
}

// ScoringModel is one stored version of a scoring model. A version is never
// changed once stored; a new definition is a new version, and only the
// newest is Current.
type ScoringModel struct {
	ID         string
	Method     ScoringMethod
	Version    int
	Name       string
	Definition string // JSON, as stored
	IsDefault  bool   // shipped with Alliance rather than edited locally
	Current    bool
	CreatedBy  string
	CreatedAt  time.Time

	CreatedByName string            // filled by reads
	Def           ScoringDefinition // parsed by reads
}

// Assessment is one scoring of one group by one method, as recorded: the
// model version, the inputs and the result, so it can be reproduced.
type Assessment struct {
	ID          string
	OCGID       string
	Method      ScoringMethod
	ModelID     string
	AssessedOn  time.Time
	Inputs      ScoringInputs
	Result      ScoreResult
	Score       float64
	Band        string
	Priority    string
	Confidence  int // 1 low, 2 medium, 3 high; never part of the score
	Rationale   string
	NeedsReview bool
	ReviewNote  string
	AssessedBy  string
	CreatedAt   time.Time

	// Filled by reads.
	ModelVersion   int
	ModelName      string
	AssessedByName string
}

// ConfidenceLabel names a confidence grade.
func ConfidenceLabel(c int) string {
	switch c {
	case 1:
		return "1: Low"
	case 2:
		return "2: Medium"
	case 3:
		return "3: High"
	}
	return ""
}

// Disagreement compares a new result with the latest result of the other
// method, on the 0–1 scale of each model's maximum. It reports whether they
// differ by more than threshold and, if so, a note saying why.
func Disagreement(newer, other ScoreResult, otherOn time.Time, threshold float64) (bool, string) {
	gap := round(math.Abs(newer.Normalised - other.Normalised))
	if gap <= threshold {
		return false, ""
	}
	return true, fmt.Sprintf("The %s result is %.2f of its model's maximum but the latest %s result (assessed %s) is %.2f: "+
		"they differ by %.2f, more than the review threshold of %.2f. Review both assessments.",
		newer.Method.Label(), newer.Normalised, other.Method.Label(), FormatUK(otherOn), other.Normalised, gap, threshold)
}
