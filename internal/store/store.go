// Package store is Alliance's only road to the database. It owns the
// connection pools, the transaction helper and the SQL for every record type.
// Each query is one SQL text with $N placeholders that runs unchanged on
// SQLite and PostgreSQL; the few real differences live in package dialect and
// in the per-dialect migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"alliance/internal/store/dialect"
)

// Queryer is what both *sql.DB and *sql.Tx offer. Store functions that may
// run inside or outside a transaction take one.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Options configure Open. The zero value of every field but DSN has a
// sensible default.
type Options struct {
	// DSN is a SQLite file path (optionally "file:…") or a postgres:// URL.
	DSN string
	// ReadConns caps the SQLite reader pool, or the PostgreSQL pool. Default 8
	// for SQLite and 16 for PostgreSQL.
	ReadConns int
	// BusyTimeout is how long a SQLite connection waits for a lock before
	// SQLITE_BUSY. Default 5s. Tests shorten it to exercise retries.
	BusyTimeout time.Duration
	// MaxAttempts is how many times InTx runs a transaction that keeps
	// failing with a retryable error. Default 8.
	MaxAttempts int
	// Now returns the current time. Default time.Now. Times are stored in UTC.
	Now func() time.Time
	// NewID returns a new primary key. Default a UUIDv7 string.
	NewID func() string
	// Logger receives retry warnings. Default slog.Default().
	Logger *slog.Logger
	// Existing opens only a database that already exists: a SQLite file
	// that is missing is an error naming it, not a new empty database.
	// Commands that only look (migrate status) set it.
	Existing bool
}

// Store holds the database pools. It is safe for concurrent use. On SQLite
// it keeps two pools on the same file, as PocketBase does: many readers and
// a single writer, which removes most lock contention; on PostgreSQL both
// are the same pool.
type Store struct {
	rdb, wdb    *sql.DB
	d           dialect.Dialect
	now         func() time.Time
	newID       func() string
	maxAttempts int
	log         *slog.Logger
	dsnDisplay  string
	sqlitePath  string
	group       groupCommit
	// stmts keeps the prepared statements of searches (stmtcache.go).
	stmts *stmtCache
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLitePath returns the file path named by a SQLite DSN ("x.db" or
// "file:x.db?…").
func SQLitePath(dsn string) string {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// Open connects to the database named by opts.DSN and checks it answers. It
// does not migrate; see Migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.DSN == "" {
		return nil, errors.New("store: no database given")
	}
	s := &Store{
		now:         opts.Now,
		newID:       opts.NewID,
		maxAttempts: opts.MaxAttempts,
		log:         opts.Logger,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 8
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if IsPostgresDSN(opts.DSN) {
		err = s.openPostgres(opts)
	} else {
		err = s.openSQLite(opts)
	}
	if err != nil {
		return nil, err
	}
	if err := s.wdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: cannot reach %s: %w", s.dsnDisplay, err)
	}
	if err := s.rdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: cannot reach %s: %w", s.dsnDisplay, err)
	}
	return s, nil
}

func (s *Store) openPostgres(opts Options) error {
	u, err := url.Parse(opts.DSN)
	if err != nil {
		return fmt.Errorf("store: bad PostgreSQL URL: %w", err)
	}
	s.dsnDisplay = u.Redacted()
	// Custom plans for every statement, unless the URL says otherwise: the
	// driver keeps prepared statements, and after five runs PostgreSQL may
	// plan one once for any parameters, while the best plan of a search
	// depends on its words (a rare one reads the full-text index, a common
	// one walks the newest reports): measured, a generic plan took a report
	// search from 40 ms to over a second (decision 32).
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
		u.RawQuery = q.Encode()
	}
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.dsnDisplay, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.rdb, s.wdb, s.d = db, db, dialect.Postgres{}
	s.stmts = &stmtCache{db: db}
	return nil
}

// SQLite connections' page caches and the reader pool's memory map: what
// the DSN sets, and what a long sequential read (ScanAuditChain) sets back
// after it has lowered them for its walk.
const (
	sqliteCacheSize = -16000     // KiB, per connection
	sqliteReadMmap  = 2147418112 // bytes
)

func (s *Store) openSQLite(opts Options) error {
	path := SQLitePath(opts.DSN)
	if path == "" || path == ":memory:" {
		return errors.New("store: SQLite needs a file path (an in-memory database cannot be shared between pools)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: SQLite path %q: %w", path, err)
	}
	s.sqlitePath = abs
	s.dsnDisplay = abs
	if opts.Existing {
		if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: the SQLite database %s does not exist (nothing was created): check --db, or create it with 'alliance migrate up'", abs)
		} else if err != nil {
			return fmt.Errorf("store: SQLite database %s: %w", abs, err)
		}
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	// busy_timeout comes first so the connection blocks on a busy database
	// before it tries to switch to WAL (PocketBase core/db_connect.go).
	base := fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"+
		"&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(%d)&_time_format=sqlite",
		abs, busy.Milliseconds(), sqliteCacheSize)
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", base+fmt.Sprintf("&_pragma=mmap_size(%d)&_pragma=query_only(1)", sqliteReadMmap))
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open %s: %w", abs, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 8
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.rdb, s.wdb, s.d = r, w, dialect.SQLite{}
	s.stmts = &stmtCache{db: r}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	if s.stmts != nil {
		s.stmts.close()
	}
	if s.rdb != nil && s.rdb != s.wdb {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}

// Dialect returns the engine's dialect.
func (s *Store) Dialect() dialect.Dialect { return s.d }

// String names the database without secrets, for logs and messages.
func (s *Store) String() string { return s.d.Name() + " " + s.dsnDisplay }

// SQLiteFile returns the absolute database file path, or "" on PostgreSQL.
func (s *Store) SQLiteFile() string { return s.sqlitePath }

// SingleWriter reports whether one connection writes at a time (SQLite),
// so that long background writes should leave gaps for others.
func (s *Store) SingleWriter() bool { return s.rdb != s.wdb }

// Reader returns the pool for reads outside a transaction.
func (s *Store) Reader() *sql.DB { return s.rdb }

// Pools returns the named pools for metrics: one entry on PostgreSQL, a
// reader and a writer on SQLite.
func (s *Store) Pools() map[string]*sql.DB {
	if s.rdb == s.wdb {
		return map[string]*sql.DB{"main": s.wdb}
	}
	return map[string]*sql.DB{"read": s.rdb, "write": s.wdb}
}

// Now returns the store clock's current time in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// NewID returns a new primary key.
func (s *Store) NewID() string { return s.newID() }

// Ping checks that the database can serve: a read of the schema version
// through the read pool. It never waits for the writer: on SQLite one
// connection writes at a time, and a long write (an import, an index
// batch) holding it must not make the server look unready while every
// read and every short write still gets served in turn. A database that
// is gone, unreadable or unreachable fails the read.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id < 0`).Scan(&n); err != nil {
		return fmt.Errorf("store: read: %w", err)
	}
	return nil
}
