package app_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"alliance/internal/app"
	"alliance/internal/store/storetest"
)

// groupForm is a complete proposal form, with fields replaced or removed
// (an empty value removes the field).
func groupForm(over map[string]string) string {
	v := url.Values{"name": {"Quarry Lane Crew"}, "operation_name": {"Operation Flint"}, "summary": {"Cocaine supply from Leeds into Harrogate"},
		"ownership": {"local"}, "primary_threat": {"county_lines"}, "threats": {"drugs", "money_laundering"},
		"classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}, "restricted": {"no"}}
	for k, val := range over {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	return v.Encode()
}

var groupPath = regexp.MustCompile(`^/ocgs/([0-9a-f-]{36})$`)

// propose posts the form as cookie and returns the new group's id.
func propose(t *testing.T, h http.Handler, cookie string, over map[string]string) string {
	t.Helper()
	rec := scenario{name: "propose", method: "POST", path: "/ocgs", cookie: cookie, body: groupForm(over), wantStatus: 303}.run(t, h)
	m := groupPath.FindStringSubmatch(rec.Header().Get("Location"))
	if m == nil {
		t.Fatalf("propose: got Location %q, want /ocgs/{id}", rec.Header().Get("Location"))
	}
	return m[1]
}

// scoreGroup stands in for an OCGM assessment (the scoring pages have
// their own tests).
func scoreGroup(t *testing.T, a *app.App, id string) {
	t.Helper()
	err := a.Store().InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ocg SET score = 42, band = 'B', scored_on = '2026-11-20' WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func userID(t *testing.T, a *app.App, email string) string {
	t.Helper()
	var id string
	if err := a.Store().Reader().QueryRowContext(context.Background(), `SELECT id FROM app_user WHERE email = $1`, email).Scan(&id); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

// TestRegisterLifecycleHTTP walks a group from proposal to archive through
// the forms, on both engines: each refused step names its field, an
// archived group stays readable with its history, and a board viewer may
// read but not propose.
func TestRegisterLifecycleHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			board := signIn(t, a, "board@nyp.example")
			lro := userID(t, a, "lro@york.example")
			sro := userID(t, a, "analyst@nyp.example")

			// Refusals on the proposal form name their fields.
			for _, c := range []struct {
				name, field, msg string
				over             map[string]string
			}{
				{"no name", "name", "Enter the group&#39;s name", map[string]string{"name": ""}},
				{"no threat", "primary_threat", "Choose the main threat", map[string]string{"primary_threat": ""}},
				{"bad date", "proposed_on", "Enter the date the group was proposed", map[string]string{"proposed_on": "31/02/2026"}},
				{"C without conditions", "handling_conditions", "Enter the handling conditions", map[string]string{"handling": "C"}},
			} {
				scenario{name: c.name, method: "POST", path: "/ocgs", cookie: analyst, body: groupForm(c.over), wantStatus: 422,
					wantContains: []string{"There is a problem", `href="#` + c.field + `"`, c.msg}}.run(t, h)
			}

			id := propose(t, h, analyst, nil)
			page := "/ocgs/" + id
			scenarios := []scenario{
				{name: "list", path: "/ocgs?q=quarry", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Quarry Lane Crew (Operation Flint)", "Propose a group", "County lines", "Proposed", `href="/ocgs"`}},
				{name: "group page", path: page, cookie: analyst, wantStatus: 200,
					wantContains: []string{"Quarry Lane Crew", "OFFICIAL-SENSITIVE", "Start assessment", "Archive the group", "/ocgs/" + id + "/assess",
						"Lifecycle history", "Not scored yet", "North Yorkshire Police"},
					wantNotContains: []string{"Record as mapped"}},
				{name: "start assessment form", path: page + "/transition?to=under_assessment", cookie: analyst, wantStatus: 200, wantContains: []string{"Start assessment"}},
				{name: "a step the lifecycle does not allow is not found", path: page + "/transition?to=managed", cookie: analyst, wantStatus: 404},
				{name: "start assessment", method: "POST", path: page + "/transition", cookie: analyst, body: "to=under_assessment&decision=Tasking+meeting", wantStatus: 303},
				{name: "no mapping without a score", method: "POST", path: page + "/transition", cookie: analyst, body: "to=mapped", wantStatus: 422,
					wantContains: []string{"Score the group before it is mapped"}},
			}
			for _, sc := range scenarios {
				sc.run(t, h)
			}
			scoreGroup(t, a, id)
			adopt := url.Values{"to": {"adopted"}, "sro": {sro}, "decision": {"OCG management meeting 20 November 2026"}, "review_due": {"22/02/2027"}}
			scenarios = []scenario{
				{name: "mapped once scored", method: "POST", path: page + "/transition", cookie: analyst, body: "to=mapped&decision=ROCU+mapping", wantStatus: 303},
				{name: "adopt form lists users of every agency", path: page + "/transition?to=adopted", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Lead responsible officer", "(City of York Council)", "(North Yorkshire Police)"}},
				{name: "no adoption without an LRO", method: "POST", path: page + "/transition", cookie: analyst, body: adopt.Encode(), wantStatus: 422,
					wantContains: []string{`href="#lro"`, "Name the lead responsible officer", `id="lro-error"`}},
				{name: "adopted with an LRO of the council", method: "POST", path: page + "/transition", cookie: analyst, body: adopt.Encode() + "&lro=" + lro, wantStatus: 303},
				{name: "adopted page", path: page, cookie: analyst, wantStatus: 200,
					wantContains: []string{"Adopted", "22 February 2027", "OCG management meeting 20 November 2026", "Mapped to Adopted"}},
				{name: "add a member form", path: page + "/members/new", cookie: analyst, wantStatus: 200, wantContains: []string{"Add a member", "Principal"}},
				{name: "member needs a role and a source", method: "POST", path: page + "/members", cookie: analyst,
					body: "who=new&name=Dean+Mallory&confidence=high", wantStatus: 422, wantContains: []string{`href="#role"`, `href="#source_ref"`}},
				{name: "add a new member", method: "POST", path: page + "/members", cookie: analyst,
					body: "who=new&name=Dean+Mallory&aliases=Deano%0AD+Mallory&dob=14%2F03%2F1994&role=principal&source_ref=IR-2026-0001&confidence=high", wantStatus: 303},
				{name: "unknown person reference", method: "POST", path: page + "/members", cookie: analyst,
					body: "who=existing&person=P-999999&role=peripheral&source_ref=IR-1&confidence=low", wantStatus: 422, wantContains: []string{"There is no person you can see"}},
				{name: "member on the page", path: page, cookie: analyst, wantStatus: 200, wantContains: []string{"Principal members", "Dean Mallory", "Deano", "14 March 1994"}},
				{name: "start a plan", method: "POST", path: page + "/plan", cookie: analyst, body: "objectives=Dismantle+the+line&review_due=01%2F03%2F2027&status=active", wantStatus: 303},
				{name: "plan needs a review date", method: "POST", path: page + "/plan", cookie: analyst, body: "objectives=x&review_due=soon", wantStatus: 422,
					wantContains: []string{`href="#review_due"`}},
				{name: "action form", path: page + "/plan/actions/new", cookie: analyst, wantStatus: 200, wantContains: []string{"Add a 4P action", "Owning agency"}},
				{name: "action needs an owner", method: "POST", path: page + "/plan/actions", cookie: analyst, body: "strand=prevent&description=Op+Choice+referrals&due_on=31%2F01%2F2027",
					wantStatus: 422, wantContains: []string{`href="#owner_agency"`, `href="#owner_name"`}},
				{name: "plan page", path: page + "/plan", cookie: analyst, wantStatus: 200, wantContains: []string{"4P plan", "Dismantle the line", "Start a new version"}},
				{name: "board viewer reads the register", path: "/ocgs?q=quarry", cookie: board, wantStatus: 200, wantContains: []string{"Quarry Lane Crew"},
					wantNotContains: []string{"Propose a group"}},
				{name: "board viewer cannot open the proposal form", path: "/ocgs/new", cookie: board, wantStatus: 404},
				{name: "board viewer cannot propose", method: "POST", path: "/ocgs", cookie: board, body: groupForm(nil), wantStatus: 404},
				{name: "board viewer cannot archive", method: "POST", path: page + "/transition", cookie: board,
					body: "to=archived&archive_reason=dismantled&rationale=x&decision=y", wantStatus: 404},
				{name: "archive needs a reason and a decision", method: "POST", path: page + "/transition", cookie: analyst, body: "to=archived&rationale=Principals+convicted",
					wantStatus: 422, wantContains: []string{`href="#archive_reason"`, `href="#decision"`}, wantNotContains: []string{`href="#rationale"`}},
				{name: "archive needs a rationale", method: "POST", path: page + "/transition", cookie: analyst, body: "to=archived&archive_reason=dismantled&decision=Chair",
					wantStatus: 422, wantContains: []string{`href="#rationale"`}},
				{name: "archive", method: "POST", path: page + "/transition", cookie: analyst,
					body: "to=archived&archive_reason=dismantled&rationale=Principals+convicted+at+York+Crown+Court&decision=OCG+management+meeting+chair", wantStatus: 303},
				{name: "archived group stays readable with its history", path: page, cookie: analyst, wantStatus: 200,
					wantContains: []string{"Archived", "Dismantled", "Principals convicted at York Crown Court", "OCG management meeting chair", "Reopen the group",
						"Proposed", "Under assessment to Mapped", "Adopted to Archived", "Dean Mallory"},
					wantNotContains: []string{"Add a member", "Start the 4P plan"}},
				{name: "archived groups leave the current list", path: "/ocgs?q=quarry", cookie: analyst, wantStatus: 200, wantContains: []string{"0 groups"},
					wantNotContains: []string{"Quarry Lane Crew"}},
				{name: "and are listed under archived", path: "/ocgs?q=quarry&status=archived", cookie: analyst, wantStatus: 200, wantContains: []string{"Quarry Lane Crew", "1 group"}},
			}
			for _, sc := range scenarios {
				sc.run(t, h)
			}
		})
	}
}

// TestRegisterAccessHTTP: a partner officer gets 404 for a restricted
// group and for an OFFICIAL-SENSITIVE police group, and neither appears
// in the list, its count or its pages; the named agency's officer and the
// LRO of another agency see what the policy lets them.
func TestRegisterAccessHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			officer := signIn(t, a, "officer@nyc.example")
			yorkOfficer := signIn(t, a, "officer@york.example")
			ids := map[string]string{}
			for name, over := range map[string]map[string]string{
				"Zircon Open Crew":       {"classification": "OFFICIAL"},
				"Zircon Sensitive Crew":  {},
				"Zircon Restricted Crew": {"restricted": "yes", "named_users": "officer@york.example"},
			} {
				over["name"] = name
				ids[name] = propose(t, h, analyst, over)
			}
			tok := tokenFor(t, a, "officer@nyc.example", "read")
			bearer := map[string]string{"Authorization": "Bearer " + tok}
			scenarios := []scenario{
				{name: "police analyst sees all three", path: "/ocgs?q=zircon", cookie: analyst, wantStatus: 200,
					wantContains: []string{"3 groups", "Zircon Open Crew", "Zircon Sensitive Crew", "Zircon Restricted Crew"}},
				{name: "partner officer sees only the OFFICIAL group", path: "/ocgs?q=zircon", cookie: officer, wantStatus: 200,
					wantContains: []string{"1 group", "Zircon Open Crew"}, wantNotContains: []string{"Zircon Sensitive", "Zircon Restricted", "3 groups", "2 groups"}},
				{name: "partner officer list without a filter", path: "/ocgs?status=all", cookie: officer, wantStatus: 200,
					wantNotContains: []string{"Zircon Sensitive", "Zircon Restricted"}},
				{name: "restricted group page is not found", path: "/ocgs/" + ids["Zircon Restricted Crew"], cookie: officer, wantStatus: 404,
					wantContains: []string{"Page not found"}, wantNotContains: []string{"Zircon"}},
				{name: "police OFFICIAL-SENSITIVE group page is not found", path: "/ocgs/" + ids["Zircon Sensitive Crew"], cookie: officer, wantStatus: 404,
					wantNotContains: []string{"Zircon"}},
				{name: "nor its transition form", path: "/ocgs/" + ids["Zircon Restricted Crew"] + "/transition?to=archived", cookie: officer, wantStatus: 404},
				{name: "nor its purpose prompt", method: "POST", path: "/ocgs/" + ids["Zircon Restricted Crew"] + "/purpose", cookie: officer, body: "purpose=tasking", wantStatus: 404},
				{name: "nor its API", path: "/api/v1/ocgs/" + ids["Zircon Restricted Crew"], header: bearer, wantStatus: 404, wantNotContains: []string{"Zircon"}},
				{name: "API list leaves them out", path: "/api/v1/ocgs?q=zircon&status=all", header: bearer, wantStatus: 200,
					wantContains: []string{`"total":1`, "Zircon Open Crew"}, wantNotContains: []string{"Zircon Sensitive", "Zircon Restricted"}},
				{name: "the OFFICIAL group asks the partner why", path: "/ocgs/" + ids["Zircon Open Crew"], cookie: officer, wantStatus: 200,
					wantContains: []string{"Why are you opening this record?", "/ocgs/" + ids["Zircon Open Crew"] + "/purpose"}, wantNotContains: []string{"Lifecycle history"}},
				{name: "partner gives a reason", method: "POST", path: "/ocgs/" + ids["Zircon Open Crew"] + "/purpose", cookie: officer, body: "purpose=tasking", wantStatus: 303},
				{name: "partner reads the OFFICIAL group, without lifecycle buttons", path: "/ocgs/" + ids["Zircon Open Crew"], cookie: officer, wantStatus: 200,
					wantContains: []string{"Zircon Open Crew", "Lifecycle history"}, wantNotContains: []string{"Archive the group", "Add a member", "Propose a group"}},
				{name: "the named officer sees the restricted group in the list", path: "/ocgs?q=zircon", cookie: yorkOfficer, wantStatus: 200,
					wantContains: []string{"Zircon Restricted Crew"}, wantNotContains: []string{"Zircon Sensitive"}},
			}
			for _, sc := range scenarios {
				sc.run(t, h)
			}
		})
	}
}

// TestRegisterAPI: propose, step and add members over the API, with
// problem documents naming the fields, on both engines.
func TestRegisterAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			w := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
			board := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "board@nyp.example", "read", "write")}
			body := `{"name":"Knaresborough Road Crew","ownership":"local","primary_threat":"county_lines","threats":["drugs"],"home_area":"E07000165",` +
				`"classification":"OFFICIAL-SENSITIVE","handling":"P"}`
			scenario{name: "fields named", method: "POST", path: "/api/v1/ocgs", header: w, body: `{"ownership":"nowhere","classification":"OFFICIAL","handling":"P"}`,
				wantStatus: 400, wantType: "application/problem+json",
				wantContains: []string{`"field":"name"`, `"field":"ownership"`, `"field":"primary_threat"`}}.run(t, h)
			scenario{name: "unknown area code", method: "POST", path: "/api/v1/ocgs", header: w, body: strings.Replace(body, "E07000165", "E07999999", 1),
				wantStatus: 400, wantContains: []string{`"field":"home_area"`}}.run(t, h)
			scenario{name: "board viewer cannot propose", method: "POST", path: "/api/v1/ocgs", header: board, body: body, wantStatus: 403}.run(t, h)
			rec := scenario{name: "propose", method: "POST", path: "/api/v1/ocgs", header: w, body: body, wantStatus: 201,
				wantContains: []string{`"status":"proposed"`, `"reference":"OCG-`}}.run(t, h)
			loc := rec.Header().Get("Location")
			if !strings.HasPrefix(loc, "/api/v1/ocgs/") {
				t.Fatalf("got Location %q", loc)
			}
			for _, sc := range []scenario{
				{name: "a step needs a state", method: "POST", path: loc + "/transitions", header: w, body: `{"to":"sideways"}`, wantStatus: 400, wantContains: []string{`"field":"to"`}},
				{name: "archive needs a reason", method: "POST", path: loc + "/transitions", header: w, body: `{"to":"archived","rationale":"x"}`, wantStatus: 400,
					wantContains: []string{`"field":"archive_reason"`, `"field":"decision"`}},
				{name: "start assessment", method: "POST", path: loc + "/transitions", header: w, body: `{"to":"under_assessment","decision":"Tasking"}`, wantStatus: 200,
					wantContains: []string{`"status":"under_assessment"`}},
				{name: "member needs person or person_id", method: "POST", path: loc + "/members", header: w, body: `{"role":"principal","source_ref":"IR-1","confidence":"high"}`,
					wantStatus: 400, wantContains: []string{`"field":"person_id"`}},
				{name: "add a member", method: "POST", path: loc + "/members", header: w,
					body:       `{"person":{"name":"Shane Pickersgill","aliases":["Pick"],"dob":"02/02/1990"},"role":"significant","source_ref":"IR-2026-0007","confidence":"medium"}`,
					wantStatus: 201, wantContains: []string{`"name":"Shane Pickersgill"`, `"role":"significant"`, `"reference":"P-`}},
				{name: "the group with members and history", path: loc, header: w, wantStatus: 200,
					wantContains: []string{`"Knaresborough Road Crew"`, `"home_area":"Harrogate"`, `"Shane Pickersgill"`, `"history":[`, `"to":"under_assessment"`, `"plan":null`}},
			} {
				sc.run(t, h)
			}
		})
	}
}
