package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"alliance/internal/migrations"
)

// MigrationState is one migration's version and whether it is applied.
type MigrationState struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := migrations.FS(s.d.Name())
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.d.Name() == "postgres" {
		gd = goose.DialectPostgres
		// A table-based lock, not an advisory lock, so two app servers
		// starting together on an empty database migrate it once, and so
		// distributed Postgres-compatible engines work too.
		locker, err := lock.NewPostgresTableLocker()
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.wdb, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	// No p.Close(): it would close the store's pool.
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate %s: %w", s, err)
	}
	applied := make([]int64, 0, len(res))
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	// Disruptions validated before the performance roll-up existed are
	// counted into it now; nothing happens when there are none.
	if err := s.BuildRollup(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	// No p.Close(): it would close the store's pool.
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]MigrationState, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationState{
			Version:   m.Source.Version,
			Name:      m.Source.Path,
			Applied:   m.State == goose.StateApplied,
			AppliedAt: m.AppliedAt.UTC(),
		})
	}
	return out, nil
}

// HasPendingMigrations reports whether the schema is behind this binary.
func (s *Store) HasPendingMigrations(ctx context.Context) (bool, error) {
	p, err := s.provider()
	if err != nil {
		return false, err
	}
	// No p.Close(): it would close the store's pool.
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: migration status: %w", err)
	}
	return pending, nil
}

// SchemaVersion returns the highest applied migration version, 0 for a
// database no migration has touched.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}
