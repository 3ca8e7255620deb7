package e2e

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"alliance/internal/demo"
)

// TestDisruptionJourney: a council officer records a disruption with
// outcomes and submits it; the disruption panel validates it from its
// queue; the dashboard's count goes up by one, its charts are drawn beside
// their tables, and its XLSX export, asked for through the disclosure form
// (purpose, recipients, agreement), opens with the excelize reader. Every
// page passes the checks every page gets.
func TestDisruptionJourney(t *testing.T) {
	h := setup(t)
	panel := h.tab(t)
	h.signIn(t, panel, "panel@nyp.example", demo.Password)
	cards := func() int {
		t.Helper()
		h.open(t, panel, "/performance")
		s := strings.ReplaceAll(panel.text(t, "#card-disruptions .app-figure__value"), ",", "")
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("disruptions card: %q", s)
		}
		return n
	}
	before := cards()
	// The charts: one canvas per charted table, once Chart.js has loaded.
	if err := chromedp.Do(panel.ctx, chromedp.WaitVisible(chromedp.CSS(`.app-chart canvas`))); err != nil {
		t.Fatalf("no chart drawn: %v", err)
	}
	n, err := chromedp.Run(panel.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.app-chart canvas').length`))
	if err != nil || n != 4 {
		t.Errorf("got %d charts (%v), want 4: 4P, impact, months and areas", n, err)
	}
	// Each chart is a figure headed by its table's caption, with titled
	// axes, and comes before its table (GOV.UK's guidance on charts).
	charts, err := chromedp.Run(panel.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('figure.app-chart')].map(f => {
		const c = Chart.getChart(f.querySelector('canvas')).options.scales
		const table = f.nextElementSibling
		return [f.querySelector('figcaption').textContent, c.x.title.text, c.y.title.text, table.tagName, table.querySelector('caption').className].join('|')
	})`))
	want := []string{"By 4P category|Category|Disruptions", "By impact (as validated)|Impact|Disruptions", "By month, against a year earlier|Month|Disruptions",
		"By area|Area|Disruptions"}
	if err != nil || len(charts) != len(want) {
		t.Fatalf("got charts %q (%v), want %d", charts, err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(charts[i], w+"|TABLE|") || !strings.Contains(charts[i], "govuk-visually-hidden") {
			t.Errorf("chart %d: got %q, want %q, then its table with the caption kept for screen readers", i+1, charts[i], w)
		}
	}
	h.checkPage(t, panel, "performance", "/performance", false)
	h.open(t, panel, "/performance?fy=2023%2F24")
	wantIn(t, "performance 2023/24", panel.body(t), []string{"257", "111", "136", "£68,765", "£118,741"}, nil)

	officer := h.tab(t)
	h.signIn(t, officer, "officer@nyc.example", demo.Password)
	h.open(t, officer, "/disruptions")
	h.checkPage(t, officer, "disruptions", "/disruptions", false)
	clickAndLoad(t, officer, `a[href="/disruptions/new"]`)
	h.checkPage(t, officer, "record a disruption", "/disruptions/new", false)
	clickAndLoad(t, officer, `button[value="submit"]`)
	wantIn(t, "empty disruption", officer.text(t, ".govuk-error-summary"), []string{"Explain why the disruption had the impact you chose", "Enter the date of the disruption",
		"Choose at least one threat the disruption was against"}, nil)
	h.checkPage(t, officer, "record a disruption with errors", "/disruptions", true)
	officer.forget()

	today := time.Now().Format("02/01/2006")
	fill(t, officer,
		[2]string{`input[name="subject"][value="theme"]`, "click"},
		[2]string{"#theme", "Cuckooed flats on Castle Road"},
		[2]string{`input[name="four_p"][value="protect"]`, "click"},
		[2]string{`input[name="impact"][value="moderate"]`, "click"},
		[2]string{"#rationale", "Three vulnerable adults safeguarded; the flats were closed to the line."},
		[2]string{"#disrupted_on", today},
		[2]string{`input[name="tactics"][value="closure_order"]`, "click"},
		[2]string{`input[name="threats"][value="county_lines"]`, "click"},
		[2]string{"#outcome-1-type", "adults_safeguarded"},
		[2]string{"#outcome-1-quantity", "3"},
	)
	// The form opens one outcome line; the second is added, with what was
	// typed kept.
	clickAndLoad(t, officer, "#add-outcome")
	fill(t, officer,
		[2]string{"#outcome-2-type", "seizure"},
		[2]string{"#outcome-2-seizure_type", "cash_pace"},
		[2]string{"#outcome-2-quantity", "1"},
		[2]string{"#outcome-2-value", "£2,450"},
	)
	if _, err := chromedp.Run(officer.ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('#unit'); s.value = [...s.options].find(o => o.textContent.includes('(ward)')).value;
	})()`)); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, officer, `button[value="submit"]`)
	wantIn(t, "recorded", officer.body(t), []string{"Submitted", "Cuckooed flats on Castle Road", "Closure order", "£2,450", "Other Seizures – Cash (PACE)"}, []string{"The panel’s decision"})
	disruption := strings.TrimPrefix(officer.location(t), h.base)
	h.checkPage(t, officer, "disruption", "/disruptions/{id}", false)

	// The panel's queue has it; validating keeps the category and impact.
	h.open(t, panel, "/disruptions")
	h.checkPage(t, panel, "panel queue", "/disruptions", false)
	clickAndLoad(t, panel, `#disruptions a[href="`+disruption+`"]`)
	h.checkPage(t, panel, "disruption for the panel", disruption, false)
	clickAndLoad(t, panel, `button[value="validated"]`)
	if got := cards(); got != before+1 {
		t.Errorf("after validation the dashboard shows %d, want %d", got, before+1)
	}

	// The panel reopens it to correct it: a reason is needed, and until
	// it is validated again it counts nowhere.
	h.open(t, panel, disruption)
	h.checkPage(t, panel, "validated disruption for the panel", disruption, false)
	clickAndLoad(t, panel, `#reopen ~ form button[type="submit"]`)
	wantIn(t, "reopen without a reason", panel.text(t, ".govuk-error-summary"), []string{"Give the reason for reopening the disruption"}, nil)
	h.checkPage(t, panel, "reopen without a reason", disruption+"/reopen", true)
	panel.forget()
	fill(t, panel, [2]string{"#reason", "The adults were safeguarded under another disruption"})
	clickAndLoad(t, panel, `#reopen ~ form button[type="submit"]`)
	wantIn(t, "reopened", panel.body(t), []string{"Reopened", "The adults were safeguarded under another disruption", "The panel’s decision"}, nil)
	if got := cards(); got != before {
		t.Errorf("after reopening the dashboard shows %d, want %d", got, before)
	}

	// The XLSX export: the dashboard's link leads to the disclosure form,
	// which refuses an export without a purpose, recipients and an
	// agreement, and then the browser posts it and reads the file.
	h.open(t, panel, "/performance?fy=2023%2F24")
	clickAndLoad(t, panel, "#export-xlsx")
	h.checkPage(t, panel, "performance export form", "/performance/export", false)
	clickAndLoad(t, panel, `form[action="/performance/export"] button[type="submit"]`)
	wantIn(t, "export without a disclosure", panel.text(t, ".govuk-error-summary"),
		[]string{"Say why you are exporting", "Say who will receive the export", "Choose the information sharing agreement"}, nil)
	h.checkPage(t, panel, "performance export form with errors", "/performance/export", true)
	panel.forget()
	fill(t, panel,
		[2]string{"#purpose", "SOC Board pack"},
		[2]string{"#recipients", "SOC Board members"},
		[2]string{`label[for="isa"]`, "click"}, // the first agreement
	)
	b64, err := chromedp.Run(panel.ctx, chromedp.Evaluate[string](`(() => {
		const f = document.querySelector('form[action="/performance/export"]');
		if (f.querySelector('input[name="format"]:checked').value !== 'xlsx' || f.querySelector('input[name="fy"]').value !== '2023/24') throw new Error('the form lost the format or the year');
		return fetch('/performance/export', {method: 'POST', body: new URLSearchParams(new FormData(f))}).then(r => r.arrayBuffer()).then(b => {
			let s = ''; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s);
		});
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("open the XLSX export: %v", err)
	}
	rows, err := x.GetRows("Performance")
	if err != nil || len(rows) < 10 {
		t.Fatalf("XLSX rows: %d, %v", len(rows), err)
	}
	found := false
	for _, r := range rows {
		if len(r) >= 2 && r[0] == "Disruptions" && r[1] == "257" {
			found = true
		}
	}
	if rows[0][0] != "OFFICIAL-SENSITIVE" || rows[len(rows)-1][0] != "OFFICIAL-SENSITIVE" || !found {
		t.Errorf("XLSX export: first %v, last %v, want the marking first and last and 257 disruptions", rows[0], rows[len(rows)-1])
	}
}
