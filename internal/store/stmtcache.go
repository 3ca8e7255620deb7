package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache keeps prepared statements of the reader pool by their text,
// for statements that run often with a text made afresh each time (a
// register search's, whose text depends on how many keys each source
// has). Parsing and planning such a statement cost SQLite about as much
// as running it; PostgreSQL's driver already keeps each connection's
// statements, so there the cache only saves a lookup. At most
// stmtCacheSize are kept: when it is full the cache starts again, each
// statement being closed once no query is starting on it (a query's rows
// keep their statement open until they are closed).
type stmtCache struct {
	mu    sync.Mutex
	db    *sql.DB
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	st      *sql.Stmt
	users   int
	dropped bool
}

const stmtCacheSize = 256

// QueryContext runs query on the reader pool through its prepared
// statement, preparing it the first time.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := e.st.QueryContext(ctx, args...)
	c.release(e)
	return rows, err
}

func (c *stmtCache) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.stmts[query]; ok {
		e.users++
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	// Prepared outside the lock: preparing may wait for a connection
	// that a query holding the lock's users would free.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.stmts[query]; ok {
		defer st.Close() // another query prepared it meanwhile
		e.users++
		return e, nil
	}
	if c.stmts == nil || len(c.stmts) >= stmtCacheSize {
		for _, e := range c.stmts {
			e.dropped = true
			if e.users == 0 {
				_ = e.st.Close()
			}
		}
		c.stmts = map[string]*cachedStmt{}
	}
	e := &cachedStmt{st: st, users: 1}
	c.stmts[query] = e
	return e, nil
}

func (c *stmtCache) release(e *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.users--
	if e.dropped && e.users == 0 {
		_ = e.st.Close()
	}
}

// close closes the kept statements (when the store closes).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.stmts {
		e.dropped = true
		if e.users == 0 {
			_ = e.st.Close()
		}
	}
	c.stmts = nil
}
