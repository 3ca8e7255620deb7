package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestStmtCache runs more distinct statements than the cache keeps, from
// several goroutines at once, and wants every answer right and the cache
// never above its size, so statements dropped while others are starting
// on them are not closed under them.
func TestStmtCache(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	c := &stmtCache{db: db}
	defer c.close()
	ctx := context.Background()
	tests := []struct {
		name     string
		distinct int
	}{
		{"fewer than it keeps", stmtCacheSize / 2},
		{"more than it keeps", stmtCacheSize*2 + 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for g := range 8 {
				wg.Go(func() {
					for i := range tt.distinct {
						got, err := c.one(ctx, fmt.Sprintf("SELECT $1 + %d", i), g)
						if err == nil && got != g+i {
							err = fmt.Errorf("got %d, want %d", got, g+i)
						}
						if err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.stmts) > stmtCacheSize {
				t.Errorf("got %d statements kept, want at most %d", len(c.stmts), stmtCacheSize)
			}
		})
	}
}

// one runs a one-row, one-column query through the cache.
func (c *stmtCache) one(ctx context.Context, query string, arg int) (int, error) {
	rows, err := collect(ctx, c, "test", query, []any{arg}, func(r *sql.Rows) (int, error) { var n int; err := r.Scan(&n); return n, err })
	if err != nil || len(rows) != 1 {
		return 0, fmt.Errorf("%s: %d rows, %v", query, len(rows), err)
	}
	return rows[0], nil
}
