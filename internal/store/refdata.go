package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RefItem is one row of disruption reference data (a tactic, an outcome
// type or a seizure type): its code, its name, its one property (a
// tactic's "partner power", an outcome type's measure, a seizure type's
// "cash") and whether it is offered.
type RefItem struct {
	Code, Name string
	Property   string // "true"/"false" for tactics and seizure types, the measure for outcome types
	SortOrder  int
	Active     bool
}

// refTables are the reference tables an administrator may edit, with the
// column each keeps its property in. Table and column names come only
// from here, never from input.
var refTables = map[string]string{"tactic": "partner", "outcome_type": "measure", "seizure_type": "cash"}

// RefItems returns every row of reference table kind (tactic,
// outcome_type or seizure_type), active or not, in display order.
func (s *Store) RefItems(ctx context.Context, kind string) ([]RefItem, error) {
	col, ok := refTables[kind]
	if !ok {
		return nil, fmt.Errorf("store: no reference table %q", kind)
	}
	return collect(ctx, s.rdb, "reference data", `SELECT code, name, CAST(`+col+` AS text), sort_order, active FROM `+kind+` ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (RefItem, error) {
			var x RefItem
			err := r.Scan(&x.Code, &x.Name, &x.Property, &x.SortOrder, &x.Active)
			return x, err
		})
}

// AddRefItem adds a row to reference table kind with its property.
func (s *Store) AddRefItem(ctx context.Context, tx *sql.Tx, kind string, x RefItem, prop any) error {
	col, ok := refTables[kind]
	if !ok {
		return fmt.Errorf("store: no reference table %q", kind)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+kind+` (code, name, `+col+`, sort_order, active) VALUES ($1, $2, $3, $4, $5)`, //nolint:gosec // kind and col come from refTables, never input
		x.Code, x.Name, prop, x.SortOrder, x.Active); err != nil {
		return s.mapInsertErr(fmt.Errorf("store: add %s %s: %w", kind, x.Code, err), kind)
	}
	return nil
}

// UpdateRefItem renames, reorders and (de)activates a row of reference
// table kind. A code, once used, is never removed: records keep pointing
// at it, and its property stays what the records were made with.
func (s *Store) UpdateRefItem(ctx context.Context, tx *sql.Tx, kind string, x RefItem) error {
	if _, ok := refTables[kind]; !ok {
		return fmt.Errorf("store: no reference table %q", kind)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+kind+` SET name = $2, sort_order = $3, active = $4 WHERE code = $1`, x.Code, x.Name, x.SortOrder, x.Active); err != nil { //nolint:gosec // kind is checked against refTables
		return fmt.Errorf("store: update %s %s: %w", kind, x.Code, err)
	}
	return nil
}
