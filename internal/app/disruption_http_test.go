package app_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// TestDisruptionReopenHTTP: on the demo, a panel member reopens a validated
// 2023/24 disruption from its page with a reason (without one the page
// says what is missing); the dashboard's 2023/24 figure drops from 257 to
// 256 until the panel validates it again; the history says "Reopened"
// with the reason. Nobody off the panel may reopen (404), and the form is
// not shown to them.
func TestDisruptionReopenHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			var id, ref string
			if err := a.Store().Reader().QueryRow(`SELECT CAST(id AS text), reference FROM disruption WHERE status = 'validated' AND fiscal_year = 2023
				AND subject_kind = 'theme' AND classification = 'OFFICIAL' ORDER BY reference LIMIT 1`).Scan(&id, &ref); err != nil {
				t.Fatal(err)
			}
			page := "/disruptions/" + id
			panel := signIn(t, a, "panel@nyp.example")
			analyst := signIn(t, a, "analyst@nyp.example")
			board := signIn(t, a, "board@nyp.example")
			card := func(n string) string {
				return `id="card-disruptions"><span class="app-figure__value">` + n + `</span>`
			}
			dashboard := func(name, n string) {
				t.Helper()
				scenario{name: name, path: "/performance?fy=2023%2F24", cookie: board, wantStatus: 200, wantContains: []string{card(n)}}.run(t, h)
			}
			dashboard("before", "257")
			const reason = "The closure order was recorded again here by the council"
			for _, sc := range []scenario{
				{name: "the panel sees the form", path: page, cookie: panel, wantStatus: 200, wantContains: []string{`id="reopen"`, `action="/disruptions/` + id + `/reopen"`}},
				{name: "an analyst does not", path: page, cookie: analyst, wantStatus: 200, wantContains: []string{ref}, wantNotContains: []string{`id="reopen"`}},
				{name: "an analyst may not reopen", method: "POST", path: page + "/reopen", cookie: analyst, body: "reason=x", wantStatus: 404},
				{name: "a partner officer may not reopen", method: "POST", path: page + "/reopen", cookie: signIn(t, a, "officer@nyc.example"), body: "reason=x", wantStatus: 404},
				{name: "a board member may not reopen", method: "POST", path: page + "/reopen", cookie: board, body: "reason=x", wantStatus: 404},
				{name: "signed out", method: "POST", path: page + "/reopen", body: "reason=x", wantStatus: 303},
				{name: "no reason", method: "POST", path: page + "/reopen", cookie: panel, body: "reason=+", wantStatus: 422,
					wantContains: []string{"There is a problem", `href="#reason"`, "Give the reason for reopening the disruption", `id="reopen"`}},
				// A reason is kept in the history and the audit log: a page-wide
				// 20,000-character one was stored before.
				{name: "a reason too long", method: "POST", path: page + "/reopen", cookie: panel, body: "reason=" + strings.Repeat("x", 2001), wantStatus: 422,
					wantContains: []string{"There is a problem", `href="#reason"`, "The reason must be 2,000 characters or fewer", `id="reopen"`}},
			} {
				sc.run(t, h)
			}
			dashboard("after the refusals", "257")
			scenario{name: "reopen", method: "POST", path: page + "/reopen", cookie: panel, body: url.Values{"reason": {reason}}.Encode(), wantStatus: 303}.run(t, h)
			scenario{name: "reopened", path: page, cookie: panel, wantStatus: 200,
				wantContains:    []string{`id="status">Submitted`, "Reopened", reason, `id="panel"`},
				wantNotContains: []string{`id="reopen"`, `id="validated"`}}.run(t, h)
			dashboard("reopened", "256")
			scenario{name: "reopen again", method: "POST", path: page + "/reopen", cookie: panel, body: url.Values{"reason": {reason}}.Encode(), wantStatus: 409,
				wantContains: []string{"Only a validated disruption can be reopened", `href="#status"`}}.run(t, h)
			scenario{name: "return with a reason too long", method: "POST", path: page + "/decision", cookie: panel, body: "to=returned&reason=" + strings.Repeat("y", 2001),
				wantStatus: 422, wantContains: []string{"The reason must be 2,000 characters or fewer"}}.run(t, h)
			scenario{name: "validate again", method: "POST", path: page + "/decision", cookie: panel, body: "to=validated", wantStatus: 303}.run(t, h)
			dashboard("validated again", "257")
		})
	}
}

// TestDisruptionNeedsThreatHTTP: the recording form refuses a disruption
// with no threat (DOMAIN.md §10 rule 3), naming the field in the error
// summary, and stores nothing.
func TestDisruptionNeedsThreatHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			st := a.Store()
			var ward, nyc string
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM org_unit WHERE level = 'ward' ORDER BY code LIMIT 1`).Scan(&ward); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM agency WHERE short_name = 'NYC'`).Scan(&nyc); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				var n int
				if err := st.Reader().QueryRow(`SELECT count(*) FROM disruption`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := count()
			form := url.Values{"subject": {"theme"}, "theme": {"Cuckooed flats on Castle Road"}, "four_p": {"protect"}, "impact": {"moderate"},
				"rationale": {"Three vulnerable adults safeguarded and the flats closed"}, "disrupted_on": {st.Now().Format("02/01/2006")}, "unit": {ward},
				"lead_agency": {nyc}, "tactics": {"closure_order"}, "classification": {"OFFICIAL"}, "handling": {"P"}, "restricted": {"no"},
				"outcome-1-type": {"adults_safeguarded"}, "outcome-1-quantity": {"3"}, "action": {"submit"}}
			officer := signIn(t, a, "officer@nyc.example")
			scenario{name: "no threat", method: "POST", path: "/disruptions", cookie: officer, body: form.Encode(), wantStatus: 422,
				wantContains:    []string{"There is a problem", `href="#threats"`, "Choose at least one threat the disruption was against"},
				wantNotContains: []string{`href="#rationale"`, `href="#unit"`, `name="confirm_unusual"`}}.run(t, h)
			if got := count(); got != before {
				t.Errorf("after the refusal: got %d disruptions, want %d", got, before)
			}
			form.Set("threats", "county_lines")
			// An unusual figure is asked about, with a box to confirm it,
			// and stored once confirmed.
			form.Set("outcome-1-quantity", "1,000,000")
			scenario{name: "a million adults safeguarded", method: "POST", path: "/disruptions", cookie: officer, body: form.Encode(), wantStatus: 422,
				wantContains: []string{`href="#outcome-1-quantity"`, "1,000,000 is far more than one disruption usually counts", `href="#confirm_unusual"`,
					`name="confirm_unusual"`, "These figures are right: I have checked them"}}.run(t, h)
			if got := count(); got != before {
				t.Errorf("after the unusual figure: got %d disruptions, want %d", got, before)
			}
			form.Set("confirm_unusual", "yes")
			scenario{name: "confirmed", method: "POST", path: "/disruptions", cookie: officer, body: form.Encode(), wantStatus: 303}.run(t, h)
			if got := count(); got != before+1 {
				t.Errorf("after recording: got %d disruptions, want %d", got, before+1)
			}
		})
	}
}

// TestDisruptionNamesHTTP checks that the panel's queue names what each
// disruption was against and how long it has waited, and that a
// disruption's page names its group and its recorder.
func TestDisruptionNamesHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			var id, group, recorder string
			if err := a.Store().Reader().QueryRow(`SELECT CAST(d.id AS text), o.name, u.display_name FROM disruption d JOIN ocg o ON o.id = d.ocg_id
				JOIN app_user u ON u.id = d.created_by WHERE d.status = 'submitted' AND d.classification = 'OFFICIAL' AND NOT d.restricted
				AND NOT o.restricted AND o.classification = 'OFFICIAL' ORDER BY d.reference LIMIT 1`).Scan(&id, &group, &recorder); err != nil {
				t.Fatalf("a submitted disruption about a group in the demo: %v", err)
			}
			panel := signIn(t, a, "panel@nyp.example")
			esc := html.EscapeString
			scenario{name: "the queue", path: "/disruptions", cookie: panel, wantStatus: 200,
				wantContains: []string{`>Against</th>`, `>Waiting</th>`, esc(group), " days</td>"}}.run(t, h)
			scenario{name: "the page", path: "/disruptions/" + id, cookie: panel, wantStatus: 200,
				wantContains:    []string{"The group <a class=\"govuk-link\" href=\"/ocgs/", esc(group), esc(recorder)},
				wantNotContains: []string{"the group’s page", `<td class="govuk-table__cell">Recorder</td>`}}.run(t, h)
		})
	}
}

// TestDisruptionPersonFinderHTTP checks that a person is chosen on the
// recording form by name, without JavaScript: "Find people" shows the
// people the forgiving search finds to choose from and stores nothing;
// choosing one records the disruption against them; a missing person is
// pointed at the finder.
func TestDisruptionPersonFinderHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			st := a.Store()
			var person, ward, nyp string
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM entity WHERE kind = 'person' AND name = 'Aaron Collier'`).Scan(&person); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM org_unit WHERE level = 'ward' ORDER BY code LIMIT 1`).Scan(&ward); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM agency WHERE short_name = 'NYP'`).Scan(&nyp); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				var n int
				if err := st.Reader().QueryRow(`SELECT count(*) FROM disruption WHERE entity_id = $1`, person).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			form := url.Values{"subject": {"individual"}, "four_p": {"pursue"}, "impact": {"minor"}, "rationale": {"Charged with possession with intent to supply"},
				"disrupted_on": {st.Now().Format("02/01/2006")}, "unit": {ward}, "lead_agency": {nyp}, "threats": {"drugs"}, "classification": {"OFFICIAL"},
				"handling": {"P"}, "restricted": {"no"}, "action": {"submit"}}
			analyst := signIn(t, a, "analyst@nyp.example")
			scenario{name: "no person", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 422,
				wantContains: []string{`href="#person_q"`, "Choose the person the disruption was against", `id="person_q"`}, wantNotContains: []string{`href="#entity"`}}.run(t, h)
			form.Set("person_q", "Aaron Colier")
			form.Set("action", "find_person")
			scenario{name: "find people", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains:    []string{"Choose the person", `name="entity" type="radio" value="` + person + `"`, "Aaron Collier, P-", `value="Aaron Colier"`},
				wantNotContains: []string{"There is a problem"}}.run(t, h)
			if got := count(); got != 0 {
				t.Fatalf("after finding people: got %d disruptions against the person, want none", got)
			}
			form.Set("person_q", "Zebedee Nobodyknows")
			scenario{name: "nobody found", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains: []string{`id="no-people"`}}.run(t, h)
			form.Set("person_q", "Aaron Colier")
			form.Set("entity", person)
			form.Set("action", "submit")
			scenario{name: "chosen", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 303}.run(t, h)
			if got := count(); got != 1 {
				t.Errorf("after choosing: got %d disruptions against the person, want 1", got)
			}
		})
	}
}

// TestDisruptionOutcomeLinesHTTP: the form opens one outcome line, not
// eight; "Add another outcome" brings the form back with one more line,
// the values kept and nothing stored, up to eight; a line with values
// stays open after an error.
func TestDisruptionOutcomeLinesHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			st := a.Store()
			analyst := signIn(t, a, "analyst@nyp.example")
			stored := func() int {
				t.Helper()
				var n int
				if err := st.Reader().QueryRow(`SELECT count(*) FROM disruption`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := stored()
			scenario{name: "a new form", path: "/disruptions/new", cookie: analyst, wantStatus: 200,
				wantContains:    []string{`name="outcome-1-type"`, `id="add-outcome"`, `name="outcome_lines" value="1"`, `data-for="seizure"`},
				wantNotContains: []string{`name="outcome-2-type"`}}.run(t, h)
			form := url.Values{"subject": {"theme"}, "theme": {"Cuckooed flats in Scarborough"}, "outcome_lines": {"1"}, "outcome-1-type": {"arrest"},
				"outcome-1-quantity": {"3"}, "action": {"add_outcome"}}
			scenario{name: "add a line", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains:    []string{`name="outcome-2-type"`, `name="outcome_lines" value="2"`, `value="Cuckooed flats in Scarborough"`, `name="outcome-1-quantity" type="text" value="3"`},
				wantNotContains: []string{`name="outcome-3-type"`, "There is a problem"}}.run(t, h)
			form.Set("outcome_lines", "8")
			scenario{name: "at most eight", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains: []string{`name="outcome-8-type"`}, wantNotContains: []string{`name="outcome-9-type"`, `id="add-outcome"`}}.run(t, h)
			form.Set("outcome_lines", "1")
			form.Set("outcome-4-quantity", "x")
			form.Set("action", "submit")
			scenario{name: "an error keeps its line open", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 422,
				wantContains: []string{"There is a problem", `name="outcome-4-quantity"`}, wantNotContains: []string{`name="outcome-5-type"`}}.run(t, h)
			if got := stored(); got != before {
				t.Errorf("got %d disruptions stored, want %d: opening lines and failing store nothing", got, before)
			}
		})
	}
}

// TestDisruptionGroupFinderHTTP: "Find groups" runs the forgiving search
// for groups (misspelt, logged with its words) and brings the form back
// with the groups found to choose from, nothing stored; a group the
// recorder may not see is not offered; choosing one records the
// disruption against it.
func TestDisruptionGroupFinderHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			st := a.Store()
			var group, ward, nyp string
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM ocg WHERE name = 'Malton cocaine supply network'`).Scan(&group); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM org_unit WHERE level = 'ward' ORDER BY code LIMIT 1`).Scan(&ward); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT CAST(id AS text) FROM agency WHERE short_name = 'NYP'`).Scan(&nyp); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				var n int
				if err := st.Reader().QueryRow(`SELECT count(*) FROM disruption WHERE ocg_id = $1`, group).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := count()
			form := url.Values{"subject": {"ocg"}, "four_p": {"pursue"}, "impact": {"minor"}, "rationale": {"Two runners arrested at the line's safe house"},
				"disrupted_on": {st.Now().Format("02/01/2006")}, "unit": {ward}, "lead_agency": {nyp}, "threats": {"drugs"}, "classification": {"OFFICIAL"},
				"handling": {"P"}, "restricted": {"no"}, "group_q": {"Maltn cocain"}, "action": {"find_group"}}
			analyst := signIn(t, a, "analyst@nyp.example")
			scenario{name: "find groups", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains:    []string{`name="ocg" type="radio" value="` + group + `"`, "Malton cocaine supply network, OCG-", `value="Maltn cocain"`, "None of these"},
				wantNotContains: []string{"There is a problem", `<select class="govuk-select" id="ocg"`}}.run(t, h)
			var n int
			if err := st.Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE record_label LIKE '%Maltn cocain%'`).Scan(&n); err != nil || n == 0 {
				t.Errorf("the group search's words are not in the audit log: %d, %v", n, err)
			}
			if got := count(); got != before {
				t.Fatalf("after finding groups: got %d disruptions against the group, want %d", got, before)
			}
			form.Set("group_q", "Zebulon Quartermaine")
			scenario{name: "nothing found", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 200,
				wantContains: []string{`id="no-groups"`, `id="ocg"`}}.run(t, h)
			// A council officer may not see every group: a restricted one
			// is not offered to them.
			var hidden string
			if err := st.Reader().QueryRow(`SELECT name FROM ocg WHERE restricted = TRUE ORDER BY reference LIMIT 1`).Scan(&hidden); err == nil {
				form.Set("group_q", hidden)
				scenario{name: "restricted group", method: "POST", path: "/disruptions", cookie: signIn(t, a, "officer@nyc.example"), body: form.Encode(), wantStatus: 200,
					wantNotContains: []string{hidden + ", OCG-"}}.run(t, h)
			}
			form.Set("group_q", "Maltn cocain")
			form.Set("ocg", group)
			form.Set("action", "submit")
			scenario{name: "chosen", method: "POST", path: "/disruptions", cookie: analyst, body: form.Encode(), wantStatus: 303}.run(t, h)
			if got := count(); got != before+1 {
				t.Errorf("after choosing: got %d disruptions against the group, want %d", got, before+1)
			}
		})
	}
}
