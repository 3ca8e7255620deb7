package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"alliance/internal/store"
)

// SearchIndexer writes the search entries (search keys and full-text
// documents) of the people and other entities still queued for them: those
// the bulk imports of older versions stored without their entries
// (decision 10). An import now writes the entries in its own transaction
// (decision 23) and queues nothing, so the queue only drains. Every app
// server runs one indexer (Run). Until a queued entity's entries are
// written a search does not find it, and the search page says how many
// records the user may see are still waiting.
type SearchIndexer struct {
	st  *store.Store
	log *slog.Logger
}

// SearchBatch is how many entities one indexing transaction takes: about
// 7,500 search entries, a fraction of a second of writing on either
// engine. The batches are small because on SQLite one connection writes at
// a time: a user's write that arrives while a batch runs waits for that
// batch only, and the pool hands it the connection before the next batch.
// Smaller still would cost throughput: each commit rewrites the index
// pages it touched, so a batch of 200 indexed at about half the rate of
// one of 2,000 (measured on 2 vCPUs, 20,000 people on SQLite).
const SearchBatch = 500

// NewSearchIndexer returns an indexer over st.
func NewSearchIndexer(st *store.Store, log *slog.Logger) *SearchIndexer {
	if log == nil {
		log = slog.Default()
	}
	return &SearchIndexer{st: st, log: log}
}

// Drain writes the entries of every queued entity, a batch per
// transaction, until the queue is empty, and returns how many it indexed.
// A batch that fails rolls back alone: what earlier batches wrote stays.
func (x *SearchIndexer) Drain(ctx context.Context) (int, error) {
	return x.drain(ctx, false)
}

// drain is Drain; with yield, on a database with a single writer
// (SQLite), it rests after each batch as long as the batch took, so the
// indexer holds the writer at most half the time and writers in other
// processes (which poll for SQLite's lock) get turns too.
func (x *SearchIndexer) drain(ctx context.Context, yield bool) (int, error) {
	total := 0
	for {
		start := time.Now()
		n, err := x.st.BuildSearch(ctx, SearchBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("search index: %w", err)
		}
		if n == 0 {
			return total, nil
		}
		if yield && x.st.SingleWriter() {
			t := time.NewTimer(min(time.Since(start), time.Second))
			select {
			case <-ctx.Done():
				t.Stop()
				return total, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// Run drains the queue at start and every interval, until ctx is
// cancelled. Imports no longer queue (decision 23), so the queue holds
// only a backlog an older version left. Failures are logged and retried at the next turn.
func (x *SearchIndexer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := x.drain(ctx, true)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			x.log.ErrorContext(ctx, "search index", "indexed", n, "error", err)
		case n > 0:
			x.log.InfoContext(ctx, "search index", "indexed", n, "seconds", time.Since(start).Seconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
