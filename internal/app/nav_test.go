package app_test

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"testing"

	"alliance/internal/store/storetest"
)

var navLink = regexp.MustCompile(`class="govuk-service-navigation__link" href="([^"]+)"`)

// TestNavigationFollowsThePermissions: each role's navigation is what its
// permissions (data) and the route declarations open, and it changes when
// the permission data change, with no role name in the code deciding it.
func TestNavigationFollowsThePermissions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			ctx := context.Background()
			links := func(email string) []string {
				t.Helper()
				rec := scenario{path: "/", cookie: signIn(t, a, email), wantStatus: 200}.run(t, a.Handler())
				var out []string
				for _, m := range navLink.FindAllStringSubmatch(rec.Body.String(), -1) {
					out = append(out, m[1])
				}
				return out
			}
			cases := []struct {
				email     string
				want, not []string
			}{
				{"analyst@nyp.example", []string{"/", "/ocgs", "/ocg-picture", "/search", "/reports", "/disruptions", "/performance", "/account"},
					[]string{"/admin/users", "/audit", "/sharing"}},
				{"board@nyp.example", []string{"/", "/ocgs", "/search", "/performance", "/account"},
					[]string{"/disruptions", "/reports", "/admin/users", "/audit", "/referrals", "/nrm", "/programmes"}},
				{"referrals@saferyork.example", []string{"/", "/reports", "/referrals", "/nrm", "/programmes", "/account"},
					[]string{"/ocgs", "/search", "/disruptions", "/performance", "/admin/users", "/audit"}},
				{"officer@nyc.example", []string{"/", "/referrals", "/nrm", "/account"}, []string{"/programmes", "/admin/users"}},
				{"admin@nyp.example", []string{"/", "/admin/users", "/sharing", "/admin/scoring-models", "/admin/reference-data", "/programmes", "/account"},
					[]string{"/ocgs", "/search", "/reports", "/disruptions", "/performance", "/audit", "/referrals"}},
				{"dpo@nyp.example", []string{"/", "/sharing", "/audit", "/account"},
					[]string{"/ocgs", "/search", "/reports", "/disruptions", "/performance", "/admin/users"}},
			}
			for _, c := range cases {
				got := links(c.email)
				for _, w := range c.want {
					if !slices.Contains(got, w) {
						t.Errorf("%s: got links %q, want %s among them", c.email, got, w)
					}
				}
				for _, n := range c.not {
					if slices.Contains(got, n) {
						t.Errorf("%s: got links %q, want no %s", c.email, got, n)
					}
				}
			}

			// Change the data: the board may now open disruption records,
			// and the referral coordinator loses information reports.
			for _, q := range []string{
				`INSERT INTO role_permission (role_code, record_kind, action) VALUES ('board_viewer', 'disruption', 'read')`,
				`DELETE FROM role_permission WHERE role_code = 'referral_coordinator' AND record_kind = 'info_report'`,
			} {
				if err := a.Store().InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, q)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			if got := links("board@nyp.example"); !slices.Contains(got, "/disruptions") {
				t.Errorf("after granting read on disruptions: got board links %q, want /disruptions", got)
			}
			scenario{name: "the board opens the disruption list", path: "/disruptions", cookie: signIn(t, a, "board@nyp.example"),
				wantStatus: 200}.run(t, a.Handler())
			if got := links("referrals@saferyork.example"); slices.Contains(got, "/reports") {
				t.Errorf("after withdrawing information reports: got referral links %q, want no /reports", got)
			}
		})
	}
}
