package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestSearchCandidates checks the candidate lookup on both engines: by
// pair, token and identifier keys and by full-text prefix; kind filters;
// that edits to names and aliases reach the keys and the full-text index;
// and that the policy admits nothing to an actor without a grant.
func TestSearchCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var a domain.Actor
		var khan, vehicle domain.Entity
		var group domain.OCG
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{Slug: "search", Name: "Search"}
			if err := s.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			ags := []domain.Agency{{PartnershipID: p.ID, Name: "Police", Type: domain.AgencyPolice}}
			if err := s.InsertAgencies(ctx, tx, ags); err != nil {
				return err
			}
			us := []domain.User{{PartnershipID: p.ID, AgencyID: ags[0].ID, Email: "a@police.example", DisplayName: "A", Active: true,
				Roles: []domain.Role{domain.RoleAnalyst}}}
			if err := s.InsertUsers(ctx, tx, us); err != nil {
				return err
			}
			a = domain.Actor{Kind: domain.ActorUser, UserID: us[0].ID, PartnershipID: p.ID, AgencyID: ags[0].ID, AgencyType: domain.AgencyPolice,
				Roles: []domain.Role{domain.RoleAnalyst}}
			m := domain.Marking{PartnershipID: p.ID, OriginAgencyID: ags[0].ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}
			khan = domain.Entity{Kind: domain.EntityPerson, Name: "Mohammed Khan", Aliases: []string{"Mo Quarrington"}, Marking: m, CreatedBy: us[0].ID}
			if err := s.InsertEntity(ctx, tx, &khan); err != nil {
				return err
			}
			vehicle = domain.Entity{Kind: domain.EntityVehicle, Name: "AB12 CDE", Identifier: "AB12CDE", Marking: m, CreatedBy: us[0].ID}
			if err := s.InsertEntity(ctx, tx, &vehicle); err != nil {
				return err
			}
			group = domain.OCG{Name: "Khan Family", OperationName: "Operation Kestrel", Status: domain.StatusProposed, Ownership: domain.OwnLocal,
				PrimaryThreat: "drugs", Marking: m, CreatedBy: us[0].ID}
			return s.InsertOCG(ctx, tx, &group)
		})
		if err != nil {
			t.Fatal(err)
		}
		grants, err := s.RoleGrants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		policy := authz.New(grants)
		find := func(text string, kinds []domain.EntityKind, groups bool, who domain.Actor) []string {
			t.Helper()
			q := match.NewQuery(text, nil)
			got, err := s.SearchCandidates(ctx, policy, who, store.SearchFilter{Keys: q.Keys(), FullText: q.FullText(), Kinds: kinds, Groups: groups})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			return ids
		}
		tests := []struct {
			text   string
			kinds  []domain.EntityKind
			groups bool
			want   []string
			absent []string
		}{
			{"Muhammad Kahn", nil, true, []string{khan.ID}, nil},
			{"Khan", nil, true, []string{khan.ID, group.ID}, []string{vehicle.ID}},
			{"Khan", []domain.EntityKind{domain.EntityPerson}, false, []string{khan.ID}, []string{group.ID}},
			{"Khan", nil, false, []string{khan.ID}, []string{group.ID}},
			{"ab12cde", nil, true, []string{vehicle.ID}, nil},
			{"Quarr", nil, true, []string{khan.ID}, nil},
			{"Kestrel", nil, true, []string{group.ID}, nil},
			{khan.Reference, nil, true, []string{khan.ID}, nil},
			{"Zebedee", nil, true, nil, []string{khan.ID}},
		}
		for _, tt := range tests {
			got := find(tt.text, tt.kinds, tt.groups, a)
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Errorf("%q: got %q, want %s among them", tt.text, got, id)
				}
			}
			for _, id := range tt.absent {
				if slices.Contains(got, id) {
					t.Errorf("%q: got %q, want no %s", tt.text, got, id)
				}
			}
		}
		// A rename and a dropped alias reach the keys and the full text.
		khan.Name, khan.Aliases = "Yusuf Zebedee", nil
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.UpdateEntity(ctx, tx, &khan) }); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			text string
			want bool
		}{{"Zebedee", true}, {"Quarr", false}, {"Mohammed Khan", false}} {
			if got := slices.Contains(find(tt.text, nil, true, a), khan.ID); got != tt.want {
				t.Errorf("after the edit, %q finds the person: got %v, want %v", tt.text, got, tt.want)
			}
		}
		// No grant, nothing.
		none := a
		none.Roles = []domain.Role{domain.RoleAdministrator}
		if got := find("Zebedee", nil, true, none); len(got) != 0 {
			t.Errorf("an administrator got %q, want nothing", got)
		}
	})
}
