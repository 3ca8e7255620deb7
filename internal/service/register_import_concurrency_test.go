package service_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestImportWhileOthersWrite: register imports succeed while other users'
// work appends to the same partnership's audit chain, and the chain
// verifies afterwards. On PostgreSQL an import's bulk audit entry used to
// take the chain positions a concurrent entry took (SQLSTATE 23505), so
// every import failed while anyone else wrote.
func TestImportWhileOthersWrite(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			key := audit.SigningKey([]byte("test"))
			alog := audit.NewLog(f.st.Now, f.st.NewID, key)
			analyst := f.actors["analyst"]
			stop := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for w := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						err := f.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
							_, err := alog.Append(ctx, tx, f.actors["lro"], audit.Meta{}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg",
								RecordIDs: []string{fmt.Sprintf("w%d", w)}, Justification: "Tasking"})
							return err
						})
						if err != nil {
							errs <- fmt.Errorf("writer %d: %w", w, err)
							return
						}
					}
				}()
			}
			const imports, rows = 4, 60
			for i := range imports {
				var b strings.Builder
				b.WriteString("Reference,Name,Operation_Name,Primary_Threat,Threats,Ownership_Level,Status,Home_Area,Lead_Agency,Summary\n")
				for r := range rows {
					fmt.Fprintf(&b, ",Group %d-%d,,drugs,,local,,E05001411,TP,\n", i, r)
				}
				res, err := f.imp(t, "analyst", importexport.KindGroups, b.String(), false)
				if err != nil {
					errs <- fmt.Errorf("import %d: %w (%v)", i, err, res.Problems)
					break
				}
				if res.Stored != rows {
					t.Errorf("import %d: got %d stored, want %d", i, res.Stored, rows)
				}
			}
			close(stop)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := f.count(t, "ocg"); got != imports*rows {
				t.Errorf("got %d groups, want %d", got, imports*rows)
			}
			rep, err := audit.Verify(context.Background(), f.st.Reader(), key.Public().(ed25519.PublicKey))
			if err != nil || !rep.OK() {
				t.Errorf("verify: got %v, problems %v; want a sound log", err, rep.Problems)
			}
			var imported int
			if err := f.st.Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE partnership_id = $1 AND actor_id = $2 AND operation = 'collection'`,
				analyst.PartnershipID, analyst.UserID).Scan(&imported); err != nil || imported != imports {
				t.Errorf("got %d import entries (%v), want %d", imported, err, imports)
			}
		})
	}
}

// pausingReader gives first, then tells reached and waits for release
// before giving rest: an import paused mid-file, after its first batch of
// records was written.
type pausingReader struct {
	first, rest      io.Reader
	reached, release chan struct{}
	paused           bool
}

func (r *pausingReader) Read(p []byte) (int, error) {
	if n, err := r.first.Read(p); n > 0 || err != io.EOF {
		return n, err
	}
	if !r.paused {
		r.paused = true
		close(r.reached)
		<-r.release
	}
	return r.rest.Read(p)
}

// TestLongImportLeavesTheAuditChainFree: while a long import runs (paused
// here after its first batch of 2,000 groups was written), other users'
// audited work in the partnership (every record they open is logged) must
// not wait for it. On PostgreSQL the import used to take the chain's head
// row at its first batch and hold it until it committed, so every
// consultation, change and export in the partnership queued behind the
// whole import. The head must be taken only as the import commits. (SQLite
// has one writer at a time whatever the audit log does.)
func TestLongImportLeavesTheAuditChainFree(t *testing.T) {
	var pg []storetest.Engine
	for _, e := range storetest.Engines(t) {
		if e.Name == "postgres" {
			pg = append(pg, e)
		}
	}
	if len(pg) == 0 {
		t.Skip("PostgreSQL only: SQLite has one writer at a time")
	}
	f := newImportFixture(t, pg[0])
	analyst := f.actors["analyst"]
	const header = "Reference,Name,Operation_Name,Primary_Threat,Threats,Ownership_Level,Status,Home_Area,Lead_Agency,Summary\n"
	// The chain exists before the long import starts (others have worked).
	if _, err := f.imp(t, "analyst", importexport.KindGroups, header+",Early group,,drugs,,local,,E05001411,TP,\n", false); err != nil {
		t.Fatal(err)
	}
	var first, rest strings.Builder
	first.WriteString(header)
	for r := range store.BulkBatch + 100 {
		fmt.Fprintf(&first, ",Long group %d,,drugs,,local,,E05001411,TP,\n", r)
	}
	for r := range 100 {
		fmt.Fprintf(&rest, ",Late group %d,,drugs,,local,,E05001411,TP,\n", r)
	}
	rd := &pausingReader{first: strings.NewReader(first.String()), rest: strings.NewReader(rest.String()),
		reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		res, err := f.im.Import(context.Background(), analyst, importexport.KindGroups, importexport.CSV, rd,
			service.ImportOptions{Marking: official, FileName: "long.csv"})
		if err == nil && res.Stored != store.BulkBatch+200 {
			err = fmt.Errorf("got %d stored, want %d", res.Stored, store.BulkBatch+200)
		}
		done <- err
	}()
	<-rd.reached
	// NOWAIT: a head row the import holds is an error at once (55P03),
	// not a wait.
	var seq int64
	err := f.st.Reader().QueryRow(`SELECT seq FROM audit_head WHERE partnership_id = $1 FOR UPDATE NOWAIT`, analyst.PartnershipID).Scan(&seq)
	close(rd.release)
	if err != nil {
		t.Errorf("the chain's head while an import runs: got %v, want it free for other writers", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("import: %v", err)
	}
	if got := f.count(t, "ocg"); got != store.BulkBatch+201 {
		t.Errorf("got %d groups, want %d", got, store.BulkBatch+201)
	}
	var entries int
	if err := f.st.Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE partnership_id = $1 AND actor_id = $2 AND operation = 'collection' AND record_label LIKE '%long.csv%'`,
		analyst.PartnershipID, analyst.UserID).Scan(&entries); err != nil || entries != 2 {
		t.Errorf("got %d import entries (%v), want 2 (one a batch)", entries, err)
	}
}
