package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestNRMInBrowser: a council officer records an NRM referral for a
// child, then the reasonable grounds and conclusive grounds decisions,
// the second refused first for a date before the first; an analyst cannot
// open it. axe-core on each page.
func TestNRMInBrowser(t *testing.T) {
	h := setup(t)
	off := h.tab(t)
	h.signIn(t, off, "officer@york.example", demo.Password)
	if err := chromedp.Do(off.ctx, chromedp.Navigate(h.base+"/nrm/new"), chromedp.WaitVisible(chromedp.CSS("#referred_on")),
		chromedp.SendKeys(chromedp.CSS("#subject_name"), "Browser Nrmtest"),
		chromedp.Click(chromedp.CSS(`input[name="age_at_exploitation"][value="child"]`)),
		chromedp.Click(chromedp.CSS(`input[name="types"][value="criminal"]`)),
		chromedp.Click(chromedp.CSS(`input[name="county_lines"][value="yes"]`)),
		chromedp.SendKeys(chromedp.CSS("#referred_on"), "01/12/2026")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, off, `form[action="/nrm"] button`)
	id := off.location(t)
	id = id[strings.LastIndexByte(id, '/')+1:]
	h.checkPage(t, off, "NRM referral", "/nrm/{id}", false)
	decide := func(tb *tab, cgOn string) {
		t.Helper()
		err := chromedp.Do(tb.ctx,
			chromedp.Click(chromedp.CSS(`input[name="rg"][value="positive"]`)),
			chromedp.SetValue(chromedp.CSS("#rg_on"), "03/12/2026"),
			chromedp.Click(chromedp.CSS(`input[name="cg"][value="positive"]`)),
			chromedp.SetValue(chromedp.CSS("#cg_on"), cgOn))
		if err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, tb, "#decision-form button")
	}
	decide(off, "02/12/2026")
	if got := off.text(t, ".govuk-error-summary"); !strings.Contains(got, "cannot be before the reasonable grounds decision") {
		t.Errorf("a CG date before the RG date: got %q", got)
	}
	// The refusal's 422 is in that tab's console: the rest in a tab of its own.
	ok := h.tab(t)
	h.signIn(t, ok, "officer@york.example", demo.Password)
	if err := chromedp.Do(ok.ctx, chromedp.Navigate(h.base+"/nrm/"+id), chromedp.WaitVisible(chromedp.CSS("#decision-form"))); err != nil {
		t.Fatal(err)
	}
	decide(ok, "05/12/2026")
	if got := ok.text(t, "#cg"); !strings.Contains(got, "positive on 5 December 2026") {
		t.Errorf("after the decisions: CG %q, want positive on 5 December 2026", got)
	}
	h.checkPage(t, ok, "NRM decided", "/nrm/{id}", false)

	an := h.tab(t)
	h.signIn(t, an, "analyst@nyp.example", demo.Password)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/nrm/"+id), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := an.text(t, "h1"); got != "Page not found" {
		t.Errorf("the analyst opens the NRM referral: got %q, want Page not found", got)
	}
}
