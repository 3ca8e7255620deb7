package audit_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func seed(t *testing.T, s *store.Store) (domain.Actor, domain.Actor) {
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
