package app_test

import (
	"bytes"
	"html"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"

	"rsc.io/pdf"

	"alliance/internal/store/storetest"
)

// pdfRun is one piece of text drawn on a PDF page (one cell of the
// report). rsc.io/pdf gives each character at the point its string starts,
// without the spaces, so a run is the characters drawn from one point, and
// texts are compared with their spaces taken out (squash).
type pdfRun struct {
	X, Y float64
	S    string
}

func squash(s string) string { return strings.ReplaceAll(s, " ", "") }

// pdfPages reads a PDF's text back, page by page, as runs.
func pdfPages(t *testing.T, b []byte) [][]pdfRun {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read the PDF: %v", err)
	}
	var pages [][]pdfRun
	for i := 1; i <= r.NumPage(); i++ {
		var runs []pdfRun
		for _, c := range r.Page(i).Content().Text {
			if n := len(runs); n > 0 && runs[n-1].X == c.X && runs[n-1].Y == c.Y {
				runs[n-1].S += c.S
			} else {
				runs = append(runs, pdfRun{X: c.X, Y: c.Y, S: c.S})
			}
		}
		pages = append(pages, runs)
	}
	return pages
}

// TestBoardPack: the board pack for the demo's 2023/24, as a page and as a
// PDF, holds the dashboard's own figures for the same viewer (257
// disruptions and the rest, each value printed above its label), the 4P
// table's rows, and the OCG picture's counts; every PDF page carries the
// marking at its top and its bottom. A badly written year is an error on
// the page, not a PDF; a role that may not see the dashboard may not have
// the pack either.
func TestBoardPack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			board := signIn(t, a, "board@nyp.example")
			dash := scenario{name: "dashboard", path: "/performance?fy=2023%2F24", cookie: board, wantStatus: 200}.run(t, h).Body.String()
			type card struct{ id, value, label string }
			var cards []card
			for _, m := range regexp.MustCompile(`id="card-([a-z-]+)"><span class="app-figure__value">([^<]+)</span><span class="app-figure__label">([^<]+)<`).FindAllStringSubmatch(dash, -1) {
				cards = append(cards, card{m[1], html.UnescapeString(m[2]), html.UnescapeString(m[3])})
			}
			if len(cards) != 7 || cards[0].value != "257" {
				t.Fatalf("got dashboard cards %v, want seven with 257 disruptions first", cards)
			}
			fourP := regexp.MustCompile(`<th scope="row" class="govuk-table__header">([^<]+)</th><td class="govuk-table__cell govuk-table__cell--numeric"[^>]*>([^<]+)<`).
				FindAllStringSubmatch(dash[strings.Index(dash, `id="by-4p"`):strings.Index(dash, `id="by-impact"`)], -1)
			if len(fourP) != 4 {
				t.Fatalf("got 4P rows %v", fourP)
			}
			pic := scenario{name: "picture", path: "/ocg-picture?fy=2023%2F24", cookie: board, wantStatus: 200}.run(t, h).Body.String()
			mapped := regexp.MustCompile(`id="mapped">\s*<span class="app-figure__value">([0-9,]+)<`).FindStringSubmatch(pic)

			page := scenario{name: "pack page", path: "/performance/board-pack?fy=2023%2F24", cookie: board, wantStatus: 200,
				wantContains: []string{"Board pack 2023/24", `href="/performance/board-pack.pdf?fy=2023%2F24"`, "OCG picture", "Over the years"}}.run(t, h).Body.String()
			for _, c := range cards {
				if !strings.Contains(page, `id="pack-`+c.id+`"><span class="app-figure__value">`+html.EscapeString(c.value)+`<`) {
					t.Errorf("the pack page's %s is not the dashboard's %q", c.id, c.value)
				}
			}

			res := scenario{name: "pack PDF", path: "/performance/board-pack.pdf?fy=2023%2F24", cookie: board, wantStatus: 200, wantType: "application/pdf"}.run(t, h)
			if got := res.Header().Get("Content-Disposition"); !strings.Contains(got, "alliance-board-pack-2023-24-OFFICIAL-SENSITIVE.pdf") {
				t.Errorf("got Content-Disposition %q", got)
			}
			if got := res.Header().Get("X-Protective-Marking"); got != "OFFICIAL-SENSITIVE" {
				t.Errorf("got X-Protective-Marking %q", got)
			}
			pages := pdfPages(t, res.Body.Bytes())
			if len(pages) < 3 {
				t.Fatalf("got %d pages, want at least 3 (disruptions, where and what, the OCG picture)", len(pages))
			}
			var all []pdfRun
			for i, runs := range pages {
				var marks []float64
				for _, r := range runs {
					if r.S == "OFFICIAL-SENSITIVE" {
						marks = append(marks, r.Y)
					}
				}
				sort.Float64s(marks)
				// The page is 595 points tall: one marking near the bottom,
				// one near the top.
				if len(marks) != 2 || marks[0] > 60 || marks[1] < 535 {
					t.Errorf("page %d: got the marking at heights %v, want one at the top and one at the bottom", i+1, marks)
				}
				all = append(all, runs...)
			}
			has := func(s string) bool {
				for _, r := range all {
					if r.S == squash(s) {
						return true
					}
				}
				return false
			}
			// Each headline figure is printed with its label under it, in
			// the same box.
			for _, c := range cards {
				found := false
				for _, v := range pages[0] {
					if v.S != squash(c.value) {
						continue
					}
					for _, l := range pages[0] {
						found = found || (l.S == squash(c.label) && math.Abs(l.X-v.X) < 1 && l.Y < v.Y && v.Y-l.Y < 40)
					}
				}
				if !found {
					t.Errorf("the PDF's first page has no figure %q labelled %q", c.value, c.label)
				}
			}
			for _, row := range fourP {
				label, value := html.UnescapeString(row[1]), html.UnescapeString(row[2])
				if !has(label) || !has(value) {
					t.Errorf("the PDF lacks the 4P row %q: %q", label, value)
				}
			}
			if mapped == nil || !has(mapped[1]) || !has("North Yorkshire: Project Alliance board pack 2023/24") {
				t.Errorf("the PDF lacks the title or the picture's mapped figure %v", mapped)
			}
			for _, must := range []string{"OCG picture", "By 4P category", "By threat", "Over the years"} {
				if !has(must) {
					t.Errorf("the PDF lacks %q", must)
				}
			}

			scenario{name: "a badly written year", path: "/performance/board-pack.pdf?fy=garbage", cookie: board, wantStatus: 400, wantType: "text/html",
				wantContains: []string{"There is a problem", `href="#fy"`}}.run(t, h)
			scenario{name: "signed out", path: "/performance/board-pack.pdf?fy=2023%2F24", wantStatus: 303}.run(t, h)
			// A referral coordinator has no dashboard, so no pack.
			ref := signIn(t, a, "referrals@saferyork.example")
			for _, path := range []string{"/performance", "/performance/board-pack?fy=2023%2F24", "/performance/board-pack.pdf?fy=2023%2F24"} {
				scenario{name: "referrals", path: path, cookie: ref, wantStatus: 404, wantNotContains: []string{"%PDF", "257"}}.run(t, h)
			}
		})
	}
}
