// Package txhook lets code that runs inside a write transaction ask for work
// to be done once, just before that transaction commits. The audit log uses
// it to sign each chain's head once per transaction rather than once per
// entry. It imports only the standard library, so both the store (which
// owns transactions) and its callers can use it.
package txhook

import (
	"context"
	"database/sql"
	"fmt"
)

// Hook is work to do once, in the transaction, just before it commits.
type Hook interface {
	BeforeCommit(ctx context.Context, tx *sql.Tx) error
}

type ctxKey struct{}

// Hooks is the work registered for one transaction, in registration order.
// It is used by one goroutine at a time, as its transaction is.
type Hooks struct {
	tx    *sql.Tx
	byKey map[any]Hook
	order []Hook
}

// With returns ctx carrying an empty hook list for tx; the caller that began
// tx runs it with Run before committing.
func With(ctx context.Context, tx *sql.Tx) (context.Context, *Hooks) {
	h := &Hooks{tx: tx, byKey: map[any]Hook{}}
	return context.WithValue(ctx, ctxKey{}, h), h
}

// Register returns the hook registered under key for tx, making it with mk
// and registering it when there is none yet (first). ok is false when ctx
// carries no hook list for tx: then nothing is registered, nobody will run
// the work, and the caller must do it itself, now.
func Register(ctx context.Context, tx *sql.Tx, key any, mk func() Hook) (h Hook, first, ok bool) {
	hs, _ := ctx.Value(ctxKey{}).(*Hooks)
	if hs == nil || hs.tx != tx {
		return nil, false, false
	}
	if h, found := hs.byKey[key]; found {
		return h, false, true
	}
	h = mk()
	hs.byKey[key] = h
	hs.order = append(hs.order, h)
	return h, true, true
}

// Run runs the registered hooks in order and stops at the first error,
// which the caller must treat as the transaction's failure (roll back). A
// hook may register another; it runs too.
func (hs *Hooks) Run(ctx context.Context) error {
	for i := 0; i < len(hs.order); i++ {
		if err := hs.order[i].BeforeCommit(ctx, hs.tx); err != nil {
			return fmt.Errorf("before commit: %w", err)
		}
	}
	return nil
}

// Into returns dst carrying the hook list src carries (if any), so work
// done with dst's values inside src's transaction registers with that
// transaction: a group transaction runs each caller's work with the
// caller's own context this way.
func Into(dst, src context.Context) context.Context {
	hs, _ := src.Value(ctxKey{}).(*Hooks)
	if hs == nil {
		return dst
	}
	return context.WithValue(dst, ctxKey{}, hs)
}
