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
