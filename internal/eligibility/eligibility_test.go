package eligibility

import (
	"strings"
	"testing"
)

func template(t *testing.T, name string) Rules {
	t.Helper()
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == name {
			return x.Rules
		}
	}
	t.Fatalf("no template %q", name)
	return Rules{}
}

// facts builds Facts from a base case changed by set.
func facts(age int, offence []string, flags map[string]bool, words map[string][]string) Facts {
	f := Facts{Numbers: map[string]int{"age": age}, Words: map[string][]string{}, Flags: map[string]bool{}}
	if offence != nil {
		f.Words["offence"] = offence
	}
	for k, v := range words {
		f.Words[k] = v
	}
	for k, v := range flags {
		f.Flags[k] = v
	}
	return f
}

func TestOperationChoice(t *testing.T) {
	r := template(t, "Operation Choice")
	ok := map[string]bool{"in_custody": false, "parental_consent": true}
	cases := []struct {
		name    string
		f       Facts
		want    bool
		failing string // a word of the failed rule's message
	}{
		{"possession at 15, outside custody, consent", facts(15, []string{"possession"}, ok, nil), true, ""},
		{"aged 17: the last year", facts(17, []string{"possession"}, ok, nil), true, ""},
		{"aged 18: too old", facts(18, []string{"possession"}, ok, nil), false, "aged 10 to 17"},
		{"aged 10: the first year", facts(10, []string{"possession"}, ok, nil), true, ""},
		{"aged 9: too young", facts(9, []string{"possession"}, ok, nil), false, "aged 10 to 17"},
		{"PWITS, not possession", facts(15, []string{"pwits"}, ok, nil), false, "Misuse of Drugs Act"},
		{"possession and PWITS", facts(15, []string{"possession", "pwits"}, ok, nil), false, "PWITS"},
		{"possession and supply", facts(15, []string{"possession", "supply"}, ok, nil), false, "supply"},
		{"in custody", facts(15, []string{"possession"}, map[string]bool{"in_custody": true, "parental_consent": true}, nil), false, "outside custody"},
		{"no parental consent", facts(15, []string{"possession"}, map[string]bool{"in_custody": false, "parental_consent": false}, nil), false, "consent"},
		{"consent not recorded", facts(15, []string{"possession"}, map[string]bool{"in_custody": false}, nil), false, "consent"},
		{"no offence given", facts(15, nil, ok, nil), false, "Misuse of Drugs Act"},
		{"no age given", Facts{Words: map[string][]string{"offence": {"possession"}}, Flags: ok}, false, "aged 10 to 17"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, failed := r.Check(c.f)
			if got != c.want {
				t.Fatalf("got eligible=%t (failed %q), want %t", got, failed.Message, c.want)
			}
			if !c.want && !strings.Contains(failed.Message, c.failing) {
				t.Errorf("got the failed rule %q, want one saying %q", failed.Message, c.failing)
			}
		})
	}
}

func TestOperationDivan(t *testing.T) {
	r := template(t, "Operation Divan")
	concern := map[string]bool{"knife_concern": true, "provable_crime": false}
	cases := []struct {
		name    string
		f       Facts
		want    bool
		failing string
		route   string
	}{
		{"aged 17, knife concern, no provable crime, not open to a service", facts(17, nil, concern, nil), true, "", "early_help"},
		{"aged 18: too old", facts(18, nil, concern, nil), false, "under 18", ""},
		{"a provable crime", facts(15, nil, map[string]bool{"knife_concern": true, "provable_crime": true}, nil), false, "criminal channels", ""},
		{"provable crime not recorded", facts(15, nil, map[string]bool{"knife_concern": true}, nil), false, "criminal channels", ""},
		{"no knife concern", facts(15, nil, map[string]bool{"knife_concern": false, "provable_crime": false}, nil), false, "knives", ""},
		{"open to CFS: their worker", facts(14, nil, concern, map[string][]string{"open_to": {"cfs"}}), true, "", "children_families"},
		{"open to YJS: the YJS delivers", facts(16, nil, concern, map[string][]string{"open_to": {"yjs"}}), true, "", "youth_justice"},
		{"open to both: the YJS", facts(16, nil, concern, map[string][]string{"open_to": {"cfs", "yjs"}}), true, "", "youth_justice"},
		{"open to neither", facts(12, nil, concern, map[string][]string{"open_to": {}}), true, "", "early_help"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, failed := r.Check(c.f)
			if got != c.want {
				t.Fatalf("got eligible=%t (failed %q), want %t", got, failed.Message, c.want)
			}
			if !c.want && !strings.Contains(failed.Message, c.failing) {
				t.Errorf("got the failed rule %q, want one saying %q", failed.Message, c.failing)
			}
			if c.want {
				if got := r.Route(c.f); got != c.route {
					t.Errorf("routed to %q, want %q", got, c.route)
				}
			}
		})
	}
}

func TestSteppingUp(t *testing.T) {
	r := template(t, "Stepping Up")
	src := func(s string) map[string][]string { return map[string][]string{"referral_source": {s}} }
	cases := []struct {
		name    string
		f       Facts
		want    bool
		failing string
	}{
		{"aged 10, from a school", facts(10, nil, nil, src("school")), true, ""},
		{"aged 9", facts(9, nil, nil, src("school")), false, "10 to 25"},
		{"aged 25, from the police", facts(25, nil, nil, src("police_officer")), true, ""},
		{"aged 26", facts(26, nil, nil, src("police_officer")), false, "10 to 25"},
		{"a parent refers", facts(15, nil, nil, src("parent_self")), false, "police and partner"},
		{"the voluntary sector refers", facts(15, nil, nil, src("voluntary_sector")), true, ""},
		{"no source", facts(15, nil, nil, nil), false, "police and partner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, failed := r.Check(c.f)
			if got != c.want {
				t.Fatalf("got eligible=%t (failed %q), want %t", got, failed.Message, c.want)
			}
			if !c.want && !strings.Contains(failed.Message, c.failing) {
				t.Errorf("got the failed rule %q, want one saying %q", failed.Message, c.failing)
			}
		})
	}
}

func TestParseRefusesBadRules(t *testing.T) {
	cases := []struct{ name, json, want string }{
		{"unknown fact", `{"eligible":[{"fact":"shoe_size","op":"between","min":1,"message":"m"}]}`, `"shoe_size" is not a fact`},
		{"op for another kind", `{"eligible":[{"fact":"age","op":"in","values":["x"],"message":"m"}]}`, "age is not a word"},
		{"no bounds", `{"eligible":[{"fact":"age","op":"between","message":"m"}]}`, "needs a min, a max or both"},
		{"min above max", `{"eligible":[{"fact":"age","op":"between","min":18,"max":10,"message":"m"}]}`, "min 18 above max 10"},
		{"no values", `{"eligible":[{"fact":"offence","op":"in","message":"m"}]}`, "needs values"},
		{"no value", `{"eligible":[{"fact":"in_custody","op":"is","message":"m"}]}`, "needs a value"},
		{"no message", `{"eligible":[{"fact":"in_custody","op":"is","value":true}]}`, "needs a message"},
		{"unknown op", `{"eligible":[{"fact":"age","op":"over","min":3,"message":"m"}]}`, `"over" is not a test`},
		{"no rules", `{"eligible":[]}`, "at least one eligibility rule"},
		{"a route going nowhere", `{"eligible":[{"fact":"in_custody","op":"is","value":false,"message":"m"}],"routes":[{"when":[]}]}`, "route 1"},
		{"a misspelt key", `{"eligable":[]}`, "not valid JSON"},
		{"not JSON", `eligible: age < 18`, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// FuzzParse: no input makes Parse panic, and rules it accepts are valid
// and can be checked against any facts.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"eligible":[{"fact":"age","op":"between","min":1,"message":"m"}]}`, `{}`, `[]`, `{"eligible":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse([]byte(s))
		if err != nil {
			return
		}
		if r.Validate() != nil {
			t.Fatalf("Parse accepted rules Validate refuses: %s", s)
		}
		r.Check(Facts{})
		r.Route(Facts{})
	})
}
