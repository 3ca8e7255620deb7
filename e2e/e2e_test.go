// Package e2e drives real pages in Debian Chromium through chromedp, with
// axe-core run on each page. The server runs in-process on a loopback port
// with a fresh SQLite database and the demo partnership. Without Chromium the
// tests skip, except under CI=true, where they fail.
package e2e

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alliance/internal/app"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
)

//go:embed testdata/axe.min.js
var axeSource string

// chromiumPath finds the browser: ALLIANCE_CHROMIUM, then Debian's path.
func chromiumPath() string {
	if p := os.Getenv("ALLIANCE_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

type harness struct {
	base    string
	browser context.Context
	app     *app.App
}

var (
	setupOnce sync.Once
	shared    *harness
	setupErr  error
	cleanups  []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// setup starts one server and one browser for the whole package.
func setup(t *testing.T) *harness {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium not found: under CI=true browser tests must run (install Debian's chromium, or set ALLIANCE_CHROMIUM)")
		}
		t.Skip("Chromium not found: browser tests skipped (apt-get install chromium, or set ALLIANCE_CHROMIUM)")
	}
	setupOnce.Do(func() { shared, setupErr = start(path) })
	if setupErr != nil {
		t.Fatalf("start browser tests: %v", setupErr)
	}
	return shared
}

func start(chromium string) (*harness, error) {
	dir, err := os.MkdirTemp("", "alliance-e2e-*")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	c, err := config.Load(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	c.DB = filepath.Join(dir, "e2e.db")
	c.Demo = true
	c.SecretKey = "00000000000000000000000000000000000000000000000000000000000000e2"
	c.ShutdownTimeout = 5 * time.Second
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, c, log, app.Options{Version: "e2e", Hasher: auth.NewHasher(auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 4)})
	if err != nil {
		cancel()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = a.Serve(ctx, ln); close(done) }()
	cleanups = append(cleanups, func() { cancel(); <-done; a.Close() })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("user-data-dir", filepath.Join(dir, "chromium")),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		bcancel()
		acancel()
		return nil, fmt.Errorf("start %s: %w", chromium, err)
	}
	cleanups = append(cleanups, func() { bcancel(); acancel() })
	return &harness{base: "http://" + ln.Addr().String(), browser: bctx, app: a}, nil
}

// tab opens a new tab and collects its console messages.
type tab struct {
	ctx  context.Context
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// tab opens a new tab in its own browser context: its own cookies, as if a
// different browser.
func (h *harness) tab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(h.browser, chromedp.WithNewBrowserContext())
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { tcancel(); cancel() })
	tb := &tab{ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, m)
			tb.mu.Unlock()
		}
	}()
	return tb
}

// consoleErrors returns the errors logged in the tab. The browser logs a
// page's own non-2xx status as a failed load; pass that page's URL as
// expected to leave that one entry out (the 404 page is meant to be a 404).
func (tb *tab) consoleErrors(expected string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, m := range tb.msgs {
		if expected != "" && m.URL == expected && strings.HasPrefix(m.Text, "Failed to load resource") {
			continue
		}
		if m.IsException() || m.Type == chromedp.ConsoleType("error") || m.Type == chromedp.ConsoleType("warning") && m.Source == "security" {
			out = append(out, m.String())
		}
	}
	return out
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// checkAccessible injects axe-core and fails on serious or critical
// violations of WCAG 2.2 A and AA rules.
func (tb *tab) checkAccessible(t *testing.T, page string) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	res, err := chromedp.Run(tb.ctx, chromedp.Evaluate[axeResult](
		`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s violation %s: %s (%d nodes, first %v)", page, v.Impact, v.ID, v.Help, len(v.Nodes), v.Nodes[0].Target)
		} else {
			t.Logf("%s: axe %s: %s", page, v.ID, v.Help)
		}
	}
}

func screenshot(t *testing.T, tb *tab, name string) {
	dir := os.Getenv("ALLIANCE_E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// signIn signs tb's tab in through the form and waits for the page after
// it: it must succeed.
func (h *harness) signIn(t *testing.T, tb *tab, email, password string) {
	t.Helper()
	h.fillSignIn(t, tb, email, password, chromedp.WaitNotPresent(chromedp.CSS("#password")))
}

// fillSignIn submits the sign-in form, then runs wait.
func (h *harness) fillSignIn(t *testing.T, tb *tab, email, password string, wait chromedp.Action[chromedp.Void]) {
	t.Helper()
	err := chromedp.Do(tb.ctx,
		chromedp.Navigate(h.base+"/sign-in"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form[action='/sign-in'] button")),
		wait,
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (tb *tab) location(t *testing.T) string {
	t.Helper()
	l, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkPage runs the checks every page gets: the marking top and bottom,
// the CSP-nonce'd script ran, Arial, axe-core, and no console errors.
func (h *harness) checkPage(t *testing.T, tb *tab, name, path string, wantStatusPage bool) {
	t.Helper()
	marks, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('.app-marking')].filter(e => e.offsetHeight > 0).map(e => e.textContent.trim())`))
	if err != nil || len(marks) != 2 || marks[0] != "OFFICIAL-SENSITIVE" || marks[1] != "OFFICIAL-SENSITIVE" {
		t.Errorf("%s markings: got %v, %v; want OFFICIAL-SENSITIVE top and bottom", name, marks, err)
	}
	classes, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.className`))
	if err != nil || !strings.Contains(classes, "js-enabled") || !strings.Contains(classes, "govuk-frontend-supported") {
		t.Errorf("%s body classes: got %q, %v; want js-enabled and govuk-frontend-supported", name, classes, err)
	}
	font, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('h1')).fontFamily`))
	if err != nil || !strings.Contains(strings.ToLower(font), "arial") || strings.Contains(strings.ToLower(font), "transport") {
		t.Errorf("%s h1 font: got %q, %v; want Arial and never GDS Transport", name, font, err)
	}
	tb.checkAccessible(t, path)
	screenshot(t, tb, name)
	time.Sleep(100 * time.Millisecond) // let late console messages arrive
	expected := ""
	if wantStatusPage {
		expected = h.base + path
	}
	if errs := tb.consoleErrors(expected); len(errs) > 0 {
		t.Errorf("console errors on %s: %v", path, errs)
	}
}

func TestPages(t *testing.T) {
	h := setup(t)
	// Some reports, one restricted, so the list and the report page have content.
	ctx := context.Background()
	res, err := h.app.Identity().SignIn(ctx, "analyst@nyp.example", demo.Password, service.Client{Addr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.app.Identity().Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.app.Reports().Create(ctx, s.Actor, service.ReportInput{Title: "Vehicle seen at cuckooed flat", Body: "Black hatchback, two visits a day.",
		SourceGrade: "2", IntelGrade: "B", Classification: "OFFICIAL-SENSITIVE", Handling: "P"})
	if err != nil {
		t.Fatal(err)
	}
	// A dry-run import, run as a job by the server: its page once it ends.
	job, err := h.app.Jobs().SubmitImport(ctx, s.Actor, service.ImportJobInput{Kind: importexport.KindPeople, Format: importexport.CSV,
		FileName: "people.csv", DryRun: true, Marking: domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P"},
		File: []byte("name,dob\nAnn Smith,14/03/1994\n")})
	if err != nil {
		t.Fatal(err)
	}
	// A register export, run as a job by the server: its page offers the file.
	exp, err := h.app.Jobs().SubmitExport(ctx, s.Actor, service.ExportJobInput{Kind: importexport.KindGroups, Format: importexport.CSV,
		Disclosure: service.Disclosure{Purpose: "Tasking", Recipients: "NYC", AdHoc: true, Justification: "s.115", ApproverEmail: "analyst2@nyp.example"}})
	if err != nil {
		t.Fatal(err)
	}
	var divan, nrm string
	if err := h.app.Store().Reader().QueryRow(`SELECT CAST(id AS text) FROM programme WHERE name = 'Operation Divan'`).Scan(&divan); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Store().Reader().QueryRow(`SELECT CAST(id AS text) FROM nrm_referral WHERE kind = 'nrm' AND rg_decision = 'positive'
		ORDER BY reference LIMIT 1`).Scan(&nrm); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{job.ID, exp.ID} {
		for {
			var status string
			if err := h.app.Store().Reader().QueryRow(`SELECT status FROM job WHERE id = $1`, id).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if domain.JobStatus(status).Done() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	pages := []struct {
		name, as, path string
		wantH1         string
		wantContains   []string
		status         bool
	}{
		{"sign in", "", "/sign-in", "Sign in to Alliance", []string{"Email address", "Password"}, false},
		{"home", "analyst@nyp.example", "/", "Your work", []string{"North Yorkshire: Project Alliance", "Needs attention", "At a glance", "195", "Demo account"}, false},
		{"agencies", "analyst@nyp.example", "/agencies", "Partner agencies", []string{"North Yorkshire Police", "St Giles Trust"}, false},
		{"areas", "analyst@nyp.example", "/areas", "Reporting structure", []string{"Craven", "E07000163"}, false},
		{"district", "analyst@nyp.example", "/areas/E06000014", "York", []string{"Acomb"}, false},
		{"ward", "analyst@nyp.example", "/areas/E05006189", "Aire Valley with Lothersdale", []string{"GeoJSON boundary"}, false},
		{"reports", "analyst@nyp.example", "/reports", "Information reports", []string{"Vehicle seen at cuckooed flat", "Export these reports"}, false},
		{"report", "analyst@nyp.example", "/reports/" + rep.ID, "Vehicle seen at cuckooed flat", []string{"2B P", "OFFICIAL-SENSITIVE"}, false},
		{"submit information", "officer@nyc.example", "/reports/new", "Submit information", []string{"Source evaluation", "Handling code", "Need to know"}, false},
		{"account", "analyst@nyp.example", "/account", "Your account", []string{"This session", "Sign out everywhere", "API tokens"}, false},
		{"change password", "analyst@nyp.example", "/account/password", "Change your password", []string{"Current password"}, false},
		{"users", "admin@nyp.example", "/admin/users", "Users", []string{"Add a user", "dpo@nyp.example"}, false},
		{"add user", "admin@nyp.example", "/admin/users/new", "Add a user", []string{"Roles", "Kind of account"}, false},
		{"sign-in history", "admin@nyp.example", "/admin/sign-ins", "Sign-in history", []string{"signed in"}, false},
		{"about", "", "/about", "About Alliance", []string{"Open Government Licence"}, false},
		{"reference data", "admin@nyp.example", "/admin/reference-data", "Disruption reference data", []string{"cash_non_poca", "Add an item"}, false},
		{"activities", "analyst@nyp.example", "/activities", "Activities", []string{"Open an activity", "Operation"}, false},
		{"performance for the board", "board@nyc.example", "/performance?fy=2023%2F24", "Performance 2023/24", []string{"fewer than 5", "By area"}, false},
		{"import job", "analyst@nyp.example", "/jobs/" + job.ID, "No problems found", []string{"1 row checked, nothing stored (dry run)", "people.csv", "Finished"}, false},
		{"export job", "analyst@nyp.example", "/jobs/" + exp.ID, "Export ready", []string{"Download alliance-groups-OFFICIAL-SENSITIVE-", "deleted from Alliance on", "Finished"}, false},
		{"triage targets", "admin@nyp.example", "/admin/triage-targets", "Triage targets", []string{"Threat to life (hours)", "Save the targets"}, false},
		{"submissions", "officer@nyc.example", "/submissions", "Your submissions", []string{"Tell the intelligence unit"}, false},
		{"tell the intelligence unit", "officer@nyc.example", "/submissions/new", "Tell the intelligence unit", []string{"What you saw", "How urgent is it?"}, false},
		{"programmes", "officer@nyc.example", "/programmes", "Prevention programmes", []string{"Operation Choice", "Stepping Up", "Taking referrals"}, false},
		{"a programme", "officer@nyc.example", "/programmes/" + divan, "Operation Divan", []string{"under 18", "Where a referral goes", "youth_justice"}, false},
		{"add a programme", "admin@nyp.example", "/programmes/new", "Add a programme", []string{"Eligibility rules and routes (JSON)", "Youngest age"}, false},
		{"NRM referrals", "referrals@nycsp.example", "/nrm", "NRM referrals and Duty to Notify", []string{"Record an NRM referral", "The year's figures"}, false},
		{"an NRM referral", "referrals@nycsp.example", "/nrm/" + nrm, "", []string{"Reasonable grounds", "Record the decisions"}, false},
		{"record an NRM referral", "officer@nyc.example", "/nrm/new", "Record an NRM referral", []string{"Types of exploitation", "Competent authority"}, false},
		{"NRM figures", "referrals@nycsp.example", "/nrm/summary?fy=2023%2F24", "NRM referrals 2023/24", []string{"64% were for potential victims under 18", "By quarter"}, false},
		{"board pack", "board@nyp.example", "/performance/board-pack?fy=2023%2F24", "Board pack 2023/24", []string{"257", "Download as PDF", "OCG picture"}, false},
		{"not found", "analyst@nyp.example", "/areas/E05999999", "Page not found", []string{"Go to the home page"}, true},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			tb := h.tab(t)
			if p.as != "" {
				h.signIn(t, tb, p.as, demo.Password)
			}
			if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatalf("open %s: %v", p.path, err)
			}
			if got := tb.text(t, "h1"); p.wantH1 != "" && got != p.wantH1 {
				t.Errorf("h1: got %q, want %q", got, p.wantH1)
			}
			body := tb.text(t, "body")
			for _, s := range p.wantContains {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			h.checkPage(t, tb, p.name, p.path, p.status)
		})
	}
	// The user detail page, found through the list.
	t.Run("user", func(t *testing.T) {
		tb := h.tab(t)
		h.signIn(t, tb, "admin@nyp.example", demo.Password)
		if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("#users"))); err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, tb, `#users a[href^="/admin/users/"]`)
		if !strings.Contains(tb.text(t, "body"), "Sign-in history") {
			t.Error("user page: got no sign-in history section")
		}
		h.checkPage(t, tb, "user", "/admin/users/…", false)
	})
}

// TestWorksWithoutJavaScript signs in and follows the navigation with
// scripts disabled.
func TestWorksWithoutJavaScript(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	err := chromedp.Do(tb.ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { return emulationScriptsOff(ctx) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	h.signIn(t, tb, "analyst@nyp.example", demo.Password)
	err = chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS(`a.govuk-service-navigation__link[href="/areas"]`)),
		chromedp.WaitVisible(chromedp.CSS("table")),
	)
	if err != nil {
		t.Fatalf("navigate without JavaScript: %v", err)
	}
	if loc := tb.location(t); !strings.HasSuffix(loc, "/areas") {
		t.Errorf("got location %q, want /areas", loc)
	}
}

var errNoScriptsOff = errors.New("cannot disable scripts")
