package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestSanitiseAndDisseminateInBrowser: an analyst links a police report to
// a group, writes a sanitised version and disseminates it to councils; a
// council officer then reads the version, never the original. Each page
// passes axe-core.
func TestSanitiseAndDisseminateInBrowser(t *testing.T) {
	h := setup(t)
	id := h.reportByTitle(t, "analyst@nyp.example", "Cuckooed flat used for supply")
	var ref string
	if err := h.app.Store().Reader().QueryRow(`SELECT reference FROM ocg WHERE name = 'Malton cocaine supply network'`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	an := h.tab(t)
	h.signIn(t, an, "analyst@nyp.example", demo.Password)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/reports/"+id), chromedp.WaitVisible(chromedp.CSS("#sanitise"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, an, "police report", "/reports/{id}", false)
	err := chromedp.Do(an.ctx, chromedp.SendKeys(chromedp.CSS("#link"), ref))
	if err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, an, "#link-form button")
	if !strings.Contains(an.text(t, "#linked"), "Malton cocaine supply network") {
		t.Errorf("the report does not name the group it was linked to")
	}
	err = chromedp.Do(an.ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Browser test: premises of concern"),
		chromedp.SendKeys(chromedp.CSS("#body"), "A flat in the town centre may be used to supply drugs."),
	)
	if err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, an, "#sanitise button")
	version := an.location(t)
	if !strings.Contains(an.text(t, "main"), "A sanitised version of police intelligence") {
		t.Fatalf("after sanitising: not on the version's page (%s)", version)
	}
	h.checkPage(t, an, "sanitised version", "/reports/{version}", false)
	if _, err := chromedp.Run(an.ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		document.querySelector('input[name="types"][value="local_authority"]').checked = true;
		const s = document.querySelector('#isa'); s.value = s.options[1].value;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(an.ctx, chromedp.SendKeys(chromedp.CSS("#purpose"), "Tenancy enforcement")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, an, "#disseminate button")
	if !strings.Contains(an.text(t, "#disseminations"), "Tenancy enforcement") {
		t.Errorf("the version's page does not say where it went")
	}

	council := h.tab(t)
	h.signIn(t, council, "officer@nyc.example", demo.Password)
	if err := chromedp.Do(council.ctx, chromedp.Navigate(version), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := council.text(t, "h1"); got != "Why are you opening this record?" {
		t.Fatalf("the council officer: got %q, want the reason prompt", got)
	}
	err = chromedp.Do(council.ctx, chromedp.Click(chromedp.CSS(`input[name="purpose"][value="safeguarding"]`)), chromedp.SendKeys(chromedp.CSS("#detail"), "Tenancy visit"))
	if err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, council, "form[action$='/purpose'] button")
	if body := council.text(t, "main"); !strings.Contains(body, "A flat in the town centre") || strings.Contains(body, "Two visitors a day") {
		t.Errorf("the council officer's view of the version: got %q", body)
	}
	h.checkPage(t, council, "sanitised version (council)", "/reports/{version}", false)
	if err := chromedp.Do(council.ctx, chromedp.Navigate(h.base+"/reports/"+id), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := council.text(t, "h1"); got != "Page not found" {
		t.Errorf("the council officer opening the original: got %q, want Page not found", got)
	}
}
