package generate_test

import (
	"context"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/generate"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func TestRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var batches int
		opts := generate.Options{Partnerships: 3, DistrictsPer: 2, WardsPerDistrict: 5, AgenciesPer: 4, UsersPer: 25, Batch: 10,
			Progress: func(generate.Stats) { batches++ }}
		stats, err := generate.Run(ctx, st, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := generate.Stats{Partnerships: 3, OrgUnits: 3 * (2 + 2*(1+5)), Agencies: 12, Users: 75}
		if stats != want {
			t.Errorf("got %+v, want %+v", stats, want)
		}
		if batches != 3*3 { // 25 users in batches of 10: 3 per partnership
			t.Errorf("got %d batches, want 9: users must be written in bounded batches", batches)
		}
		ps, err := st.Partnerships(ctx)
		if err != nil || len(ps) != 3 {
			t.Fatalf("got %d partnerships, %v", len(ps), err)
		}
		ov, err := st.PartnershipOverview(ctx, ps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Districts != 2 || ov.Wards != 10 || ov.Agencies != 4 {
			t.Errorf("overview: got %+v, want 2 districts, 10 wards, 4 agencies", ov)
		}
		wards, _ := st.OrgUnits(ctx, ps[0].ID, domain.LevelWard)
		for _, w := range wards {
			if !domain.ValidONSCode(w.Code) {
				t.Errorf("ward code %q: got an invalid ONS code", w.Code)
			}
		}
		// A second run into the same database collides on slugs and says so.
		if _, err := generate.Run(ctx, st, generate.Options{Partnerships: 1}); err == nil {
			t.Error("second run: got nil error, want a conflict")
		}
	})
}

func TestValidate(t *testing.T) {
	if err := (generate.Options{Partnerships: 1000}).Validate(); err == nil {
		t.Error("1000 partnerships: got nil error, want one")
	}
}
