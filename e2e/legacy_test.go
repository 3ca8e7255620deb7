package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
)

// TestLegacyImportInBrowser: an analyst imports a file of historic 5x5x5
// reports through the page, is told how many were stored, finds them by
// searching for "5x5x5", and opens one: its grading as recorded and the
// advisory 3x5x2 reading, with axe-core on each page. A file with a bad
// row is refused, naming the row, with nothing stored.
func TestLegacyImportInBrowser(t *testing.T) {
	h := setup(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "historic.csv")
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(good, []byte("reference,recorded_on,title,text,grading,classification\n"+
		"NIM/2010/000123,03/05/2010,Browser test: historic supply report,Cannabis supply from a Selby address,B23,OFFICIAL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("reference,recorded_on,title,text,grading,classification\n"+
		"NIM/2010/000124,03/05/2010,Bad,Bad,1B,OFFICIAL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	upload := func(an *tab, path string) {
		t.Helper()
		if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/reports/import"), chromedp.WaitVisible(chromedp.CSS("#file")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, an, `form[action="/reports/import"] button`)
	}
	// The refused file in a tab of its own: its 422 is the console error
	// a status page expects.
	refused := h.tab(t)
	h.signIn(t, refused, "analyst@nyp.example", demo.Password)
	upload(refused, bad)
	if got := refused.text(t, "#problems"); !strings.Contains(got, "row 2, column grading") {
		t.Errorf("a bad file: got %q, want the problem at row 2, column grading", got)
	}
	h.checkPage(t, refused, "historic import problems", "/reports/import", true)

	an := h.tab(t)
	h.signIn(t, an, "analyst@nyp.example", demo.Password)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/reports/import"), chromedp.WaitVisible(chromedp.CSS("#file"))); err != nil {
		t.Fatal(err)
	}
	h.checkPage(t, an, "historic import", "/reports/import", false)
	upload(an, good)
	if got := an.text(t, "#imported"); !strings.Contains(got, "1 report stored") {
		t.Fatalf("the good file: got %q, want 1 report stored", got)
	}
	h.checkPage(t, an, "historic import done", "/reports/import", false)
	if err := chromedp.Do(an.ctx, chromedp.Navigate(h.base+"/reports?q=5x5x5+selby"), chromedp.WaitVisible(chromedp.CSS("#reports"))); err != nil {
		t.Fatal(err)
	}
	if got := an.text(t, "#reports"); !strings.Contains(got, "B23 (5x5x5)") || strings.Contains(got, "Bad") {
		t.Errorf("the search for 5x5x5: got %q, want the imported report graded B23 (5x5x5) and not the refused one", got)
	}
	clickAndLoad(t, an, "#reports a.govuk-link")
	page := an.text(t, "main")
	if !strings.Contains(page, "Historic 5x5x5 grading B23, kept as recorded") || !strings.Contains(page, "Advisory 3x5x2 reading, not recorded") {
		t.Errorf("the historic report's page: got %q, want its grading as recorded and the advisory reading", page)
	}
	h.checkPage(t, an, "historic report", "/reports/{id}", false)
}
