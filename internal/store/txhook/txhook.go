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

type ctxKey struct{}

// Hooks is the work registered for one transaction, in registration order.
// It is used by one goroutine at a time, as its transaction is.
type Hooks struct {
	tx   *sql.Tx
	keys map[any]bool
	fns  []func(ctx context.Context, tx *sql.Tx) error
}

// With returns ctx carrying an empty hook list for tx; the caller that began
// tx runs it with Run before committing.
func With(ctx context.Context, tx *sql.Tx) (context.Context, *Hooks) {
	h := &Hooks{tx: tx, keys: map[any]bool{}}
	return context.WithValue(ctx, ctxKey{}, h), h
}

// Before registers fn to run before tx commits, once per key: a second call
// with an equal key in the same transaction adds nothing. It reports whether
// ctx carries the hook list of tx (deferred) and, if so, whether this call
// was the first with key (added). When deferred is false nobody will run fn:
// the caller must do the work itself, now.
func Before(ctx context.Context, tx *sql.Tx, key any, fn func(ctx context.Context, tx *sql.Tx) error) (deferred, added bool) {
	h, _ := ctx.Value(ctxKey{}).(*Hooks)
	if h == nil || h.tx != tx {
		return false, false
	}
	if h.keys[key] {
		return true, false
	}
	h.keys[key] = true
	h.fns = append(h.fns, fn)
	return true, true
}

// Run runs the registered work in order and stops at the first error, which
// the caller must treat as the transaction's failure (roll back). Work may
// register more work; it runs too.
func (h *Hooks) Run(ctx context.Context) error {
	for i := 0; i < len(h.fns); i++ {
		if err := h.fns[i](ctx, h.tx); err != nil {
			return fmt.Errorf("before commit: %w", err)
		}
	}
	return nil
}
