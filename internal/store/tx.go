package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"alliance/internal/store/txhook"
)

// InTx runs fn in a write transaction and commits it when fn returns nil. It
// rolls back when fn fails, panics, or the commit fails. When the failure is
// retryable (SQLITE_BUSY/LOCKED, SQLSTATE 40001/40P01) it runs fn again from
// the start, up to Options.MaxAttempts times with jittered back-off, so fn
// must have no effects outside the transaction that cannot be repeated.
// The ctx fn receives carries the transaction's txhook list: work
// registered there (such as signing an audit chain's head) runs after fn
// and before the commit, in the same transaction.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	delay := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := s.txOnce(ctx, fn)
		if err == nil {
			return nil
		}
		if attempt >= s.maxAttempts || !s.d.IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		s.log.WarnContext(ctx, "store: retrying transaction", "attempt", attempt, "error", err.Error())
		wait := delay/2 + time.Duration(rand.Int64N(int64(delay)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, time.Second)
	}
}

func (s *Store) txOnce(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) (err error) {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	hctx, hooks := txhook.With(ctx, tx)
	if err = fn(hctx, tx); err != nil {
		return err
	}
	if err = hooks.Run(hctx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
