// Package dialect isolates the few places where SQLite and PostgreSQL differ:
// error classification, bulk loading, and full-text search (fulltext.go). Every
// other query in Alliance is one SQL text with $N placeholders that runs
// unchanged on both engines.
package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect describes one database engine. Implementations are stateless and
// safe for concurrent use.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// IsRetryable reports whether the transaction that produced err may be
	// retried from the start: SQLITE_BUSY/LOCKED, or SQLSTATE 40001/40P01.
	IsRetryable(err error) bool
	// MaxParams is the most bind parameters one statement may carry.
	MaxParams() int
	// FullTextRecords returns a SELECT of record_id: the register records
	// of a partnership (placeholder partnership) whose names match a
	// full-text query (placeholder query, a FullTextQuery value).
	FullTextRecords(partnership, query string) string
	// FullTextQuery turns normalised words into the engine's full-text
	// query, each word matched as a prefix.
	FullTextQuery(words []string) string
	// SkipLocked is what ends a SELECT inside a write transaction that
	// takes rows of a work queue: on PostgreSQL it locks the rows it
	// returns and skips those another transaction holds; on SQLite, where
	// one writer runs at a time, nothing.
	SkipLocked() string
}

// SQLite is the dialect of the embedded modernc SQLite engine.
type SQLite struct{}

// Name returns "sqlite".
func (SQLite) Name() string { return "sqlite" }

// SkipLocked returns nothing: a SQLite write transaction is the only one.
func (SQLite) SkipLocked() string { return "" }

// MaxParams returns SQLite's default SQLITE_MAX_VARIABLE_NUMBER.
func (SQLite) MaxParams() int { return 32766 }

func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}

// IsUniqueViolation reports SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY.
func (SQLite) IsUniqueViolation(err error) bool {
	code, ok := sqliteCode(err)
	return ok && (code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// IsRetryable reports SQLITE_BUSY and SQLITE_LOCKED in any extended form.
func (SQLite) IsRetryable(err error) bool {
	code, ok := sqliteCode(err)
	if !ok {
		return false
	}
	primary := code & 0xff
	return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
}

// Postgres is the dialect of PostgreSQL through pgx.
type Postgres struct{}

// Name returns "postgres".
func (Postgres) Name() string { return "postgres" }

// SkipLocked returns FOR UPDATE SKIP LOCKED.
func (Postgres) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// MaxParams returns the PostgreSQL wire-protocol limit.
func (Postgres) MaxParams() int { return 65535 }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// IsUniqueViolation reports SQLSTATE 23505.
func (Postgres) IsUniqueViolation(err error) bool { return pgCode(err) == "23505" }

// IsRetryable reports serialization failure (40001) and deadlock (40P01).
func (Postgres) IsRetryable(err error) bool {
	c := pgCode(err)
	return c == "40001" || c == "40P01"
}

// InsertRows inserts rows into table. It is the bulk path used by the demo
// loader, the generator and importers; every row must have len(cols) values.
// table and cols are trusted identifiers from code, never user input.
//
// On SQLite it executes one prepared single-row INSERT per row: SQLite looks
// $N parameters up by name in a list, so a statement with thousands of them
// costs time quadratic in their number, while a prepared statement re-run in
// one transaction costs microseconds a row. On PostgreSQL, where every
// statement is a network round trip, it sends multi-row INSERTs.
func InsertRows(ctx context.Context, d Dialect, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if d.Name() == "sqlite" {
		return insertPrepared(ctx, tx, table, cols, rows)
	}
	per := d.MaxParams() / len(cols)
	if per > 500 {
		per = 500 // long statements stop paying off past this
	}
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO ")
		b.WriteString(table)
		b.WriteString(" (")
		b.WriteString(strings.Join(cols, ", "))
		b.WriteString(") VALUES ")
		args := make([]any, 0, (end-start)*len(cols))
		n := 1
		for i, row := range rows[start:end] {
			if len(row) != len(cols) {
				return fmt.Errorf("dialect: insert into %s: row %d has %d values, want %d", table, start+i, len(row), len(cols))
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", n)
				n++
			}
			b.WriteByte(')')
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("dialect: insert into %s: %w", table, err)
		}
	}
	return nil
}

func insertPrepared(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	ph := make([]string, len(cols))
	for i := range cols {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(ph, ", ")+")")
	if err != nil {
		return fmt.Errorf("dialect: insert into %s: %w", table, err)
	}
	defer stmt.Close()
	for i, row := range rows {
		if len(row) != len(cols) {
			return fmt.Errorf("dialect: insert into %s: row %d has %d values, want %d", table, i, len(row), len(cols))
		}
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("dialect: insert into %s: row %d: %w", table, i, err)
		}
	}
	return nil
}
