package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func allAt(d ScoringDefinition, pick func([]ScaleValue) ScaleValue) ScoringInputs {
	in := ScoringInputs{Values: map[string]string{}}
	for _, f := range d.Fields() {
		in.Values[f.Code] = pick(f.Options).Code
	}
	return in
}

func lowest(s []ScaleValue) ScaleValue  { return s[0] }
func highest(s []ScaleValue) ScaleValue { return s[len(s)-1] }

func with(in ScoringInputs, kv ...string) ScoringInputs {
	out := ScoringInputs{Values: map[string]string{}, Opportunity: in.Opportunity}
	for k, v := range in.Values {
		out.Values[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out.Values, kv[i])
			continue
		}
		out.Values[kv[i]] = kv[i+1]
	}
	return out
}

func TestDefaultsAreValidAndLabelled(t *testing.T) {
	for _, m := range ScoringMethods {
		t.Run(string(m), func(t *testing.T) {
			d := DefaultScoringDefinition(m)
			if err := d.Validate(); err != nil {
				t.Fatalf("got %v, want the default valid", err)
			}
			text, err := MarshalScoringDefinition(d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, "not the national") {
				t.Errorf("got a default without its caveat, want it labelled as not the national scheme")
			}
			back, err := ParseScoringDefinition(m, []byte(text))
			if err != nil {
				t.Fatalf("parse own JSON: got %v", err)
			}
			if !reflect.DeepEqual(back, d) {
				t.Errorf("JSON round trip: got %+v, want %+v", back, d)
			}
			again, _ := MarshalScoringDefinition(back)
			if again != text {
				t.Errorf("marshal is not stable: got %q, want %q", again, text)
			}
		})
	}
}

func TestOCGMCompute(t *testing.T) {
	d := DefaultOCGM()
	tests := []struct {
		name         string
		in           ScoringInputs
		wantScore    float64
		wantBand     string
		wantPriority string
	}{
		{"everything lowest", allAt(d, lowest), 0, "3C", "P3"},
		{"everything highest", allAt(d, highest), 72, "1A", "P1"},
		// 3×3 + 3×2 + 3×4 + 2×1 + 2×2 + 2×0 + 2×0 + 1×3 = 36.
		{"a county lines group", with(allAt(d, lowest), "criminality", "serious", "violence", "violence", "vulnerability", "systematic",
			"capability", "basic", "geography", "force", "network", "linked"), 36, "2A", "P2"},
		// 3×4 + 3×4 + 3×3 + 2×1 + 2×1 + 1×1 = 38, the minimum of 1C.
		{"exactly on a band's minimum", with(allAt(d, lowest), "criminality", "most_serious", "violence", "firearms",
			"vulnerability", "children", "capability", "basic", "geography", "district", "network", "medium"), 38, "1C", "P1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := d.Compute(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Score != tc.wantScore || r.Band != tc.wantBand || r.Priority != tc.wantPriority {
				t.Errorf("got %v %s %s, want %v %s %s", r.Score, r.Band, r.Priority, tc.wantScore, tc.wantBand, tc.wantPriority)
			}
			if r.Max != 72 || r.Normalised != round(tc.wantScore/72) {
				t.Errorf("got max %v normalised %v, want 72 and %v", r.Max, r.Normalised, round(tc.wantScore/72))
			}
			if len(r.Parts) != len(d.Attributes) {
				t.Errorf("got %d parts, want one per attribute (%d)", len(r.Parts), len(d.Attributes))
			}
			again, _ := d.Compute(tc.in)
			a, _ := json.Marshal(r)
			b, _ := json.Marshal(again)
			if string(a) != string(b) {
				t.Errorf("not deterministic: got %s then %s", a, b)
			}
		})
	}
}

func TestMoRiLECompute(t *testing.T) {
	d := DefaultMoRiLE()
	base := allAt(d, lowest)
	tests := []struct {
		name                           string
		in                             ScoringInputs
		wantHarm, wantLikelihood, want float64
		wantPriority                   string
	}{
		{"everything lowest", base, 0, 1, 0, "P3"},
		{"everything highest", allAt(d, highest), 32, 9, 288, "P1"},
		// Harm (3+2+2+1) × 1.25 = 10; likelihood (3+2) × 1.5 = 7.5; risk 75.
		{"high risk, well placed", with(base, "physical", "substantial", "psychological", "moderate", "financial", "moderate", "community", "low",
			"geography", "regional", "frequency", "frequent", "trend", "increasing", "victim_vulnerability", "high", "org_position", "strong"), 10, 7.5, 75, "P2"},
		{"high risk, little capacity", with(base, "physical", "substantial", "psychological", "moderate", "financial", "moderate", "community", "low",
			"geography", "regional", "frequency", "frequent", "trend", "increasing", "victim_vulnerability", "high", "org_position", "limited"), 10, 7.5, 75, "P1"},
		{"opportunity is words only", with(ScoringInputs{Values: base.Values, Opportunity: "Closure order on the flat"}), 0, 1, 0, "P3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := d.Compute(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.TotalHarm != tc.wantHarm || r.Likelihood != tc.wantLikelihood || r.Score != tc.want || r.Priority != tc.wantPriority {
				t.Errorf("got harm %v likelihood %v risk %v %s, want %v %v %v %s", r.TotalHarm, r.Likelihood, r.Score, r.Priority,
					tc.wantHarm, tc.wantLikelihood, tc.want, tc.wantPriority)
			}
			if r.Max != 288 {
				t.Errorf("got max %v, want 288", r.Max)
			}
		})
	}
}

func TestAdditiveAdjustmentsAndSum(t *testing.T) {
	d := DefaultMoRiLE()
	d.Geography.Mode = AdjustAdd
	d.Geography.Scale = ordinal("local", "Local", 0, "regional", "Regional", 2, "national", "National", 4)
	d.Risk = RiskSum
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	in := with(allAt(d, lowest), "physical", "critical", "geography", "national", "frequency", "persistent")
	r, err := d.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	// Harm 4 + 4 = 8; likelihood (4 + 0) × 1 = 4; risk 8 + 4 = 12; max (16+4) + 9 = 29.
	if r.TotalHarm != 8 || r.Likelihood != 4 || r.Score != 12 || r.Max != 29 {
		t.Errorf("got harm %v likelihood %v risk %v max %v, want 8 4 12 29", r.TotalHarm, r.Likelihood, r.Score, r.Max)
	}
}

func TestComputeRefusesBadInputs(t *testing.T) {
	tests := []struct {
		name  string
		d     ScoringDefinition
		in    func(ScoringDefinition) ScoringInputs
		field string
	}{
		{"ocgm missing attribute", DefaultOCGM(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "violence", "") }, "violence"},
		{"ocgm unknown value", DefaultOCGM(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "violence", "nuclear") }, "violence"},
		{"ocgm unknown attribute", DefaultOCGM(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "charisma", "high") }, "charisma"},
		{"morile missing harm", DefaultMoRiLE(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "financial", "") }, "financial"},
		{"morile missing position", DefaultMoRiLE(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "org_position", "") }, "org_position"},
		{"confidence is never an input", DefaultMoRiLE(), func(d ScoringDefinition) ScoringInputs { return with(allAt(d, lowest), "confidence", "3") }, "confidence"},
		{"nothing at all", DefaultOCGM(), func(d ScoringDefinition) ScoringInputs { return ScoringInputs{} }, "criminality"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.d.Compute(tc.in(tc.d))
			var verr *ValidationError
			if !errors.As(err, &verr) || !verr.Has(tc.field) {
				t.Fatalf("got %+v, %v; want a problem naming %s", r, err, tc.field)
			}
		})
	}
}

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		name  string
		d     func() ScoringDefinition
		field string
	}{
		{"no name", func() ScoringDefinition { d := DefaultOCGM(); d.Name = " "; return d }, "name"},
		{"zero weight", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[2].Weight = 0; return d }, "attributes[2].weight"},
		{"duplicate attribute", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[1].Code = "criminality"; return d }, "attributes[1].code"},
		{"reserved code", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[0].Code = "confidence"; return d }, "attributes[0].code"},
		{"bad code", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[0].Code = "Crime Type"; return d }, "attributes[0].code"},
		{"one-value scale", func() ScoringDefinition {
			d := DefaultOCGM()
			d.Attributes[3].Scale = d.Attributes[3].Scale[:1]
			return d
		}, "attributes[3].scale"},
		{"negative points", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[0].Scale[1].Points = -1; return d }, "attributes[0].scale[1].points"},
		{"blank label", func() ScoringDefinition { d := DefaultOCGM(); d.Attributes[0].Scale[2].Label = ""; return d }, "attributes[0].scale[2].label"},
		{"no band from zero", func() ScoringDefinition { d := DefaultOCGM(); d.Bands = d.Bands[:8]; return d }, "bands"},
		{"duplicate band", func() ScoringDefinition { d := DefaultOCGM(); d.Bands[1].Name = "1A"; return d }, "bands[1].name"},
		{"threshold too high", func() ScoringDefinition { d := DefaultOCGM(); d.ReviewThreshold = 1.5; return d }, "review_threshold"},
		{"threshold missing", func() ScoringDefinition { d := DefaultMoRiLE(); d.ReviewThreshold = 0; return d }, "review_threshold"},
		{"bad mode", func() ScoringDefinition { d := DefaultMoRiLE(); d.Geography.Mode = "power"; return d }, "geography.mode"},
		{"zero factor", func() ScoringDefinition { d := DefaultMoRiLE(); d.Vulnerability.Scale[0].Points = 0; return d }, "vulnerability.scale[0].points"},
		{"bad risk", func() ScoringDefinition { d := DefaultMoRiLE(); d.Risk = "max"; return d }, "risk"},
		{"no harm", func() ScoringDefinition { d := DefaultMoRiLE(); d.Harm = nil; return d }, "harm"},
		{"unknown position in a rule", func() ScoringDefinition { d := DefaultMoRiLE(); d.Priorities[1].Positions = []string{"weak"}; return d }, "priorities[1].positions[0]"},
		{"no catch-all rule", func() ScoringDefinition { d := DefaultMoRiLE(); d.Priorities = d.Priorities[:4]; return d }, "priorities[3]"},
		{"code used twice across sections", func() ScoringDefinition { d := DefaultMoRiLE(); d.Likelihood[0].Code = "physical"; return d }, "likelihood[0].code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d().Validate()
			var verr *ValidationError
			if !errors.As(err, &verr) || !verr.Has(tc.field) {
				t.Errorf("got %v, want a problem naming %s", err, tc.field)
			}
		})
	}
}

func TestParseScoringDefinition(t *testing.T) {
	good, _ := MarshalScoringDefinition(DefaultOCGM())
	tests := []struct {
		name   string
		method ScoringMethod
		text   string
		field  string // "" when it must parse
	}{
		{"good", MethodOCGM, good, ""},
		{"not JSON", MethodOCGM, "{", "definition"},
		{"misspelt key", MethodOCGM, strings.Replace(good, `"weight"`, `"wieght"`, 1), "definition"},
		{"text after", MethodOCGM, good + " {}", "definition"},
		{"wrong method's shape", MethodMoRiLE, good, "definition"},
		{"unknown method", ScoringMethod("astrology"), good, "method"},
		{"valid JSON, invalid model", MethodOCGM, `{"name":"x","review_threshold":0.35,"attributes":[],"bands":[]}`, "attributes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScoringDefinition(tc.method, []byte(tc.text))
			if tc.field == "" {
				if err != nil {
					t.Errorf("got %v, want it parsed", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || !verr.Has(tc.field) {
				t.Errorf("got %v, want a problem naming %s", err, tc.field)
			}
		})
	}
}

func TestDisagreement(t *testing.T) {
	on := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		newer, other float64
		threshold    float64
		want         bool
	}{
		{"close", 0.5, 0.4, 0.35, false},
		{"exactly at the threshold", 0.75, 0.4, 0.35, false},
		{"far apart", 0.9, 0.2, 0.35, true},
		{"far apart the other way", 0.1, 0.6, 0.35, true},
		{"a stricter threshold", 0.5, 0.35, 0.1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, note := Disagreement(ScoreResult{Method: MethodOCGM, Normalised: tc.newer}, ScoreResult{Method: MethodMoRiLE, Normalised: tc.other}, on, tc.threshold)
			if got != tc.want {
				t.Fatalf("got %v (%q), want %v", got, note, tc.want)
			}
			if got && (!strings.Contains(note, "MoRiLE-style") || !strings.Contains(note, "3 November 2026") || !strings.Contains(note, "review threshold")) {
				t.Errorf("got note %q, want it to say which assessment, when, and the threshold", note)
			}
			if !got && note != "" {
				t.Errorf("got note %q, want none", note)
			}
		})
	}
}

func TestParseScoringMethod(t *testing.T) {
	tests := []struct {
		in   string
		want ScoringMethod
		ok   bool
	}{
		{"ocgm", MethodOCGM, true}, {" MoRiLE ", MethodMoRiLE, true}, {"", "", false}, {"both", "", false},
	}
	for _, tc := range tests {
		got, ok := ParseScoringMethod(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseScoringMethod(%q): got %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
