package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// pictureFixture is a partnership with a police force and a council, an
// analyst at each, a partner officer at the council, and groups whose
// lifecycle histories test every rule of the OCG picture.
type pictureFixture struct {
	s       *store.Store
	policy  authz.Policy
	pid     string
	police  domain.Agency
	council domain.Agency
	actors  map[string]domain.Actor // analyst (police), officer (council partner officer), councilAnalyst
	modelID string
	ids     map[string]string // group name → id
}

func iso(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// pictureGroup describes one group: its primary threat and marking, the
// lifecycle steps (status@ISO day), its OCGM assessment day and what it
// holds today.
type pictureGroup struct {
	name, threat   string
	class          domain.Classification
	restricted     bool // restricted to the police analyst
	steps          []string
	assessed       string // ISO day of its OCGM assessment, "" for none
	archive        domain.ArchiveReason
	lro            bool
	plan           string // review due of its current plan, "" for none
	closedPlanOnly bool   // has only a closed plan
	reviewDue      string
}

func newPictureFixture(t *testing.T, s *store.Store) *pictureFixture {
	t.Helper()
	ctx := context.Background()
	grants, err := s.RoleGrants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &pictureFixture{s: s, policy: authz.New(grants), actors: map[string]domain.Actor{}, ids: map[string]string{}}
	err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p := domain.Partnership{Slug: "picture", Name: "Picture"}
		if err := s.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		f.pid = p.ID
		ags := []domain.Agency{{PartnershipID: p.ID, Name: "Police", Type: domain.AgencyPolice}, {PartnershipID: p.ID, Name: "Council", Type: domain.AgencyLocalAuthority}}
		if err := s.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		f.police, f.council = ags[0], ags[1]
		users := []domain.User{
			{PartnershipID: p.ID, AgencyID: f.police.ID, Email: "analyst@p.example", DisplayName: "Analyst", Active: true, Roles: []domain.Role{domain.RoleAnalyst}},
			{PartnershipID: p.ID, AgencyID: f.council.ID, Email: "officer@c.example", DisplayName: "Officer", Active: true, Roles: []domain.Role{domain.RolePartnerOfficer}},
			{PartnershipID: p.ID, AgencyID: f.council.ID, Email: "analyst@c.example", DisplayName: "Council analyst", Active: true, Roles: []domain.Role{domain.RoleAnalyst}},
		}
		if err := s.InsertUsers(ctx, tx, users); err != nil {
			return err
		}
		for i, key := range []string{"analyst", "officer", "councilAnalyst"} {
			ag := ags[min(i, 1)]
			f.actors[key] = domain.Actor{Kind: domain.ActorUser, UserID: users[i].ID, PartnershipID: p.ID, AgencyID: ag.ID, AgencyType: ag.Type, Roles: users[i].Roles}
		}
		f.modelID = s.NewID()
		_, err := tx.ExecContext(ctx, `INSERT INTO scoring_model (id, method, version, name, definition, is_default, current, created_at)
			VALUES ($1, 'ocgm', 9999, 'Picture test model', '{}', FALSE, FALSE, $2)`, f.modelID, s.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *pictureFixture) add(t *testing.T, g pictureGroup) {
	t.Helper()
	ctx := context.Background()
	analyst := f.actors["analyst"]
	err := f.s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		o := domain.OCG{Name: g.name, Status: domain.StatusProposed, Ownership: domain.OwnLocal, PrimaryThreat: g.threat, CreatedBy: analyst.UserID,
			Marking: domain.Marking{PartnershipID: f.pid, OriginAgencyID: f.police.ID, Classification: g.class, Handling: domain.HandlingP}}
		if o.Marking.Classification == "" {
			o.Marking.Classification = domain.Official
		}
		if g.restricted {
			o.Marking.Restricted, o.Marking.NamedUsers = true, []string{analyst.UserID}
		}
		var from domain.OCGStatus
		var trs []domain.Transition
		for i, st := range g.steps {
			to, on, _ := strings.Cut(st, "@")
			trs = append(trs, domain.Transition{From: from, To: domain.OCGStatus(to), DecidedOn: iso(on), ActorID: analyst.UserID,
				At: iso(on).Add(time.Duration(i) * time.Minute)})
			from = domain.OCGStatus(to)
		}
		o.Status = from
		if o.Status == domain.StatusArchived {
			o.ArchiveReason = g.archive
			d := trs[len(trs)-1].DecidedOn
			o.ArchivedOn = &d
		}
		if g.assessed != "" {
			score, d := 120.0, iso(g.assessed)
			o.Score, o.Band, o.ScoredOn = &score, "C", &d
		}
		if g.lro {
			o.LROUserID = analyst.UserID
		}
		if g.reviewDue != "" {
			d := iso(g.reviewDue)
			o.ReviewDue = &d
		}
		if err := f.s.InsertOCG(ctx, tx, &o); err != nil {
			return err
		}
		f.ids[g.name] = o.ID
		for i := range trs {
			trs[i].OCGID = o.ID
			if err := f.s.InsertTransition(ctx, tx, f.pid, &trs[i]); err != nil {
				return err
			}
		}
		if g.assessed != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ocg_assessment (id, partnership_id, ocg_id, method, model_id, assessed_on, inputs, result, score,
				band, confidence, assessed_by, created_at) VALUES ($1, $2, $3, 'ocgm', $4, $5, '{}', '{}', 120, 'C', 2, $6, $7)`,
				f.s.NewID(), f.pid, o.ID, f.modelID, g.assessed, analyst.UserID, f.s.Now()); err != nil {
				return err
			}
		}
		if g.plan != "" || g.closedPlanOnly {
			review := g.plan
			if review == "" {
				review = "2025-01-01"
			}
			p := domain.Plan{OCGID: o.ID, Status: domain.PlanActive, ReviewDue: iso(review), CreatedBy: analyst.UserID}
			if err := f.s.InsertPlan(ctx, tx, f.pid, &p); err != nil {
				return err
			}
			if g.closedPlanOnly {
				p.Status = domain.PlanClosed
				return f.s.UpdatePlan(ctx, tx, &p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add %s: %v", g.name, err)
	}
}

func counts(list []store.ThreatCount) string {
	var parts []string
	for _, c := range list {
		parts = append(parts, fmt.Sprintf("%s=%d", c.Threat.Code, c.Count))
	}
	return strings.Join(parts, " ")
}

// The groups of the picture tests. "today" is 22 November 2026; the
// financial year under test is 2023/24.
var pictureGroups = []pictureGroup{
	// Scored and mapped at 31 March 2024, still active.
	{name: "mapped 2022", threat: "county_lines", steps: []string{"proposed@2022-03-01", "under_assessment@2022-03-10", "mapped@2022-05-01", "adopted@2022-06-01"},
		assessed: "2022-04-20", lro: true, plan: "2027-01-31", reviewDue: "2027-02-01"},
	{name: "mapped 2023", threat: "drugs", steps: []string{"proposed@2023-05-01", "under_assessment@2023-05-02", "mapped@2023-06-01"}, assessed: "2023-05-20"},
	// Mapped on the last day of the year: counted.
	{name: "mapped on 31 March", threat: "drugs", steps: []string{"proposed@2024-02-01", "under_assessment@2024-02-02", "mapped@2024-03-31", "adopted@2024-04-10", "managed@2024-06-01"},
		assessed: "2024-03-30", lro: true, plan: "2026-10-01"},
	// Mapped the day after the year ends: not counted for 2023/24.
	{name: "mapped 1 April", threat: "drugs", steps: []string{"proposed@2024-02-01", "under_assessment@2024-02-02", "mapped@2024-04-01", "adopted@2024-05-01"},
		assessed: "2024-03-15", plan: "2027-01-01"},
	// Mapped before its first assessment is on record: not scored at 31 March 2024.
	{name: "assessed late", threat: "fraud", steps: []string{"proposed@2023-05-01", "under_assessment@2023-05-02", "mapped@2023-07-01"}, assessed: "2024-06-01"},
	// Mapped with no assessment and no score at all: never counted, needs a score.
	{name: "never scored", threat: "fraud", steps: []string{"proposed@2023-05-01", "under_assessment@2023-05-02", "mapped@2023-07-01"}},
	// Restricted to the police analyst; OFFICIAL-SENSITIVE: police only.
	{name: "restricted", threat: "modern_slavery", restricted: true, steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01"},
		assessed: "2022-01-20", reviewDue: "2026-01-01"},
	{name: "sensitive", threat: "burglary", class: domain.OfficialSensitive, steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01"},
		assessed: "2022-01-20"},
	// Not yet mapped.
	{name: "proposed", threat: "drugs", steps: []string{"proposed@2023-04-01"}},
	{name: "under assessment", threat: "drugs", steps: []string{"proposed@2023-04-01", "under_assessment@2023-06-01"}, assessed: "2023-06-10"},
	// Dismantled in 2023/24: counted as dismantled, not as mapped at its end.
	{name: "dismantled 2023/24", threat: "county_lines", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "adopted@2022-03-01", "archived@2023-09-01"},
		assessed: "2022-01-20", archive: domain.ArchiveDismantled, lro: true},
	{name: "dismantled 1 April 2023", threat: "money_laundering", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "archived@2023-04-01"},
		assessed: "2022-01-20", archive: domain.ArchiveDismantled},
	{name: "dismantled restricted", threat: "drugs", restricted: true, steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "archived@2024-03-31"},
		assessed: "2022-01-20", archive: domain.ArchiveDismantled},
	// Dismantled in 2022/23: not in 2023/24.
	{name: "dismantled 2022/23", threat: "county_lines", steps: []string{"proposed@2021-01-01", "under_assessment@2021-01-02", "mapped@2021-02-01", "archived@2023-03-31"},
		assessed: "2021-01-20", archive: domain.ArchiveDismantled},
	// Archived in 2023/24 for other reasons: not dismantled.
	{name: "merged", threat: "drugs", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "archived@2023-10-01"},
		assessed: "2022-01-20", archive: domain.ArchiveMerged},
	{name: "transferred", threat: "fraud", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "archived@2023-10-01"},
		assessed: "2022-01-20", archive: domain.ArchiveTransferred},
	// Dismantled in 2023/24 but reopened since: no longer counted as dismantled.
	{name: "reopened", threat: "drugs", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "archived@2023-08-01", "under_assessment@2024-06-01"},
		assessed: "2022-01-20"},
	// Adopted without an LRO or a current plan (only a closed one), review overdue.
	{name: "adopted bare", threat: "county_lines", steps: []string{"proposed@2022-01-01", "under_assessment@2022-01-02", "mapped@2022-02-01", "adopted@2022-03-01"},
		assessed: "2022-01-20", closedPlanOnly: true, reviewDue: "2026-11-21"},
}

func TestPictureFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newPictureFixture(t, s)
		for _, g := range pictureGroups {
			f.add(t, g)
		}
		fy := domain.FiscalYear(2023)
		cases := []struct {
			name, actor  string
			mappedOn     time.Time
			from, to     time.Time
			wantMapped   string
			wantDismantl string
		}{
			{"police analyst, 2023/24", "analyst", fy.End(), fy.Start(), fy.End(),
				"drugs=2 county_lines=2 modern_slavery=1 burglary=1", "drugs=1 county_lines=1 money_laundering=1"},
			// The council sees neither the restricted group nor the OFFICIAL-SENSITIVE one.
			{"council officer, 2023/24", "officer", fy.End(), fy.Start(), fy.End(), "drugs=2 county_lines=2", "county_lines=1 money_laundering=1"},
			{"council analyst, 2023/24", "councilAnalyst", fy.End(), fy.Start(), fy.End(), "drugs=2 county_lines=2", "county_lines=1 money_laundering=1"},
			{"police analyst, 2022/23", "analyst", iso("2023-03-31"), iso("2022-04-01"), iso("2023-03-31"),
				"drugs=3 county_lines=3 modern_slavery=1 burglary=1 fraud=1 money_laundering=1", "county_lines=1"},
			{"police analyst, today", "analyst", iso("2026-11-22"), iso("2025-11-23"), iso("2026-11-22"),
				"drugs=3 county_lines=2 modern_slavery=1 burglary=1 fraud=1", ""},
		}
		for _, c := range cases {
			a := f.actors[c.actor]
			mapped, err := s.MappedOn(ctx, f.policy, a, c.mappedOn)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(mapped); got != c.wantMapped {
				t.Errorf("%s: mapped got %q, want %q", c.name, got, c.wantMapped)
			}
			dis, err := s.DismantledIn(ctx, f.policy, a, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(dis); got != c.wantDismantl {
				t.Errorf("%s: dismantled got %q, want %q", c.name, got, c.wantDismantl)
			}
		}
		// Someone without a role on groups counts nothing.
		none := f.actors["officer"]
		none.Roles = []domain.Role{domain.RoleAuditor}
		if got, err := s.MappedOn(ctx, f.policy, none, fy.End()); err != nil || len(got) != 0 {
			t.Errorf("auditor: got %v, %v; want nothing", got, err)
		}
		years, err := s.PictureYears(ctx, f.policy, f.actors["analyst"])
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(years), "[2024/25 2023/24 2022/23 2021/22 2020/21]"; got != want {
			t.Errorf("years: got %s, want %s", got, want)
		}
	})
}

func TestNeedsAttention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newPictureFixture(t, s)
		for _, g := range pictureGroups {
			f.add(t, g)
		}
		today := iso("2026-11-22")
		cases := []struct {
			actor string
			want  []string
		}{
			// "mapped 2022" is in order (LRO, plan and reviews in the future),
			// mapped groups need no LRO or plan yet, and archived or not yet
			// mapped groups are never listed.
			{"analyst", []string{"adopted bare", "mapped 1 April", "mapped on 31 March", "never scored", "restricted"}},
			{"officer", []string{"adopted bare", "mapped 1 April", "mapped on 31 March", "never scored"}},
		}
		for _, c := range cases {
			rows, err := s.NeedsAttention(ctx, f.policy, f.actors[c.actor], today)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.OCG.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.actor, got, c.want)
			}
			for _, r := range rows {
				switch r.OCG.Name {
				case "adopted bare":
					if r.HasPlan || r.OCG.LROUserID != "" {
						t.Errorf("adopted bare: got plan %v, LRO %q; want neither", r.HasPlan, r.OCG.LROUserID)
					}
				case "mapped on 31 March":
					if !r.HasPlan || r.PlanReviewDue == nil || !r.PlanReviewDue.Equal(iso("2026-10-01")) {
						t.Errorf("mapped on 31 March: got plan %v due %v, want the plan due 1 October 2026", r.HasPlan, r.PlanReviewDue)
					}
				}
			}
		}
	})
}
