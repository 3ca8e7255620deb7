package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// scoringFixture writes a partnership with one police agency, one analyst
// and one group, returning the group and the analyst's id.
func scoringFixture(t *testing.T, s *store.Store) (domain.OCG, string) {
	t.Helper()
	ctx := context.Background()
	p := seedPartnership(t, s)
	var o domain.OCG
	var uid string
	err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		ags := []domain.Agency{{PartnershipID: p.ID, Name: "Police", Type: domain.AgencyPolice}}
		if err := s.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		us := []domain.User{{PartnershipID: p.ID, AgencyID: ags[0].ID, Email: "analyst@test.example", DisplayName: "Ana Lyst", Active: true,
			Roles: []domain.Role{domain.RoleAnalyst}}}
		if err := s.InsertUsers(ctx, tx, us); err != nil {
			return err
		}
		uid = us[0].ID
		o = domain.OCG{Name: "Harbour Street group", Status: domain.StatusUnderAssessment, Ownership: domain.OwnLocal, PrimaryThreat: "drugs",
			Marking:   domain.Marking{PartnershipID: p.ID, OriginAgencyID: ags[0].ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP},
			CreatedBy: uid}
		return s.InsertOCG(ctx, tx, &o)
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return o, uid
}

func modelOf(t *testing.T, d domain.ScoringDefinition) domain.ScoringModel {
	t.Helper()
	text, err := domain.MarshalScoringDefinition(d)
	if err != nil {
		t.Fatal(err)
	}
	return domain.ScoringModel{Method: d.Method(), Name: d.Title(), Definition: text, IsDefault: true}
}

func TestScoringModelVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tx := func(fn func(ctx context.Context, tx *sql.Tx) error) error { return s.InTx(ctx, fn) }

		for i, want := range []bool{true, false} {
			var got bool
			m := modelOf(t, domain.DefaultOCGM())
			if err := tx(func(ctx context.Context, tx *sql.Tx) (err error) {
				got, err = s.InsertFirstScoringModel(ctx, tx, &m)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("first-version insert %d: got stored %v, want %v", i+1, got, want)
			}
		}
		v1, err := s.CurrentScoringModel(ctx, s.Reader(), domain.MethodOCGM)
		if err != nil || v1.Version != 1 || !v1.Current || !v1.IsDefault || v1.Def == nil {
			t.Fatalf("current after defaults: got %+v, %v; want version 1, current, default, parsed", v1, err)
		}
		if _, err := s.CurrentScoringModel(ctx, s.Reader(), domain.MethodMoRiLE); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("current MoRiLE model with none stored: got %v, want not found", err)
		}

		next, err := s.NextScoringVersion(ctx, s.Reader(), domain.MethodOCGM)
		if err != nil || next != 2 {
			t.Fatalf("next version: got %d, %v; want 2", next, err)
		}
		edited := domain.DefaultOCGM()
		edited.Attributes[0].Weight = 5
		v2 := modelOf(t, edited)
		v2.Version, v2.Current, v2.IsDefault = 2, true, false
		if err := tx(func(ctx context.Context, tx *sql.Tx) error { return s.InsertScoringModel(ctx, tx, &v2) }); err != nil {
			t.Fatal(err)
		}
		dup := modelOf(t, edited)
		dup.Version, dup.Current = 2, true
		if err := tx(func(ctx context.Context, tx *sql.Tx) error { return s.InsertScoringModel(ctx, tx, &dup) }); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("a second version 2: got %v, want a conflict", err)
		}

		cur, err := s.CurrentScoringModel(ctx, s.Reader(), domain.MethodOCGM)
		if err != nil || cur.ID != v2.ID || cur.Def.(*domain.OCGMDefinition).Attributes[0].Weight != 5 {
			t.Errorf("current after version 2: got %+v, %v; want version 2", cur, err)
		}
		old, err := s.ScoringModelByID(ctx, s.Reader(), v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if old.Current || old.Definition != v1.Definition || old.Version != 1 || old.Name != v1.Name || !old.CreatedAt.Equal(v1.CreatedAt) {
			t.Errorf("version 1 after version 2: got %+v, want it unchanged but no longer current", old)
		}
		all, err := s.ScoringModels(ctx)
		if err != nil || len(all) != 2 || all[0].Version != 2 || all[1].Version != 1 {
			t.Errorf("all models: got %d, %v; want versions 2 then 1", len(all), err)
		}
		if _, err := s.ScoringModelByID(ctx, s.Reader(), "not-an-id"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("malformed id: got %v, want not found", err)
		}
	})
}

func TestAssessmentsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, uid := scoringFixture(t, s)
		var models = map[domain.ScoringMethod]domain.ScoringModel{}
		for _, d := range []domain.ScoringDefinition{domain.DefaultOCGM(), domain.DefaultMoRiLE()} {
			m := modelOf(t, d)
			if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				_, err := s.InsertFirstScoringModel(ctx, tx, &m)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			models[d.Method()] = m
		}
		day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
		add := func(method domain.ScoringMethod, on time.Time, score float64, band string) domain.Assessment {
			t.Helper()
			a := domain.Assessment{OCGID: o.ID, Method: method, ModelID: models[method].ID, AssessedOn: on, Score: score, Band: band, Priority: "P2",
				Confidence: 2, Rationale: "Because", AssessedBy: uid,
				Inputs: domain.ScoringInputs{Values: map[string]string{"criminality": "serious"}, Opportunity: "Closure order"},
				Result: domain.ScoreResult{Method: method, Score: score, Max: 72, Normalised: score / 72, Band: band, Parts: []domain.ScorePart{{Code: "criminality", Points: 3}}}}
			if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return s.InsertAssessment(ctx, tx, o.Marking.PartnershipID, &a)
			}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		first := add(domain.MethodOCGM, day(1), 30, "2B")
		morile := add(domain.MethodMoRiLE, day(5), 75, "")
		second := add(domain.MethodOCGM, day(10), 40, "1C")
		backdated := add(domain.MethodOCGM, day(3), 20, "2C")

		list, err := s.Assessments(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.ID)
		}
		want := []string{second.ID, morile.ID, backdated.ID, first.ID}
		if len(got) != len(want) {
			t.Fatalf("got %d assessments, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("position %d: got %s, want %s (newest assessed first)", i, got[i], want[i])
			}
		}
		r := list[0]
		if r.ModelVersion != 1 || r.ModelName == "" || r.AssessedByName != "Ana Lyst" || r.Inputs.Values["criminality"] != "serious" ||
			r.Inputs.Opportunity != "Closure order" || r.Result.Band != "1C" || len(r.Result.Parts) != 1 || !r.AssessedOn.Equal(day(10)) {
			t.Errorf("round trip: got %+v", r)
		}

		tests := []struct {
			name   string
			method domain.ScoringMethod
			want   string
		}{
			{"latest OCGM ignores the back-dated one", domain.MethodOCGM, second.ID},
			{"latest MoRiLE", domain.MethodMoRiLE, morile.ID},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				a, err := s.LatestAssessment(ctx, s.Reader(), o.ID, tc.method)
				if err != nil || a.ID != tc.want {
					t.Errorf("got %s, %v; want %s", a.ID, err, tc.want)
				}
			})
		}
		if _, err := s.AssessmentByID(ctx, s.Reader(), first.ID); err != nil {
			t.Errorf("by id: got %v", err)
		}
		if _, err := s.AssessmentByID(ctx, s.Reader(), "00000000-0000-7000-8000-000000000999"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("missing assessment: got %v, want not found", err)
		}
	})
}

func TestSetOCGScoreTouchesOnlyTheMirror(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, _ := scoringFixture(t, s)
		on := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.SetOCGScore(ctx, tx, o.ID, 38.5, "1C", "P1", on) }); err != nil {
			t.Fatal(err)
		}
		grants, err := s.RoleGrants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := domain.Actor{Kind: domain.ActorUser, UserID: o.CreatedBy, PartnershipID: o.Marking.PartnershipID, AgencyID: o.Marking.OriginAgencyID,
			AgencyType: domain.AgencyPolice, Roles: []domain.Role{domain.RoleAnalyst}}
		got, err := s.NewOCGQuery(authz.New(grants), a, authz.View).WithID(o.ID).One(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Score == nil || *got.Score != 38.5 || got.Band != "1C" || got.Priority != "P1" || got.ScoredOn == nil || !got.ScoredOn.Equal(on) {
			t.Errorf("mirror: got score %v band %q priority %q on %v, want 38.5 1C P1 %v", got.Score, got.Band, got.Priority, got.ScoredOn, on)
		}
		if got.Name != o.Name || got.Status != o.Status || got.Reference != o.Reference {
			t.Errorf("other columns changed: got %q %q %q, want %q %q %q", got.Name, got.Status, got.Reference, o.Name, o.Status, o.Reference)
		}
		err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return s.SetOCGScore(ctx, tx, "00000000-0000-7000-8000-000000000999", 1, "3C", "P3", on)
		})
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("unknown group: got %v, want not found", err)
		}
	})
}
