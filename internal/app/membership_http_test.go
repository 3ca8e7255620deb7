package app_test

import (
	"context"
	"testing"
	"time"

	"alliance/internal/app"
	"alliance/internal/domain"
	"alliance/internal/store/storetest"
)

// membershipOf returns the id of the only membership of group ocgID.
func membershipOf(t *testing.T, a *app.App, ocgID string) string {
	t.Helper()
	var id string
	if err := a.Store().Reader().QueryRowContext(context.Background(), `SELECT id FROM link WHERE to_id = $1 AND type = 'member_of'`, ocgID).Scan(&id); err != nil {
		t.Fatalf("membership of %s: %v", ocgID, err)
	}
	return id
}

// TestMembershipFormsHTTP: a member is ended and corrected through GOV.UK
// forms on both engines. Refused forms name their fields and store
// nothing; the ended member moves to the group's former members and shows
// as a former member on their own page; a partner who may not see the
// group finds no form (404), nor does the API answer them; the API ends
// and corrects under the same rules.
func TestMembershipFormsHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			officer := signIn(t, a, "officer@nyc.example")
			open := propose(t, h, analyst, map[string]string{"name": "Jasper Open Crew", "classification": "OFFICIAL"})
			hidden := propose(t, h, analyst, map[string]string{"name": "Jasper Hidden Crew", "restricted": "yes"})
			for _, id := range []string{open, hidden} {
				scenario{name: "add a member", method: "POST", path: "/ocgs/" + id + "/members", cookie: analyst, wantStatus: 303,
					body: "who=new&name=Kyle+Varney&role=principal&source_ref=IR-77&confidence=high&from=01/03/2025"}.run(t, h)
			}
			m, hm := membershipOf(t, a, open), membershipOf(t, a, hidden)
			base, hiddenBase := "/ocgs/"+open+"/members/"+m, "/ocgs/"+hidden+"/members/"+hm
			tomorrow := domain.UKDay(time.Now()).AddDate(0, 0, 1).Format("02/01/2006")
			today := domain.UKDay(time.Now()).Format("02/01/2006")
			unchanged := func(name string) {
				t.Helper()
				var reason string
				var to *string
				if err := a.Store().Reader().QueryRow(`SELECT end_reason, valid_to FROM link WHERE id = $1`, m).Scan(&reason, &to); err != nil {
					t.Fatal(err)
				}
				if reason != "" || to != nil {
					t.Errorf("%s: got end %q on %v stored, want nothing stored", name, reason, to)
				}
			}
			for _, sc := range []scenario{
				{name: "the group offers to end and correct", path: "/ocgs/" + open, cookie: analyst, wantStatus: 200,
					wantContains: []string{base + "/edit", base + "/end", `id="members-principal"`}, wantNotContains: []string{`id="former-members"`}},
				{name: "end form", path: base + "/end", cookie: analyst, wantStatus: 200,
					wantContains: []string{"End Kyle Varney’s membership", "Why did the membership end?", "In prison", "Added in error"}},
				{name: "end with nothing", method: "POST", path: base + "/end", cookie: analyst, body: "end_note=", wantStatus: 422,
					wantContains: []string{"govuk-error-summary", "Enter the date the membership ended", "Choose why the membership ended", `href="#ended_on"`}},
				{name: "end tomorrow", method: "POST", path: base + "/end", cookie: analyst, body: "ended_on=" + tomorrow + "&end_reason=left", wantStatus: 422,
					wantContains: []string{"must be today or in the past"}},
				{name: "end before it began", method: "POST", path: base + "/end", cookie: analyst, body: "ended_on=28/02/2025&end_reason=left", wantStatus: 422,
					wantContains: []string{"on or after the day it began, 1 March 2025"}},
				{name: "another reason needs an explanation", method: "POST", path: base + "/end", cookie: analyst, body: "ended_on=" + today + "&end_reason=other",
					wantStatus: 422, wantContains: []string{"Explain why the membership ended"}},
			} {
				sc.run(t, h)
				unchanged(sc.name)
			}
			for _, sc := range []scenario{
				{name: "a hidden group's end form is not found", path: hiddenBase + "/end", cookie: officer, wantStatus: 404, wantNotContains: []string{"Kyle", "Jasper"}},
				{name: "nor can it be posted", method: "POST", path: hiddenBase + "/end", cookie: officer, body: "ended_on=" + today + "&end_reason=left", wantStatus: 404,
					wantNotContains: []string{"Kyle", "Jasper"}},
				{name: "nor its edit form", path: hiddenBase + "/edit", cookie: officer, wantStatus: 404, wantNotContains: []string{"Kyle", "Jasper"}},
				{name: "nor its correction", method: "POST", path: hiddenBase + "/edit", cookie: officer, body: "role=peripheral&source_ref=X&confidence=low",
					wantStatus: 404, wantNotContains: []string{"Kyle", "Jasper"}},
				{name: "a membership of another group is not found", path: "/ocgs/" + open + "/members/" + hm + "/end", cookie: analyst, wantStatus: 404},
				{name: "end it", method: "POST", path: base + "/end", cookie: analyst, body: "ended_on=" + today + "&end_reason=imprisoned&end_note=Sentenced+at+York+Crown+Court",
					wantStatus: 303},
				{name: "the group shows a former member, no current one", path: "/ocgs/" + open, cookie: analyst, wantStatus: 200,
					wantContains: []string{`id="former-members"`, "Former members", "Kyle Varney", "In prison", "Sentenced at York Crown Court",
						"No current members you can see are recorded."},
					wantNotContains: []string{`id="members-principal"`, base + "/end"}},
				{name: "an ended membership's end form goes to the correction", path: base + "/end", cookie: analyst, wantStatus: 303},
				{name: "correction form shows the end", path: base + "/edit", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Correct Kyle Varney’s membership", "End of the membership", `value="` + today + `"`}},
				{name: "correct the role without a source", method: "POST", path: base + "/edit", cookie: analyst,
					body: "role=significant&confidence=high&from=01/03/2025&ended_on=" + today + "&end_reason=imprisoned", wantStatus: 422,
					wantContains: []string{"Enter the intelligence reference that supports the membership"}},
				{name: "correct the role", method: "POST", path: base + "/edit", cookie: analyst,
					body: "role=significant&source_ref=IR-77&confidence=high&from=01/03/2025&ended_on=" + today + "&end_reason=imprisoned", wantStatus: 303},
				{name: "the correction shows", path: "/ocgs/" + open, cookie: analyst, wantStatus: 200, wantContains: []string{"Significant", "In prison"}},
			} {
				sc.run(t, h)
			}
			var person string
			if err := a.Store().Reader().QueryRow(`SELECT from_id FROM link WHERE id = $1`, m).Scan(&person); err != nil {
				t.Fatal(err)
			}
			scenario{name: "the person's page says former member", path: "/people/" + person, cookie: analyst, wantStatus: 200,
				wantContains: []string{"Jasper Open Crew", "Former member: In prison"}}.run(t, h)

			// The API, for the hidden group's membership.
			w := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
			partner := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "officer@nyc.example", "read", "write")}
			api := "/api/v1" + hiddenBase
			for _, sc := range []scenario{
				{name: "API: a partner who may not see the group", method: "POST", path: api + "/end", header: partner,
					body: `{"ended_on":"` + today + `","end_reason":"left"}`, wantStatus: 404, wantNotContains: []string{"Kyle"}},
				{name: "API: fields named", method: "POST", path: api + "/end", header: w, body: `{"ended_on":"` + tomorrow + `"}`, wantStatus: 400,
					wantType: "application/problem+json", wantContains: []string{`"field":"ended_on"`, `"field":"end_reason"`}},
				{name: "API: correct", method: "PUT", path: api, header: w, body: `{"role":"peripheral","source_ref":"IR-78","confidence":"low"}`,
					wantStatus: 200, wantContains: []string{`"role":"peripheral"`, `"source_ref":"IR-78"`}, wantNotContains: []string{`"end_reason"`}},
				{name: "API: end", method: "POST", path: api + "/end", header: w, body: `{"ended_on":"` + today + `","end_reason":"moved_away"}`,
					wantStatus: 200, wantContains: []string{`"end_reason":"moved_away"`}},
				{name: "API: not twice", method: "POST", path: api + "/end", header: w, body: `{"ended_on":"` + today + `","end_reason":"left"}`, wantStatus: 409},
				{name: "API: the group lists the end", path: "/api/v1/ocgs/" + hidden, header: w, wantStatus: 200, wantContains: []string{`"end_reason":"moved_away"`}},
			} {
				sc.run(t, h)
			}
		})
	}
}
