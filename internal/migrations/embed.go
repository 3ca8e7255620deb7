// Package migrations holds the schema migrations (goose format) and renders
// them for each engine. Every version is written once where the engines
// agree and once per engine only where they truly differ:
//
//   - schema/NNNNN_name.sql is shared. Where the engines spell a type
//     differently it writes a placeholder named after the PostgreSQL type,
//     which FS replaces: {{uuid}} (text on SQLite), {{timestamptz}}
//     (timestamp), {{bigint}} (integer), {{bytea}} (blob),
//     {{bigint_identity}} (a generated key: integer on SQLite, whose
//     INTEGER PRIMARY KEY is the rowid) and {{without_rowid}} (" WITHOUT
//     ROWID" after a table's closing parenthesis on SQLite, nothing on
//     PostgreSQL). Types the engines share (text, integer, bigint, boolean,
//     double precision) are written as they are.
//   - schema/NNNNN_name.sqlite.sql and schema/NNNNN_name.postgres.sql
//     replace the shared file where the DDL itself differs: full-text
//     search, triggers, a table rebuild SQLite needs for what PostgreSQL does
//     with ALTER TABLE, a function only one engine has. Both are written,
//     never one, and never beside a shared file of the same version.
//
// Rendering happens when FS is called, from the embedded sources, so no
// rendered copy is committed (decision 21). The rendered files are named
// NNNNN_name.sql for both engines, as goose records versions only; a
// migration already released never changes (a test holds the checksum of
// every rendered file).
//
// To add a migration: take the next number, write schema/NNNNN_name.sql with
// placeholders, and split it into the two per-engine files only if some
// statement cannot be written the same way on both. Queries never differ
// between engines; only DDL does.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed schema/*.sql
var sources embed.FS

// FS returns the migrations for dialect ("sqlite" or "postgres"), rendered:
// one NNNNN_name.sql file per version, placeholders replaced by the engine's
// types, per-engine files in place of the shared ones. It fails on an
// unknown dialect, a source file misnamed, a version with a per-engine file
// missing or a placeholder it does not know.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "postgres":
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
	src, err := fs.Sub(sources, "schema")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	files, err := render(src, dialect)
	if err != nil {
		return nil, err
	}
	return files, nil
}
