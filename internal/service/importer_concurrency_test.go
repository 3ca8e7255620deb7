package service_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/importexport"
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
