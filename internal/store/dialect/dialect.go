// Package dialect isolates the few places where SQLite and PostgreSQL differ:
// error classification, bulk loading, and full-text search (fulltext.go). Every
// other query in Alliance is one SQL text with $N placeholders that runs
// unchanged on both engines.
package dialect

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

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
	// ReportTextMatch returns a condition on the information report aliased
	// alias: its reference, title, text or grading match a full-text query
	// (placeholder query, a FullTextQuery value). It is written so the
	// planner can read the full-text index for a rare word or walk the
	// reports newest first and test each for a common one.
	ReportTextMatch(alias, query string) string
	// SkipLocked is what ends a SELECT inside a write transaction that
	// takes rows of a work queue: on PostgreSQL it locks the rows it
	// returns and skips those another transaction holds; on SQLite, where
	// one writer runs at a time, nothing.
	SkipLocked() string
	// TidyTable is the statement, run outside a transaction, that brings
	// table's statistics and visibility map up to date after a bulk load
	// put many rows in it: VACUUM (ANALYZE) on PostgreSQL, so index-only
	// scans need not visit the heap; on SQLite, whose indexes hold what
	// they need and whose planner keeps no per-load statistics here,
	// nothing ("").
	TidyTable(table string) string
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

// TidyTable returns "": SQLite needs no tidying after a bulk load.
func (SQLite) TidyTable(string) string { return "" }

// Postgres is the dialect of PostgreSQL through pgx.
type Postgres struct{}

// Name returns "postgres".
func (Postgres) Name() string { return "postgres" }

// SkipLocked returns FOR UPDATE SKIP LOCKED.
func (Postgres) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// TidyTable returns VACUUM (ANALYZE) of table, which must be a name the
// store chose, never user input.
func (Postgres) TidyTable(table string) string { return "VACUUM (ANALYZE) " + table }

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

// IsUnavailable reports whether err says the database cannot serve at all
// for now, whatever the request: on SQLite a full disk (SQLITE_FULL), a
// disk or file system error (SQLITE_IOERR in any extended form), a file
// that cannot be opened (SQLITE_CANTOPEN) or stays locked past every retry
// (SQLITE_BUSY); on PostgreSQL a server that cannot be reached, refuses or
// drops the connection (connection errors, SQLSTATE class 08), is shutting
// down or starting (57P01–57P03), or is out of disk, memory or connections
// (class 53) or has an I/O error (58030); and a deadline passed while
// waiting for a connection. It is the one place that tells an outage (an
// answer of 503, "try again later") from a fault (500). Both engines'
// errors are recognised whichever dialect is in use.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM:
			return true
		}
		return false
	}
	if c := pgCode(err); c != "" {
		switch {
		case strings.HasPrefix(c, "08"), strings.HasPrefix(c, "53"), c == "57P01", c == "57P02", c == "57P03", c == "58030":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) ||
		// A pooled connection the server (or the network) closed mid-read.
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}

// UnavailableCause names, for the log, why IsUnavailable(err) holds, in a
// few words ("the disk is full"); "" when it does not.
func UnavailableCause(err error) string {
	if !IsUnavailable(err) {
		return ""
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqlite3.SQLITE_FULL:
			return "the database's disk is full"
		case sqlite3.SQLITE_IOERR:
			return "the database's disk or file system failed"
		case sqlite3.SQLITE_CANTOPEN:
			return "the database file cannot be opened"
		case sqlite3.SQLITE_NOMEM:
			return "the database ran out of memory"
		}
		return "the database stayed locked by another writer"
	}
	if c := pgCode(err); c != "" {
		switch {
		case c == "53100":
			return "the database server's disk is full"
		case strings.HasPrefix(c, "53"):
			return "the database server is out of memory or connections"
		case strings.HasPrefix(c, "57P"):
			return "the database server is shutting down or starting"
		case c == "58030":
			return "the database server's disk failed"
		}
		return "the connection to the database server failed"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no database connection came free in time"
	}
	return "the database server cannot be reached"
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
	return insertMulti(ctx, tx, table, cols, rows, d.MaxParams())
}

// InsertRowsAnywhere inserts rows into table with multi-row INSERTs that
// run unchanged on either engine (bounded by the smaller engine's limit on
// bind parameters), for a caller that does not know which engine its
// transaction is on. A few rows go in one statement, so it is also the
// cheaper way on SQLite when the rows are few.
func InsertRowsAnywhere(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	return insertMulti(ctx, tx, table, cols, rows, min(SQLite{}.MaxParams(), Postgres{}.MaxParams()))
}

func insertMulti(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any, maxParams int) error {
	if len(rows) == 0 {
		return nil
	}
	per := maxParams / len(cols)
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
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(ph, ", ")+")") //nolint:gosec // table and columns are the store's constants, never input
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
