package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestTypedDatesAreUKDates checks that "today or in the past" means today
// in the UK: at 00:30 BST on 7 July 2026 (23:30 UTC on the 6th) a user may
// record a disruption, or open an activity, on the 7th, but not the 8th.
// On a UTC clock the 7th would be refused as a date in the future.
func TestTypedDatesAreUKDates(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			f.clk.mu.Lock()
			f.clk.t = time.Date(2026, 7, 6, 23, 30, 0, 0, time.UTC)
			f.clk.mu.Unlock()
			tests := []struct {
				name, day string
				wantField string // "" when accepted
			}{
				{"today in the UK, tomorrow in UTC", "07/07/2026", ""},
				{"yesterday in the UK, today in UTC", "06/07/2026", ""},
				{"tomorrow in the UK", "08/07/2026", "disrupted_on"},
			}
			for _, tc := range tests {
				t.Run("disruption "+tc.name, func(t *testing.T) {
					in := f.input()
					in.On = tc.day
					_, err := f.ds.Record(ctx, f.actors["officer"], in)
					checkDayErr(t, err, tc.wantField)
				})
				t.Run("activity "+tc.name, func(t *testing.T) {
					field := ""
					if tc.wantField != "" {
						field = "opened_on"
					}
					_, err := f.ds.OpenActivity(ctx, f.actors["analyst"], service.ActivityInput{Title: "Operation " + tc.day, Kind: "operation",
						OCGID: f.open.ID, LeadAgency: f.police.ID, OpenedOn: tc.day, Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}})
					checkDayErr(t, err, field)
				})
			}
		})
	}
}

func checkDayErr(t *testing.T, err error, field string) {
	t.Helper()
	var verr *domain.ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("got %v, want it accepted", err)
	case field != "" && (!errors.As(err, &verr) || !verr.Has(field)):
		t.Errorf("got %v, want a problem with %s", err, field)
	}
}

// TestDefaultYearIsTheUKYear: at 23:30 UTC on 31 March 2027 it is already
// 1 April in the UK (BST), so the dashboard's default year is 2027/28.
func TestDefaultYearIsTheUKYear(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			f.clk.mu.Lock()
			f.clk.t = time.Date(2027, 3, 31, 23, 30, 0, 0, time.UTC)
			f.clk.mu.Unlock()
			if got := f.compute(t, "analyst", service.PerformanceInput{}).FY; got.String() != "2027/28" {
				t.Errorf("default year at 00:30 BST on 1 April 2027: got %s, want 2027/28", got)
			}
		})
	}
}
