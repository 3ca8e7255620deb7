package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestIndexBacklogDoesNotStarveWrites: while the indexer drains a large
// backlog, a user's write gets the writer between two batches. It
// completes while entities are still queued, rather than after the whole
// backlog (which is what a batch as large as the backlog did on SQLite,
// where one connection writes at a time).
func TestIndexBacklogDoesNotStarveWrites(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			ctx := context.Background()
			// A backlog of four batches or more: the indexer must commit
			// several times while draining it.
			backlog := 2000
			if service.SearchBatch*4 > backlog {
				t.Fatalf("SearchBatch is %d: want batches of at most a quarter of %d", service.SearchBatch, backlog)
			}
			var b strings.Builder
			b.WriteString("name\n")
			for i := range backlog {
				fmt.Fprintf(&b, "Person %d\n", i)
			}
			if res, err := f.imp(t, "analyst", importexport.KindPeople, b.String(), false); err != nil || res.Stored != backlog {
				t.Fatalf("import: got %d stored, %v, want %d", res.Stored, err, backlog)
			}
			// An import now writes the search entries itself: make the
			// backlog an older version's import left (people queued
			// without their entries).
			if err := storetest.QueueOldBacklog(ctx, f.st); err != nil {
				t.Fatal(err)
			}
			queued := func() int {
				n, err := f.st.SearchQueueLength(ctx)
				if err != nil {
					t.Error(err)
				}
				return n
			}
			if got := queued(); got != backlog {
				t.Fatalf("got %d queued, want %d", got, backlog)
			}
			done := make(chan error, 1)
			go func() { _, err := service.NewSearchIndexer(f.st, nil).Drain(ctx); done <- err }()
			// Wait for the indexer to be under way (its first batch
			// committed), then write.
			for queued() == backlog {
				time.Sleep(time.Millisecond)
			}
			err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE partnership SET name = $1 WHERE slug = 'imp'`, "Import test renamed")
				return err
			})
			if err != nil {
				t.Fatalf("user write: %v", err)
			}
			left := queued()
			if err := <-done; err != nil {
				t.Fatalf("drain: %v", err)
			}
			if left == 0 {
				t.Errorf("the user's write completed after the whole backlog of %d was indexed, want it between two batches", backlog)
			}
			if got := queued(); got != 0 {
				t.Errorf("after draining got %d queued, want 0", got)
			}
		})
	}
}
