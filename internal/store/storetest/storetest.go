// Package storetest opens real, empty, migrated databases for tests: a fresh
// SQLite file always, and a fresh PostgreSQL schema when
// ALLIANCE_TEST_POSTGRES_URL is set. Under CI=true a missing PostgreSQL URL
// fails the test instead of skipping it, so CI can never pass on one engine.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"alliance/internal/store"
)

// EnvPostgres names the environment variable that holds the PostgreSQL URL
// tests use. Each test gets its own schema in that database.
const EnvPostgres = "ALLIANCE_TEST_POSTGRES_URL"

// Engine is a database engine a test can run on.
type Engine struct {
	Name string // "sqlite" or "postgres"
	// DSN returns the connection string of a new, empty database (a new
	// SQLite file, or a new PostgreSQL schema dropped when the test ends).
	DSN func(t testing.TB) string
}

// Engines returns SQLite and, when configured, PostgreSQL.
func Engines(t testing.TB) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite", DSN: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "alliance.db")
	}}}
	pg := os.Getenv(EnvPostgres)
	if pg == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: under CI=true every store test must also run on PostgreSQL", EnvPostgres)
		}
		t.Logf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/alliance_test?sslmode=disable) to run them", EnvPostgres)
		return engines
	}
	return append(engines, Engine{Name: "postgres", DSN: func(t testing.TB) string { return PostgresSchema(t, pg) }})
}

// PostgresSchema creates a new schema in the database at base and returns a
// URL whose connections use it. The schema is dropped when t ends.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates a new database on engine e, closed when t ends.
func Open(t testing.TB, e Engine, opts store.Options) *store.Store {
	t.Helper()
	opts.DSN = e.DSN(t)
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e.Name, err)
	}
	return s
}

// Each runs fn as a subtest on every engine with a new migrated database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, Open(t, e, store.Options{}))
		})
	}
}

// FixedClock returns a clock that starts at start and advances by step on
// each call, for deterministic timestamps.
func FixedClock(start time.Time, step time.Duration) func() time.Time {
	var n int64
	return func() time.Time {
		n++
		return start.Add(time.Duration(n-1) * step)
	}
}

// SeqIDs returns an ID generator that yields prefix-000001, prefix-000002 …
// formatted as UUIDs so they suit both engines.
func SeqIDs() func() string {
	var n int64
	return func() string {
		n++
		return fmt.Sprintf("00000000-0000-7000-8000-%012d", n)
	}
}

// ExpireJobLease makes job id's lease expire now, as if its server had
// stopped renewing it long ago: tests simulate a server's death with it
// without waiting out a lease.
func ExpireJobLease(ctx context.Context, s *store.Store, id string) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE job SET lease_expires = $2 WHERE id = $1`, id, s.Now().Add(-time.Second)); err != nil {
			return fmt.Errorf("storetest: expire job lease: %w", err)
		}
		return nil
	})
}

// QueueOldBacklog puts every entity back in the search queue without its
// search entries, as an older version's bulk import left them (imports
// now index in their own transaction): tests of the queue's drain make
// their backlog with it.
func QueueOldBacklog(ctx context.Context, s *store.Store) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM search_key WHERE record_kind = 'entity'`, `DELETE FROM search_doc WHERE record_kind = 'entity'`,
			`INSERT INTO search_pending (entity_id, partnership_id, queued_at) SELECT id, partnership_id, created_at FROM entity`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("storetest: queue an old backlog: %w", err)
			}
		}
		return nil
	})
}
