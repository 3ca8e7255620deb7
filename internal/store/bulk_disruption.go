package store

import (
	"context"

	"alliance/internal/domain"
)

// LoadDisruptions writes disruptions of the Bulk's partnership as
// Store.LoadDisruptions does (checked against the domain's rules, each
// validated one given its access scope, none counted into the
// performance roll-up), but each table's rows go in together: COPY on
// PostgreSQL, prepared multi-row INSERTs on SQLite. It is for loads of
// hundreds of thousands (the benchmark generator): it counts the validated
// ones in memory, and the caller writes the partnership's roll-up once,
// with RollUp, in the same transaction.
func (b *Bulk) LoadDisruptions(ctx context.Context, list []domain.Disruption) error {
	if b.scopes == nil {
		b.scopes = b.s.newScopeInterner(b.tx)
		if err := b.startRollup(ctx); err != nil {
			return err
		}
	}
	rows, _, newScopes, err := b.s.disruptionBatch(ctx, b.tx, b.scopes, list)
	if err != nil {
		return err
	}
	for _, t := range disruptionTables() {
		if err := b.write(ctx, t.table, t.cols, rows[t.table]); err != nil {
			return err
		}
	}
	if err := b.s.makeScopes(ctx, b.tx, b.scopes, newScopes); err != nil {
		return err
	}
	if b.rollup != nil {
		return b.count(ctx, list)
	}
	return nil
}
