// Package eligibility holds the rules a prevention programme sets for who
// may be referred to it, and where a referral is routed, as data: a
// partnership writes them as JSON, Alliance checks them when they are saved
// and applies them to each referral. No programme has code of its own.
//
// A rule tests one fact of a referral (the young person's age, the offence,
// whether the referral is made in custody, whether a parent consents, …):
//
//	{"fact": "age", "op": "between", "min": 10, "max": 17, "message": "Op Choice is for 10 to 17 year olds"}
//	{"fact": "offence", "op": "in", "values": ["possession"], "message": "…not supply or PWITS"}
//	{"fact": "in_custody", "op": "is", "value": false, "message": "The referral is made outside custody"}
//
// A referral is eligible when every rule holds; Check names the first that
// does not. Routes send an eligible referral to the first route whose rules
// all hold (Op Divan: the children and families worker when the case is
// open to them, otherwise Early Help, or the Youth Justice Service).
package eligibility

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Facts are what a referral says about the young person and the incident:
// numbers (age), words (offence, referral source, open_to) and yes-or-no
// answers (in_custody, provable_crime, parental_consent). A fact not given
// is unknown, and a rule on an unknown fact fails: eligibility is never
// assumed.
type Facts struct {
	Numbers map[string]int
	Words   map[string][]string // a fact may have several words (open_to: cfs, yjs)
	Flags   map[string]bool
}

// Ops are the tests a rule may make.
const (
	OpBetween = "between" // a number within min and max, inclusive
	OpIn      = "in"      // a word among values (any of the fact's words)
	OpNotIn   = "not_in"  // none of the fact's words among values
	OpIs      = "is"      // a yes-or-no fact equal to value
)

// Rule is one test of one fact, with the message a referrer is told when
// it fails.
type Rule struct {
	Fact    string   `json:"fact"`
	Op      string   `json:"op"`
	Min     *int     `json:"min,omitempty"`
	Max     *int     `json:"max,omitempty"`
	Values  []string `json:"values,omitempty"`
	Value   *bool    `json:"value,omitempty"`
	Message string   `json:"message"`
}

// Route sends a referral whose When rules all hold to To (a delivering
// service, such as "children_families", "early_help" or "youth_justice").
type Route struct {
	When []Rule `json:"when"`
	To   string `json:"to"`
}

// Rules are a programme's eligibility rules and routes.
type Rules struct {
	Eligible []Rule  `json:"eligible"`
	Routes   []Route `json:"routes,omitempty"`
}

// Known facts and their kinds: a rule on any other fact is refused when the
// rules are saved, so a typing slip never makes a programme open to all.
var factKinds = map[string]string{
	"age":              "number",
	"offence":          "word",
	"referral_source":  "word",
	"open_to":          "word",
	"in_custody":       "flag",
	"provable_crime":   "flag",
	"parental_consent": "flag",
	"knife_concern":    "flag",
}

// FactKind returns the kind of a known fact ("number", "word" or "flag"),
// or "" for an unknown one.
func FactKind(fact string) string { return factKinds[fact] }

// Parse reads rules from JSON and checks them (Validate).
func Parse(data []byte) (Rules, error) {
	var r Rules
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Rules{}, fmt.Errorf("the rules are not valid JSON of rules and routes: %w", err)
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// Validate checks every rule: a known fact, an op that fits its kind, the
// bounds or values the op needs, and a message. It names the first rule
// that is wrong.
func (r Rules) Validate() error {
	if len(r.Eligible) == 0 {
		return fmt.Errorf("a programme needs at least one eligibility rule")
	}
	for i, x := range r.Eligible {
		if err := x.validate(); err != nil {
			return fmt.Errorf("eligibility rule %d: %w", i+1, err)
		}
	}
	for i, rt := range r.Routes {
		if strings.TrimSpace(rt.To) == "" {
			return fmt.Errorf("route %d: say where it sends the referral", i+1)
		}
		for j, x := range rt.When {
			if err := x.validate(); err != nil {
				return fmt.Errorf("route %d, rule %d: %w", i+1, j+1, err)
			}
		}
	}
	return nil
}

func (x Rule) validate() error {
	kind := factKinds[x.Fact]
	if kind == "" {
		known := make([]string, 0, len(factKinds))
		for f := range factKinds {
			known = append(known, f)
		}
		slices.Sort(known)
		return fmt.Errorf("%q is not a fact Alliance records; the facts are %s", x.Fact, strings.Join(known, ", "))
	}
	if strings.TrimSpace(x.Message) == "" {
		return fmt.Errorf("the rule on %s needs a message to tell the referrer when it fails", x.Fact)
	}
	switch x.Op {
	case OpBetween:
		if kind != "number" {
			return fmt.Errorf("%s is not a number: %q does not apply", x.Fact, x.Op)
		}
		if x.Min == nil && x.Max == nil {
			return fmt.Errorf("the rule on %s needs a min, a max or both", x.Fact)
		}
		if x.Min != nil && x.Max != nil && *x.Min > *x.Max {
			return fmt.Errorf("the rule on %s has min %d above max %d", x.Fact, *x.Min, *x.Max)
		}
	case OpIn, OpNotIn:
		if kind != "word" {
			return fmt.Errorf("%s is not a word: %q does not apply", x.Fact, x.Op)
		}
		if len(x.Values) == 0 {
			return fmt.Errorf("the rule on %s needs values", x.Fact)
		}
	case OpIs:
		if kind != "flag" {
			return fmt.Errorf("%s is not yes or no: %q does not apply", x.Fact, x.Op)
		}
		if x.Value == nil {
			return fmt.Errorf("the rule on %s needs a value, true or false", x.Fact)
		}
	default:
		return fmt.Errorf("%q is not a test; the tests are between, in, not_in and is", x.Op)
	}
	return nil
}

// Holds reports whether the rule holds for f. A rule on a fact f does not
// give fails.
func (x Rule) Holds(f Facts) bool {
	switch x.Op {
	case OpBetween:
		n, ok := f.Numbers[x.Fact]
		return ok && (x.Min == nil || n >= *x.Min) && (x.Max == nil || n <= *x.Max)
	case OpIn, OpNotIn:
		words, ok := f.Words[x.Fact]
		if !ok {
			return false
		}
		found := slices.ContainsFunc(words, func(w string) bool { return slices.Contains(x.Values, w) })
		if x.Op == OpIn {
			return found
		}
		return !found
	case OpIs:
		v, ok := f.Flags[x.Fact]
		return ok && x.Value != nil && v == *x.Value
	}
	return false
}

// Check returns whether f meets every eligibility rule and, when it does
// not, the first rule that fails.
func (r Rules) Check(f Facts) (ok bool, failed Rule) {
	for _, x := range r.Eligible {
		if !x.Holds(f) {
			return false, x
		}
	}
	return true, Rule{}
}

// Route returns where an eligible referral with facts f goes: the first
// route whose rules all hold, or "" when no route does (or there are none).
func (r Rules) Route(f Facts) string {
	for _, rt := range r.Routes {
		all := true
		for _, x := range rt.When {
			if !x.Holds(f) {
				all = false
				break
			}
		}
		if all {
			return rt.To
		}
	}
	return ""
}

// Template is a programme Alliance ships with, its rules as data.
type Template struct {
	Name, Type string
	MinAge     int
	MaxAge     int
	Rules      Rules
}

//go:embed programmes/*.json
var templateFiles embed.FS

// Templates returns the programmes Alliance ships with (Operation Choice,
// Operation Divan and Stepping Up), read from their JSON rules, which a
// partnership can copy and change without a release.
func Templates() ([]Template, error) {
	out := make([]Template, 0, 3)
	for _, t := range []struct {
		file, name, kind string
		min, max         int
	}{
		{"op-choice.json", "Operation Choice", "drugs_diversion", 10, 17},
		{"op-divan.json", "Operation Divan", "knife_intervention", 0, 17},
		{"stepping-up.json", "Stepping Up", "mentoring", 10, 25},
	} {
		data, err := templateFiles.ReadFile("programmes/" + t.file)
		if err != nil {
			return nil, fmt.Errorf("eligibility: %w", err)
		}
		r, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("eligibility: %s: %w", t.file, err)
		}
		out = append(out, Template{Name: t.name, Type: t.kind, MinAge: t.min, MaxAge: t.max, Rules: r})
	}
	return out, nil
}
