package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func seedPartnership(t *testing.T, s *store.Store) domain.Partnership {
	t.Helper()
	p := domain.Partnership{Slug: "test", Name: "Test: Programme", Programme: "Programme", RegionCode: "E12000003"}
	err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		return s.InsertPartnership(ctx, tx, &p)
	})
	if err != nil {
		t.Fatalf("insert partnership: %v", err)
	}
	return p
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Errorf("second migrate applied %v, want nothing", applied)
		}
		st, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range st {
			if !m.Applied {
				t.Errorf("migration %d: got pending, want applied", m.Version)
			}
		}
		pending, err := s.HasPendingMigrations(ctx)
		if err != nil || pending {
			t.Errorf("HasPendingMigrations: got %v, %v; want false, nil", pending, err)
		}
	})
}

func TestReferenceRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := seedPartnership(t, s)
		region := store.OrgUnitRow{OrgUnit: domain.OrgUnit{PartnershipID: p.ID, Level: domain.LevelRegion, Code: "E12000003", Name: "Yorkshire and The Humber"}}
		region.ID = s.NewID()
		force := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: s.NewID(), PartnershipID: p.ID, ParentID: region.ID, Level: domain.LevelForce, Code: "E23000009", Name: "North Yorkshire"}}
		district := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: s.NewID(), PartnershipID: p.ID, ParentID: force.ID, Level: domain.LevelDistrict, Code: "E07000163", Name: "Craven"}}
		ward := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: s.NewID(), PartnershipID: p.ID, ParentID: district.ID, Level: domain.LevelWard, Code: "E05006189", Name: "Aire Valley with Lothersdale", Population: 4200},
			Boundary: `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`}
		agency := domain.Agency{PartnershipID: p.ID, Name: "North Yorkshire Police", ShortName: "NYP", Type: domain.AgencyPolice}
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := s.InsertOrgUnits(ctx, tx, []store.OrgUnitRow{region, force, district, ward}); err != nil {
				return err
			}
			ags := []domain.Agency{agency}
			if err := s.InsertAgencies(ctx, tx, ags); err != nil {
				return err
			}
			return s.InsertUsers(ctx, tx, []domain.User{{PartnershipID: p.ID, AgencyID: ags[0].ID, Email: " Analyst@Example.ORG ",
				DisplayName: "Ann Analyst", Active: true, Roles: []domain.Role{domain.RoleAnalyst, domain.RoleLRO}}})
		})
		if err != nil {
			t.Fatalf("insert reference data: %v", err)
		}

		got, err := s.PartnershipBySlug(ctx, "test")
		if err != nil || got.ID != p.ID || got.RegionCode != "E12000003" {
			t.Errorf("PartnershipBySlug: got %+v, %v; want id %s in E12000003", got, err, p.ID)
		}
		if _, err := s.PartnershipBySlug(ctx, "missing"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("PartnershipBySlug(missing): got %v, want ErrNotFound", err)
		}
		wards, err := s.OrgUnits(ctx, p.ID, domain.LevelWard)
		if err != nil || len(wards) != 1 || wards[0].Name != "Aire Valley with Lothersdale" || !wards[0].HasBoundary || wards[0].Population != 4200 {
			t.Errorf("OrgUnits(ward): got %+v, %v; want the one ward with boundary and population", wards, err)
		}
		all, err := s.OrgUnits(ctx, p.ID, "")
		if err != nil || len(all) != 4 || all[0].Level != domain.LevelRegion || all[3].Level != domain.LevelWard {
			t.Errorf("OrgUnits(all): got %d units (%v), want 4 ordered region first", len(all), err)
		}
		path, err := s.OrgUnitPath(ctx, p.ID, ward.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range path {
			names = append(names, u.Code)
		}
		if want := "E12000003,E23000009,E07000163,E05006189"; strings.Join(names, ",") != want {
			t.Errorf("OrgUnitPath: got %s, want %s", strings.Join(names, ","), want)
		}
		if _, err := s.OrgUnitByCode(ctx, s.Reader(), p.ID, "E05999999"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("OrgUnitByCode(missing): got %v, want ErrNotFound", err)
		}
		users, err := s.Users(ctx, p.ID)
		if err != nil || len(users) != 1 {
			t.Fatalf("Users: got %d, %v; want 1", len(users), err)
		}
		if users[0].Email != "analyst@example.org" || len(users[0].Roles) != 2 || users[0].AgencyName != "North Yorkshire Police" {
			t.Errorf("Users[0]: got %+v, want lower-cased email, 2 roles, agency name", users[0])
		}
		ov, err := s.PartnershipOverview(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Agencies != 1 || ov.Districts != 1 || ov.Wards != 1 || ov.Users != 1 || ov.Population != 4200 || len(ov.UsersByRole) != 2 {
			t.Errorf("overview: got %+v, want 1 agency, 1 district, 1 ward, 1 user, 4200 people, 2 roles", ov)
		}
	})
}

func TestInTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{Slug: "half", Name: "Half written"}
			if err := s.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: got %v, want boom", err)
		}
		if n, err := s.CountPartnerships(ctx, s.Reader()); err != nil || n != 0 {
			t.Errorf("after rollback: got %d partnerships (%v), want 0", n, err)
		}
	})
}

func TestUniqueViolationIsConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedPartnership(t, s)
		err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{Slug: "test", Name: "Again"}
			return s.InsertPartnership(ctx, tx, &p)
		})
		if !errors.Is(err, domain.ErrConflict) {
			t.Errorf("duplicate slug: got %v, want ErrConflict", err)
		}
	})
}

// TestInTxRetriesRetryableErrors checks the retry loop with each dialect's
// own retryable error: a real SQLITE_BUSY from a lock held by another
// connection, and a PostgreSQL serialization failure (40001).
func TestInTxRetriesRetryableErrors(t *testing.T) {
	t.Run("sqlite busy", func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "busy.db")
		s, err := store.Open(ctx, store.Options{DSN: path, BusyTimeout: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1)")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatalf("hold write lock: %v", err)
		}
		var unlocked atomic.Bool
		released := make(chan struct{})
		go func() {
			time.Sleep(150 * time.Millisecond)
			unlocked.Store(true)
			_, _ = conn.ExecContext(ctx, "COMMIT")
			close(released)
		}()
		var ranLocked bool
		err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			ranLocked = ranLocked || !unlocked.Load()
			return s.SetMeta(ctx, tx, "k", "v")
		})
		<-released
		if err != nil {
			t.Fatalf("InTx under a held lock: got %v, want success after retries", err)
		}
		// With a 1 ms busy timeout, the transaction can only have begun after
		// the other connection committed if InTx retried SQLITE_BUSY.
		if ranLocked {
			t.Error("got the transaction body running while another connection held the write lock, want it to wait")
		}
		if v, err := s.Meta(ctx, s.Reader(), "k"); err != nil || v != "v" {
			t.Errorf("after retry: got %q, %v; want the write committed", v, err)
		}
	})
	for _, e := range storetest.Engines(t) {
		if e.Name != "postgres" {
			continue
		}
		t.Run("postgres serialization failure", func(t *testing.T) {
			s := storetest.Open(t, e, store.Options{})
			var attempts int
			err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				attempts++
				if attempts < 3 {
					return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"})
				}
				return s.SetMeta(ctx, tx, "k", "v")
			})
			if err != nil || attempts != 3 {
				t.Errorf("got %d attempts, err %v; want 3 attempts and success", attempts, err)
			}
		})
	}
	t.Run("not retryable", func(t *testing.T) {
		s := storetest.Open(t, storetest.Engines(t)[0], store.Options{})
		var attempts int
		boom := errors.New("boom")
		err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			attempts++
			return boom
		})
		if !errors.Is(err, boom) || attempts != 1 {
			t.Errorf("got %d attempts, %v; want 1 attempt and boom", attempts, err)
		}
	})
}

func TestBackup(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e, store.Options{})
			seedPartnership(t, s)
			out := filepath.Join(t.TempDir(), "backup.db")
			n, err := s.Backup(context.Background(), out)
			if e.Name == "postgres" {
				if !errors.Is(err, store.ErrBackupPostgres) {
					t.Errorf("got %v, want ErrBackupPostgres", err)
				}
				return
			}
			if err != nil || n == 0 {
				t.Fatalf("backup: got %d bytes, %v", n, err)
			}
			copied, err := store.Open(context.Background(), store.Options{DSN: out})
			if err != nil {
				t.Fatal(err)
			}
			defer copied.Close()
			if p, err := copied.PartnershipBySlug(context.Background(), "test"); err != nil || p.Name != "Test: Programme" {
				t.Errorf("restored: got %+v, %v; want the partnership", p, err)
			}
			if _, err := s.Backup(context.Background(), out); err == nil {
				t.Error("backup over an existing file: got nil error, want one")
			}
		})
	}
}

// TestReferencesAreUniqueUnderConcurrency: several writers at once (two
// "servers" on PostgreSQL) each get their own reference.
func TestReferencesAreUniqueUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := seedPartnership(t, s)
		var agency domain.Agency
		var user domain.User
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			ags := []domain.Agency{{PartnershipID: p.ID, Name: "A", Type: domain.AgencyPolice}}
			if err := s.InsertAgencies(ctx, tx, ags); err != nil {
				return err
			}
			agency = ags[0]
			us := []domain.User{{PartnershipID: p.ID, AgencyID: agency.ID, Email: "w@x.example", DisplayName: "W", Active: true}}
			if err := s.InsertUsers(ctx, tx, us); err != nil {
				return err
			}
			user = us[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 4, 10
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			go func() {
				for i := 0; i < each; i++ {
					err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
						r := domain.InfoReport{Title: "t", Body: "b", SourceGrade: "1", IntelGrade: "A", CreatedBy: user.ID,
							Marking: domain.Marking{PartnershipID: p.ID, OriginAgencyID: agency.ID, Classification: domain.Official, Handling: domain.HandlingP}}
						return s.InsertInfoReport(ctx, tx, &r)
					})
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for w := 0; w < writers; w++ {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent insert: %v", err)
			}
		}
		var n, distinct int
		if err := s.Reader().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT reference) FROM info_report WHERE partnership_id = $1`, p.ID).Scan(&n, &distinct); err != nil {
			t.Fatal(err)
		}
		if n != writers*each || distinct != n {
			t.Errorf("got %d reports with %d distinct references, want %d distinct", n, distinct, writers*each)
		}
	})
}
