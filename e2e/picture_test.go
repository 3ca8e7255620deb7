package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestOCGPicture: an analyst opens the OCG picture from the navigation,
// chooses 2023/24 with the form (a GET, no script needed) and sees the
// seed's figures; a badly typed year in the address is an error summary
// that links to the selector; every page passes the checks every page gets.
func TestOCGPicture(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	h.signIn(t, tb, "analyst@nyp.example", demo.Password)
	clickAndLoad(t, tb, `a[href="/ocg-picture"]`)
	if got := tb.text(t, "h1"); got != "The OCG picture" {
		t.Fatalf("picture: got h1 %q", got)
	}
	h.checkPage(t, tb, "ocg picture", "/ocg-picture", false)

	fill(t, tb, [2]string{"#fy", "2023-24"})
	clickAndLoad(t, tb, `form[action="/ocg-picture"] button[type="submit"]`)
	if loc := tb.location(t); !strings.HasSuffix(loc, "/ocg-picture?fy=2023-24") {
		t.Errorf("after choosing 2023/24: got %s, want /ocg-picture?fy=2023-24", loc)
	}
	wantIn(t, "picture 2023/24", tb.body(t), []string{
		"organised crime groups scored and mapped at 31 March 2024: 24 drugs or county lines, 2 modern slavery and human trafficking, 1 burglary, 1 fraud",
		"dismantled in 2023/24: 9 county lines, 7 illegal drugs, 1 burglary, 1 fraud, 1 money laundering",
		"Needs attention", "Groups ranked by score"}, nil)
	if m, d := tb.text(t, "#mapped .app-figure__value"), tb.text(t, "#dismantled .app-figure__value"); m != "28" || d != "19" {
		t.Errorf("headline figures: got %s and %s, want 28 and 19", m, d)
	}
	h.checkPage(t, tb, "ocg picture 2023-24", "/ocg-picture?fy=2023-24", false)

	tb.forget()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/ocg-picture?fy=2023-25"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "picture, bad year", tb.body(t), []string{"There is a problem", "is not a financial year: a financial year runs from April one year to March the next, like 2023/24"}, []string{"fy must be"})
	h.checkPage(t, tb, "ocg picture, bad year", "/ocg-picture?fy=2023-25", true)
}
