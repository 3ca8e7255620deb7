package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for invalid
	}{
		{"22/11/2026", "2026-11-22"},
		{"1/4/2026", "2026-04-01"},
		{"01/04/26", "2026-04-01"},
		{"2026-03-31", "2026-03-31"},
		{" 29/2/2024 ", "2024-02-29"},
		{"29/2/2025", ""},
		{"11/22/2026", ""},
		{"tomorrow", ""},
		{"", ""},
		{"1/1/1900", "1900-01-01"},
		{"31/12/1899", ""},
		{"1/1/0001", ""},
		{"0001-01-01", ""},
	}
	for _, tc := range tests {
		got, ok := ParseDay(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("ParseDay(%q): got %v, want invalid", tc.in, got)
			}
			continue
		}
		if !ok || got.Format("2006-01-02") != tc.want {
			t.Errorf("ParseDay(%q): got %v, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
}

func TestParseClassification(t *testing.T) {
	tests := []struct {
		in      string
		want    Classification
		wantErr string
	}{
		{"OFFICIAL", Official, ""},
		{"official-sensitive", OfficialSensitive, ""},
		{"Official Sensitive", OfficialSensitive, ""},
		{"SECRET", "", "must not be put on Alliance"},
		{"top secret", "", "must not be put on Alliance"},
		{"RESTRICTED", "", "not a classification"},
		{"", "", "choose"},
	}
	for _, tc := range tests {
		got, err := ParseClassification(tc.in)
		if tc.wantErr == "" && (err != nil || got != tc.want) {
			t.Errorf("ParseClassification(%q): got %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("ParseClassification(%q): got %v, want an error with %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestISAUsable(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	base := ISA{Status: "active", StartsOn: now.AddDate(-1, 0, 0), ReviewOn: now.AddDate(1, 0, 0)}
	tests := []struct {
		name string
		mut  func(*ISA)
		want bool
	}{
		{"active", func(*ISA) {}, true},
		{"ends today", func(i *ISA) { i.EndsOn = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }, true},
		{"ended yesterday", func(i *ISA) { i.EndsOn = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) }, false},
		{"not started", func(i *ISA) { i.StartsOn = now.AddDate(0, 0, 1) }, false},
		{"suspended", func(i *ISA) { i.Status = "suspended" }, false},
	}
	for _, tc := range tests {
		i := base
		tc.mut(&i)
		if got, why := i.Usable(now); got != tc.want {
			t.Errorf("%s: got %v (%s), want %v", tc.name, got, why, tc.want)
		}
	}
}

func TestValidationError(t *testing.T) {
	var v ValidationError
	if v.Err() != nil {
		t.Error("empty: got an error")
	}
	v.Add("title", "Enter a title")
	err := v.Err()
	var got *ValidationError
	if !errors.As(err, &got) || !got.Has("title") || got.Message("title") != "Enter a title" {
		t.Errorf("got %v", err)
	}
	if !errors.Is(NotFound("x", "1"), ErrNotFound) {
		t.Error("NotFound does not unwrap to ErrNotFound")
	}
}

// TestDisruptionValidate: the rules every stored disruption keeps (DOMAIN.md
// §10 rules 1 to 3), each problem named by the recording form's field.
func TestDisruptionValidate(t *testing.T) {
	good := func() Disruption {
		return Disruption{Subject: SubjectOCG, OCGID: "g1", FourP: Pursue, Impact: ImpactMinor, Status: DisruptionSubmitted, Threats: []string{"drugs"}}
	}
	tests := []struct {
		name  string
		mut   func(d *Disruption)
		field string // "" when valid
	}{
		{"valid", func(d *Disruption) {}, ""},
		{"validated with its grading", func(d *Disruption) {
			d.Status, d.ValidatedFourP, d.ValidatedImpact = DisruptionValidated, Protect, ImpactMajor
		}, ""},
		{"two threats", func(d *Disruption) { d.Threats = []string{"drugs", "fraud"} }, ""},
		{"no threat", func(d *Disruption) { d.Threats = nil }, "threats"},
		{"only a blank threat", func(d *Disruption) { d.Threats = []string{" "} }, "threats"},
		{"no 4P", func(d *Disruption) { d.FourP = "" }, "four_p"},
		{"impact off the scale", func(d *Disruption) { d.Impact = "huge" }, "impact"},
		{"validated without a grading", func(d *Disruption) { d.Status = DisruptionValidated }, "status"},
		{"graded but not validated", func(d *Disruption) { d.ValidatedFourP, d.ValidatedImpact = Pursue, ImpactMinor }, "status"},
		{"a group subject without a group", func(d *Disruption) { d.OCGID = "" }, "ocg"},
		{"an individual without a person", func(d *Disruption) { d.Subject = SubjectIndividual }, "entity"},
		{"a theme without a theme", func(d *Disruption) { d.Subject = SubjectTheme }, "theme"},
		{"no subject", func(d *Disruption) { d.Subject = "" }, "subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.mut(&d)
			err := d.Validate()
			var verr *ValidationError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("got %v, want no problem", err)
			case tc.field != "" && (!errors.As(err, &verr) || !verr.Has(tc.field) || len(verr.Problems) != 1):
				t.Errorf("got %v, want one problem, with %s", err, tc.field)
			}
		})
	}
}
