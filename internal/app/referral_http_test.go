package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// TestReferrals: a partner officer refers a young person to Operation
// Choice; referrals that fail a rule are refused naming it, with nothing
// stored; the firewall keeps the referral from an analyst, an LRO, a board
// member and another partner by every route, while the coordinator, the
// referrer and (once allocated) the worker see it; sessions and the
// outcome are recorded and every step is in the audit log.
func TestReferrals(t *testing.T) {
	const marker = "Zebulon Quartermain"
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, e, nil)
			h := a.Handler()
			db := a.Store().Reader()
			officer := signIn(t, a, "officer@nyc.example")
			coord := signIn(t, a, "referrals@nycsp.example")
			var choice string
			if err := db.QueryRow(`SELECT CAST(id AS text) FROM programme WHERE name = 'Operation Choice'`).Scan(&choice); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM referral`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			good := url.Values{"programme": {choice}, "subject_name": {marker}, "subject_dob": {"14/03/2011"}, "gender": {"male"},
				"source": {"police_officer"}, "incident_on": {"01/11/2026"}, "referred_on": {"03/11/2026"}, "offences": {"possession"},
				"in_custody": {"no"}, "consent_young_on": {"03/11/2026"}, "consent_parent_on": {"03/11/2026"}}
			with := func(k string, v ...string) string {
				x := url.Values{}
				for kk, vv := range good {
					x[kk] = vv
				}
				if v == nil {
					x.Del(k)
				} else {
					x[k] = v
				}
				return x.Encode()
			}
			before := count()
			for _, c := range []struct {
				name, body, want string
			}{
				{"PWITS", with("offences", "possession", "pwits"), "Not eligible for Operation Choice: Operation Choice does not extend to young people under investigation for supply"},
				{"aged 18", with("subject_dob", "01/11/2008"), "is 18 on the date of the referral: Operation Choice is for ages 10 to 17"},
				{"in custody", with("in_custody", "yes"), "referrals are made outside custody"},
				{"no parental consent", with("consent_parent_on"), "A parent or guardian must consent"},
				{"consent before the incident", with("consent_parent_on", "30/10/2026"), "Consent cannot be dated before the incident"},
				{"born in the future", with("subject_dob", "01/01/2099"), "The date of birth cannot be in the future"},
				{"no name", with("subject_name", ""), "Enter the young person&#39;s name"},
				{"no programme", with("programme", "nope"), "Choose a programme that is taking referrals"},
			} {
				scenario{name: c.name, method: "POST", path: "/referrals", cookie: officer, body: c.body, wantStatus: 422,
					wantContains: []string{"govuk-error-summary", c.want}}.run(t, h)
			}
			if n := count(); n != before {
				t.Fatalf("after refused referrals: got %d, want %d (nothing stored)", n, before)
			}
			rec := scenario{name: "refer", method: "POST", path: "/referrals", cookie: officer, body: good.Encode(), wantStatus: 303}.run(t, h)
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/referrals/")
			scenario{name: "the referrer sees it", path: "/referrals/" + id, cookie: officer, wantStatus: 200,
				wantContains: []string{marker, "Received", "15 when referred"}, wantNotContains: []string{`id="status-form"`, `id="session-form"`}}.run(t, h)

			// The firewall, by every route.
			for _, email := range []string{"analyst@nyp.example", "lro@nyp.example", "board@nyp.example", "officer@york.example", "admin@nyp.example", "dpo@nyp.example"} {
				ck := signIn(t, a, email)
				tok := tokenFor(t, a, email, "read")
				for _, p := range []string{"/referrals", "/referrals/" + id, "/search?q=Quartermain", "/", "/reports?q=Quartermain", "/ocgs"} {
					// The search words are echoed; the first name is not among them.
					if body := getAs(a, p, false, ck, "").Body.String(); strings.Contains(body, "Zebulon") {
						t.Errorf("%s: GET %s shows the referral", email, p)
					}
				}
				if rec := getAs(a, "/referrals/"+id, false, ck, ""); rec.Code != http.StatusNotFound {
					t.Errorf("%s: GET the referral: got %d, want 404", email, rec.Code)
				}
				for _, p := range []string{"/api/v1/search?q=Quartermain", "/api/v1/reports?q=Quartermain"} {
					if body := getAs(a, p, true, "", tok).Body.String(); strings.Contains(body, "Zebulon") {
						t.Errorf("%s: GET %s shows the referral", email, p)
					}
				}
			}

			scenario{name: "the coordinator's caseload", path: "/referrals?programme=" + choice + "&status=received", cookie: coord, wantStatus: 200,
				wantContains: []string{marker, "5 referrals"}}.run(t, h)
			scenario{name: "a bad status filter", path: "/referrals?status=lost", cookie: coord, wantStatus: 404}.run(t, h)
			scenario{name: "allocate without a worker", method: "POST", path: "/referrals/" + id + "/status", cookie: coord,
				body: url.Values{"status": {"allocated"}}.Encode(), wantStatus: 422, wantContains: []string{"Give the e-mail address of the worker"}}.run(t, h)
			scenario{name: "the referrer may not move it on", method: "POST", path: "/referrals/" + id + "/status", cookie: officer,
				body: url.Values{"status": {"closed"}, "outcome": {"completed"}}.Encode(), wantStatus: 404}.run(t, h)
			scenario{name: "allocate", method: "POST", path: "/referrals/" + id + "/status", cookie: coord,
				body: url.Values{"status": {"allocated"}, "worker": {"officer@york.example"}}.Encode(), wantStatus: 303}.run(t, h)
			worker := signIn(t, a, "officer@york.example")
			scenario{name: "the worker sees it now", path: "/referrals/" + id, cookie: worker, wantStatus: 200, wantContains: []string{marker, "Allocated"}}.run(t, h)
			scenario{name: "a session before the referral", method: "POST", path: "/referrals/" + id + "/sessions", cookie: worker,
				body: url.Values{"held_on": {"01/11/2026"}, "attended": {"yes"}}.Encode(), wantStatus: 422, wantContains: []string{"cannot be before the referral"}}.run(t, h)
			scenario{name: "a session", method: "POST", path: "/referrals/" + id + "/sessions", cookie: worker,
				body: url.Values{"held_on": {"10/11/2026"}, "attended": {"yes"}, "note": {"Talked about <script>harm</script> reduction"}}.Encode(), wantStatus: 303}.run(t, h)
			scenario{name: "engaged", path: "/referrals/" + id, cookie: worker, wantStatus: 200,
				wantContains: []string{"Engaged", "10 November 2026", "&lt;script&gt;harm"}, wantNotContains: []string{"<script>harm"}}.run(t, h)
			scenario{name: "completing needs an outcome", method: "POST", path: "/referrals/" + id + "/status", cookie: coord,
				body: url.Values{"status": {"completed"}}.Encode(), wantStatus: 422, wantContains: []string{"Choose how the referral ended"}}.run(t, h)
			scenario{name: "complete", method: "POST", path: "/referrals/" + id + "/status", cookie: coord,
				body: url.Values{"status": {"completed"}, "outcome": {"completed"}}.Encode(), wantStatus: 303}.run(t, h)
			// The API: coordinators only, the firewall's answer, the summary's counts.
			ctok := tokenFor(t, a, "referrals@nycsp.example", "read")
			if rec := getAs(a, "/api/v1/referrals?programme="+choice+"&status=completed", true, "", ctok); rec.Code != http.StatusOK ||
				!strings.Contains(rec.Body.String(), marker) || !strings.Contains(rec.Body.String(), `"age_at_referral":15`) {
				t.Errorf("GET /api/v1/referrals as the coordinator: got %d %.300s", rec.Code, rec.Body.String())
			}
			for _, bad := range []string{"?status=lost", "?programme=x", "?page=0"} {
				if rec := getAs(a, "/api/v1/referrals"+bad, true, "", ctok); rec.Code != http.StatusBadRequest {
					t.Errorf("GET /api/v1/referrals%s: got %d, want 400", bad, rec.Code)
				}
			}
			if rec := getAs(a, "/api/v1/referrals", true, "", tokenFor(t, a, "analyst@nyp.example", "read")); rec.Code != http.StatusNotFound ||
				strings.Contains(rec.Body.String(), "Zebulon") {
				t.Errorf("GET /api/v1/referrals as an analyst: got %d, want 404 (the route is the coordinators')", rec.Code)
			}
			// The summary against the records, counted here.
			sum := getAs(a, "/api/v1/programmes/"+choice+"/summary?fy=2026/27", true, "", ctok)
			var got struct {
				Referrals, Completed, Engaged int
				FY                            string `json:"fy"`
			}
			if err := json.Unmarshal(sum.Body.Bytes(), &got); err != nil || sum.Code != http.StatusOK || strings.Contains(sum.Body.String(), "Zebulon") {
				t.Fatalf("the programme summary: got %d %s, %v", sum.Code, sum.Body.String(), err)
			}
			var want struct{ referrals, completed, engaged int }
			if err := db.QueryRow(`SELECT count(*), sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
				sum(CASE WHEN EXISTS (SELECT 1 FROM referral_session s WHERE s.referral_id = referral.id AND s.attended) THEN 1 ELSE 0 END)
				FROM referral WHERE programme_id = $1 AND referred_on >= '2026-04-01' AND referred_on <= '2027-03-31'`, choice).Scan(
				&want.referrals, &want.completed, &want.engaged); err != nil {
				t.Fatal(err)
			}
			if got.Referrals != want.referrals || got.Completed != want.completed || got.Engaged != want.engaged || got.FY != "2026/27" || want.completed == 0 {
				t.Errorf("the programme summary: got %+v, want %+v from the records", got, want)
			}
			if rec := getAs(a, "/api/v1/programmes/"+choice+"/summary?fy=2026/28", true, "", ctok); rec.Code != http.StatusBadRequest {
				t.Errorf("a summary of a bad year: got %d, want 400", rec.Code)
			}

			var collected, consulted, altered int
			if err := db.QueryRow(`SELECT
				sum(CASE WHEN operation = 'collection' THEN 1 ELSE 0 END), sum(CASE WHEN operation = 'consultation' THEN 1 ELSE 0 END),
				sum(CASE WHEN operation = 'alteration' THEN 1 ELSE 0 END) FROM audit_event WHERE record_type = 'referral' AND record_ids LIKE $1`,
				"%"+id+"%").Scan(&collected, &consulted, &altered); err != nil {
				t.Fatal(err)
			}
			if collected != 1 || consulted < 4 || altered != 3 {
				t.Errorf("audit entries for the referral: got %d collected, %d consulted, %d altered; want 1, at least 4, 3", collected, consulted, altered)
			}
		})
	}
}
