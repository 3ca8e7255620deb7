package dialect_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"alliance/internal/store/dialect"
)

// TestIsUnavailable: real errors from both engines are told apart: an
// outage or a full disk is "unavailable" (503) and names its cause; a
// fault in the request is not.
func TestIsUnavailable(t *testing.T) {
	ctx := context.Background()
	// A PostgreSQL server that is not there: nothing listens on port 1.
	pg, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/alliance?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	refused := pg.PingContext(ctx)

	// A SQLite database whose disk is full: max_page_count makes SQLite
	// fail exactly as a full disk does (SQLITE_FULL).
	lite, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	lite.SetMaxOpenConns(1)
	if _, err := lite.ExecContext(ctx, `CREATE TABLE t (v text)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := lite.QueryRowContext(ctx, `PRAGMA max_page_count = 1`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	_, full := lite.ExecContext(ctx, `INSERT INTO t (v) VALUES ($1)`, strings.Repeat("x", 100000))
	_, syntax := lite.ExecContext(ctx, `SELEKT 1`)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name      string
		err       error
		want      bool
		wantCause string
	}{
		{"PostgreSQL refuses the connection", refused, true, "cannot be reached"},
		{"wrapped", fmt.Errorf("store: read: %w", refused), true, "cannot be reached"},
		{"a pooled connection cut mid-read", fmt.Errorf("store: session: %w", io.ErrUnexpectedEOF), true, "cannot be reached"},
		{"SQLite disk full", full, true, "disk is full"},
		{"waiting for a connection past a deadline", context.DeadlineExceeded, true, "no database connection came free"},
		{"SQL syntax error", syntax, false, ""},
		{"the client went away", cancelled.Err(), false, ""},
		{"not found", sql.ErrNoRows, false, ""},
		{"no error", nil, false, ""},
		{"a plain error", errors.New("boom"), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want && tc.err == nil {
				t.Fatal("got no error from the engine, want one")
			}
			if got := dialect.IsUnavailable(tc.err); got != tc.want {
				t.Errorf("IsUnavailable(%v): got %v, want %v", tc.err, got, tc.want)
			}
			if got := dialect.UnavailableCause(tc.err); !strings.Contains(got, tc.wantCause) || (tc.wantCause == "") != (got == "") {
				t.Errorf("UnavailableCause(%v): got %q, want one containing %q", tc.err, got, tc.wantCause)
			}
		})
	}
}
