package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestInsertDisruptionsKeepsTheRules: every writer of disruptions (the
// service, loaders, the demo, the benchmark generator) goes through
// InsertDisruptions or LoadDisruptions, which refuse a disruption that
// breaks a rule of DOMAIN.md §10 (one without a threat, rule 3) with a
// problem naming the field, and store nothing of the batch.
func TestInsertDisruptionsKeepsTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := buildPolicyFixture(t, s)
		police := f.agencies[domain.AgencyPolice]
		analyst := f.actorFor(domain.RoleAnalyst, domain.AgencyPolice)
		var ward string
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			// A force: the roll-up keeps no cells at wards (decision 0026).
			units := []store.OrgUnitRow{{OrgUnit: domain.OrgUnit{PartnershipID: f.p.ID, Level: domain.LevelForce, Code: "E23000009", Name: "Force"}}}
			err := s.InsertOrgUnits(ctx, tx, units)
			ward = units[0].ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		disruption := func(threats ...string) domain.Disruption {
			return domain.Disruption{ID: s.NewID(), Subject: domain.SubjectTheme, Theme: "Night-time economy", FourP: domain.Protect, Impact: domain.ImpactMinor,
				ValidatedFourP: domain.Protect, ValidatedImpact: domain.ImpactMinor, Status: domain.DisruptionValidated, Rationale: "Fixture",
				On: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), UnitID: ward, LeadAgencyID: police.ID, Threats: threats, CreatedBy: analyst.UserID,
				Outcomes: []domain.Outcome{{Type: "arrests", Quantity: 2}},
				Marking:  domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: police.ID, Classification: domain.Official, Handling: domain.HandlingP}}
		}
		count := func() string {
			t.Helper()
			var d, th, o, c int
			err := s.Reader().QueryRow(`SELECT (SELECT count(*) FROM disruption), (SELECT count(*) FROM disruption_threat), (SELECT count(*) FROM disruption_outcome),
				(SELECT count(*) FROM performance_quarter)`).Scan(&d, &th, &o, &c)
			if err != nil {
				t.Fatal(err)
			}
			return fmtCounts(d, th, o, c)
		}
		for _, w := range []struct {
			name  string
			write func(context.Context, *sql.Tx, []domain.Disruption) error
		}{{"InsertDisruptions", s.InsertDisruptions}, {"LoadDisruptions", s.LoadDisruptions}} {
			for _, tc := range []struct {
				name    string
				threats []string
			}{{"no threat", nil}, {"a blank threat", []string{" "}}} {
				err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					return w.write(ctx, tx, []domain.Disruption{disruption("drugs"), disruption(tc.threats...)})
				})
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has("threats") || len(verr.Problems) != 1 {
					t.Errorf("%s, the second with %s: got %v, want one problem, with threats", w.name, tc.name, err)
				}
				if got, want := count(), fmtCounts(0, 0, 0, 0); got != want {
					t.Errorf("%s, the second with %s: got %s stored, want %s", w.name, tc.name, got, want)
				}
			}
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return s.InsertDisruptions(ctx, tx, []domain.Disruption{disruption("drugs", "county_lines")})
		}); err != nil {
			t.Fatalf("with two threats: %v", err)
		}
		// Counted once with threat '' and once under each threat.
		if got, want := count(), fmtCounts(1, 2, 1, 3); got != want {
			t.Errorf("with two threats: got %s stored, want %s", got, want)
		}
	})
}

func fmtCounts(d, threats, outcomes, cells int) string {
	return fmt.Sprintf("%d disruptions, %d threats, %d outcomes, %d count cells", d, threats, outcomes, cells)
}
