package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestReferralInBrowser: a partner officer refers a young person to
// Operation Choice, is refused with the rule PWITS fails, then refers them
// for possession; the coordinator allocates the referral, records a session
// and completes it; an analyst's caseload shows nothing of it. axe-core on
// every page.
func TestReferralInBrowser(t *testing.T) {
	h := setup(t)
	var choice string
	if err := h.app.Store().Reader().QueryRow(`SELECT CAST(id AS text) FROM programme WHERE name = 'Operation Choice'`).Scan(&choice); err != nil {
		t.Fatal(err)
	}
	fill := func(tb *tab, offence string) {
		t.Helper()
		if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/referrals/new"), chromedp.WaitVisible(chromedp.CSS("#subject_name"))); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(tb.ctx,
			chromedp.Click(chromedp.CSS(`input[name="programme"][value="`+choice+`"]`)),
			chromedp.SendKeys(chromedp.CSS("#subject_name"), "Browser Test Youngperson"),
			chromedp.SendKeys(chromedp.CSS("#subject_dob"), "14/03/2011"),
			chromedp.Click(chromedp.CSS(`input[name="source"][value="police_officer"]`)),
			chromedp.SendKeys(chromedp.CSS("#incident_on"), "01/11/2026"),
			chromedp.SendKeys(chromedp.CSS("#referred_on"), "03/11/2026"),
			chromedp.Click(chromedp.CSS(`input[name="offences"][value="`+offence+`"]`)),
			chromedp.Click(chromedp.CSS(`input[name="in_custody"][value="no"]`)),
			chromedp.SendKeys(chromedp.CSS("#consent_parent_on"), "03/11/2026"),
		)
		if err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, tb, `form[action="/referrals"] button`)
	}
	refused := h.tab(t)
	h.signIn(t, refused, "officer@nyc.example", demo.Password)
	fill(refused, "pwits")
	if got := refused.text(t, ".govuk-error-summary"); !strings.Contains(got, "Not eligible for Operation Choice") || !strings.Contains(got, "possession of a drug controlled") {
		t.Errorf("the refusal: got %q, want the rule that failed", got)
	}
	h.checkPage(t, refused, "referral refused", "/referrals", true)

	off := h.tab(t)
	h.signIn(t, off, "officer@nyc.example", demo.Password)
	if err := chromedp.Do(off.ctx, chromedp.Navigate(h.base+"/referrals/new"), chromedp.WaitVisible(chromedp.CSS("#subject_name"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, off, "refer a young person", "/referrals/new", false)
	fill(off, "possession")
	if got := off.text(t, "#status"); got != "Received" {
		t.Fatalf("after referring: got status %q, want Received", got)
	}
	id := off.location(t)
	id = id[strings.LastIndexByte(id, '/')+1:]
	h.checkPage(t, off, "referral", "/referrals/{id}", false)

	co := h.tab(t)
	h.signIn(t, co, "referrals@nycsp.example", demo.Password)
	if err := chromedp.Do(co.ctx, chromedp.Navigate(h.base+"/referrals"), chromedp.WaitVisible(chromedp.CSS("#referrals"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, co, "caseload", "/referrals", false)
	if err := chromedp.Do(co.ctx, chromedp.Navigate(h.base+"/referrals/"+id), chromedp.WaitVisible(chromedp.CSS("#status-form")),
		chromedp.Click(chromedp.CSS(`#status-form input[name="status"][value="allocated"]`)),
		chromedp.SendKeys(chromedp.CSS("#worker"), "referrals@nycsp.example")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, co, "#status-form button")
	if err := chromedp.Do(co.ctx, chromedp.SendKeys(chromedp.CSS("#held_on"), "10/11/2026"),
		chromedp.Click(chromedp.CSS(`input[name="attended"][value="yes"]`))); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, co, "#session-form button")
	if got := co.text(t, "#status"); got != "Engaged" {
		t.Errorf("after an attended session: got %q, want Engaged", got)
	}
	if err := chromedp.Do(co.ctx, chromedp.Click(chromedp.CSS(`#status-form input[name="status"][value="completed"]`)),
		chromedp.Click(chromedp.CSS(`#status-form input[name="outcome"][value="completed"]`))); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, co, "#status-form button")
	if got := co.text(t, "#status"); got != "Completed" {
		t.Errorf("after completing: got %q, want Completed", got)
	}
	h.checkPage(t, co, "completed referral", "/referrals/{id}", false)

	an := h.tab(t)
	h.signIn(t, an, "analyst@nyp.example", demo.Password)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/referrals"), chromedp.WaitVisible(chromedp.CSS("#referral-count"))); err != nil {
		t.Fatal(err)
	}
	if got := an.text(t, "main"); strings.Contains(got, "Youngperson") || !strings.Contains(got, "0 referrals") {
		t.Errorf("the analyst's caseload: got %q, want none of the referral", got)
	}
	h.checkPage(t, an, "analyst's caseload", "/referrals", false)
}
