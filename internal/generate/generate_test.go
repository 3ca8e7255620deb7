package generate_test

import (
	"context"
	"database/sql"
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

// TestDisruptionsRollUpMatchesRebuild checks that the roll-up the bulk
// load counts in memory (store.Bulk.RollUp) holds exactly the cells that
// recounting the same disruptions in SQL (store.RebuildRollup) gives.
func TestDisruptionsRollUpMatchesRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := generate.Run(ctx, st, generate.Options{Partnerships: 3, DistrictsPer: 2, WardsPerDistrict: 4, AgenciesPer: 6, UsersPer: 2,
			RegionalForces: 1, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		stats, err := generate.Disruptions(ctx, st, generate.DisruptionOptions{Total: 3000, Share: 0.3, OutcomesPer: 3, From: 2023, Years: 2, Seed: 3,
			Batch: 700, GroupsPer: 10})
		if err != nil {
			t.Fatal(err)
		}
		if stats.Disruptions != 3000 {
			t.Fatalf("got %d disruptions, want 3000", stats.Disruptions)
		}
		cells := func() map[string]string {
			t.Helper()
			out := map[string]string{}
			for _, q := range []string{
				`SELECT 'm', CAST(partnership_id AS text), CAST(unit_id AS text), month, CAST(scope_id AS text),
					n || ' ' || pursue || ' ' || prevent || ' ' || protect || ' ' || prepare || ' ' || major || ' ' || moderate || ' ' || minor || ' ' || no_impact || ' ' || negative
					FROM performance_month`,
				`SELECT 'q', CAST(partnership_id AS text), CAST(unit_id AS text), threat_code || '/' || quarter, CAST(scope_id AS text), CAST(n AS text) FROM performance_quarter`,
				`SELECT 'o', CAST(partnership_id AS text), CAST(unit_id AS text), quarter || '/' || outcome_type || '/' || seizure_type || '/' || agency, CAST(scope_id AS text),
					n || ' ' || quantity || ' ' || months || ' ' || value_pence FROM performance_outcome`,
			} {
				rows, err := st.Reader().QueryContext(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var kind, pid, unit, key, scope, sums string
					if err := rows.Scan(&kind, &pid, &unit, &key, &scope, &sums); err != nil {
						t.Fatal(err)
					}
					out[kind+" "+pid+" "+unit+" "+key+" "+scope] = sums
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
			}
			return out
		}
		counted := cells()
		if len(counted) < 100 {
			t.Fatalf("got %d cells from the bulk load, want hundreds", len(counted))
		}
		ps, err := st.Partnerships(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.RebuildRollup(ctx, tx, p.ID) }); err != nil {
				t.Fatal(err)
			}
		}
		rebuilt := cells()
		for k, v := range rebuilt {
			if counted[k] != v {
				t.Errorf("cell %s: got %q from the bulk load, want %q as rebuilt", k, counted[k], v)
			}
		}
		for k, v := range counted {
			if _, ok := rebuilt[k]; !ok {
				t.Errorf("cell %s: got %q from the bulk load, want none as rebuilt", k, v)
			}
		}
	})
}

// TestReports writes synthetic reports and submissions and reads them
// back: every report and link is stored, the full-text index finds them,
// and the open submissions are the ones asked for.
func TestReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		pid, aid, uid := registerOwner(t, st)
		if _, err := generate.Register(ctx, st, pid, aid, uid, 200, 10, 1); err != nil {
			t.Fatal(err)
		}
		stats, err := generate.Reports(ctx, st, generate.ReportOptions{PartnershipID: pid, Police: aid, Council: aid, UserID: uid,
			Reports: 2500, Submissions: 300, OpenSubmissions: 20, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		var reports, links, open, words int
		db := st.Reader()
		for _, c := range []struct {
			q string
			n *int
		}{
			{`SELECT count(*) FROM info_report WHERE partnership_id = $1`, &reports},
			{`SELECT count(*) FROM report_link WHERE partnership_id = $1`, &links},
			{`SELECT count(*) FROM submission WHERE partnership_id = $1 AND status IN ('new', 'question')`, &open},
		} {
			if err := db.QueryRowContext(ctx, c.q, pid).Scan(c.n); err != nil {
				t.Fatal(err)
			}
		}
		q := st.Dialect().FullTextQuery([]string{"the"})
		cond := st.Dialect().ReportTextMatch("r", "$2")
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM info_report r WHERE r.partnership_id = $1 AND `+cond, pid, q).Scan(&words); err != nil {
			t.Fatal(err)
		}
		if reports != 2500 || stats.Reports != 2500 || int64(links) != stats.Links || links == 0 || open != 20 || stats.Sanitised == 0 {
			t.Errorf("got %d reports, %d links (stats %+v), %d open submissions; want 2500, the links counted, 20 and some sanitised", reports, links, stats, open)
		}
		if words < reports/2 {
			t.Errorf("the full-text index finds %d of %d reports holding the commonest word, want most", words, reports)
		}
	})
}
