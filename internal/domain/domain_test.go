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
