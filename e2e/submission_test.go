package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestPublicReportInBrowser sends a public report from a 375-pixel window
// with JavaScript off and no account, then finds it in the analyst's
// triage queue and opens it; each page passes axe-core, is marked, and is
// no wider than the window.
func TestPublicReportInBrowser(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	err := chromedp.Do(tb.ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulateWidth(ctx, 375) }),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return emulationScriptsOff(ctx) }),
		chromedp.Navigate(h.base+"/report-crime"),
		chromedp.WaitVisible(chromedp.CSS("#what")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if body := tb.text(t, "main"); !strings.Contains(body, "call 999") {
		t.Errorf("the public page does not tell the reporter to call 999")
	}
	checkNarrow := func(where string) {
		t.Helper()
		over, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.app-honeypot')).slice(0, 3).map(e => e.tagName + '.' + e.className)`))
		if err != nil || len(over) > 0 {
			t.Errorf("%s at 375 pixels, wider than the window: %v, %v", where, over, err)
		}
	}
	checkNarrow("the form")
	const what = "Lads on bikes waiting outside the flat above the bakery every night (browser test)"
	err = chromedp.Do(tb.ctx,
		chromedp.SendKeys(chromedp.CSS("#what"), what),
		chromedp.Click(chromedp.CSS(`form[action="/report-crime"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#reference")),
	)
	if err != nil {
		t.Fatalf("send the report: %v", err)
	}
	ref := tb.text(t, "#reference")
	if !strings.HasPrefix(ref, "SUB-") {
		t.Fatalf("got reference %q", ref)
	}
	checkNarrow("the answer")
	cookies, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.cookie`))
	if err == nil && cookies != "" {
		t.Errorf("the public page left cookies %q", cookies)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	tb.checkAccessible(t, "/report-crime (sent)")

	an := h.tab(t)
	h.signIn(t, an, "analyst@nyp.example", demo.Password)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/triage"), chromedp.WaitVisible(chromedp.CSS("#triage"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, an, "triage", "/triage", false)
	href, err := chromedp.Run(an.ctx, chromedp.Evaluate[string](`([...document.querySelectorAll('#triage a')].find(a => a.textContent.trim() === '`+ref+`') || {}).getAttribute?.('href') || ''`))
	if err != nil || href == "" {
		t.Fatalf("the report %s is not in triage: %v", ref, err)
	}
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+href), chromedp.WaitVisible(chromedp.CSS("#what"))); err != nil {
		t.Fatal(err)
	}
	if body := an.text(t, "main"); !strings.Contains(body, what) || !strings.Contains(body, "A member of the public") {
		t.Errorf("the analyst's page for %s lacks the report", ref)
	}
	h.checkPage(t, an, "submission", "/submissions/…", false)
}
