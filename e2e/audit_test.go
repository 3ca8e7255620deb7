package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
	"alliance/internal/service"
)

// reportByTitle finds a demo report's id through the analyst who can see it.
func (h *harness) reportByTitle(t *testing.T, email, title string) string {
	t.Helper()
	ctx := context.Background()
	res, err := h.app.Identity().SignIn(ctx, email, demo.Password, service.Client{Addr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.app.Identity().Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	page, err := h.app.Reports().List(ctx, s.Actor, title, 1, 5)
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("find %q: %v", title, err)
	}
	return page.Items[0].ID
}

// TestReasonPromptAndWhoHasSeen: an analyst opening a colleague's report
// is asked why, once; the data protection officer
// then sees that access, with the reason, on the record's "who has seen
// it" page. (A council officer never sees a police original: see
// TestPoliceOriginalsNeverReachPartners.)
func TestReasonPromptAndWhoHasSeen(t *testing.T) {
	h := setup(t)
	id := h.reportByTitle(t, "analyst@nyp.example", "Cuckooed flat used for supply")
	tb := h.tab(t)
	h.signIn(t, tb, "analyst2@nyp.example", demo.Password)
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/reports/"+id), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := tb.text(t, "h1"); got != "Why are you opening this record?" {
		t.Fatalf("got %q, want the reason prompt", got)
	}
	h.checkPage(t, tb, "reason prompt", "/reports/{id}", false)
	// Submitting without a reason shows the error summary.
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS("form[action$='/purpose'] button")), chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary"))); err != nil {
		t.Fatalf("empty reason: %v", err)
	}
	err := chromedp.Do(tb.ctx,
		chromedp.Click(chromedp.CSS(`input[name="purpose"][value="safeguarding"]`)),
		chromedp.SendKeys(chromedp.CSS("#detail"), "Strategy meeting for the tenant"),
		chromedp.Click(chromedp.CSS("form[action$='/purpose'] button")),
		chromedp.WaitNotPresent(chromedp.CSS("#detail")),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	if err != nil {
		t.Fatalf("give reason: %v", err)
	}
	if got := tb.text(t, "h1"); !strings.HasPrefix(got, "Cuckooed flat") {
		t.Fatalf("after the reason: got %q, want the report", got)
	}
	// Not asked again in the same session.
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/reports/"+id), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := tb.text(t, "h1"); !strings.HasPrefix(got, "Cuckooed flat") {
		t.Errorf("second visit: got %q, want the report without a prompt", got)
	}

	dpo := h.tab(t)
	h.signIn(t, dpo, "dpo@nyp.example", demo.Password)
	if err := chromedp.Do(dpo.ctx, chromedp.Navigate(h.base+"/audit/records/"+id), chromedp.WaitVisible(chromedp.CSS("#audit-entries"))); err != nil {
		t.Fatal(err)
	}
	table := dpo.text(t, "#audit-entries")
	for _, want := range []string{"Safeguarding a person: Strategy meeting for the tenant", "North Yorkshire Police", "collection", "disclosure"} {
		if !strings.Contains(table, want) {
			t.Errorf("who has seen it: table lacks %q", want)
		}
	}
	h.checkPage(t, dpo, "who has seen it", "/audit/records/{id}", false)
	if err := chromedp.Do(dpo.ctx, chromedp.Navigate(h.base+"/sharing"), chromedp.WaitVisible(chromedp.CSS("#isas"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, dpo, "sharing agreements", "/sharing", false)
	if err := chromedp.Do(dpo.ctx, chromedp.Navigate(h.base+"/audit"), chromedp.WaitVisible(chromedp.CSS("#audit-entries"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, dpo, "audit log", "/audit", false)
}

// TestLapsedAgreementBlocksExport: an administrator suspends the
// agreement an analyst exports under; the next export is refused, naming
// the agreement.
func TestLapsedAgreementBlocksExport(t *testing.T) {
	h := setup(t)
	admin := h.tab(t)
	h.signIn(t, admin, "admin@nyc.example", demo.Password)
	if err := chromedp.Do(admin.ctx, chromedp.Navigate(h.base+"/sharing/new"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, admin, "add agreement", "/sharing/new", false)

	an := h.tab(t)
	h.signIn(t, an, "analyst@rocu.example", demo.Password)
	err := chromedp.Do(an.ctx,
		chromedp.Navigate(h.base+"/reports/export"),
		chromedp.WaitVisible(chromedp.CSS("#purpose")),
		chromedp.SendKeys(chromedp.CSS("#purpose"), "Regional tasking"),
		chromedp.SendKeys(chromedp.CSS("#recipients"), "ROCU intelligence desk"),
		chromedp.Click(chromedp.CSS(`label[for^="isa"]`)), // the first option: PA-ISA-001
	)
	if err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, an, "export form", "/reports/export", false)

	// The administrator suspends PA-ISA-001 (the first agreement listed).
	if err := chromedp.Do(admin.ctx, chromedp.Navigate(h.base+"/sharing"), chromedp.WaitVisible(chromedp.CSS("#isas"))); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, admin, `#isas tbody tr:first-child form button`)
	if row := admin.text(t, "#isas tbody tr:first-child"); !strings.Contains(row, "PA-ISA-001") || !strings.Contains(row, "suspended") {
		t.Fatalf("after suspending: got %q", row)
	}
	// The analyst's form, filled before the suspension, is now refused.
	if err := chromedp.Do(an.ctx, chromedp.Click(chromedp.CSS(`form[action="/reports/export"] button`)), chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary"))); err != nil {
		t.Fatal(err)
	}
	if s := an.text(t, ".govuk-error-summary"); !strings.Contains(s, "PA-ISA-001") || !strings.Contains(s, "suspended") {
		t.Errorf("export under a suspended agreement: got %q, want it refused naming PA-ISA-001", s)
	}
	// Make it active again, then let it expire: its end date passes.
	clickAndLoad(t, admin, `#isas tbody tr:first-child form button`)
	ctx := context.Background()
	st := h.app.Store()
	ps, _ := st.Partnerships(ctx)
	isas, _ := st.ISAs(ctx, ps[0].ID)
	yesterday := time.Now().UTC().AddDate(0, 0, -2).Truncate(24 * time.Hour)
	if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return st.SetISAEnd(ctx, tx, ps[0].ID, isas[0].ID, yesterday)
	}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return st.SetISAEnd(ctx, tx, ps[0].ID, isas[0].ID, time.Time{})
		})
	}()
	if err := chromedp.Do(admin.ctx, chromedp.Navigate(h.base+"/sharing"), chromedp.WaitVisible(chromedp.CSS("#isas"))); err != nil {
		t.Fatal(err)
	}
	if row := admin.text(t, "#isas tbody tr:first-child"); !strings.Contains(row, "expired") {
		t.Errorf("after its end date: got %q, want it shown as expired", row)
	}
	err = chromedp.Do(an.ctx,
		chromedp.Navigate(h.base+"/reports/export"),
		chromedp.WaitVisible(chromedp.CSS("#purpose")),
		chromedp.SendKeys(chromedp.CSS("#purpose"), "Regional tasking"),
		chromedp.SendKeys(chromedp.CSS("#recipients"), "ROCU intelligence desk"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The expired agreement is no longer offered; only an ad hoc disclosure is.
	if form := an.text(t, `form[action="/reports/export"]`); strings.Contains(form, "PA-ISA-001") {
		t.Errorf("export form after expiry: got %q, want PA-ISA-001 no longer offered", form)
	}
}

// clickAndLoad clicks a submit button and waits until the page it leads to
// has loaded: the old document is marked, and the mark must be gone.
func clickAndLoad(t *testing.T, tb *tab, sel string) {
	t.Helper()
	err := chromedp.Do(tb.ctx,
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitNotPresent(chromedp.CSS("body[data-stale]")),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}
