package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestLongReasonWraps: a panel member returns a submitted disruption with
// the longest reason allowed, typed without a space, and an analyst opens
// a group giving the longest purpose allowed, also without a space. The
// reason shows in the disruption's history and the purpose in the audit
// log, each wrapped inside its column: neither page is wider than the
// window (a 20,000-character reason made them 190,000 pixels wide, and the
// tables' other columns unreadable).
func TestLongReasonWraps(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	h.signIn(t, tb, "panel@nyp.example", demo.Password)
	h.open(t, tb, "/disruptions?status=submitted")
	clickAndLoad(t, tb, `table a[href^="/disruptions/"]`)
	page := strings.TrimPrefix(tb.location(t), h.base)
	reason := strings.Repeat("x", 2000)
	fill(t, tb, [2]string{"#reason", reason})
	clickAndLoad(t, tb, `button[name="to"][value="returned"]`)
	h.open(t, tb, page)
	if got := tb.text(t, "#status"); got != "Returned" {
		t.Fatalf("after returning: got status %q, want Returned", got)
	}
	if body := tb.body(t); !strings.Contains(body, reason) {
		t.Error("history: lacks the reason")
	}
	noSidewaysScroll(t, tb, "disruption")
	h.checkPage(t, tb, "disruption with a long reason", "/disruptions/…", false)

	purpose := strings.Repeat("p", 500)
	analyst := h.tab(t)
	h.signIn(t, analyst, "analyst@nyp.example", demo.Password)
	h.open(t, analyst, "/ocgs")
	clickAndLoad(t, analyst, `table a[href^="/ocgs/"]`)
	fill(t, analyst, [2]string{`input[name="purpose"][value="other"]`, "click"}, [2]string{"#detail", purpose})
	clickAndLoad(t, analyst, `form[action$="/purpose"] button`)
	dpo := h.tab(t)
	h.signIn(t, dpo, "dpo@nyp.example", demo.Password)
	h.open(t, dpo, "/audit")
	if body := dpo.body(t); !strings.Contains(body, purpose) {
		t.Error("audit log: lacks the purpose")
	}
	noSidewaysScroll(t, dpo, "audit log")
}

// noSidewaysScroll fails t when tb's page is wider than its window.
func noSidewaysScroll(t *testing.T, tb *tab, page string) {
	t.Helper()
	widths, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if widths[0] > widths[1] {
		t.Errorf("%s width: got %d pixels scrolled in a %d-pixel window, want no sideways scrolling", page, widths[0], widths[1])
	}
}
