package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestDemoPerformance: the demo partnership's disruptions give the seed
// slide "23/24 SOC Disruptions", computed from the records through the
// performance service, for the police analyst and for the police board
// member (whose view suppresses only small counts); a council board member,
// who may not see the police's OFFICIAL-SENSITIVE groups and people, counts
// fewer; and the years either side are not empty.
func TestDemoPerformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))
		if _, err := demo.Load(ctx, s, demo.Options{Audit: alog}); err != nil {
			t.Fatal(err)
		}
		perf := service.NewPerformance(s, alog, 0)
		for _, email := range []string{"analyst@nyp.example", "board@nyp.example"} {
			p, err := perf.Compute(ctx, demoActor(t, s, email), service.PerformanceInput{FY: "2023/24"})
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			seizure := func(agency, typ string) string {
				for _, c := range p.Seizures {
					if c.Agency == agency && c.Type == typ {
						return fmt.Sprintf("%d %s", c.Count.N, domain.FormatPounds(c.ValuePence))
					}
				}
				return "none"
			}
			for _, c := range []struct{ what, got, want string }{
				{"disruptions", fmt.Sprint(p.Disruptions), "{257 false false}"},
				{"adults safeguarded", fmt.Sprint(p.AdultsSafeguarded), "{111 false false}"},
				{"children safeguarded", fmt.Sprint(p.ChildrenSafeguarded), "{23 false false}"},
				{"open activity records", fmt.Sprint(p.OpenActivities), "{5 false false}"},
				{"warrants", fmt.Sprint(p.Warrants), "{136 false false}"},
				{"sentence length in years", p.SentenceYears(), "52"},
				{"NYP Non-POCA", seizure("North Yorkshire Police", "Cash Seizure (Non-POCA)"), "7 £68,765"},
				{"NYP PACE", seizure("North Yorkshire Police", "Other Seizures – Cash (PACE)"), "21 £118,741"},
			} {
				if c.got != c.want {
					t.Errorf("%s, 2023/24 %s: got %s, want %s", email, c.what, c.got, c.want)
				}
			}
			sum := int64(0)
			for _, c := range p.ByFourP {
				sum += c.Cell.N
			}
			if sum != 257 {
				t.Errorf("%s: the 4P breakdown adds up to %d, want 257", email, sum)
			}
		}
		council, err := perf.Compute(ctx, demoActor(t, s, "board@nyc.example"), service.PerformanceInput{FY: "2023/24"})
		if err != nil {
			t.Fatal(err)
		}
		if n := council.Disruptions.N; n >= 257 || n == 0 {
			t.Errorf("council board member counts %d disruptions in 2023/24, want fewer than 257 but some", n)
		}
		for _, fy := range []string{"2022/23", "2024/25", "2025/26"} {
			p, err := perf.Compute(ctx, demoActor(t, s, "analyst@nyp.example"), service.PerformanceInput{FY: fy})
			if err != nil {
				t.Fatal(err)
			}
			if p.Disruptions.N < 150 {
				t.Errorf("%s: got %d disruptions, want a plausible year (150 or more)", fy, p.Disruptions.N)
			}
		}
	})
}

// TestDemoYearBefore: the demo's 2022/23 is a plausible year, a little
// quieter than 2023/24, spread over every month, category, threat and
// several agencies and areas, so that the 2023/24 dashboard's "a year
// earlier" figures are not 0.
func TestDemoYearBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))
		if _, err := demo.Load(ctx, s, demo.Options{Audit: alog}); err != nil {
			t.Fatal(err)
		}
		perf := service.NewPerformance(s, alog, 0)
		analyst := demoActor(t, s, "analyst@nyp.example")
		p, err := perf.Compute(ctx, analyst, service.PerformanceInput{FY: "2022/23"})
		if err != nil {
			t.Fatal(err)
		}
		if n := p.Disruptions.N; n < 200 || n >= 257 {
			t.Errorf("2022/23: got %d disruptions, want a little fewer than 2023/24's 257 (200 to 256)", n)
		}
		for _, c := range []struct {
			what      string
			got, want int64
		}{
			{"adults safeguarded", p.AdultsSafeguarded.N, 94}, {"children safeguarded", p.ChildrenSafeguarded.N, 19},
			{"warrants", p.Warrants.N, 118}, {"sentence months", p.SentenceMonths, 44*12 + 9},
		} {
			if c.got != c.want {
				t.Errorf("2022/23 %s: got %d, want %d", c.what, c.got, c.want)
			}
		}
		for _, c := range p.ByFourP {
			if c.Cell.N == 0 {
				t.Errorf("2022/23: got no %s disruptions, want some of every category", c.Label)
			}
		}
		if len(p.ByThreat) < 4 {
			t.Errorf("2022/23: got %d threats, want several", len(p.ByThreat))
		}
		areas := 0
		for _, u := range p.ByUnit {
			if u.Cell.N > 0 {
				areas++
			}
		}
		if areas < 5 {
			t.Errorf("2022/23: got disruptions in %d areas, want most of the districts", areas)
		}
		if len(p.Seizures) < 3 {
			t.Errorf("2022/23: got seizures %+v, want police cash and HMRC's own", p.Seizures)
		}
		if n := p.OpenActivities.N; n == 0 {
			t.Errorf("2022/23: got no activity open at 31 March 2023, want some")
		}
		// Several agencies led disruptions in the year.
		led := 0
		for _, ag := range []string{"NYP", "NYC", "HMRC", "NYFRS"} {
			q, err := perf.Compute(ctx, analyst, service.PerformanceInput{FY: "2022/23", Agency: ag})
			if err != nil {
				t.Fatal(err)
			}
			if q.Disruptions.N > 0 {
				led++
			}
		}
		if led < 4 {
			t.Errorf("2022/23: got %d of 4 agencies with disruptions, want all", led)
		}
		// The seed year against it: every month has a year earlier.
		seed, err := perf.Compute(ctx, analyst, service.PerformanceInput{FY: "2023/24"})
		if err != nil {
			t.Fatal(err)
		}
		var earlier int64
		for _, m := range seed.ByMonth {
			if m.LastYear.N == 0 {
				t.Errorf("2023/24 %s: got 0 a year earlier, want the 2022/23 month's figure", m.Label)
			}
			earlier += m.LastYear.N
		}
		if earlier != p.Disruptions.N {
			t.Errorf("2023/24's months a year earlier add up to %d, want 2022/23's %d", earlier, p.Disruptions.N)
		}
		// What the year leaves out: its returned and withdrawn records.
		var left int
		if err := s.Reader().QueryRow(`SELECT count(*) FROM disruption WHERE fiscal_year = 2022 AND status <> 'validated'`).Scan(&left); err != nil || left == 0 {
			t.Errorf("2022/23: got %d records that do not count (%v), want some returned and withdrawn", left, err)
		}
	})
}

// TestPerformanceConsistency recomputes every dashboard figure for the demo
// partnership's 2023/24 (and other views) from the raw records with SQL
// written apart from the store's, and compares: as loaded, and again after
// the panel has reopened validated disruptions in the views (which must
// drop out of every figure) and validated some of them again. The police
// analyst may see every demo disruption, so the raw SQL needs no policy.
func TestPerformanceConsistency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))
		if _, err := demo.Load(ctx, s, demo.Options{Audit: alog}); err != nil {
			t.Fatal(err)
		}
		checkConsistency(t, s, alog, "as loaded")
		// Reopen validated disruptions with outcomes in each view, and
		// validate every other one again.
		ds := service.NewDisruptions(s, nil, alog)
		panel := demoActor(t, s, "panel@nyp.example")
		rows, err := s.Reader().Query(`SELECT CAST(d.id AS text) FROM disruption d WHERE d.status = 'validated' AND d.classification = 'OFFICIAL'
			AND d.fiscal_year IN (2022, 2023, 2024, 2025) AND EXISTS (SELECT 1 FROM disruption_outcome o WHERE o.disruption_id = d.id)
			ORDER BY d.reference`)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		reopened := 0
		for i := 0; i < len(ids); i += 17 {
			if _, err := ds.Reopen(ctx, panel, ids[i], "Consistency check"); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			reopened++
			if reopened%2 == 0 {
				if _, err := ds.Decide(ctx, panel, ids[i], service.DecisionInput{To: domain.DisruptionValidated, Impact: "major", Reason: "Regraded"}); err != nil {
					t.Fatalf("validate again: %v", err)
				}
			}
		}
		if reopened < 20 {
			t.Fatalf("reopened %d disruptions, want at least 20", reopened)
		}
		checkConsistency(t, s, alog, fmt.Sprintf("after %d reopened, half validated again", reopened))
	})
}

// checkConsistency compares dashboard figures with the raw records.
func checkConsistency(t *testing.T, s *store.Store, alog *audit.Log, state string) {
	t.Helper()
	ctx := context.Background()
	for _, in := range []service.PerformanceInput{{FY: "2023/24"}, {FY: "2022/23"}, {FY: "2024/25", Quarter: "Q3"}, {FY: "2025/26", Threat: "county_lines"},
		{FY: "2024/25", Agency: "NYC"}, {FY: "2023/24", Threat: "drugs", Agency: "NYP"},
		// A district (its breakdown by ward is counted from the records,
		// the rest from the cells) and a ward (all from the records).
		{FY: "2023/24", Unit: "E07000163"}, {FY: "2024/25", Quarter: "Q2", Unit: "E07000163"}, {FY: "2023/24", Unit: "E05006189"}} {
		p, err := service.NewPerformance(s, alog, 0).Compute(ctx, demoActor(t, s, "analyst@nyp.example"), in)
		if err != nil {
			t.Fatal(err)
		}
		from, to := p.Period.From.Format("2006-01-02"), p.Period.To.Format("2006-01-02")
		where := `d.status = 'validated' AND d.disrupted_on BETWEEN '` + from + `' AND '` + to + `'`
		if in.Threat != "" {
			where += ` AND d.id IN (SELECT disruption_id FROM disruption_threat WHERE threat_code = '` + in.Threat + `')`
		}
		if in.Unit != "" {
			// The area and the units directly below it (a district's wards).
			where += ` AND d.unit_id IN (SELECT id FROM org_unit WHERE code = '` + in.Unit + `' UNION SELECT id FROM org_unit WHERE parent_id = (SELECT id FROM org_unit WHERE code = '` + in.Unit + `'))`
		}
		leads := ""
		if in.Agency != "" {
			leads = ` AND lead_agency_id = (SELECT id FROM agency WHERE short_name = '` + in.Agency + `')`
			// Led or joined by the agency: counted once however many it is.
			a := `(SELECT id FROM agency WHERE short_name = '` + in.Agency + `')`
			where += ` AND (d.lead_agency_id = ` + a + ` OR d.id IN (SELECT disruption_id FROM disruption_agency WHERE agency_id = ` + a + `))`
		}
		one := func(q string) int64 {
			t.Helper()
			var n int64
			if err := s.Reader().QueryRow(q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		outcome := func(typ, col string) int64 {
			return one(`SELECT COALESCE(SUM(o.` + col + `), 0) FROM disruption_outcome o WHERE o.outcome_type = '` + typ + `' AND o.disruption_id IN (SELECT d.id FROM disruption d WHERE ` + where + `)`)
		}
		label := state + " " + fmt.Sprint(in)
		if in.Unit != "" && in.Quarter == "" && p.Disruptions.N == 0 {
			t.Errorf("%s: got no disruptions, want the area's", label)
		}
		checks := []struct {
			what      string
			got, want int64
		}{
			{"disruptions", p.Disruptions.N, one(`SELECT count(*) FROM disruption d WHERE ` + where)},
			{"adults", p.AdultsSafeguarded.N, outcome("adults_safeguarded", "quantity")},
			{"children", p.ChildrenSafeguarded.N, outcome("children_safeguarded", "quantity")},
			{"guns", p.GunsSeized.N, outcome("firearms", "quantity")},
			{"warrants", p.Warrants.N, outcome("warrants", "quantity")},
			{"sentence months", p.SentenceMonths, outcome("custodial_sentence", "months")},
			{"open activities", p.OpenActivities.N, one(`SELECT count(*) FROM activity WHERE opened_on <= '` + to + `' AND (closed_on IS NULL OR closed_on > '` + to + `')` + leads)},
		}
		for _, c := range p.ByFourP {
			checks = append(checks, struct {
				what      string
				got, want int64
			}{"4P " + c.Key, c.Cell.N, one(`SELECT count(*) FROM disruption d WHERE ` + where + ` AND d.validated_four_p = '` + c.Key + `'`)})
		}
		for _, c := range p.ByImpact {
			checks = append(checks, struct {
				what      string
				got, want int64
			}{"impact " + c.Key, c.Cell.N, one(`SELECT count(*) FROM disruption d WHERE ` + where + ` AND d.validated_impact = '` + c.Key + `'`)})
		}
		for _, m := range p.ByMonth {
			day, _ := time.Parse("Jan 2006", m.Label)
			checks = append(checks, struct {
				what      string
				got, want int64
			}{"month " + m.Label, m.This.N, one(`SELECT count(*) FROM disruption d WHERE ` + where + ` AND substr(d.disrupted_on, 1, 7) = '` + day.Format("2006-01") + `'`)})
		}
		for _, u := range p.ByUnit {
			q := `SELECT count(*) FROM disruption d JOIN org_unit w ON w.id = d.unit_id WHERE ` + where
			if u.Unit.ID != "" {
				// A district: reported at it or at one of its wards.
				q += ` AND (w.code = '` + u.Unit.Code + `' OR w.parent_id = (SELECT id FROM org_unit WHERE code = '` + u.Unit.Code + `'))`
			} else if in.Unit != "" {
				q += ` AND w.code = '` + in.Unit + `'`
			} else {
				q += ` AND w.level NOT IN ('district', 'ward')`
			}
			checks = append(checks, struct {
				what      string
				got, want int64
			}{"area " + u.Unit.Code, u.Cell.N, one(q)})
		}
		for _, sz := range p.Seizures {
			q := `SELECT %s FROM disruption_outcome o JOIN disruption d ON d.id = o.disruption_id JOIN agency a ON a.id = COALESCE(o.agency_id, d.lead_agency_id)
				JOIN seizure_type st ON st.code = o.seizure_type WHERE ` + where + ` AND a.name = '` + sz.Agency + `' AND st.name = '` + strings.ReplaceAll(sz.Type, "'", "''") + `'`
			checks = append(checks, struct {
				what      string
				got, want int64
			}{"seizures " + sz.Agency + " " + sz.Type, sz.Count.N, one(fmt.Sprintf(q, "COALESCE(SUM(o.quantity), 0)"))},
				struct {
					what      string
					got, want int64
				}{"seizure value " + sz.Agency + " " + sz.Type, sz.ValuePence, one(fmt.Sprintf(q, "COALESCE(SUM(o.value_pence), 0)"))})
		}
		var units int64
		for _, u := range p.ByUnit {
			units += u.Cell.N
		}
		checks = append(checks, struct {
			what      string
			got, want int64
		}{"areas add up", units, p.Disruptions.N})
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s %s: dashboard %d, raw SQL %d", label, c.what, c.got, c.want)
			}
		}
		if len(checks) < 30 {
			t.Errorf("%s: only %d figures compared", label, len(checks))
		}
	}
}
