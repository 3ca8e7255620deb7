package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres means Backup was asked to copy a PostgreSQL database,
// which is pg_dump's job (see docs/operator.md).
var ErrBackupPostgres = errors.New("store: online backup copies SQLite databases only; back up PostgreSQL with pg_dump (see docs/operator.md)")

// Backup writes a consistent copy of a SQLite database to out while the
// service keeps running (VACUUM INTO reads one snapshot and does not block
// writers in WAL mode), then checks the copy's integrity. out must not
// exist. It returns the copy's size in bytes.
func (s *Store) Backup(ctx context.Context, out string) (int64, error) {
	if s.sqlitePath == "" {
		return 0, ErrBackupPostgres
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return 0, fmt.Errorf("store: backup path: %w", err)
	}
	if abs == s.sqlitePath {
		return 0, errors.New("store: the backup file must not be the database itself")
	}
	if _, err := os.Stat(abs); err == nil {
		return 0, fmt.Errorf("store: %s already exists; choose a new file name", abs)
	}
	db, err := sql.Open("sqlite", "file:"+s.sqlitePath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, abs); err != nil {
		os.Remove(abs)
		return 0, fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	check, err := sql.Open("sqlite", "file:"+abs+"?mode=ro")
	if err != nil {
		return 0, fmt.Errorf("store: open backup: %w", err)
	}
	defer check.Close()
	var result string
	if err := check.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return 0, fmt.Errorf("store: check backup: %w", err)
	}
	if result != "ok" {
		return 0, fmt.Errorf("store: backup %s failed its integrity check: %s", abs, result)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	return fi.Size(), nil
}
