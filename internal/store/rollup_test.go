package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// perfFixture is the policy fixture with a small reporting structure (a
// force, two districts, a ward in each) and, for every marking of the
// fixture, three validated disruptions: one marked with it, one about a
// group marked with it, one about a person marked with it. Disruption i
// records i arrests and i×i months of custody, so that a figure that
// counts the wrong disruptions, even as many of them, shows.
type perfFixture struct {
	*policyFixture
	force, districtA, districtB, wardA, wardB string
	disruptions                               []perfCase
}

type perfCase struct {
	id             string
	arrests        int
	months         int
	ward, lead     string
	counts         func(a domain.Actor, act authz.Action) bool
	disruptionMark domain.Marking
}

func buildPerfFixture(t *testing.T, s *store.Store) *perfFixture {
	t.Helper()
	return buildPerfFixtureBy(t, s, false)
}

// buildPerfFixtureBy builds the fixture; with load, its disruptions are
// written as a bulk load is (LoadDisruptions, then RebuildRollup once the
// panel has validated its share) rather than counted as they are written.
func buildPerfFixtureBy(t *testing.T, s *store.Store, load bool) *perfFixture {
	t.Helper()
	ctx := context.Background()
	f := &perfFixture{policyFixture: buildPolicyFixture(t, s)}
	police := f.agencies[domain.AgencyPolice]
	analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
	on := time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC)
	plain := domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: police.ID, Classification: domain.Official, Handling: domain.HandlingP}
	err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		units := []store.OrgUnitRow{{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, Level: domain.LevelForce, Code: "E23000009", Name: "Force"}}}
		if err := s.InsertOrgUnits(ctx, tx, units); err != nil {
			return err
		}
		f.force = units[0].ID
		ds := []store.OrgUnitRow{{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, ParentID: f.force, Level: domain.LevelDistrict, Code: "E07000163", Name: "District A"}},
			{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, ParentID: f.force, Level: domain.LevelDistrict, Code: "E07000164", Name: "District B"}}}
		if err := s.InsertOrgUnits(ctx, tx, ds); err != nil {
			return err
		}
		f.districtA, f.districtB = ds[0].ID, ds[1].ID
		ws := []store.OrgUnitRow{{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, ParentID: f.districtA, Level: domain.LevelWard, Code: "E05006189", Name: "Ward A"}},
			{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, ParentID: f.districtB, Level: domain.LevelWard, Code: "E05006190", Name: "Ward B"}}}
		if err := s.InsertOrgUnits(ctx, tx, ws); err != nil {
			return err
		}
		f.wardA, f.wardB = ws[0].ID, ws[1].ID
		var list []domain.Disruption
		var submitted []string
		add := func(m domain.Marking, ocg, entity string, counts func(domain.Actor, authz.Action) bool) {
			i := len(f.disruptions) + 1
			d := domain.Disruption{ID: s.NewID(), Subject: domain.SubjectTheme, Theme: "Fixture", FourP: domain.FourPs[i%4], Impact: domain.Impacts[i%5],
				Rationale: "Fixture", On: on.AddDate(0, i%3, 0), UnitID: f.wardA, LeadAgencyID: m.OriginAgencyID, Status: domain.DisruptionValidated,
				Threats: []string{"drugs"}, Marking: m, CreatedBy: analyst.UserID,
				Outcomes: []domain.Outcome{{Type: "arrests", Quantity: i}, {Type: "custodial_sentence", Quantity: 1, Months: i * i}}}
			if i%2 == 0 {
				d.UnitID = f.wardB
			}
			switch {
			case ocg != "":
				d.Subject, d.Theme, d.OCGID = domain.SubjectOCG, "", ocg
			case entity != "":
				d.Subject, d.Theme, d.EntityID = domain.SubjectIndividual, "", entity
			}
			d.ValidatedFourP, d.ValidatedImpact = d.FourP, d.Impact
			if i%3 == 0 {
				// Validated at the panel rather than written validated.
				d.Status, d.ValidatedFourP, d.ValidatedImpact = domain.DisruptionSubmitted, "", ""
				submitted = append(submitted, d.ID)
			}
			list = append(list, d)
			f.disruptions = append(f.disruptions, perfCase{id: d.ID, arrests: i, months: i * i, ward: d.UnitID, lead: d.LeadAgencyID, counts: counts, disruptionMark: m})
		}
		for _, r := range f.records {
			if r.Marking.PartnershipID != f.p.ID {
				continue
			}
			m := r.Marking
			add(m, "", "", func(a domain.Actor, act authz.Action) bool {
				return f.policy.Can(a, act, domain.KindDisruption, m) == nil
			})
			o := domain.OCG{Name: "Group " + r.Title, Status: domain.StatusProposed, Ownership: domain.OwnLocal, PrimaryThreat: "drugs", Marking: m, CreatedBy: r.CreatedBy}
			if err := s.InsertOCG(ctx, tx, &o); err != nil {
				return err
			}
			add(plain, o.ID, "", func(a domain.Actor, act authz.Action) bool {
				return f.policy.Can(a, act, domain.KindDisruption, plain) == nil && f.policy.Can(a, authz.View, domain.KindOCG, m) == nil
			})
			e := domain.Entity{Kind: domain.EntityPerson, Name: "Person " + r.Title, Marking: m, CreatedBy: r.CreatedBy}
			if err := s.InsertEntity(ctx, tx, &e); err != nil {
				return err
			}
			add(plain, "", e.ID, func(a domain.Actor, act authz.Action) bool {
				named := !m.Restricted || slices.Contains(m.NamedUsers, a.UserID) || slices.Contains(m.NamedAgencies, a.AgencyID)
				return f.policy.Can(a, act, domain.KindDisruption, plain) == nil && named
			})
		}
		insert := s.InsertDisruptions
		if load {
			insert = s.LoadDisruptions
		}
		if err := insert(ctx, tx, list); err != nil {
			return err
		}
		for i, id := range submitted {
			d := list[slices.IndexFunc(list, func(d domain.Disruption) bool { return d.ID == id })]
			if err := s.SetDisruptionStatus(ctx, tx, f.p.ID, id, &domain.DisruptionDecision{From: domain.DisruptionSubmitted, To: domain.DisruptionValidated,
				FourP: d.FourP, Impact: d.Impact, Reason: fmt.Sprintf("Panel %d", i), ActorID: analyst.UserID}); err != nil {
				return err
			}
		}
		if load {
			return s.RebuildRollup(ctx, tx, f.p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("performance fixture: %v", err)
	}
	return f
}

// perfFigures is what the test compares: how many disruptions, their
// arrests and months of custody, the same by month and by threat, and the
// disruptions in each district.
type perfFigures struct {
	N, Arrests, Months, ByMonth, Drugs int64
	A, B                               int
}

func figuresOf(rows store.PerformanceRows, f *perfFixture) perfFigures {
	var g perfFigures
	g.N = int64(rows.Total)
	var byP, byI int
	for _, n := range rows.ByFourP {
		byP += n
	}
	for _, n := range rows.ByImpact {
		byI += n
	}
	if byP != rows.Total || byI != rows.Total {
		g.N = -1 // the categories and impacts must add up to the total
	}
	if len(rows.Threats) != 1 && g.N > 0 {
		g.Drugs = -1 // every fixture disruption has the one threat
		return g
	}
	for _, n := range rows.ByMonth {
		g.ByMonth += int64(n)
	}
	g.Arrests, g.Months, g.Drugs = rows.Outcomes["arrests"].Quantity, rows.Outcomes["custodial_sentence"].Months, int64(rows.Threats["drugs"])
	g.A, g.B = rows.ByUnit[f.districtA], rows.ByUnit[f.districtB]
	return g
}

// want is the figures of the fixture's disruptions that a may count (act),
// led by agency when it is not empty.
func (f *perfFixture) want(a domain.Actor, act authz.Action, agency string) perfFigures {
	var want perfFigures
	for _, d := range f.disruptions {
		if d.counts(a, act) && (agency == "" || d.lead == agency) {
			want.N++
			want.Arrests += int64(d.arrests)
			want.Months += int64(d.months)
			if d.ward == f.wardA {
				want.A++
			} else {
				want.B++
			}
		}
	}
	want.ByMonth, want.Drugs = want.N, want.N
	return want
}

// TestLoadDisruptionsThenRebuild checks the bulk load path: disruptions
// written by LoadDisruptions and counted once by RebuildRollup give every
// actor the same figures as disruptions counted as they are written.
func TestLoadDisruptionsThenRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixtureBy(t, s, true)
		some := 0
		for _, a := range f.actors {
			for _, threat := range []string{"", "drugs"} {
				want := f.want(a, authz.Count, "")
				if want.N > 0 {
					some++
				}
				rows, err := s.Performance(ctx, f.policy, a, store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}, Threat: threat})
				if err != nil {
					t.Fatal(err)
				}
				if got := figuresOf(rows, f); got != want {
					t.Errorf("%s@%s, threat %q: got %+v, want %+v", a.Roles[0], a.AgencyType, threat, got, want)
				}
			}
		}
		if some < 20 {
			t.Errorf("got %d actor cases that count something, want at least 20", some)
		}
	})
}

// TestPolicySQLMatchesCanForPerformance is the generated policy test for
// the performance figures: for every role in every agency type, over
// disruptions of every marking, about groups of every marking and people
// of every marking, the roll-up's cells (with and without a threat) and
// the count from the records (by agency) give exactly the figures of the disruptions Can lets the actor
// count (or export), on both engines.
func TestPolicySQLMatchesCanForPerformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		if len(f.disruptions) < 800 {
			t.Fatalf("fixture: got %d disruptions, want at least 800", len(f.disruptions))
		}
		cases, some, none := 0, 0, 0
		for _, a := range f.actors {
			for _, act := range []authz.Action{authz.Count, authz.Export} {
				police := f.agencies[domain.AgencyPolice].ID
				for _, path := range []struct {
					name   string
					filter store.PerformanceFilter
				}{
					{"roll-up", store.PerformanceFilter{Action: act, From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}}},
					{"roll-up by threat", store.PerformanceFilter{Action: act, From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}, Threat: "drugs"}},
					{"records", store.PerformanceFilter{Action: act, From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}, AgencyID: police}},
					// Broken down by ward: the wards from the records, the rest
					// from the cells (each district has one ward).
					{"roll-up by ward", store.PerformanceFilter{Action: act, From: "2024-04", To: "2025-03", Breakdown: []string{f.wardA, f.wardB}}},
				} {
					want := f.want(a, act, path.filter.AgencyID)
					if path.filter.AgencyID == "" {
						if want.N > 0 {
							some++
						} else {
							none++
						}
					}
					cases++
					rows, err := s.Performance(ctx, f.policy, a, path.filter)
					if err != nil {
						t.Fatal(err)
					}
					if path.filter.Breakdown[0] == f.wardA {
						rows.ByUnit = map[string]int{f.districtA: rows.ByUnit[f.wardA], f.districtB: rows.ByUnit[f.wardB]}
					}
					if got := figuresOf(rows, f); got != want {
						t.Errorf("%s@%s %s from the %s: got %+v, want %+v", a.Roles[0], a.AgencyType, act, path.name, got, want)
					}
				}
			}
		}
		if some < 20 || none < 20 {
			t.Errorf("got %d actor cases that count something and %d that count nothing, want at least 20 of each", some, none)
		}
		t.Logf("%d performance policy cases over %d disruptions", cases, len(f.disruptions))
	})
}

// TestRollupFollowsStructure moves a ward to another district and checks
// that the cells move with it, and that a partnership whose cells are
// lost (as before the roll-up existed) is counted again in full by
// BuildRollup.
func TestRollupFollowsStructure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
		filter := store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}}
		read := func() perfFigures {
			t.Helper()
			rows, err := s.Performance(ctx, f.policy, analyst, filter)
			if err != nil {
				t.Fatal(err)
			}
			return figuresOf(rows, f)
		}
		before := read()
		if before.A == 0 || before.B == 0 {
			t.Fatalf("got %+v, want disruptions in both districts", before)
		}
		move := func(parent string) {
			t.Helper()
			err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return s.UpdateOrgUnit(ctx, tx, store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: f.wardB, PartnershipID: f.p.ID, ParentID: parent, Name: "Ward B", Code: "E05006190"}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		move(f.districtA)
		after := read()
		if want := (perfFigures{N: before.N, Arrests: before.Arrests, Months: before.Months, ByMonth: before.ByMonth, Drugs: before.Drugs, A: before.A + before.B}); after != want {
			t.Errorf("ward B moved into district A: got %+v, want %+v", after, want)
		}
		move(f.districtB)
		if got := read(); got != before {
			t.Errorf("ward B moved back: got %+v, want %+v", got, before)
		}
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, q := range []string{`UPDATE disruption SET scope_id = NULL`, `DELETE FROM performance_month`, `DELETE FROM performance_quarter`, `DELETE FROM performance_outcome`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := read(); got.N != 0 {
			t.Fatalf("cells deleted: got %+v, want nothing counted", got)
		}
		if err := s.BuildRollup(ctx); err != nil {
			t.Fatal(err)
		}
		if got := read(); got != before {
			t.Errorf("rebuilt: got %+v, want %+v", got, before)
		}
	})
}

// TestRollupInputsNeverChange guards what the roll-up relies on: no
// statement in the store changes a marking (of a disruption, group or
// person), removes or adds named users, agencies or conditions after a
// record is written, or changes a disruption's figures, subjects or unit.
// A feature that needs to must rebuild the partnership's cells in the
// same transaction (RebuildRollup), and then this test is changed with it.
func TestRollupInputsNeverChange(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	update := regexp.MustCompile(`(?is)UPDATE\s+(\w+)\s+SET\s(.*?)\bWHERE\b`)
	column := regexp.MustCompile(`(\w+)\s*=`)
	// What each table's updates may set: for groups and people anything
	// but their marking; for disruptions only the workflow (validating is
	// counted, and the panel's reopening uncounted, in the transaction
	// that does it: see SetDisruptionStatus), the scope and APMIS.
	marking := []string{"partnership_id", "classification", "handling_code", "restricted", "origin_agency_id"}
	allowedDisruption := []string{"status", "validated_four_p", "validated_impact", "updated_at", "scope_id", "apmis_ref", "apmis_status"}
	removes := regexp.MustCompile(`(?i)(UPDATE|DELETE FROM)\s+(record_grant|record_condition|disruption_outcome|disruption_threat|disruption_agency)\b`)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, m := range update.FindAllSubmatch(src, -1) {
			table := strings.ToLower(string(m[1]))
			for _, c := range column.FindAllSubmatch(m[2], -1) {
				col := strings.ToLower(string(c[1]))
				switch {
				case (table == "ocg" || table == "entity") && slices.Contains(marking, col),
					table == "disruption" && !slices.Contains(allowedDisruption, col):
					t.Errorf("%s: an update of %s sets %s, which the performance roll-up counted by", name, table, col)
				}
			}
		}
		if m := removes.Find(src); m != nil {
			t.Errorf("%s: %q changes what the performance roll-up counted", name, m)
		}
	}
	if checked < 10 {
		t.Errorf("checked %d files, want the store's sources", checked)
	}
}

// TestRollupConcurrentValidations validates disruptions of the same ward,
// month and scope from concurrent transactions: every one must be counted
// once, and none may fail (the cells are written in key order, so the
// transactions queue on them rather than deadlock).
func TestRollupConcurrentValidations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
		police := f.agencies[domain.AgencyPolice]
		filter := store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}}
		before, err := s.Performance(ctx, f.policy, analyst, filter)
		if err != nil {
			t.Fatal(err)
		}
		const n = 12
		var list []domain.Disruption
		for i := range n {
			list = append(list, domain.Disruption{ID: s.NewID(), Subject: domain.SubjectTheme, Theme: "Concurrent", FourP: domain.Pursue, Impact: domain.ImpactMinor,
				Rationale: "Fixture", On: time.Date(2024, 6, 1+i, 0, 0, 0, 0, time.UTC), UnitID: f.wardA, LeadAgencyID: police.ID, Status: domain.DisruptionSubmitted,
				Threats: []string{"drugs"}, CreatedBy: analyst.UserID, Outcomes: []domain.Outcome{{Type: "arrests", Quantity: 1}},
				Marking: domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: police.ID, Classification: domain.Official, Handling: domain.HandlingP}})
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.InsertDisruptions(ctx, tx, list) }); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, n)
		for _, d := range list {
			go func() {
				errs <- s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					return s.SetDisruptionStatus(ctx, tx, f.p.ID, d.ID, &domain.DisruptionDecision{From: domain.DisruptionSubmitted, To: domain.DisruptionValidated,
						FourP: d.FourP, Impact: d.Impact, ActorID: analyst.UserID})
				})
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("concurrent validation: %v", err)
			}
		}
		after, err := s.Performance(ctx, f.policy, analyst, filter)
		if err != nil {
			t.Fatal(err)
		}
		g, w := figuresOf(after, f), figuresOf(before, f)
		if g.N != w.N+n || g.Arrests != w.Arrests+n || g.A != w.A+n {
			t.Errorf("got %+v, want %d more disruptions, arrests and district A disruptions than %+v", g, n, w)
		}
	})
}

// cellsOf is every roll-up cell of the partnership, one line each, in
// key order.
func cellsOf(t *testing.T, s *store.Store, pid string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT CAST(unit_id AS text), 'month', month, scope_id, '', CAST(n AS text), CAST(pursue AS text) || '/' || CAST(prevent AS text) || '/' ||
			CAST(protect AS text) || '/' || CAST(prepare AS text) || '/' || CAST(major AS text) || '/' || CAST(moderate AS text) || '/' || CAST(minor AS text) || '/' ||
			CAST(no_impact AS text) || '/' || CAST(negative AS text) FROM performance_month WHERE partnership_id = $1 ORDER BY unit_id, month, scope_id`,
		`SELECT CAST(unit_id AS text), threat_code, quarter, scope_id, '', CAST(n AS text), '' FROM performance_quarter WHERE partnership_id = $1
			ORDER BY unit_id, threat_code, quarter, scope_id`,
		`SELECT CAST(unit_id AS text), 'outcome', quarter, scope_id, outcome_type || '/' || seizure_type || '/' || agency, CAST(n AS text),
			CAST(quantity AS text) || '/' || CAST(months AS text) || '/' || CAST(value_pence AS text) FROM performance_outcome WHERE partnership_id = $1
			ORDER BY unit_id, quarter, scope_id, outcome_type, seizure_type, agency`,
	} {
		rows, err := s.Reader().Query(q, pid)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c [7]string
			if err := rows.Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6]); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Join(c[:], " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// TestRollupReopen: the panel reopens validated disruptions (moving them
// back to submitted); every actor's figures then leave them out, the cells
// are exactly what a recount from the records gives (no cell left at 0),
// and validated again they count once. A reopening from a stale copy
// fails and takes nothing away.
func TestRollupReopen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
		filter := func(threat string) store.PerformanceFilter {
			return store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}, Threat: threat}
		}
		// recount checks that the cells are exactly what a rebuild from
		// the records gives (the rebuild replaces them), and returns them.
		recount := func() []string {
			t.Helper()
			before := cellsOf(t, s, f.p.ID)
			if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.RebuildRollup(ctx, tx, f.p.ID) }); err != nil {
				t.Fatal(err)
			}
			cells := cellsOf(t, s, f.p.ID)
			if !slices.Equal(before, cells) {
				t.Errorf("got %d cells, a recount of the records has %d", len(before), len(cells))
				for i := range min(len(before), len(cells)) {
					if before[i] != cells[i] {
						t.Errorf("first difference: got %s, recount %s", before[i], cells[i])
						break
					}
				}
			}
			return cells
		}
		initial := recount()
		// Reopen one disruption in seven: of every kind of subject, of
		// many markings, in both wards and every month.
		var reopened []int
		for i := range f.disruptions {
			if i%7 == 0 {
				reopened = append(reopened, i)
			}
		}
		reopen := func(from, to domain.DisruptionStatus, ids ...int) error {
			return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				for _, i := range ids {
					if err := s.SetDisruptionStatus(ctx, tx, f.p.ID, f.disruptions[i].id, &domain.DisruptionDecision{From: from, To: to,
						FourP: domain.Pursue, Impact: domain.ImpactMinor, Reason: "Correction", ActorID: analyst.UserID}); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := reopen(domain.DisruptionValidated, domain.DisruptionSubmitted, reopened...); err != nil {
			t.Fatal(err)
		}
		// The fixture's figures without the reopened ones.
		out := &perfFixture{policyFixture: f.policyFixture, force: f.force, districtA: f.districtA, districtB: f.districtB, wardA: f.wardA, wardB: f.wardB}
		for i, d := range f.disruptions {
			if !slices.Contains(reopened, i) {
				out.disruptions = append(out.disruptions, d)
			}
		}
		check := func(state string, want *perfFixture) {
			t.Helper()
			for _, a := range f.actors {
				for _, threat := range []string{"", "drugs"} {
					rows, err := s.Performance(ctx, f.policy, a, filter(threat))
					if err != nil {
						t.Fatal(err)
					}
					if got, w := figuresOf(rows, f), want.want(a, authz.Count, ""); got != w {
						t.Errorf("%s, %s@%s, threat %q: got %+v, want %+v", state, a.Roles[0], a.AgencyType, threat, got, w)
					}
				}
			}
		}
		check("reopened", out)
		if got := recount(); slices.Equal(got, initial) {
			t.Errorf("reopened: the cells are unchanged, want %d disruptions taken out", len(reopened))
		}
		// A stale reopening (it is already submitted) fails whole.
		cells := cellsOf(t, s, f.p.ID)
		if err := reopen(domain.DisruptionValidated, domain.DisruptionSubmitted, reopened[0]); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("reopening a reopened disruption: got %v, want ErrConflict", err)
		}
		if got := cellsOf(t, s, f.p.ID); !slices.Equal(got, cells) {
			t.Errorf("a failed reopening changed the cells")
		}
		// Validated again (with the grading each had): counted once.
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, i := range reopened {
				var fp, imp string
				if err := tx.QueryRowContext(ctx, `SELECT four_p, impact FROM disruption WHERE id = $1`, f.disruptions[i].id).Scan(&fp, &imp); err != nil {
					return err
				}
				if err := s.SetDisruptionStatus(ctx, tx, f.p.ID, f.disruptions[i].id, &domain.DisruptionDecision{From: domain.DisruptionSubmitted,
					To: domain.DisruptionValidated, FourP: domain.FourP(fp), Impact: domain.Impact(imp), ActorID: analyst.UserID}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check("validated again", f)
		if got := recount(); !slices.Equal(got, initial) {
			t.Errorf("validated again: got %d cells, want the %d cells before the reopening", len(got), len(initial))
		}
	})
}

// TestRollupConcurrentReopen: several panel members reopen the same
// disruption at once. One succeeds, the others are told someone else
// changed it (never another error), and it is taken out of the cells
// once.
func TestRollupConcurrentReopen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
		filter := store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}}
		before, err := s.Performance(ctx, f.policy, analyst, filter)
		if err != nil {
			t.Fatal(err)
		}
		d := f.disruptions[0]
		if !d.counts(analyst, authz.Count) {
			t.Fatal("fixture: the analyst does not count the first disruption")
		}
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				errs <- s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					return s.SetDisruptionStatus(ctx, tx, f.p.ID, d.id, &domain.DisruptionDecision{From: domain.DisruptionValidated, To: domain.DisruptionSubmitted,
						Reason: "Correction", ActorID: analyst.UserID})
				})
			}()
		}
		ok, conflicts := 0, 0
		for range n {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, domain.ErrConflict):
				conflicts++
			default:
				t.Errorf("concurrent reopening: got %v, want success or ErrConflict", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Errorf("got %d reopenings and %d conflicts, want 1 and %d", ok, conflicts, n-1)
		}
		after, err := s.Performance(ctx, f.policy, analyst, filter)
		if err != nil {
			t.Fatal(err)
		}
		g, w := figuresOf(after, f), figuresOf(before, f)
		if g.N != w.N-1 || g.Arrests != w.Arrests-int64(d.arrests) || g.Months != w.Months-int64(d.months) {
			t.Errorf("got %+v, want one disruption (%d arrests, %d months) fewer than %+v", g, d.arrests, d.months, w)
		}
		cells := cellsOf(t, s, f.p.ID)
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.RebuildRollup(ctx, tx, f.p.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := cellsOf(t, s, f.p.ID); !slices.Equal(got, cells) {
			t.Errorf("got %d cells, a recount of the records has %d", len(cells), len(got))
		}
	})
}

// TestRollupMigrationRebuildsCells: a database made before the roll-up was
// keyed by period (migration 00018, decision 0026), whose validated
// disruptions already have their scopes, gets the new cells counted from
// its rows when it is migrated: every actor's figures are the same as
// before, and the cells are exactly what a recount gives.
func TestRollupMigrationRebuildsCells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPerfFixture(t, s)
		filter := store.PerformanceFilter{From: "2024-04", To: "2025-03", Breakdown: []string{f.districtA, f.districtB}}
		figures := func() []perfFigures {
			t.Helper()
			var out []perfFigures
			for _, a := range f.actors {
				rows, err := s.Performance(ctx, f.policy, a, filter)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, figuresOf(rows, f))
			}
			return out
		}
		before, cells := figures(), cellsOf(t, s, f.p.ID)
		type scoped struct {
			id    string
			scope int64
		}
		var scopes []scoped
		rows, err := s.Reader().Query(`SELECT CAST(id AS text), scope_id FROM disruption WHERE scope_id IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x scoped
			if err := rows.Scan(&x.id, &x.scope); err != nil {
				t.Fatal(err)
			}
			scopes = append(scopes, x)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(scopes) < 800 {
			t.Fatalf("fixture: got %d scoped disruptions, want at least 800", len(scopes))
		}
		// Migration 23's down refuses while 5x5x5 reports are held (decision
		// 32): the fixture's go first.
		err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, q := range []string{
				`DELETE FROM record_condition WHERE record_id IN (SELECT id FROM info_report WHERE grading_scheme = '5x5x5')`,
				`DELETE FROM record_grant WHERE record_id IN (SELECT id FROM info_report WHERE grading_scheme = '5x5x5')`,
				`DELETE FROM info_report WHERE grading_scheme = '5x5x5' AND sanitised_from IS NOT NULL`,
				`DELETE FROM info_report WHERE grading_scheme = '5x5x5'`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateDownTo(ctx, "rollup_by_period"); err != nil {
			t.Fatal(err)
		}
		// As a database on 00017 is: its disruptions keep their scopes.
		err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, x := range scopes {
				if _, err := tx.ExecContext(ctx, `UPDATE disruption SET scope_id = $2 WHERE id = $1`, x.id, x.scope); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := figures(); !slices.Equal(got, before) {
			t.Errorf("migrated: got %+v, want %+v", got, before)
		}
		if got := cellsOf(t, s, f.p.ID); !slices.Equal(got, cells) {
			t.Errorf("migrated: got %d cells, want the %d counted as the disruptions were written", len(got), len(cells))
		}
	})
}
