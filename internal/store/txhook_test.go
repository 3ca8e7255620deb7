package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
	"alliance/internal/store/txhook"
)

// insertHook adds a partnership before commit, or fails.
type insertHook struct {
	s    *store.Store
	slug string
	fail error
	runs *int
}

func (h *insertHook) BeforeCommit(ctx context.Context, tx *sql.Tx) error {
	*h.runs++
	if h.fail != nil {
		return h.fail
	}
	p := domain.Partnership{Slug: h.slug, Name: h.slug}
	return h.s.InsertPartnership(ctx, tx, &p)
}

// TestTransactionHooks: work registered with txhook inside InTx or BulkTx
// runs once per key, in the transaction, before it commits; when it fails
// the whole transaction is rolled back; a context without the
// transaction's hooks registers nothing.
func TestTransactionHooks(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		bulk     bool
		fail     error
		wantRuns int
		want     int // partnerships afterwards
	}{
		{"InTx", false, nil, 1, 2},
		{"BulkTx", true, nil, 1, 2},
		{"InTx, the hook fails", false, boom, 1, 0},
		{"BulkTx, the hook fails", true, boom, 1, 0},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				before, err := s.CountPartnerships(ctx, s.Reader())
				if err != nil {
					t.Fatal(err)
				}
				runs := 0
				body := func(ctx context.Context, tx *sql.Tx) error {
					p := domain.Partnership{Slug: fmt.Sprintf("body-%d", i), Name: "Body"}
					if err := s.InsertPartnership(ctx, tx, &p); err != nil {
						return err
					}
					for n := range 3 {
						_, first, ok := txhook.Register(ctx, tx, "key", func() txhook.Hook {
							return &insertHook{s: s, slug: fmt.Sprintf("hook-%d", i), fail: tc.fail, runs: &runs}
						})
						if !ok || first != (n == 0) {
							return fmt.Errorf("registration %d: got first %v, ok %v; want first only the first time", n, first, ok)
						}
					}
					if _, _, ok := txhook.Register(context.Background(), tx, "other", nil); ok {
						return errors.New("a context without the hooks registered something")
					}
					return nil
				}
				if tc.bulk {
					err = s.BulkTx(ctx, "", func(ctx context.Context, tx *sql.Tx, _ *store.Bulk) error { return body(ctx, tx) })
				} else {
					err = s.InTx(ctx, body)
				}
				if (tc.fail == nil) != (err == nil) || (tc.fail != nil && !errors.Is(err, tc.fail)) {
					t.Errorf("got %v, want %v", err, tc.fail)
				}
				if runs != tc.wantRuns {
					t.Errorf("got %d hook runs, want %d", runs, tc.wantRuns)
				}
				after, err := s.CountPartnerships(ctx, s.Reader())
				if err != nil || after-before != tc.want {
					t.Errorf("got %d new partnerships (%v), want %d", after-before, err, tc.want)
				}
			})
		}
	})
}
