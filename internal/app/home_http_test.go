package app_test

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// figure reads the number in the home page's figure with id, or fails.
func figure(t *testing.T, body, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([0-9,]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no figure %q on the page", id)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHomePages: each demo role lands on its own work, with figures that
// agree with the records and pages they summarise, under the policy, and
// the records a home page names are logged as consulted.
func TestHomePages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			db := a.Store().Reader()
			ctx := context.Background()
			count := func(query string, args ...any) int {
				t.Helper()
				var n int
				if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			userID := func(email string) string {
				t.Helper()
				c, err := a.Store().CredentialsByEmail(ctx, db, email)
				if err != nil {
					t.Fatal(err)
				}
				return c.User.ID
			}

			scenario{name: "signed out", path: "/", wantStatus: 303}.run(t, h)

			t.Run("board", func(t *testing.T) {
				c := signIn(t, a, "board@nyp.example")
				body := scenario{name: "board home", path: "/", cookie: c, wantStatus: 200,
					wantContains:    []string{"Your work", `id="home-board"`, "The year so far", "/performance/board-pack?fy=", "At a glance"},
					wantNotContains: []string{`id="home-panel"`, `id="home-lro"`, `id="home-analyst"`, `id="home-dpo"`, `id="home-admin"`}}.run(t, h).Body.String()
				fy := domain.FiscalYearOf(domain.UKDay(a.Store().Now())).String()
				dash := scenario{name: "dashboard", path: "/performance?fy=" + fy, cookie: c, wantStatus: 200}.run(t, h).Body.String()
				m := regexp.MustCompile(`id="card-disruptions"><span class="app-figure__value">([^<]+)<`).FindStringSubmatch(dash)
				if m == nil || !strings.Contains(body, `id="board-disruptions"><span class="app-figure__value">`+m[1]+`<`) {
					t.Errorf("the board's disruptions figure is not the dashboard's %v", m)
				}
			})

			t.Run("panel", func(t *testing.T) {
				c := signIn(t, a, "panel@nyp.example")
				body := scenario{name: "panel home", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{`id="home-panel"`, "Waiting longest", "/disruptions?status=submitted"}}.run(t, h).Body.String()
				// The same as the queue's own page lists, which is fewer than
				// are stored: some are restricted from this member.
				queue := scenario{name: "queue", path: "/disruptions?status=submitted", cookie: c, wantStatus: 200}.run(t, h).Body.String()
				want := strings.Count(queue, `<td class="govuk-table__cell"><a class="govuk-link" href="/disruptions/`)
				all := count(`SELECT count(*) FROM disruption WHERE status = 'submitted'`)
				if got := figure(t, body, "panel-waiting"); got != want || want == 0 || want >= all {
					t.Errorf("got %d waiting, want %d as the queue lists (of %d stored)", got, want, all)
				}
				// The queue page says how long each has waited, in days.
				long := 0
				for _, m := range regexp.MustCompile(`<td class="govuk-table__cell">([0-9]+) days</td>`).FindAllStringSubmatch(queue, -1) {
					if n, _ := strconv.Atoi(m[1]); n > service.PanelLongWait {
						long++
					}
				}
				if got := figure(t, body, "panel-long"); got != long || long == 0 {
					t.Errorf("got %d waiting more than %d days, want %d as the queue says", got, service.PanelLongWait, long)
				}
			})

			t.Run("lro", func(t *testing.T) {
				c := signIn(t, a, "lro@nyp.example")
				me := userID("lro@nyp.example")
				body := scenario{name: "lro home", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{`id="home-lro"`, "Groups and their plans", "Open actions, soonest due first"}}.run(t, h).Body.String()
				want := count(`SELECT count(*) FROM ocg WHERE status <> 'archived' AND lro_user_id = $1`, me)
				if got := figure(t, body, "lro-groups"); got != want || want == 0 {
					t.Errorf("got %d groups, want %d", got, want)
				}
				wantActions := count(`SELECT count(*) FROM plan_action pa JOIN plan p ON p.id = pa.plan_id JOIN ocg o ON o.id = p.ocg_id
					WHERE o.lro_user_id = $1 AND p.status <> 'closed' AND pa.status IN ('not_started', 'in_progress')`, me)
				if got := figure(t, body, "lro-actions"); got != wantActions || wantActions == 0 {
					t.Errorf("got %d open actions, want %d", got, wantActions)
				}
				// Someone else's group is not on this LRO's list.
				var other string
				if err := db.QueryRowContext(ctx, `SELECT name FROM ocg WHERE status <> 'archived' AND lro_user_id IS NOT NULL AND lro_user_id <> $1
					ORDER BY reference LIMIT 1`, me).Scan(&other); err != nil {
					t.Fatal(err)
				}
				list := body[strings.Index(body, `id="lro-group-list"`):]
				list = list[:strings.Index(list, "</table>")]
				if strings.Contains(html.UnescapeString(list), other) {
					t.Errorf("the LRO's list names %q, another LRO's group", other)
				}
				var n int
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_event WHERE actor_id = $1 AND record_label = 'Home page' AND record_type = 'ocg'`,
					me).Scan(&n); err != nil || n == 0 {
					t.Errorf("the groups on the LRO's home were not logged as consulted: %d entries, %v", n, err)
				}
			})

			t.Run("analyst", func(t *testing.T) {
				c := signIn(t, a, "analyst@nyp.example")
				body := scenario{name: "analyst home", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{`id="home-analyst"`, "Groups needing attention", "Proposed groups to assess", `href="/triage"`}}.run(t, h).Body.String()
				want := count(`SELECT count(*) FROM ocg WHERE status IN ('proposed', 'under_assessment')`)
				if got := figure(t, body, "analyst-proposed"); got != want || want == 0 {
					t.Errorf("got %d proposed, want %d", got, want)
				}
				if got, want := figure(t, body, "analyst-triage"), count(`SELECT count(*) FROM submission WHERE status IN ('new', 'question')`); got != want || want == 0 {
					t.Errorf("got %d to triage, want %d (the police analyst sees every open submission)", got, want)
				}
				noLRO := count(`SELECT count(*) FROM ocg WHERE status IN ('adopted', 'managed') AND lro_user_id IS NULL`)
				if got := figure(t, body, "analyst-no-lro"); got != noLRO {
					t.Errorf("got %d without an LRO, want %d", got, noLRO)
				}
			})

			t.Run("partner officer", func(t *testing.T) {
				c := signIn(t, a, "officer@nyc.example")
				body := scenario{name: "officer home", path: "/", cookie: c, wantStatus: 200,
					wantContains:    []string{`id="home-partner"`, "North Yorkshire Council in the partnership", "Asked of North Yorkshire Council"},
					wantNotContains: []string{`id="home-analyst"`, `id="home-board"`}}.run(t, h).Body.String()
				if figure(t, body, "partner-asked") == 0 {
					t.Fatal("no action asked of the council")
				}
				// Every group the officer's actions name opens for them: the
				// home page shows nothing the policy hides.
				for _, m := range regexp.MustCompile(`href="/ocgs/([0-9a-f-]{36})/plan"`).FindAllStringSubmatch(body, -1) {
					scenario{name: "a group named on the home page", path: "/ocgs/" + m[1], cookie: c, wantStatus: 200}.run(t, h)
				}
				// An action asked of another agency is not listed.
				if strings.Contains(body, "HM Revenue and Customs (Officer") {
					t.Error("the council's home lists an action asked of HMRC")
				}
			})

			t.Run("dpo", func(t *testing.T) {
				// A second analyst reads the register page after page: far
				// more records than anyone else this week.
				reader := signIn(t, a, "analyst2@nyp.example")
				for page := 1; page <= 4; page++ {
					scenario{name: "reading the register", path: "/ocgs?status=all&page=" + strconv.Itoa(page), cookie: reader, wantStatus: 200}.run(t, h)
				}
				read := count(`SELECT count(*) FROM audit_event WHERE actor_id = $1 AND operation = 'consultation'`, userID("analyst2@nyp.example"))
				c := signIn(t, a, "dpo@nyp.example")
				body := scenario{name: "dpo home", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{`id="home-dpo"`, "Sharing agreements to review", "Records read since"}}.run(t, h).Body.String()
				if read == 0 || figure(t, body, "dpo-unusual") < 1 {
					t.Fatalf("got no unusual reader after %d register pages", read)
				}
				row := body[strings.Index(body, `id="dpo-readers"`):]
				row = row[strings.Index(row, "<tbody"):]
				row = row[:strings.Index(row, "</tr>")]
				if !strings.Contains(row, "analyst2%40nyp.example") || !strings.Contains(row, "Unusual") {
					t.Errorf("the first reader is not the second analyst, marked unusual: %s", row)
				}
				overdue := count(`SELECT count(*) FROM isa WHERE status <> 'withdrawn' AND review_on < $1`,
					domain.UKDay(a.Store().Now()).Format("2006-01-02"))
				if !strings.Contains(body, "("+strconv.Itoa(overdue)+" overdue)") {
					t.Errorf("the page does not say %d agreement reviews are overdue", overdue)
				}
			})

			t.Run("admin", func(t *testing.T) {
				c := signIn(t, a, "admin@nyp.example")
				var name string
				if err := db.QueryRowContext(ctx, `SELECT display_name FROM app_user WHERE email = 'officer@nyfrs.example'`).Scan(&name); err != nil {
					t.Fatal(err)
				}
				scenario{name: "admin home", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{`id="home-admin"`, "Accounts to finish", "Never signed in", ">" + name + "<"}}.run(t, h)
				// Once an account is used, it is no longer pending.
				if _, err := a.Identity().SignIn(ctx, "officer@nyfrs.example", demo.Password, service.Client{Addr: "127.0.0.1"}); err != nil {
					t.Fatal(err)
				}
				scenario{name: "admin home after a first sign-in", path: "/", cookie: c, wantStatus: 200,
					wantContains: []string{"Accounts to finish"}, wantNotContains: []string{">" + name + "<"}}.run(t, h)
			})
		})
	}
}
