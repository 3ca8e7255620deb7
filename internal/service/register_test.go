package service_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// registerFixture is a small partnership with a police force and a council,
// and users in the roles the register's rules depend on.
type registerFixture struct {
	st     *store.Store
	reg    *service.Register
	actors map[string]domain.Actor // analyst, analyst2 (police), lro (council), officer (council), board (police)
	clk    *clock
}

func newRegisterFixture(t *testing.T, e storetest.Engine) *registerFixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	st := storetest.Open(t, e, store.Options{Now: clk.Now})
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
	f := &registerFixture{st: st, reg: service.NewRegister(st, nil, alog), actors: map[string]domain.Actor{}, clk: clk}
	p := domain.Partnership{Slug: "reg", Name: "Register test", Programme: "Programme", RegionCode: "E12000003"}
	ags := []domain.Agency{{Name: "Test Police", ShortName: "TP", Type: domain.AgencyPolice}, {Name: "Test Council", ShortName: "TC", Type: domain.AgencyLocalAuthority}}
	specs := []struct {
		key   string
		agent int
		role  domain.Role
	}{{"analyst", 0, domain.RoleAnalyst}, {"analyst2", 0, domain.RoleAnalyst}, {"lro", 1, domain.RoleLRO}, {"officer", 1, domain.RolePartnerOfficer}, {"board", 0, domain.RoleBoardViewer}}
	err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := st.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		for i := range ags {
			ags[i].PartnershipID = p.ID
		}
		if err := st.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		var users []domain.User
		for _, s := range specs {
			users = append(users, domain.User{PartnershipID: p.ID, AgencyID: ags[s.agent].ID, Email: s.key + "@example.test", DisplayName: s.key, Active: true, Roles: []domain.Role{s.role}})
		}
		return st.InsertUsers(ctx, tx, users)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		c, err := st.CredentialsByEmail(ctx, st.Reader(), s.key+"@example.test")
		if err != nil {
			t.Fatal(err)
		}
		f.actors[s.key] = domain.Actor{Kind: domain.ActorUser, UserID: c.User.ID, Email: c.User.Email, DisplayName: c.User.DisplayName,
			PartnershipID: p.ID, AgencyID: c.User.AgencyID, AgencyType: c.AgencyType, Roles: c.User.Roles, SessionID: f.session(t, c.User)}
	}
	return f
}

// session signs u in, returning the session id.
func (f *registerFixture) session(t *testing.T, u domain.User) string {
	t.Helper()
	now := f.st.Now()
	sess := store.Session{PartnershipID: u.PartnershipID, UserID: u.ID, Stage: "full", Method: "password", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	err := f.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		return f.st.CreateSession(ctx, tx, &sess, "hash-"+f.st.NewID())
	})
	if err != nil {
		t.Fatal(err)
	}
	return sess.ID
}

func (f *registerFixture) propose(t *testing.T, class string, restricted bool) domain.OCG {
	t.Helper()
	o, err := f.reg.Propose(context.Background(), f.actors["analyst"], domain.OCGInput{Name: "Ravensworth network", OperationName: "Operation Kestrel",
		Ownership: "local", PrimaryThreat: "county_lines", Threats: []string{"drugs"},
		Marking: domain.MarkingInput{Classification: class, Handling: "P", Restricted: restricted}})
	if err != nil {
		t.Fatalf("propose: %v", err)
	}
	return o
}

// setScore gives the group a score directly, standing in for an OCGM
// assessment (the scoring service has its own tests).
func (f *registerFixture) setScore(t *testing.T, o *domain.OCG) {
	t.Helper()
	score := 42.0
	o.Score = &score
	err := f.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		return f.st.SetOCGScore(ctx, tx, o.ID, score, "2B", "", f.st.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fieldErr(err error, field string) bool {
	var v *domain.ValidationError
	return errors.As(err, &v) && v.Has(field)
}

func TestLifecycleRules(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			if o.Status != domain.StatusProposed || o.Reference == "" {
				t.Fatalf("got status %q reference %q, want proposed with a reference", o.Status, o.Reference)
			}
			step := func(in domain.TransitionInput) error {
				f.clk.Advance(24 * time.Hour)
				_, err := f.reg.Transition(ctx, analyst, o.ID, in)
				return err
			}
			// Order matters: each case starts where the last left the group.
			cases := []struct {
				name      string
				before    func()
				in        domain.TransitionInput
				wantField string // "" means the step must succeed; "conflict" a step the status does not allow
			}{
				{"no skipping from proposed to adopted", nil, domain.TransitionInput{To: domain.StatusAdopted}, "conflict"},
				{"proposed to under assessment", nil, domain.TransitionInput{To: domain.StatusUnderAssessment, Decision: "Tasking 01/11/2026"}, ""},
				{"no mapping without a score", nil, domain.TransitionInput{To: domain.StatusMapped}, "to"},
				{"mapped once scored", func() {
					cur, err := f.reg.Group(ctx, analyst, o.ID)
					if err != nil {
						t.Fatal(err)
					}
					f.setScore(t, &cur.OCG)
				}, domain.TransitionInput{To: domain.StatusMapped, DecidedOn: "05/11/2026"}, ""},
				{"no decision before the previous step", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM", DecidedOn: "04/11/2026"}, "decided_on"},
				{"no adoption without an LRO", nil, domain.TransitionInput{To: domain.StatusAdopted, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM 21/11/2026"}, "lro"},
				{"no adoption without a decision", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID}, "decision"},
				{"no decision date in the future", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM", DecidedOn: "01/01/2027"}, "decided_on"},
				{"adopted with an LRO from the council", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG Management Meeting 21/11/2026", ReviewDue: "21/02/2027"}, ""},
				{"no archive without a reason", nil, domain.TransitionInput{To: domain.StatusArchived, Rationale: "Principals convicted", Decision: "OCG MM 22/11/2026"}, "archive_reason"},
				{"no archive without a decision", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Rationale: "Principals convicted"}, "decision"},
				{"no archive without a rationale", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Decision: "OCG MM 22/11/2026"}, "rationale"},
				{"archived as dismantled", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Rationale: "Both principals convicted, no residual capability", Decision: "OCG Management Meeting 22/11/2026"}, ""},
				{"an archived group cannot be adopted", nil, domain.TransitionInput{To: domain.StatusAdopted, Decision: "x"}, "conflict"},
			}
			for _, c := range cases {
				if c.before != nil {
					c.before()
				}
				err := step(c.in)
				switch {
				case c.wantField == "" && err != nil:
					t.Errorf("%s: got %v, want success", c.name, err)
				case c.wantField == "conflict":
					if !errors.Is(err, domain.ErrConflict) {
						t.Errorf("%s: got %v, want a conflict with the group's status", c.name, err)
					}
				case c.wantField != "" && !fieldErr(err, c.wantField):
					t.Errorf("%s: got %v, want a problem with field %q", c.name, err, c.wantField)
				}
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatalf("archived group: got %v, want it readable", err)
			}
			if v.OCG.Status != domain.StatusArchived || v.OCG.ArchiveReason != domain.ArchiveDismantled || v.OCG.ArchiveBy == "" {
				t.Errorf("got status %q reason %q decision %q, want archived, dismantled, with the decision", v.OCG.Status, v.OCG.ArchiveReason, v.OCG.ArchiveBy)
			}
			if v.OCG.LROUserID != f.actors["lro"].UserID {
				t.Errorf("got LRO %q, want the council LRO kept after archiving", v.OCG.LROUserID)
			}
			var got []domain.OCGStatus
			for _, tr := range v.Transitions {
				got = append(got, tr.To)
			}
			want := []domain.OCGStatus{domain.StatusProposed, domain.StatusUnderAssessment, domain.StatusMapped, domain.StatusAdopted, domain.StatusArchived}
			if len(got) != len(want) {
				t.Fatalf("got history %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("got history %v, want %v", got, want)
				}
			}
			last := v.Transitions[len(v.Transitions)-1]
			if last.Decision != "OCG Management Meeting 22/11/2026" || last.ActorID != analyst.UserID {
				t.Errorf("got archive step decision %q by %q, want the meeting and the analyst", last.Decision, last.ActorID)
			}
			if v.CanPlan {
				t.Error("got CanPlan on an archived group, want the plan closed to changes")
			}
			// A step decided on a stale copy of the group writes nothing.
			stale := v.OCG
			stale.Status = domain.StatusAdopted
			err = f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return f.st.UpdateOCG(ctx, tx, &stale, domain.StatusMapped)
			})
			if !errors.Is(err, domain.ErrConflict) {
				t.Errorf("update from a stale status: got %v, want a conflict", err)
			}
			// Reopening keeps the archive in the history.
			if err := step(domain.TransitionInput{To: domain.StatusUnderAssessment, Decision: "New intelligence IR-2026-000001"}); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			v, _ = f.reg.Group(ctx, analyst, o.ID)
			if v.OCG.ArchiveReason != "" || len(v.Transitions) != 6 {
				t.Errorf("got reason %q and %d steps after reopening, want no current reason and 6 steps", v.OCG.ArchiveReason, len(v.Transitions))
			}
		})
	}
}

func TestRegisterAccess(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			open := f.propose(t, "OFFICIAL", false)
			sensitive := f.propose(t, "OFFICIAL-SENSITIVE", false)
			restricted := f.propose(t, "OFFICIAL", true)
			// Purposes are needed for people who did not propose the group.
			for _, key := range []string{"officer", "lro", "board", "analyst2"} {
				for _, id := range []string{open.ID, sensitive.ID, restricted.ID} {
					_ = f.reg.GivePurpose(ctx, f.actors[key], id, "tasking", "")
				}
			}
			cases := []struct {
				actor   string
				id      string
				wantErr error
			}{
				{"officer", open.ID, nil},
				{"officer", sensitive.ID, domain.ErrNotFound},
				{"officer", restricted.ID, domain.ErrNotFound},
				{"analyst2", sensitive.ID, nil},
				{"analyst2", restricted.ID, domain.ErrNotFound},
				{"analyst", restricted.ID, nil},
				{"board", open.ID, nil},
			}
			for _, c := range cases {
				_, err := f.reg.Group(ctx, f.actors[c.actor], c.id)
				if (c.wantErr == nil && err != nil) || (c.wantErr != nil && !errors.Is(err, c.wantErr)) {
					t.Errorf("%s opening %s: got %v, want %v", c.actor, c.id, err, c.wantErr)
				}
			}
			page, err := f.reg.Groups(ctx, f.actors["officer"], service.GroupFilter{}, 1, 25)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != open.ID {
				t.Errorf("officer list: got total %d, want only the OFFICIAL unrestricted group", page.Total)
			}
			if page.CanPropose {
				t.Error("officer: got CanPropose, want a partner officer unable to propose groups")
			}
			if _, err := f.reg.Propose(ctx, f.actors["board"], domain.OCGInput{Name: "x", Ownership: "local", PrimaryThreat: "drugs",
				Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("board viewer proposing: got %v, want forbidden", err)
			}
			if _, err := f.reg.Transition(ctx, f.actors["officer"], open.ID, domain.TransitionInput{To: domain.StatusUnderAssessment}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("officer moving a group: got %v, want forbidden", err)
			}
			// A stranger to the group must give a purpose before reading it.
			fresh := f.actors["analyst2"]
			fresh.SessionID = f.session(t, domain.User{ID: fresh.UserID, PartnershipID: fresh.PartnershipID})
			var need *service.PurposeNeeded
			if _, err := f.reg.Group(ctx, fresh, open.ID); !errors.As(err, &need) {
				t.Errorf("new session: got %v, want a purpose asked for", err)
			}
		})
	}
}

func TestMembersAndPlan(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst, lro := f.actors["analyst"], f.actors["lro"]
			o := f.propose(t, "OFFICIAL", false)
			m, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: "principal", SourceRef: "IR-2026-000001", Confidence: "high",
				Person: service.PersonInput{Name: "Liam O'Neill", Aliases: []string{"Liam Neil"}, Nicknames: []string{"Lee"}, DOB: "14/03/1994"}})
			if err != nil {
				t.Fatalf("add member: %v", err)
			}
			if m.Person.Marking.Classification != domain.Official {
				t.Errorf("got member classification %q, want the group's", m.Person.Marking.Classification)
			}
			bad := []struct {
				name  string
				in    service.MemberInput
				field string
			}{
				{"no role", service.MemberInput{SourceRef: "IR-1", Confidence: "high", Person: service.PersonInput{Name: "A B"}}, "role"},
				{"no source", service.MemberInput{Role: "peripheral", Confidence: "high", Person: service.PersonInput{Name: "A B"}}, "source_ref"},
				{"bad date of birth", service.MemberInput{Role: "peripheral", SourceRef: "IR-1", Confidence: "low", Person: service.PersonInput{Name: "A B", DOB: "31/02/1990"}}, "dob"},
				{"no name", service.MemberInput{Role: "peripheral", SourceRef: "IR-1", Confidence: "low"}, "name"},
			}
			for _, c := range bad {
				if _, err := f.reg.AddMember(ctx, analyst, o.ID, c.in); !fieldErr(err, c.field) {
					t.Errorf("%s: got %v, want a problem with %q", c.name, err, c.field)
				}
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Members) != 1 || v.Members[0].Link.Role != domain.RolePrincipal || v.Members[0].Person.Name != "Liam O'Neill" {
				t.Fatalf("got members %+v, want Liam O'Neill as principal and nothing from the refused inputs", v.Members)
			}
			if got := v.Members[0].Person.Nicknames; len(got) != 1 || got[0] != "Lee" {
				t.Errorf("got nicknames %v, want [Lee]", got)
			}

			// The council LRO may not keep the plan until named LRO.
			if _, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "22/02/2027"}, false); err == nil {
				t.Error("LRO of another group: got plan saved, want refused")
			}
			o.LROUserID = lro.UserID
			if err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return f.st.UpdateOCG(ctx, tx, &o, o.Status) }); err != nil {
				t.Fatal(err)
			}
			_ = f.reg.GivePurpose(ctx, lro, o.ID, "tasking", "")
			if _, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "not a date"}, false); !fieldErr(err, "review_due") {
				t.Errorf("bad review date: got %v, want a problem with review_due", err)
			}
			plan, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{Objectives: "Dismantle the line", ReviewDue: "22/02/2027"}, false)
			if err != nil {
				t.Fatalf("LRO saving the plan: %v", err)
			}
			agencies, _ := f.st.Agencies(ctx, lro.PartnershipID)
			act, err := f.reg.AddAction(ctx, lro, o.ID, service.ActionInput{Strand: "protect", Description: "Visit cuckooed addresses", OwnerAgencyID: agencies[0].ID,
				OwnerName: "Housing team", DueOn: "01/12/2026"})
			if err != nil {
				t.Fatalf("add action: %v", err)
			}
			if _, err := f.reg.AddAction(ctx, lro, o.ID, service.ActionInput{Strand: "pursue", Description: "Warrant", OwnerAgencyID: agencies[0].ID,
				OwnerName: "DS Grey", DueOn: "01/12/2026", Status: "done"}); !fieldErr(err, "outcome") {
				t.Errorf("new action done without outcome: got %v, want a problem with outcome", err)
			}
			if err := f.reg.UpdateAction(ctx, lro, o.ID, act.ID, "done", ""); !fieldErr(err, "outcome") {
				t.Errorf("done without outcome: got %v, want a problem with outcome", err)
			}
			if err := f.reg.UpdateAction(ctx, lro, o.ID, act.ID, "done", "Two closure orders"); err != nil {
				t.Fatalf("update action: %v", err)
			}
			next, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "22/05/2027"}, true)
			if err != nil {
				t.Fatal(err)
			}
			if next.Version != plan.Version+1 {
				t.Errorf("got version %d, want %d", next.Version, plan.Version+1)
			}
			cur, err := f.st.CurrentPlan(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.ID != next.ID || len(cur.Actions) != 0 {
				t.Errorf("got current plan %s with %d actions, want the new version without the finished action", cur.ID, len(cur.Actions))
			}
		})
	}
}

func TestEntityKeepsHandlingConditions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			const note = "Police only: not for disclosure to the subject's school"
			p, err := f.reg.AddEntity(ctx, f.actors["analyst"], service.PersonInput{Name: "Tyler Marsh", Marking: domain.MarkingInput{
				Classification: "OFFICIAL-SENSITIVE", Handling: "C", HandlingNote: note, ConditionTypes: []string{"police"}}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.reg.Entity(ctx, f.actors["analyst"], p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Entity.HandlingNote != note {
				t.Errorf("got handling conditions %q, want %q", v.Entity.HandlingNote, note)
			}
			q, err := f.reg.AddEntity(ctx, f.actors["analyst"], service.PersonInput{Name: "Open Person", Marking: domain.MarkingInput{
				Classification: "OFFICIAL", Handling: "P", HandlingNote: "stray words"}})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := f.reg.Entity(ctx, f.actors["analyst"], q.ID); v.Entity.HandlingNote != "" {
				t.Errorf("handling P: got conditions %q, want none", v.Entity.HandlingNote)
			}
		})
	}
}

func TestLinkRules(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			person := func(name string) string {
				t.Helper()
				p, err := f.reg.AddEntity(ctx, analyst, service.PersonInput{Name: name, Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}})
				if err != nil {
					t.Fatalf("add %s: %v", name, err)
				}
				return p.ID
			}
			a, b := person("Kyle Brennan"), person("Dean Brennan")
			for _, key := range []string{"lro", "officer"} {
				for _, id := range []string{o.ID, a, b} {
					_ = f.reg.GivePurpose(ctx, f.actors[key], id, "tasking", "")
				}
			}
			cases := []struct {
				name      string
				actor     string
				in        service.LinkInput
				wantField string // a field with a problem
				wantErr   error  // or this error; neither means success
			}{
				{"family link between two people", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "family", SourceRef: "IR-1", Confidence: "high", From: "01/01/2020"}, "", nil},
				{"no link to itself", "analyst", service.LinkInput{FromID: a, ToID: a, Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "to", nil},
				{"no link without a source", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "associate", Confidence: "high"}, "source_ref", nil},
				{"no unknown link type", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "friend", SourceRef: "IR-1", Confidence: "high"}, "type", nil},
				{"no end before the start", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "associate", SourceRef: "IR-1", Confidence: "low", From: "02/02/2022", To: "01/01/2021"}, "valid_to", nil},
				{"a membership needs a role", "analyst", service.LinkInput{FromID: a, ToID: o.ID, Type: "member_of", SourceRef: "IR-1", Confidence: "high"}, "role", nil},
				{"a group is not a member of a person", "analyst", service.LinkInput{FromID: o.ID, ToID: a, Type: "member_of", Role: "principal", SourceRef: "IR-1", Confidence: "high"}, "type", nil},
				{"a record one cannot see", "analyst", service.LinkInput{FromID: a, ToID: "no-such-id", Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "to", nil},
				{"the group's analyst adds a member", "analyst", service.LinkInput{FromID: a, ToID: o.ID, Type: "member_of", Role: "principal", SourceRef: "IR-1", Confidence: "high"}, "", nil},
				{"an LRO of another group may not add members", "lro", service.LinkInput{FromID: b, ToID: o.ID, Type: "member_of", Role: "peripheral", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
				{"nor link a person to the group otherwise", "lro", service.LinkInput{FromID: o.ID, ToID: b, Type: "controls", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
				{"the group's analyst links the group to a person", "analyst", service.LinkInput{FromID: o.ID, ToID: b, Type: "controls", SourceRef: "IR-1", Confidence: "medium"}, "", nil},
				{"a partner officer may not link", "officer", service.LinkInput{FromID: a, ToID: b, Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
			}
			for _, c := range cases {
				_, err := f.reg.Link(ctx, f.actors[c.actor], c.in)
				switch {
				case c.wantField != "":
					if !fieldErr(err, c.wantField) {
						t.Errorf("%s: got %v, want a problem with %q", c.name, err, c.wantField)
					}
				case c.wantErr != nil:
					if !errors.Is(err, c.wantErr) {
						t.Errorf("%s: got %v, want %v", c.name, err, c.wantErr)
					}
				case err != nil:
					t.Errorf("%s: got %v, want success", c.name, err)
				}
			}
			// Opening a record logs the records its page names through links.
			reader := f.actors["analyst2"]
			_ = f.reg.GivePurpose(ctx, reader, a, "tasking", "")
			if _, err := f.reg.Entity(ctx, reader, a); err != nil {
				t.Fatal(err)
			}
			evs, err := f.st.SearchAudit(ctx, reader.PartnershipID, store.AuditFilter{ActorID: reader.UserID, RecordID: b, Operation: "consultation", Limit: 5})
			if err != nil || len(evs) == 0 {
				t.Errorf("linked person shown on a person's page: got %d consultations (%v), want one", len(evs), err)
			}
			// Archived groups take no new members.
			f.setScore(t, &o)
			for _, in := range []domain.TransitionInput{{To: domain.StatusUnderAssessment}, {To: domain.StatusMapped},
				{To: domain.StatusArchived, ArchiveReason: "not_an_ocg", Rationale: "One offender acting alone", Decision: "OCG MM 20/11/2026"}} {
				if _, err := f.reg.Transition(ctx, analyst, o.ID, in); err != nil {
					t.Fatalf("to %s: %v", in.To, err)
				}
			}
			if _, err := f.reg.Link(ctx, analyst, service.LinkInput{FromID: b, ToID: o.ID, Type: "member_of", Role: "peripheral", SourceRef: "IR-2", Confidence: "high"}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("member of an archived group: got %v, want forbidden", err)
			}
			if _, err := f.reg.Link(ctx, analyst, service.LinkInput{FromID: b, ToID: o.ID, Type: "associate", SourceRef: "IR-2", Confidence: "high"}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("a link to an archived group: got %v, want forbidden", err)
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Members) != 1 || v.Members[0].Person.ID != a {
				t.Errorf("got %d members, want only the one the group's analyst added", len(v.Members))
			}
		})
	}
}

func TestNetworkLoadsWhatTheActorMaySee(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			for i, in := range []service.PersonInput{
				{Name: "Open Person"},
				{Name: "Hidden Person", Marking: domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P"}},
			} {
				if _, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: []string{"principal", "peripheral"}[i], SourceRef: "IR-1",
					Confidence: "medium", Person: in}); err != nil {
					t.Fatal(err)
				}
			}
			p, err := f.reg.Policy(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				actor                   string
				groups, entities, links int
				mustNotSee              string
			}{
				{"analyst", 1, 2, 2, ""},
				{"officer", 1, 1, 1, "Hidden Person"},
			}
			for _, c := range cases {
				n, err := f.st.Network(ctx, p, f.actors[c.actor])
				if err != nil {
					t.Fatal(err)
				}
				if len(n.Groups) != c.groups || len(n.Entities) != c.entities || len(n.Links) != c.links {
					t.Errorf("%s: got %d groups, %d entities, %d links, want %d, %d, %d", c.actor, len(n.Groups), len(n.Entities), len(n.Links), c.groups, c.entities, c.links)
				}
				for _, x := range n.Entities {
					if c.mustNotSee != "" && x.Name == c.mustNotSee {
						t.Errorf("%s: got %q in the network, want it hidden", c.actor, x.Name)
					}
				}
			}
		})
	}
}
