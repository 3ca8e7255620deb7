package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// openTwice opens two stores on one new database, as two app servers
// would, and migrates it.
func openTwice(t *testing.T, e storetest.Engine) (*store.Store, *store.Store) {
	t.Helper()
	dsn := e.DSN(t)
	var ss [2]*store.Store
	for i := range ss {
		s, err := store.Open(context.Background(), store.Options{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		ss[i] = s
	}
	return ss[0], ss[1]
}

func consult(ctx context.Context, l *audit.Log, tx *sql.Tx, a domain.Actor, rec string) error {
	_, err := l.Append(ctx, tx, a, audit.Meta{RequestID: "req"}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg",
		RecordIDs: []string{rec}, Justification: "Tasking"})
	return err
}

// TestGroupCommitKeepsChainsWhole: reads' entries written through
// InGroupTx by many concurrent readers, on two stores (two servers) over one
// database, interleaved with ordinary one-entry transactions and on two
// partnerships, leave every chain whole: Verify finds every entry and no
// problem, so positions taken by groups on different servers never clash.
func TestGroupCommitKeepsChainsWhole(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s1, s2 := openTwice(t, e)
			a, b := seed(t, s1)
			logs := []*audit.Log{audit.NewLog(s1.Now, s1.NewID, key), audit.NewLog(s2.Now, s2.NewID, key)}
			stores := []*store.Store{s1, s2}
			const readers, each = 12, 25
			var wg sync.WaitGroup
			errs := make(chan error, readers)
			for r := range readers {
				wg.Go(func() {
					s, l, who := stores[r%2], logs[r%2], []domain.Actor{a, b}[r/2%2]
					for i := range each {
						run := func(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
							return s.InGroupTx(ctx, who.PartnershipID, fn)
						}
						if i%5 == 0 {
							run = s.InTx
						}
						if err := run(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
							return consult(ctx, l, tx, who, fmt.Sprintf("r%d-%d", r, i))
						}); err != nil {
							errs <- fmt.Errorf("reader %d, read %d: %w", r, i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			rep := verify(t, s1)
			if !rep.OK() || rep.Entries != readers*each || rep.Chains != 2 {
				t.Errorf("got %d entries in %d chains, problems %v; want %d entries in 2 chains and no problems", rep.Entries, rep.Chains, rep.Problems, readers*each)
			}
		})
	}
}

// TestGroupCommitErrorIsOwn: when one caller's work fails in a group
// transaction, that caller gets its error and nothing of its work is kept,
// while the others' entries are committed and they get nil: the group is
// retried one by one rather than failing everyone.
func TestGroupCommitErrorIsOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		bad := errors.New("this read's log write fails")
		release := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		const readers = 8
		got := make([]error, readers)
		for r := range readers {
			wg.Go(func() {
				got[r] = s.InGroupTx(context.Background(), a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
					if r == 0 {
						// Hold the first group open so the others queue
						// behind it and share the next one.
						once.Do(func() { <-release })
					}
					if err := consult(ctx, l, tx, a, fmt.Sprintf("r%d", r)); err != nil {
						return err
					}
					if r == readers-1 {
						return bad
					}
					return nil
				})
			})
		}
		time.Sleep(50 * time.Millisecond) // lets the readers queue; the outcome does not depend on it
		close(release)
		wg.Wait()
		for r, err := range got {
			want := error(nil)
			if r == readers-1 {
				want = bad
			}
			if !errors.Is(err, want) || (want == nil && err != nil) {
				t.Errorf("reader %d: got %v, want %v", r, err, want)
			}
		}
		rep := verify(t, s)
		if !rep.OK() || rep.Entries != readers-1 {
			t.Errorf("got %d entries, problems %v; want %d and none", rep.Entries, rep.Problems, readers-1)
		}
	})
}

// TestGroupCommitCancelledWaiter: a caller whose context has ended gets
// its error and its work is never run.
func TestGroupCommitCancelledWaiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error { return consult(ctx, l, tx, a, "r") })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		if rep := verify(t, s); rep.Entries != 0 {
			t.Errorf("got %d entries, want none", rep.Entries)
		}
	})
}
