package store

import (
	"context"
	"fmt"
)

// RulesVersion returns the version of the rules held as data: a number
// that triggers move on, in the same transaction, whenever roles, role
// permissions or reference data change (migration 00016). A cache of
// anything built from those tables reads it before each use and rebuilds
// when it has moved; it is one row, so the read is cheap.
func (s *Store) RulesVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT version FROM rules_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: rules version: %w", err)
	}
	return v, nil
}
