package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"

	"alliance/internal/app"
	"alliance/internal/authz"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/store/storetest"
)

// TestPolicyChangeSeenByEveryServer runs two app servers on one database,
// as behind a load balancer. Each keeps its access policy in memory and
// reuses it while the rules held as data stand still; a change to the role
// permissions committed through server one (here, as a migration or an
// operator would make it, in SQL) is seen by server two at its next use,
// without a restart, in its services and on its pages; and a change to
// reference data moves the rules version too.
func TestPolicyChangeSeenByEveryServer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			open := func(demoLoad bool) *app.App {
				c, _ := config.Load(func(string) string { return "" })
				c.DB, c.Demo, c.SecretKey = dsn, demoLoad, testKey
				a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Hasher: cheap})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a
			}
			one, two := open(true), open(false)
			ctx := context.Background()
			cookie := signIn(t, two, "board@nyp.example")
			s, err := two.Identity().Authenticate(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			board := s.Actor
			mayExport := func(a *app.App) bool {
				t.Helper()
				p, err := a.Policies().Policy(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return p.Allowed(board, authz.Export, domain.KindDisruption)
			}
			exec := func(q string) {
				t.Helper()
				if err := one.Store().InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, q)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			dashboard := "/performance?fy=2023/24"

			if mayExport(two) {
				t.Fatal("before the change: the board may export disruptions on server two; by default it may not")
			}
			built := two.Policies().Builds()
			for range 3 {
				mayExport(two)
			}
			if got := two.Policies().Builds(); got != built {
				t.Errorf("nothing changed: server two built its policy %d more times, want it reused", got-built)
			}
			scenario{name: "no export links for the board on server two", path: dashboard, cookie: cookie, wantStatus: 200,
				wantNotContains: []string{`id="export-csv"`}}.run(t, two.Handler())

			exec(`INSERT INTO role_permission (role_code, record_kind, action) VALUES ('board_viewer', 'disruption', 'export')`)
			if !mayExport(two) {
				t.Error("after a permission was granted through server one: server two's policy still refuses it")
			}
			if got := two.Policies().Builds(); got != built+1 {
				t.Errorf("after one change: server two built its policy %d more times, want 1", got-built)
			}
			scenario{name: "export links for the board on server two", path: dashboard, cookie: cookie, wantStatus: 200,
				wantContains: []string{`id="export-csv"`}}.run(t, two.Handler())

			exec(`DELETE FROM role_permission WHERE role_code = 'board_viewer' AND record_kind = 'disruption' AND action = 'export'`)
			if mayExport(two) || mayExport(one) {
				t.Error("after the permission was taken away again: a server still allows it")
			}

			before, err := two.Store().RulesVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			exec(`UPDATE tactic SET name = name || ' (renamed)' WHERE code = 'arrest'`)
			if after, err := two.Store().RulesVersion(ctx); err != nil || after <= before {
				t.Errorf("after a reference data change: rules version %d, then %d (%v); want it moved on", before, after, err)
			}
		})
	}
}
