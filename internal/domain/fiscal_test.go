package domain

import (
	"testing"
	"time"
)

func isoDay(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseFiscalYear(t *testing.T) {
	cases := []struct {
		in         string
		want       FiscalYear
		wantErr    bool
		start, end string
	}{
		{in: "2023/24", want: 2023, start: "2023-04-01", end: "2024-03-31"},
		{in: "2023-24", want: 2023, start: "2023-04-01", end: "2024-03-31"},
		{in: " 2023 / 24 ", want: 2023, start: "2023-04-01", end: "2024-03-31"},
		{in: "2023/2024", want: 2023, start: "2023-04-01", end: "2024-03-31"},
		{in: "2023-2024", want: 2023, start: "2023-04-01", end: "2024-03-31"},
		{in: "1999/00", want: 1999, start: "1999-04-01", end: "2000-03-31"},
		{in: "2099/00", want: 2099, start: "2099-04-01", end: "2100-03-31"},
		{in: "2023/25", wantErr: true},
		{in: "2023/23", wantErr: true},
		{in: "2023/2025", wantErr: true},
		{in: "2023", wantErr: true},
		{in: "", wantErr: true},
		{in: "23/24", wantErr: true},
		{in: "2023/4", wantErr: true},
		{in: "2023/2a", wantErr: true},
		{in: "+023/24", wantErr: true},
		{in: "0100/01", wantErr: true},
		{in: "2023_24", wantErr: true},
	}
	for _, c := range cases {
		got, err := ParseFiscalYear(c.in)
		if c.wantErr {
			if err == nil {
				t.Errorf("ParseFiscalYear(%q): got %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseFiscalYear(%q): got %v, %v; want %v", c.in, int(got), err, int(c.want))
			continue
		}
		if !got.Start().Equal(isoDay(c.start)) || !got.End().Equal(isoDay(c.end)) {
			t.Errorf("%s: got %s to %s, want %s to %s", got, got.Start(), got.End(), c.start, c.end)
		}
	}
}

func TestFiscalYearLabelRoundTrip(t *testing.T) {
	for _, y := range []FiscalYear{1999, 2000, 2009, 2023, 2099} {
		got, err := ParseFiscalYear(y.String())
		if err != nil || got != y {
			t.Errorf("round trip of %s: got %v, %v; want %d", y, int(got), err, int(y))
		}
	}
	if got, want := FiscalYear(2023).String(), "2023/24"; got != want {
		t.Errorf("label: got %q, want %q", got, want)
	}
	if got, want := FiscalYear(1999).String(), "1999/00"; got != want {
		t.Errorf("label: got %q, want %q", got, want)
	}
}

func TestFiscalYearOf(t *testing.T) {
	cases := []struct {
		day  string
		want FiscalYear
	}{
		{"2024-03-31", 2023}, {"2024-04-01", 2024}, {"2023-04-01", 2023}, {"2024-01-01", 2023}, {"2023-12-31", 2023}, {"2026-11-22", 2026},
	}
	for _, c := range cases {
		if got := FiscalYearOf(isoDay(c.day)); got != c.want {
			t.Errorf("FiscalYearOf(%s): got %s, want %s", c.day, got, c.want)
		}
		if !c.want.Contains(isoDay(c.day)) || !c.want.Period().Contains(isoDay(c.day)) {
			t.Errorf("%s: got not containing %s, want containing", c.want, c.day)
		}
	}
	if FiscalYear(2023).Contains(isoDay("2024-04-01")) || FiscalYear(2023).Period().Contains(isoDay("2023-03-31")) {
		t.Error("2023/24: got containing a day outside it, want not")
	}
	// A time late on the last day is still in the period.
	if !FiscalYear(2023).Period().Contains(time.Date(2024, 3, 31, 23, 59, 0, 0, time.UTC)) {
		t.Error("2023/24: got 31 March 2024 23:59 outside, want inside")
	}
}

func TestFiscalQuarters(t *testing.T) {
	y := FiscalYear(2023)
	want := []struct{ label, start, end string }{
		{"Q1 2023/24", "2023-04-01", "2023-06-30"},
		{"Q2 2023/24", "2023-07-01", "2023-09-30"},
		{"Q3 2023/24", "2023-10-01", "2023-12-31"},
		{"Q4 2023/24", "2024-01-01", "2024-03-31"},
	}
	for i, q := range y.Quarters() {
		w := want[i]
		if q.String() != w.label || !q.Start().Equal(isoDay(w.start)) || !q.End().Equal(isoDay(w.end)) {
			t.Errorf("quarter %d: got %s %s to %s, want %s %s to %s", i+1, q, q.Start().Format(time.DateOnly), q.End().Format(time.DateOnly), w.label, w.start, w.end)
		}
		if q != y.Quarter(i+1) {
			t.Errorf("Quarter(%d): got %v, want %v", i+1, y.Quarter(i+1), q)
		}
		for _, day := range []string{w.start, w.end} {
			if got := FiscalQuarterOf(isoDay(day)); got != q {
				t.Errorf("FiscalQuarterOf(%s): got %s, want %s", day, got, q)
			}
		}
		p, err := ParseFiscalQuarter(w.label)
		if err != nil || p != q {
			t.Errorf("ParseFiscalQuarter(%q): got %v, %v; want %v", w.label, p, err, q)
		}
	}
	for _, in := range []string{"2023-24 q3", "q3 2023/2024"} {
		if got, err := ParseFiscalQuarter(in); err != nil || got != y.Quarter(3) {
			t.Errorf("ParseFiscalQuarter(%q): got %v, %v; want Q3 2023/24", in, got, err)
		}
	}
	for _, in := range []string{"Q5 2023/24", "Q0 2023/24", "Q1 2023/25", "Q1", "2023/24", "Q1 2023/24 extra"} {
		if got, err := ParseFiscalQuarter(in); err == nil {
			t.Errorf("ParseFiscalQuarter(%q): got %v, want an error", in, got)
		}
	}
}

func TestTwelveMonthsTo(t *testing.T) {
	cases := []struct{ today, from, to, label string }{
		{"2026-11-22", "2025-11-23", "2026-11-22", "the 12 months to 22 November 2026"},
		{"2024-03-31", "2023-04-01", "2024-03-31", "the 12 months to 31 March 2024"},
		{"2028-02-29", "2027-03-01", "2028-02-29", "the 12 months to 29 February 2028"},
	}
	for _, c := range cases {
		p := TwelveMonthsTo(isoDay(c.today).Add(15 * time.Hour))
		if !p.From.Equal(isoDay(c.from)) || !p.To.Equal(isoDay(c.to)) || p.Label != c.label {
			t.Errorf("TwelveMonthsTo(%s): got %s to %s %q, want %s to %s %q", c.today, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), p.Label, c.from, c.to, c.label)
		}
	}
}
