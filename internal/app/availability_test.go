package app_test

import (
	"context"
	"database/sql"
	"testing"

	"alliance/internal/store/storetest"
)

// TestReadyWhileAWriteIsRunning: /readyz answers 200 while a long write
// transaction holds the writer (on SQLite, the one write connection).
// Readiness means the server can serve reads, not that the writer is idle.
func TestReadyWhileAWriteIsRunning(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- a.Store().InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `UPDATE partnership SET name = name`); err != nil {
						return err
					}
					close(started)
					<-release
					return nil
				})
			}()
			<-started
			scenario{name: "readyz during a write", path: "/readyz", wantStatus: 200, wantContains: []string{`"ready"`},
				wantNotContains: []string{"not ready"}}.run(t, a.Handler())
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
