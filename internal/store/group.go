package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sync"

	"alliance/internal/store/txhook"
)

// maxGroup bounds how many callers' work one group transaction carries.
const maxGroup = 256

// groupCommit gathers the short write transactions of concurrent callers
// of InGroupTx into one transaction (group commit). There is no background
// goroutine: the first caller to find no group transaction running leads,
// commits everything queued by then, and hands the lead to the first
// caller queued while it committed, so every caller waits at most for the
// transaction before its own and its own.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupWork
	leading bool
}

// groupWork is one caller's work and the channels it waits on.
type groupWork struct {
	ctx  context.Context
	key  string
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error    // its outcome, once its transaction has committed or failed
	lead chan struct{} // it is to lead the next group transaction
}

// InGroupTx runs fn in a write transaction, as InTx does, and returns only
// once that transaction has committed (nil) or failed (its error), so a
// caller that returns nothing before InGroupTx returns nil still fails
// closed. The transaction may be shared: the work of callers that arrive
// while another group transaction is committing is run in one transaction,
// one fn after another, and committed once, which on PostgreSQL shares one
// WAL flush among them all. Work is ordered by key (an audit chain's
// partnership), so group transactions on different servers take the rows
// keys name in the same order and do not deadlock. If the shared
// transaction fails, each fn is run again alone (InTx), so one caller's
// error is never another's. fn must touch nothing but tx and must be safe
// to run more than once, as for InTx; the ctx it gets carries its caller's
// values and the transaction's txhook list, but not its caller's
// cancellation once the group has begun (a caller whose ctx ends while it
// waits to be taken gets ctx.Err() and its fn is never run).
func (s *Store) InGroupTx(ctx context.Context, key string, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &groupWork{ctx: ctx, key: key, fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.leading {
		g.mu.Unlock()
		select {
		case err := <-w.done:
			return err
		case <-w.lead:
		}
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	s.leadGroup()
	return <-w.done
}

// leadGroup commits the work queued now (at most maxGroup) as one group
// transaction, then hands the lead to the first caller still queued, or
// gives it up.
func (s *Store) leadGroup() {
	g := &s.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	g.mu.Unlock()
	s.commitGroup(batch)
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
}

// commitGroup runs batch in one transaction and tells each caller the
// outcome; if it fails, each runs again alone.
func (s *Store) commitGroup(batch []*groupWork) {
	live := batch[:0]
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.done <- err
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	slices.SortStableFunc(live, func(a, b *groupWork) int { return cmp.Compare(a.key, b.key) })
	err := s.InTx(context.WithoutCancel(live[0].ctx), func(ctx context.Context, tx *sql.Tx) error {
		for _, w := range live {
			if err := w.fn(txhook.Into(context.WithoutCancel(w.ctx), ctx), tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(live) == 1 {
		for _, w := range live {
			w.done <- err
		}
		return
	}
	for _, w := range live {
		w.done <- s.InTx(w.ctx, w.fn)
	}
}
