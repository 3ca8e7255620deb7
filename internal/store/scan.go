package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// rowsQueryer runs a query that returns rows: a Queryer, or the store's
// statement cache.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// collect runs query on q and scans every row with scan. It always closes
// the rows and checks rows.Err.
func collect[T any](ctx context.Context, q rowsQueryer, what, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: scan: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// countsBy runs query, whose rows are a key and a count, and returns the
// counts by key (a key seen twice is summed).
func countsBy(ctx context.Context, q Queryer, what, query string, args []any) (map[string]int, error) {
	type kv struct {
		k string
		n int
	}
	rows, err := collect(ctx, q, what, query, args, func(r *sql.Rows) (kv, error) { var x kv; err := r.Scan(&x.k, &x.n); return x, err })
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, x := range rows {
		out[x.k] += x.n
	}
	return out, nil
}

// one wraps a QueryRow scan error: sql.ErrNoRows becomes notFound.
func one(err error, what string, notFound error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// scanString scans a row of one text column.
func scanString(r *sql.Rows) (string, error) {
	var v string
	return v, r.Scan(&v)
}
