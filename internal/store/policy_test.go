package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

type policyFixture struct {
	p        domain.Partnership
	agencies map[domain.AgencyType]domain.Agency
	actors   []domain.Actor
	records  []domain.InfoReport // with full markings, as written
	policy   authz.Policy
}

// buildPolicyFixture writes one partnership with an agency of every type, a
// user for every role in every agency, and records covering every marking:
// three originating agencies × two classifications × handling P, C naming
// each agency, C naming each agency type, C naming nobody, restricted to
// each agency and restricted to three named users. A record in a second
// partnership must never appear.
func buildPolicyFixture(t *testing.T, s *store.Store) *policyFixture {
	t.Helper()
	ctx := context.Background()
	f := &policyFixture{agencies: map[domain.AgencyType]domain.Agency{}}
	types, err := s.AgencyTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := s.Roles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	grants, err := s.RoleGrants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.policy = authz.New(grants)
	err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		f.p = domain.Partnership{Slug: "policy", Name: "Policy"}
		if err := s.InsertPartnership(ctx, tx, &f.p); err != nil {
			return err
		}
		var ags []domain.Agency
		for _, ty := range types {
			ags = append(ags, domain.Agency{PartnershipID: f.p.ID, Name: "Agency " + string(ty.Code), Type: ty.Code})
		}
		if err := s.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		var users []domain.User
		for _, a := range ags {
			f.agencies[a.Type] = a
			for _, r := range roles {
				users = append(users, domain.User{PartnershipID: f.p.ID, AgencyID: a.ID, Email: fmt.Sprintf("%s.%s@policy.example", r.Code, a.Type),
					DisplayName: string(r.Code), Active: true, Roles: []domain.Role{r.Code}})
			}
		}
		if err := s.InsertUsers(ctx, tx, users); err != nil {
			return err
		}
		byAgency := map[string]domain.Agency{}
		for _, a := range ags {
			byAgency[a.ID] = a
		}
		for _, u := range users {
			a := byAgency[u.AgencyID]
			f.actors = append(f.actors, domain.Actor{Kind: domain.ActorUser, UserID: u.ID, PartnershipID: f.p.ID, AgencyID: a.ID, AgencyType: a.Type, Roles: u.Roles})
		}
		named := []string{f.actorFor(domain.RoleAnalyst, domain.AgencyPolice).UserID, f.actorFor(domain.RolePartnerOfficer, domain.AgencyLocalAuthority).UserID,
			f.actorFor(domain.RoleBoardViewer, domain.AgencyCharity).UserID}
		n := 0
		add := func(origin domain.Agency, class domain.Classification, mut func(*domain.Marking)) error {
			n++
			m := domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: origin.ID, Classification: class, Handling: domain.HandlingP,
				OriginLawEnforcement: origin.Type.LawEnforcement()}
			mut(&m)
			word := "alpha"
			if n%2 == 0 {
				word = "bravo"
			}
			// Every 3x5x2 grading in turn, and every fourth record handled
			// C graded under 5x5x5 (kept as recorded): no grading opens or
			// shuts a record.
			r := domain.InfoReport{Title: fmt.Sprintf("Report %d %s", n, word), Body: "Text", SourceGrade: string("123"[n%3]),
				IntelGrade: string("ABCDE"[n%5]), Marking: m, CreatedBy: f.actorFor(domain.RoleAnalyst, origin.Type).UserID}
			if m.Handling == domain.HandlingC && n%4 == 1 {
				r.Scheme, r.SourceGrade, r.IntelGrade, r.LegacyHandling = domain.Scheme5x5x5, string("ABCDE"[n%5]), string("12345"[n%5]), string("12345"[(n/5)%5])
			}
			if err := s.InsertInfoReport(ctx, tx, &r); err != nil {
				return err
			}
			f.records = append(f.records, r)
			// Every third police original also has a sanitised version with
			// the same marking: partners may read the version, not the original.
			if origin.Type.LawEnforcement() && n%3 == 0 {
				v := r
				v.ID, v.Reference, v.Title, v.SanitisedFrom = "", "", fmt.Sprintf("Sanitised %d %s", n, word), r.ID
				v.Marking.Sanitised = true
				if err := s.InsertInfoReport(ctx, tx, &v); err != nil {
					return err
				}
				f.records = append(f.records, v)
			}
			return nil
		}
		for _, ot := range []domain.AgencyType{domain.AgencyPolice, domain.AgencyLocalAuthority, domain.AgencyCharity} {
			origin := f.agencies[ot]
			for _, class := range []domain.Classification{domain.Official, domain.OfficialSensitive} {
				steps := []func(*domain.Marking){
					func(m *domain.Marking) {},
					func(m *domain.Marking) { m.Handling = domain.HandlingC },
				}
				for _, a := range ags {
					steps = append(steps,
						func(m *domain.Marking) { m.Handling, m.ConditionAgencies = domain.HandlingC, []string{a.ID} },
						func(m *domain.Marking) { m.Handling, m.ConditionTypes = domain.HandlingC, []domain.AgencyType{a.Type} },
						func(m *domain.Marking) { m.Restricted, m.NamedAgencies = true, []string{a.ID} },
					)
				}
				for _, u := range named {
					steps = append(steps, func(m *domain.Marking) { m.Restricted, m.NamedUsers = true, []string{u} })
				}
				for _, step := range steps {
					if err := add(origin, class, step); err != nil {
						return err
					}
				}
			}
		}
		// A second partnership's record, visible to nobody here.
		other := domain.Partnership{Slug: "other", Name: "Other"}
		if err := s.InsertPartnership(ctx, tx, &other); err != nil {
			return err
		}
		oa := []domain.Agency{{PartnershipID: other.ID, Name: "Other police", Type: domain.AgencyPolice}}
		if err := s.InsertAgencies(ctx, tx, oa); err != nil {
			return err
		}
		ou := []domain.User{{PartnershipID: other.ID, AgencyID: oa[0].ID, Email: "x@other.example", DisplayName: "X", Active: true}}
		if err := s.InsertUsers(ctx, tx, ou); err != nil {
			return err
		}
		r := domain.InfoReport{Title: "Other partnership alpha", Body: "x", SourceGrade: "1", IntelGrade: "A", CreatedBy: ou[0].ID,
			Marking: domain.Marking{PartnershipID: other.ID, OriginAgencyID: oa[0].ID, Classification: domain.Official, Handling: domain.HandlingP}}
		if err := s.InsertInfoReport(ctx, tx, &r); err != nil {
			return err
		}
		f.records = append(f.records, r)
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func (f *policyFixture) actorFor(r domain.Role, t domain.AgencyType) domain.Actor {
	for _, a := range f.actors {
		if a.AgencyType == t && slices.Contains(a.Roles, r) {
			return a
		}
	}
	panic("no actor for " + string(r) + "/" + string(t))
}

func ids(rs []domain.InfoReport) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	sort.Strings(out)
	return out
}

// TestPolicySQLMatchesCan is the generated policy test: for every role in
// every agency type, over records of every classification, handling code and
// restriction, the SQL predicate admits exactly the rows Can allows, for
// view, list, count, search, export and edit, on both engines.
func TestPolicySQLMatchesCan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		if len(f.actors) != 8*14 || len(f.records) < 280 {
			t.Fatalf("fixture: got %d actors and %d records, want 112 and at least 280", len(f.actors), len(f.records))
		}
		cases := 0
		for _, a := range f.actors {
			name := string(a.Roles[0]) + "@" + string(a.AgencyType)
			for _, act := range []authz.Action{authz.List, authz.Count, authz.Search, authz.Export, authz.Edit} {
				var want []domain.InfoReport
				for _, r := range f.records {
					if act == authz.Search && !strings.Contains(r.Title, "alpha") {
						continue
					}
					if f.policy.Can(a, act, domain.KindInfoReport, r.Marking) == nil {
						want = append(want, r)
					}
					cases++
				}
				q := s.NewInfoReportQuery(f.policy, a, act)
				if act == authz.Search {
					q = q.WithSearch("ALPHA")
				}
				if act == authz.Count {
					n, err := q.Count(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if n != len(want) {
						t.Errorf("%s count: got %d, want %d", name, n, len(want))
					}
					continue
				}
				got, err := q.List(ctx, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := ids(got), ids(want); !slices.Equal(g, w) {
					t.Errorf("%s %s: SQL admits %d rows, Can admits %d", name, act, len(g), len(w))
				}
			}
			// View: one query per record for a sample of actors (all
			// records for the first agency's actors).
			if a.AgencyType != domain.AgencyPolice && a.AgencyType != domain.AgencyCharity {
				continue
			}
			for _, r := range f.records {
				cases++
				want := f.policy.Can(a, authz.View, domain.KindInfoReport, r.Marking)
				got, err := s.NewInfoReportQuery(f.policy, a, authz.View).WithID(r.ID).One(ctx)
				switch {
				case want == nil && err != nil:
					t.Errorf("%s view %s: got %v, want the record", name, r.Title, err)
				case want != nil && !errors.Is(err, domain.ErrNotFound):
					t.Errorf("%s view %s: got %v (%s), want not found", name, r.Title, err, got.ID)
				}
			}
		}
		t.Logf("%d policy cases checked", cases)
	})
}

func TestInfoReportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyLocalAuthority)
		var rec domain.InfoReport
		for _, r := range f.records {
			if r.Marking.Handling == domain.HandlingC && len(r.Marking.ConditionTypes) == 1 && r.Marking.ConditionTypes[0] == domain.AgencyLocalAuthority && !r.Marking.OriginLawEnforcement {
				rec = r
				break
			}
		}
		got, err := s.NewInfoReportQuery(f.policy, analyst, authz.View).WithID(rec.ID).One(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reference == "" || got.Title != rec.Title || len(got.Marking.ConditionTypes) != 1 || got.OriginAgencyName == "" {
			t.Errorf("got %+v, want the record with its conditions", got)
		}
		if _, err := s.NewInfoReportQuery(f.policy, analyst, authz.View).WithID("not-a-uuid").One(ctx); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("malformed id: got %v, want not found", err)
		}
		page, err := s.NewInfoReportQuery(f.policy, f.actorFor(domain.RoleAnalyst, domain.AgencyPolice), authz.List).List(ctx, 10, 5)
		if err != nil || len(page) != 10 {
			t.Errorf("page: got %d, %v; want 10", len(page), err)
		}
	})
}

// TestPolicySQLMatchesCanForRegister runs the generated policy test over
// groups and entities: the same markings as the report fixture, on the
// register's tables, must be admitted by the register's scoped queries
// exactly as Can admits them for kinds ocg and entity.
func TestPolicySQLMatchesCanForRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		type rec struct {
			ocg, entity string
			m           domain.Marking
		}
		var recs []rec
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, r := range f.records {
				o := domain.OCG{Name: "Group " + r.Title, Status: domain.StatusProposed, Ownership: domain.OwnLocal, PrimaryThreat: "drugs",
					Marking: r.Marking, CreatedBy: r.CreatedBy}
				if err := s.InsertOCG(ctx, tx, &o); err != nil {
					return err
				}
				e := domain.Entity{Kind: domain.EntityPerson, Name: "Person " + r.Title, Marking: r.Marking, CreatedBy: r.CreatedBy}
				if err := s.InsertEntity(ctx, tx, &e); err != nil {
					return err
				}
				recs = append(recs, rec{o.ID, e.ID, r.Marking})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		cases := 0
		for _, a := range f.actors {
			name := string(a.Roles[0]) + "@" + string(a.AgencyType)
			for _, act := range []authz.Action{authz.List, authz.Count, authz.Export, authz.Edit} {
				var wantO, wantE []string
				for _, r := range recs {
					cases += 2
					if f.policy.Can(a, act, domain.KindOCG, r.m) == nil {
						wantO = append(wantO, r.ocg)
					}
					if f.policy.Can(a, act, domain.KindEntity, r.m) == nil {
						wantE = append(wantE, r.entity)
					}
				}
				sort.Strings(wantO)
				sort.Strings(wantE)
				if act == authz.Count {
					no, err := s.NewOCGQuery(f.policy, a, act).Count(ctx)
					if err != nil {
						t.Fatal(err)
					}
					ne, err := s.NewEntityQuery(f.policy, a, act).Count(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if no != len(wantO) || ne != len(wantE) {
						t.Errorf("%s count: got %d groups and %d entities, want %d and %d", name, no, ne, len(wantO), len(wantE))
					}
					continue
				}
				gotO, err := s.NewOCGQuery(f.policy, a, act).List(ctx, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				gotE, err := s.NewEntityQuery(f.policy, a, act).List(ctx, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				var og, eg []string
				for _, o := range gotO {
					og = append(og, o.ID)
				}
				for _, e := range gotE {
					eg = append(eg, e.ID)
				}
				sort.Strings(og)
				sort.Strings(eg)
				if !slices.Equal(og, wantO) {
					t.Errorf("%s %s groups: SQL admits %d, Can admits %d", name, act, len(og), len(wantO))
				}
				if !slices.Equal(eg, wantE) {
					t.Errorf("%s %s entities: SQL admits %d, Can admits %d", name, act, len(eg), len(wantE))
				}
			}
		}
		t.Logf("%d register policy cases checked", cases)
	})
}

// TestReportSearchThroughLinks: a report every partner may see, linked to a
// group of every marking, is found by the group's name exactly by the
// actors the policy lets see that group: a search never reveals a link to
// a group the searcher may not see. Both engines.
func TestReportSearchThroughLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		council := f.agencies[domain.AgencyLocalAuthority]
		type pair struct {
			report, group string
			m             domain.Marking
		}
		var pairs []pair
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for i, r := range f.records {
				if r.Marking.PartnershipID != f.p.ID || i%4 != 0 {
					continue
				}
				word := fmt.Sprintf("zq%dword", i)
				o := domain.OCG{Name: "Group " + word, Status: domain.StatusProposed, Ownership: domain.OwnLocal, PrimaryThreat: "drugs",
					Marking: r.Marking, CreatedBy: r.CreatedBy}
				if err := s.InsertOCG(ctx, tx, &o); err != nil {
					return err
				}
				open := domain.InfoReport{Title: "Open report", Body: "Nothing in the text", SourceGrade: "2", IntelGrade: "B", CreatedBy: f.actorFor(domain.RoleAnalyst, council.Type).UserID,
					Marking: domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: council.ID, Classification: domain.Official, Handling: domain.HandlingP}}
				if err := s.InsertInfoReport(ctx, tx, &open); err != nil {
					return err
				}
				if _, err := s.InsertReportLink(ctx, tx, f.p.ID, open.ID, store.ReportLink{Kind: domain.NodeOCG, ID: o.ID}, open.CreatedBy); err != nil {
					return err
				}
				pairs = append(pairs, pair{open.ID, word, r.Marking})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		found, hidden := 0, 0
		for _, a := range f.actors {
			if !slices.Contains(a.Roles, domain.RoleAnalyst) && !slices.Contains(a.Roles, domain.RolePartnerOfficer) {
				continue
			}
			for _, p := range pairs {
				got, err := s.NewInfoReportQuery(f.policy, a, authz.Search).WithSearch(p.group).List(ctx, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				want := f.policy.Can(a, authz.View, domain.KindOCG, p.m) == nil && f.policy.Can(a, authz.Search, domain.KindInfoReport,
					domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: council.ID, Classification: domain.Official, Handling: domain.HandlingP}) == nil
				if (len(got) == 1) != want {
					t.Errorf("%s@%s searching %s: got %d reports, want found=%t", a.Roles[0], a.AgencyType, p.group, len(got), want)
				}
				if want {
					found++
				} else {
					hidden++
				}
			}
		}
		if found == 0 || hidden == 0 {
			t.Errorf("got %d found and %d hidden: the test must see both", found, hidden)
		}
	})
}

// TestReportSearchPages pages through a search whose matches come both
// from the text and from links, newest first, and counts them with and
// without a limit: every match once, in order, on every page.
func TestReportSearchPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		council := f.agencies[domain.AgencyLocalAuthority]
		analyst := f.actorFor(domain.RoleAnalyst, council.Type)
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		var want []string // newest first
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			m := domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: council.ID, Classification: domain.Official, Handling: domain.HandlingP}
			o := domain.OCG{Name: "Zqpage Crew", Status: domain.StatusProposed, Ownership: domain.OwnLocal, PrimaryThreat: "drugs", Marking: m,
				CreatedBy: analyst.UserID}
			if err := s.InsertOCG(ctx, tx, &o); err != nil {
				return err
			}
			for i := range 9 {
				r := domain.InfoReport{Title: "Report", Body: "Nothing to see", SourceGrade: "2", IntelGrade: "B", CreatedBy: analyst.UserID,
					CreatedAt: base.Add(time.Duration(i) * time.Hour), Marking: m}
				switch i % 3 {
				case 0:
					r.Body = "Seen zqpage at the flat" // the text
				case 1: // a link
				case 2:
					r.Body = "Zqpage again" // both
				}
				if err := s.InsertInfoReport(ctx, tx, &r); err != nil {
					return err
				}
				if i%3 != 0 {
					if _, err := s.InsertReportLink(ctx, tx, f.p.ID, r.ID, store.ReportLink{Kind: domain.NodeOCG, ID: o.ID}, analyst.UserID); err != nil {
						return err
					}
				}
				want = append([]string{r.ID}, want...)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		q := func() *store.InfoReportQuery {
			return s.NewInfoReportQuery(f.policy, analyst, authz.Search).WithSearch("zqpag")
		}
		if n, err := q().Count(ctx); err != nil || n != 9 {
			t.Errorf("Count: got %d, %v, want 9", n, err)
		}
		if n, err := q().CountUpTo(ctx, 4); err != nil || n != 4 {
			t.Errorf("CountUpTo(4): got %d, %v, want 4", n, err)
		}
		var got []string
		for page := range 4 {
			list, err := q().List(ctx, 3, page*3)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list {
				got = append(got, r.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of 3: got %d reports %v, want the 9 newest first %v", len(got), got, want)
		}
		if list, err := q().List(ctx, 0, 0); err != nil || len(list) != 9 {
			t.Errorf("List(all): got %d, %v, want 9", len(list), err)
		}
		if n, err := s.NewInfoReportQuery(f.policy, analyst, authz.Search).WithSearch("<>!").Count(ctx); err != nil || n != 0 {
			t.Errorf("a search with no words: got %d, %v, want 0", n, err)
		}
	})
}
