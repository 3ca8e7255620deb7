package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alliance/internal/demo"
	"alliance/internal/domain"
)

// open loads path in tb and waits for its heading.
func (h *harness) open(t *testing.T, tb *tab, path string) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+path), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
}

// fill sets form fields by CSS selector: text inputs, textareas and
// selects take the value; radios and checkboxes are clicked when the
// value is "click".
func fill(t *testing.T, tb *tab, fields ...[2]string) {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		if f[1] == "click" {
			steps = append(steps, chromedp.Click(chromedp.CSS(f[0])))
		} else {
			steps = append(steps, chromedp.SetValue(chromedp.CSS(f[0]), f[1]))
		}
	}
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatalf("fill %v: %v", fields, err)
	}
}

// forget drops the console messages so far: after a page that is meant
// to answer 422 or 404, whose failed load the browser logs as an error.
func (tb *tab) forget() {
	tb.mu.Lock()
	tb.msgs = nil
	tb.mu.Unlock()
}

func (tb *tab) body(t *testing.T) string { t.Helper(); return tb.text(t, "main") }

func wantIn(t *testing.T, where, body string, want []string, notWant []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q", where, s)
		}
	}
	for _, s := range notWant {
		if strings.Contains(body, s) {
			t.Errorf("%s: page shows %q, which must not appear", where, s)
		}
	}
}

// TestRegisterJourney: an analyst proposes a group, scores it, maps and
// adopts it with an LRO of the city council and an SRO, adds a member,
// finds the member with a misspelt name, and archives the group with a
// reason; every page passes the checks every page gets.
func TestRegisterJourney(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	h.signIn(t, tb, "analyst@nyp.example", demo.Password)

	h.open(t, tb, "/ocgs")
	if got := tb.text(t, "h1"); got != "Organised crime groups" {
		t.Fatalf("register: got h1 %q", got)
	}
	h.checkPage(t, tb, "register", "/ocgs", false)

	clickAndLoad(t, tb, `a[href="/ocgs/new"]`)
	h.checkPage(t, tb, "propose a group", "/ocgs/new", false)
	// Nothing entered: the error summary names the fields.
	clickAndLoad(t, tb, `form[action="/ocgs"] button[type="submit"]`)
	wantIn(t, "empty proposal", tb.text(t, ".govuk-error-summary"), []string{"Enter the group's name", "Choose the main threat"}, nil)
	h.checkPage(t, tb, "propose a group with errors", "/ocgs", true)
	tb.forget()

	fill(t, tb,
		[2]string{"#name", "Bilton Lane Crew"},
		[2]string{"#operation_name", "Operation Kestrel"},
		[2]string{"#summary", "Crack cocaine and heroin supplied from Leeds into Harrogate through a county line."},
		[2]string{"#primary_threat", "county_lines"},
		[2]string{`input[name="threats"][value="drugs"]`, "click"},
	)
	clickAndLoad(t, tb, `form[action="/ocgs"] button[type="submit"]`)
	if got := tb.text(t, "h1"); got != "Bilton Lane Crew (Operation Kestrel)" {
		t.Fatalf("after proposing: got h1 %q, want the group page", got)
	}
	groupURL := tb.location(t)
	groupPath := strings.TrimPrefix(groupURL, h.base)
	wantIn(t, "proposed group", tb.body(t), []string{"Proposed", "County lines", "OFFICIAL-SENSITIVE", "Not scored yet", "Start assessment"}, []string{"Record as mapped"})
	h.checkPage(t, tb, "group", groupPath, false)

	// Under assessment.
	clickAndLoad(t, tb, `#steps a[href$="to=under_assessment"]`)
	h.checkPage(t, tb, "start assessment", groupPath+"/transition", false)
	fill(t, tb, [2]string{"#decision", "Tasking and coordination group"})
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "under assessment", tb.text(t, "#ocg-status"), []string{"Under assessment"}, nil)

	// Score it on the scoring page (built alongside the register).
	clickAndLoad(t, tb, "#assess-link")
	if got := tb.text(t, "h1"); got == "Page not found" {
		t.Fatal("the scoring page /ocgs/{id}/assess is not there")
	}
	h.checkPage(t, tb, "score the group", groupPath+"/assess", false)
	// Choose the top value of every scale, then the rationale.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const form = document.querySelector('form[action$="/assess"]');
		const names = new Set([...form.querySelectorAll('input[type=radio]')].map(r => r.name));
		for (const n of names) {
			const rs = [...form.querySelectorAll('input[type=radio][name="' + n + '"]')];
			if (!rs.some(r => r.checked)) rs[rs.length - 1].checked = true;
		}
		for (const ta of form.querySelectorAll('textarea')) if (!ta.value) ta.value = 'Violent county line with children running drugs';
	})()`)); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, tb, `form[action$="/assess"] button[type="submit"]`)
	if got := tb.location(t); got != groupURL {
		t.Fatalf("after scoring: got %s (%q), want the group page", got, tb.text(t, "main"))
	}
	if s := tb.text(t, "#score"); strings.Contains(s, "Not scored yet") {
		t.Errorf("after scoring: got %q, want a score", s)
	}

	// Mapped, then adopted by the OCG management meeting with an LRO from
	// the city council.
	clickAndLoad(t, tb, `#steps a[href$="to=mapped"]`)
	h.checkPage(t, tb, "record as mapped", groupPath+"/transition", false)
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "mapped", tb.text(t, "#ocg-status"), []string{"Mapped"}, nil)

	clickAndLoad(t, tb, `#steps a[href$="to=adopted"]`)
	h.checkPage(t, tb, "adopt", groupPath+"/transition", false)
	// Without an LRO the meeting's step is refused, naming the field.
	fill(t, tb, [2]string{"#decision", "OCG management meeting, 20 November 2026, item 4"})
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "adoption without an LRO", tb.text(t, ".govuk-error-summary"), []string{"Name the lead responsible officer"}, nil)
	h.checkPage(t, tb, "adopt with errors", groupPath+"/transition", true)
	tb.forget()
	lroName, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(() => {
		const pick = (sel, agency) => {
			const o = [...document.querySelectorAll(sel + ' option')].find(o => o.textContent.includes(agency));
			document.querySelector(sel).value = o.value;
			return o.textContent;
		};
		pick('#sro', '(North Yorkshire Police)');
		return pick('#lro', '(City of York Council)');
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	fill(t, tb, [2]string{"#review_due", "22/02/2027"})
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "adopted", tb.body(t), []string{"Adopted", "22 February 2027", strings.TrimSuffix(lroName, " (City of York Council)")}, nil)

	// A member.
	clickAndLoad(t, tb, `a[href$="/members/new"]`)
	h.checkPage(t, tb, "add a member", groupPath+"/members/new", false)
	fill(t, tb,
		[2]string{"#name", "Kieran Oakenshaw"},
		[2]string{"#aliases", "Kieran Oakshaw"},
		[2]string{"#nicknames", "Oaky"},
		[2]string{"#dob", "14/03/1994"},
		[2]string{`input[name="role"][value="principal"]`, "click"},
		[2]string{"#source_ref", "IR-2026-0042"},
		[2]string{`input[name="confidence"][value="high"]`, "click"},
	)
	clickAndLoad(t, tb, `form[action$="/members"] button[type="submit"]`)
	wantIn(t, "member added", tb.text(t, "#members-principal"), []string{"Kieran Oakenshaw", "14 March 1994", "IR-2026-0042"}, nil)
	clickAndLoad(t, tb, `#members-principal a[href^="/people/"]`)
	wantIn(t, "person", tb.body(t), []string{"Kieran Oakshaw", "Oaky", "Member of", "Bilton Lane Crew"}, nil)
	h.checkPage(t, tb, "person", "/people/{id}", false)

	// The membership is corrected, then ended: the forms, their errors,
	// and the member moving to the former members.
	h.open(t, tb, groupPath)
	clickAndLoad(t, tb, `#members-principal a[href$="/edit"]`)
	h.checkPage(t, tb, "correct a membership", strings.TrimPrefix(tb.location(t), h.base), false)
	fill(t, tb, [2]string{`input[name="confidence"][value="medium"]`, "click"})
	clickAndLoad(t, tb, `form[action$="/edit"] button[type="submit"]`)
	wantIn(t, "membership corrected", tb.text(t, "#members-principal"), []string{"Kieran Oakenshaw", "Medium"}, nil)
	clickAndLoad(t, tb, `#members-principal a[href$="/end"]`)
	endPath := strings.TrimPrefix(tb.location(t), h.base)
	h.checkPage(t, tb, "end a membership", endPath, false)
	clickAndLoad(t, tb, `form[action$="/end"] button[type="submit"]`)
	wantIn(t, "end without a date or reason", tb.text(t, ".govuk-error-summary"),
		[]string{"Enter the date the membership ended", "Choose why the membership ended"}, nil)
	h.checkPage(t, tb, "end a membership with errors", endPath, true)
	tb.forget()
	fill(t, tb,
		[2]string{"#ended_on", domain.UKDay(time.Now()).Format("02/01/2006")},
		[2]string{`input[name="end_reason"][value="imprisoned"]`, "click"},
	)
	clickAndLoad(t, tb, `form[action$="/end"] button[type="submit"]`)
	wantIn(t, "membership ended", tb.text(t, "#former-members"), []string{"Kieran Oakenshaw", "In prison"}, nil)
	wantIn(t, "no current members", tb.body(t), []string{"No current members you can see are recorded."}, nil)

	// Search with a misspelt name finds the member, former members too.
	t.Run("search with a misspelt name", func(t *testing.T) {
		h.open(t, tb, "/search?q=Kieran+Okenshaw")
		wantIn(t, "search", tb.body(t), []string{"Kieran Oakenshaw"}, []string{"Page not found"})
		h.checkPage(t, tb, "search", "/search", false)
	})

	// Archived by the meeting, with its reason; still readable.
	h.open(t, tb, groupPath)
	clickAndLoad(t, tb, `#steps a[href$="to=archived"]`)
	h.checkPage(t, tb, "archive", groupPath+"/transition", false)
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "archive without a reason", tb.text(t, ".govuk-error-summary"),
		[]string{"Choose why the group is archived", "Explain why the group is archived", "Enter the meeting or decision"}, nil)
	h.checkPage(t, tb, "archive with errors", groupPath+"/transition", true)
	tb.forget()
	fill(t, tb,
		[2]string{`input[name="archive_reason"][value="dismantled"]`, "click"},
		[2]string{"#rationale", "Principals convicted at York Crown Court; no residual capability."},
		[2]string{"#decision", "OCG management meeting chair"},
	)
	clickAndLoad(t, tb, `form[action$="/transition"] button[type="submit"]`)
	wantIn(t, "archived", tb.body(t), []string{"Archived", "Dismantled", "Principals convicted at York Crown Court", "Reopen the group", "Kieran Oakenshaw"},
		[]string{"Add a member"})
	h.checkPage(t, tb, "archived group", groupPath, false)
}

// TestRestrictedGroupHidden: an analyst proposes a group restricted to a
// named colleague; a partner officer gets "Page not found" for it and does
// not see it in the register.
func TestRestrictedGroupHidden(t *testing.T) {
	h := setup(t)
	tb := h.tab(t)
	h.signIn(t, tb, "analyst@nyp.example", demo.Password)
	h.open(t, tb, "/ocgs/new")
	fill(t, tb,
		[2]string{"#name", "Starbeck Witness Crew"},
		[2]string{"#summary", "Intimidation of a witness; details held by the SIO."},
		[2]string{"#primary_threat", "gangs_violence"},
		[2]string{`input[name="restricted"][value="yes"]`, "click"},
		[2]string{"#named_users", "analyst2@nyp.example"},
	)
	clickAndLoad(t, tb, `form[action="/ocgs"] button[type="submit"]`)
	if got := tb.text(t, "h1"); got != "Starbeck Witness Crew" {
		t.Fatalf("after proposing: got h1 %q", got)
	}
	wantIn(t, "restricted group", tb.body(t), []string{"Restricted: need to know"}, nil)
	path := strings.TrimPrefix(tb.location(t), h.base)

	officer := h.tab(t)
	h.signIn(t, officer, "officer@nyc.example", demo.Password)
	h.open(t, officer, path)
	if got := officer.text(t, "h1"); got != "Page not found" {
		t.Errorf("partner officer on the restricted group: got h1 %q, want Page not found", got)
	}
	wantIn(t, "restricted group for a partner", officer.body(t), nil, []string{"Starbeck"})
	h.checkPage(t, officer, "restricted group, partner", path, true)
	officer.forget()

	h.open(t, officer, "/ocgs?status=all")
	wantIn(t, "register for a partner", officer.body(t), []string{"Organised crime groups"}, []string{"Starbeck"})
	h.open(t, officer, "/ocgs?status=all&q=starbeck")
	wantIn(t, "register search for a partner", officer.body(t), []string{"0 groups"}, []string{"Starbeck"})
	h.checkPage(t, officer, "register, partner", "/ocgs", false)

	// The named colleague sees it (after saying why).
	colleague := h.tab(t)
	h.signIn(t, colleague, "analyst2@nyp.example", demo.Password)
	h.open(t, colleague, path)
	if got := colleague.text(t, "h1"); got != "Why are you opening this record?" {
		t.Fatalf("named colleague: got h1 %q, want the reason prompt", got)
	}
	h.checkPage(t, colleague, "group purpose prompt", path, false)
	fill(t, colleague, [2]string{`input[name="purpose"][value="tasking"]`, "click"})
	clickAndLoad(t, colleague, `form[action$="/purpose"] button[type="submit"]`)
	if got := colleague.text(t, "h1"); got != "Starbeck Witness Crew" {
		t.Errorf("named colleague after the reason: got h1 %q", got)
	}
}
