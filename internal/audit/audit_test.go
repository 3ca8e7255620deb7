package audit_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func seed(t testing.TB, s *store.Store) (domain.Actor, domain.Actor) {
	t.Helper()
	var a, b domain.Actor
	err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		for i, dst := range []*domain.Actor{&a, &b} {
			p := domain.Partnership{Slug: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("P%d", i)}
			if err := s.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			*dst = domain.Actor{UserID: s.NewID(), DisplayName: "Ann Analyst", PartnershipID: p.ID, AgencyID: s.NewID(), AgencyName: "NYP"}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

var key = ed25519.NewKeyFromSeed([]byte(strings.Repeat("s", 32)))

func appendN(t *testing.T, s *store.Store, l *audit.Log, a domain.Actor, n int) {
	t.Helper()
	err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			_, err := l.Append(ctx, tx, a, audit.Meta{RequestID: "req", ClientAddr: "192.0.2.1"}, audit.Entry{Operation: audit.Consultation,
				RecordType: "info_report", RecordIDs: []string{fmt.Sprintf("rec-%d", i%7)}, Label: fmt.Sprintf("IR-%d", i), Justification: "Tasking"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, s *store.Store) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), s.Reader(), key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func exec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(t *testing.T, s *store.Store, a domain.Actor)
		wantKind string
		wantSeq  int64
	}{
		{"untouched", func(*testing.T, *store.Store, domain.Actor) {}, "", 0},
		{"edited justification", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `UPDATE audit_event SET justification = 'Curiosity' WHERE partnership_id = $1 AND seq = 500`, a.PartnershipID)
		}, "changed", 500},
		{"edited actor", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `UPDATE audit_event SET actor_name = 'Someone else' WHERE partnership_id = $1 AND seq = 3`, a.PartnershipID)
		}, "changed", 3},
		{"deleted entry", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `DELETE FROM audit_event WHERE partnership_id = $1 AND seq = 42`, a.PartnershipID)
		}, "removed", 42},
		{"deleted tail", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `DELETE FROM audit_event WHERE partnership_id = $1 AND seq > 1100`, a.PartnershipID)
		}, "truncated", 1100},
		{"inserted entry", func(t *testing.T, s *store.Store, a domain.Actor) {
			// Move entry 900 on and slip a forged entry, correctly hashed, into its place.
			exec(t, s, `DELETE FROM audit_event WHERE partnership_id = $1 AND seq = 900`, a.PartnershipID)
			forged := audit.Event{ID: s.NewID(), PartnershipID: a.PartnershipID, Seq: 900, At: s.Now().Truncate(1000), ActorID: "x", ActorName: "Forger",
				Operation: audit.Consultation, RecordType: "info_report", RecordIDs: []string{"rec-1"}, PrevHash: strings.Repeat("f", 64)}
			forged.Hash = audit.ComputeHash(forged)
			exec(t, s, `INSERT INTO audit_event (id, partnership_id, seq, at, at_us, actor_id, actor_name, agency_id, agency_name, operation, record_type,
				record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash)
				VALUES ($1, $2, $3, $4, $12, $5, $6, '', '', $7, $8, $9, '', '', '', '', '', '', '', $10, $11)`,
				forged.ID, forged.PartnershipID, forged.Seq, forged.At, forged.ActorID, forged.ActorName, string(forged.Operation), forged.RecordType,
				"rec-1", forged.PrevHash, forged.Hash, forged.At.UnixMicro())
		}, "inserted", 900},
		{"appended without the head", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `INSERT INTO audit_event (id, partnership_id, seq, at, at_us, actor_id, actor_name, agency_id, agency_name, operation, record_type,
				record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash)
				SELECT $2, partnership_id, seq + 1, at, at_us, actor_id, actor_name, agency_id, agency_name, operation, record_type, record_ids, record_label,
				fields, justification, recipients, isa_id, request_id, client_addr, hash, hash FROM audit_event WHERE partnership_id = $1 AND seq = 1200`,
				a.PartnershipID, s.NewID())
		}, "changed", 1201},
		{"forged checkpoint", func(t *testing.T, s *store.Store, a domain.Actor) {
			exec(t, s, `UPDATE audit_checkpoint SET hash = $2 WHERE partnership_id = $1 AND seq = 1000`, a.PartnershipID, strings.Repeat("a", 64))
		}, "checkpoint", 1000},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := storetest.Open(t, e, store.Options{})
					l := audit.NewLog(s.Now, s.NewID, key)
					a, b := seed(t, s)
					appendN(t, s, l, a, 1200)
					appendN(t, s, l, b, 10)
					tc.tamper(t, s, a)
					rep := verify(t, s)
					if rep.Chains != 2 {
						t.Errorf("got %d chains, want 2", rep.Chains)
					}
					if tc.wantKind == "" {
						if !rep.OK() || rep.Entries != 1210 || rep.Checkpoints != 1 {
							t.Errorf("untouched log: got %+v, want 1210 entries, 1 checkpoint, no problems", rep)
						}
						return
					}
					if rep.OK() {
						t.Fatalf("got no problem, want %s at entry %d", tc.wantKind, tc.wantSeq)
					}
					// The first problem is at the tampered entry; its kind is among
					// those reported (a replaced entry, read in insertion order,
					// shows first as a gap and then as an insertion).
					first := rep.Problems[0]
					if first.Seq != tc.wantSeq || first.PartnershipID != a.PartnershipID {
						t.Errorf("first problem: got %s, want one at entry %d", first, tc.wantSeq)
					}
					found := false
					for _, p := range rep.Problems {
						found = found || (p.Kind == tc.wantKind && p.Seq == tc.wantSeq)
					}
					if !found {
						t.Errorf("got problems %v, want %s at entry %d", rep.Problems, tc.wantKind, tc.wantSeq)
					}
					for _, p := range rep.Problems {
						if p.PartnershipID == b.PartnershipID {
							t.Errorf("got a problem in the untouched chain: %s", p)
						}
					}
				})
			}
		})
	}
}

func TestRewrittenChainIsCaughtByCheckpoint(t *testing.T) {
	s := storetest.Open(t, storetest.Engines(t)[0], store.Options{})
	l := audit.NewLog(s.Now, s.NewID, key)
	a, _ := seed(t, s)
	appendN(t, s, l, a, 1005)
	// Rewrite every entry from 10 on with a different justification and
	// consistent hashes and head, as someone with database access but
	// without the signing key could.
	ctx := context.Background()
	rows, err := s.Reader().QueryContext(ctx, `SELECT seq, at_us, actor_id, actor_name, agency_id, agency_name, operation, record_type, record_ids, record_label,
		fields, justification, recipients, isa_id, request_id, client_addr, prev_hash FROM audit_event WHERE partnership_id = $1 ORDER BY seq`, a.PartnershipID)
	if err != nil {
		t.Fatal(err)
	}
	var evs []audit.Event
	for rows.Next() {
		var e audit.Event
		var op, ids, fields string
		var us int64
		if err := rows.Scan(&e.Seq, &us, &e.ActorID, &e.ActorName, &e.AgencyID, &e.AgencyName, &op, &e.RecordType, &ids, &e.Label, &fields,
			&e.Justification, &e.Recipients, &e.ISAID, &e.RequestID, &e.ClientAddr, &e.PrevHash); err != nil {
			t.Fatal(err)
		}
		e.PartnershipID, e.Operation, e.RecordIDs, e.At = a.PartnershipID, audit.Operation(op), strings.Fields(ids), time.UnixMicro(us).UTC()
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	prev := ""
	err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for i := range evs {
			e := &evs[i]
			if e.Seq >= 10 {
				e.Justification = "Rewritten"
				e.PrevHash = prev
			}
			e.Hash = audit.ComputeHash(*e)
			prev = e.Hash
			if e.Seq >= 10 {
				if _, err := tx.ExecContext(ctx, `UPDATE audit_event SET justification = $3, prev_hash = $4, hash = $5 WHERE partnership_id = $1 AND seq = $2`,
					a.PartnershipID, e.Seq, e.Justification, e.PrevHash, e.Hash); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $2 WHERE partnership_id = $1`, a.PartnershipID, prev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := verify(t, s)
	if rep.OK() || rep.Problems[0].Seq != 1000 || rep.Problems[0].Kind != "changed" {
		t.Errorf("rewritten chain: got %+v, want the checkpoint at 1000 to catch it", rep.Problems)
	}
}

func TestFailedTransactionLeavesNoEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		boom := fmt.Errorf("boom")
		err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			if _, err := l.Append(ctx, tx, a, audit.Meta{}, audit.Entry{Operation: audit.Collection, RecordType: "x", RecordIDs: []string{"r"}}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("got %v", err)
		}
		rep := verify(t, s)
		if rep.Entries != 0 || !rep.OK() {
			t.Errorf("after a failed transaction: got %+v, want no entries and a sound log", rep)
		}
		appendN(t, s, l, a, 3)
		if rep := verify(t, s); rep.Entries != 3 || !rep.OK() {
			t.Errorf("after the next transaction: got %+v", rep)
		}
	})
}

func TestAppendBatchMatchesAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		appendN(t, s, l, a, 5)
		evs := make([]audit.Event, 2500)
		for i := range evs {
			evs[i] = audit.Event{At: s.Now(), ActorID: a.UserID, ActorName: "Bulk", Operation: audit.Consultation, RecordType: "info_report",
				RecordIDs: []string{fmt.Sprintf("r%d", i%13)}, Justification: "Tasking"}
		}
		err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			return l.AppendBatch(ctx, s.Dialect(), tx, a.PartnershipID, evs)
		})
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, s, l, a, 5)
		rep := verify(t, s)
		if !rep.OK() || rep.Entries != 2510 || rep.Checkpoints != 2 {
			t.Errorf("got %+v, want 2510 sound entries with 2 checkpoints", rep)
		}
	})
}

// TestAppendBatchWithConcurrentAppends: bulk appends (imports) run while
// other transactions append one entry at a time to the same chain. Every
// transaction must succeed (on PostgreSQL a batch that read the head
// without taking it collided with the Appends, SQLSTATE 23505), and the
// chain must verify, every entry in place.
func TestAppendBatchWithConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		appendN(t, s, l, a, 1)
		const writers, batches, batchSize = 3, 6, 400
		stop := make(chan struct{})
		appended := make([]int, writers)
		errs := make(chan error, writers+1)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
						_, err := l.Append(ctx, tx, a, audit.Meta{}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg", RecordIDs: []string{"r"}, Justification: "Tasking"})
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
					appended[w]++
				}
			}()
		}
		for i := range batches {
			evs := make([]audit.Event, batchSize)
			for j := range evs {
				evs[j] = audit.Event{At: s.Now(), ActorID: a.UserID, ActorName: "Importer", Operation: audit.Collection, RecordType: "ocg",
					RecordIDs: []string{fmt.Sprintf("b%d-%d", i, j)}}
			}
			err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				return l.AppendBatch(ctx, s.Dialect(), tx, a.PartnershipID, evs)
			})
			if err != nil {
				errs <- fmt.Errorf("batch %d: %w", i, err)
				break
			}
		}
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		total := int64(1 + batches*batchSize)
		for _, n := range appended {
			total += int64(n)
		}
		rep := verify(t, s)
		if !rep.OK() || rep.Entries != total {
			t.Errorf("got %d entries, problems %v; want %d entries and no problems", rep.Entries, rep.Problems, total)
		}
	})
}

// TestVerifyFindsTruncation: entries cut off the end of a chain, with the
// head set back to the new end, are reported, whether or not a signed
// checkpoint lies beyond the cut, and whether the chain had a checkpoint at
// all; so is a head whose signature was removed. Appending to a cut chain is
// refused, so a later write cannot make it look whole.
func TestVerifyFindsTruncation(t *testing.T) {
	tests := []struct {
		name       string
		entries    int   // in the chain before the cut
		keep       int64 // entries left
		blankSig   bool  // also remove the head's signature
		wantKind   string
		wantSeq    int64
		wantAppend error // what appending to the cut chain returns
	}{
		{"after the last checkpoint", 1100, 1050, false, "truncated", 1050, audit.ErrHead},
		{"back to the checkpoint", 1100, 1000, false, "truncated", 1000, audit.ErrHead},
		{"no checkpoint at all", 10, 6, false, "truncated", 6, audit.ErrHead},
		{"one entry of two", 2, 1, false, "truncated", 1, audit.ErrHead},
		{"signature removed too", 10, 6, true, "unsigned", 6, audit.ErrHead},
		{"every entry", 10, 0, false, "truncated", 0, audit.ErrHead},
		{"every entry, signature removed too", 10, 0, true, "unsigned", 0, audit.ErrHead},
		{"untouched", 10, 10, false, "", 0, nil},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					s := storetest.Open(t, e, store.Options{})
					l := audit.NewLog(s.Now, s.NewID, key)
					a, b := seed(t, s)
					appendN(t, s, l, a, tc.entries)
					appendN(t, s, l, b, 3)
					if tc.keep < int64(tc.entries) {
						// What someone with write access to the database but not
						// the key can do: cut the newest entries off and set the
						// head back to the new end, hash and all.
						exec(t, s, `DELETE FROM audit_subject WHERE partnership_id = $1 AND seq > $2`, a.PartnershipID, tc.keep)
						exec(t, s, `DELETE FROM audit_event WHERE partnership_id = $1 AND seq > $2`, a.PartnershipID, tc.keep)
						exec(t, s, `UPDATE audit_head SET seq = $2, hash = COALESCE((SELECT hash FROM audit_event WHERE partnership_id = $1 AND seq = $2), $3) WHERE partnership_id = $1`,
							a.PartnershipID, tc.keep, strings.Repeat("0", 64))
					}
					if tc.blankSig {
						exec(t, s, `UPDATE audit_head SET key_id = '', signature = '' WHERE partnership_id = $1`, a.PartnershipID)
					}
					rep := verify(t, s)
					if tc.wantKind == "" {
						if !rep.OK() {
							t.Errorf("got problems %v, want none", rep.Problems)
						}
					} else {
						found := false
						for _, p := range rep.Problems {
							found = found || (p.Kind == tc.wantKind && p.Seq == tc.wantSeq && p.PartnershipID == a.PartnershipID)
							if p.PartnershipID == b.PartnershipID {
								t.Errorf("got a problem in the untouched chain: %s", p)
							}
						}
						if !found {
							t.Errorf("got problems %v, want %s at entry %d", rep.Problems, tc.wantKind, tc.wantSeq)
						}
					}
					err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
						_, err := l.Append(ctx, tx, a, audit.Meta{}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg", RecordIDs: []string{"r"}})
						return err
					})
					if !errors.Is(err, tc.wantAppend) || (tc.wantAppend == nil) != (err == nil) {
						t.Errorf("append to the chain: got %v, want %v", err, tc.wantAppend)
					}
					if tc.wantAppend != nil {
						if got := verify(t, s); got.Entries != rep.Entries {
							t.Errorf("a refused append wrote something: got %d entries, want %d", got.Entries, rep.Entries)
						}
					}
				})
			}
		})
	}
}

// TestVerifyWithAnotherKey: a log checked with a key other than the one it
// was signed with is reported as kind "key" (not as tampering), and a log
// writer holding the other key refuses to extend it.
func TestVerifyWithAnotherKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, _ := seed(t, s)
		appendN(t, s, l, a, 1001)
		other := ed25519.NewKeyFromSeed([]byte(strings.Repeat("o", 32)))
		rep, err := audit.Verify(context.Background(), s.Reader(), other.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OnlyKinds("key") {
			t.Errorf("got problems %v, want only key mismatches", rep.Problems)
		}
		if got := len(rep.Problems); got != 2 {
			t.Errorf("got %d problems, want 2 (the checkpoint and the head)", got)
		}
		ol := audit.NewLog(s.Now, s.NewID, other)
		err = s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			_, err := ol.Append(ctx, tx, a, audit.Meta{}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg", RecordIDs: []string{"r"}})
			return err
		})
		if !errors.Is(err, audit.ErrHead) || !strings.Contains(err.Error(), "signed with key") {
			t.Errorf("append with another key: got %v, want ErrHead naming the key", err)
		}
	})
}

// TestVerifyKeyIDsAreNotTrusted: key ids are not signed, so someone with
// write access to the database but not the key could cut entries off a
// chain and then change key ids to make verify call it "the wrong key"
// (not evidence of tampering) instead of truncation. Once any signature in
// the log verifies under the key given, that key is the log's, and every
// signature naming another key is reported as tampering; only when none
// verifies (TestVerifyWithAnotherKey) is it "key".
func TestVerifyKeyIDsAreNotTrusted(t *testing.T) {
	tests := []struct {
		name     string
		entries  int
		keep     int64  // entries left after the cut
		heads    string // which heads get a false key id: "cut" (the cut chain's) or "all"
		cps      bool   // the checkpoints get one too
		wantKind string
		wantSeq  int64
	}{
		{"cut, and the cut chain's head names another key", 10, 6, "cut", false, "truncated", 6},
		{"cut, and every head and checkpoint names another key", 1100, 1050, "all", true, "truncated", 1050},
		{"nothing cut, the head's key id changed", 10, 10, "cut", false, "head", 10},
		{"nothing cut, a checkpoint's key id changed", 1001, 1001, "", true, "checkpoint", 1000},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					s := storetest.Open(t, e, store.Options{})
					l := audit.NewLog(s.Now, s.NewID, key)
					a, b := seed(t, s)
					appendN(t, s, l, a, tc.entries)
					appendN(t, s, l, b, 3)
					if tc.keep < int64(tc.entries) {
						exec(t, s, `DELETE FROM audit_subject WHERE partnership_id = $1 AND seq > $2`, a.PartnershipID, tc.keep)
						exec(t, s, `DELETE FROM audit_event WHERE partnership_id = $1 AND seq > $2`, a.PartnershipID, tc.keep)
						exec(t, s, `UPDATE audit_head SET seq = $2, hash = (SELECT hash FROM audit_event WHERE partnership_id = $1 AND seq = $2) WHERE partnership_id = $1`,
							a.PartnershipID, tc.keep)
					}
					fake := strings.Repeat("f", 16)
					switch tc.heads {
					case "cut":
						exec(t, s, `UPDATE audit_head SET key_id = $2 WHERE partnership_id = $1`, a.PartnershipID, fake)
					case "all":
						exec(t, s, `UPDATE audit_head SET key_id = $1`, fake)
					}
					if tc.cps {
						exec(t, s, `UPDATE audit_checkpoint SET key_id = $1`, fake)
					}
					rep := verify(t, s)
					if rep.OnlyKinds("key") {
						t.Errorf("got only key mismatches %v, want the tampering reported", rep.Problems)
					}
					found := false
					for _, p := range rep.Problems {
						found = found || (p.Kind == tc.wantKind && p.Seq == tc.wantSeq && p.PartnershipID == a.PartnershipID)
					}
					if !found {
						t.Errorf("got problems %v, want %s at entry %d", rep.Problems, tc.wantKind, tc.wantSeq)
					}
				})
			}
		})
	}
}

// TestHeadSignedHowEverAppended: heads verify whether entries were appended
// in a store transaction (signed once, before commit), with a context that
// does not carry the transaction's hooks (signed at each entry), or to two
// chains in one transaction.
func TestHeadSignedHowEverAppended(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, b := seed(t, s)
		entry := audit.Entry{Operation: audit.Consultation, RecordType: "ocg", RecordIDs: []string{"r"}, Justification: "Tasking"}
		steps := []struct {
			name string
			run  func(ctx context.Context, tx *sql.Tx) error
		}{
			{"two chains in one transaction", func(ctx context.Context, tx *sql.Tx) error {
				for _, who := range []domain.Actor{a, b, a, b, a} {
					if _, err := l.Append(ctx, tx, who, audit.Meta{}, entry); err != nil {
						return err
					}
				}
				return nil
			}},
			{"without the transaction's hooks", func(_ context.Context, tx *sql.Tx) error {
				for range 3 {
					if _, err := l.Append(context.Background(), tx, a, audit.Meta{}, entry); err != nil {
						return err
					}
				}
				return nil
			}},
			{"batch then entry in one transaction", func(ctx context.Context, tx *sql.Tx) error {
				evs := []audit.Event{{At: s.Now(), ActorID: a.UserID, Operation: audit.Collection, RecordType: "ocg", RecordIDs: []string{"x"}}}
				if err := l.AppendBatch(ctx, s.Dialect(), tx, a.PartnershipID, evs); err != nil {
					return err
				}
				_, err := l.Append(ctx, tx, a, audit.Meta{}, entry)
				return err
			}},
		}
		want := int64(0)
		for i, st := range steps {
			if err := s.InTx(context.Background(), st.run); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			want += []int64{5, 3, 2}[i]
			if rep := verify(t, s); !rep.OK() || rep.Entries != want {
				t.Errorf("after %s: got %d entries, problems %v; want %d and none", st.name, rep.Entries, rep.Problems, want)
			}
		}
	})
}

// TestCheckpointSignsHeads: the operator's checkpoint (audit verify
// --checkpoint) adds a signed checkpoint at each chain's head and signs the
// head, including one that had lost its signature.
func TestCheckpointSignsHeads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		l := audit.NewLog(s.Now, s.NewID, key)
		a, b := seed(t, s)
		appendN(t, s, l, a, 10)
		appendN(t, s, l, b, 1000) // already has a checkpoint at its head
		exec(t, s, `UPDATE audit_head SET key_id = '', signature = '' WHERE partnership_id = $1`, a.PartnershipID)
		if rep := verify(t, s); !rep.OnlyKinds("unsigned") {
			t.Fatalf("before: got problems %v, want only an unsigned head", rep.Problems)
		}
		var n int
		err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			var err error
			n, err = l.Checkpoint(ctx, tx)
			return err
		})
		if err != nil || n != 1 {
			t.Fatalf("checkpoint: got %d new checkpoints, %v; want 1", n, err)
		}
		if rep := verify(t, s); !rep.OK() || rep.Checkpoints != 2 || len(rep.Heads) != 2 {
			t.Errorf("after: got %d checkpoints, %d heads, problems %v; want 2, 2 and none", rep.Checkpoints, len(rep.Heads), rep.Problems)
		}
		appendN(t, s, l, a, 1)
		if rep := verify(t, s); !rep.OK() || rep.Entries != 1011 {
			t.Errorf("an entry after: got %d entries, problems %v; want 1011 and none", rep.Entries, rep.Problems)
		}
	})
}
