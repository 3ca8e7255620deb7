package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestLongReasonWraps: a panel member returns a submitted disruption with
// the longest reason allowed, typed without a space. The reason shows in
// the disruption's history, wrapped inside its column: the page is no
// wider than the window (a 20,000-character reason made it 190,000 pixels
// wide, and the table's other columns unreadable).
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
	widths, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if widths[0] > widths[1] {
		t.Errorf("page width: got %d pixels scrolled in a %d-pixel window, want no sideways scrolling", widths[0], widths[1])
	}
	h.checkPage(t, tb, "disruption with a long reason", "/disruptions/…", false)
}
