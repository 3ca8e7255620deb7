package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// TestProgrammes: every signed-in user reads the partnership's programmes
// and their rules; only an administrator adds or changes one; rules that do
// not parse, ages the wrong way round and a name already taken are refused
// naming the field, with nothing stored; each change is in the audit log.
func TestProgrammes(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, e, nil)
			h := a.Handler()
			db := a.Store().Reader()
			officer := signIn(t, a, "officer@nyc.example")
			admin := signIn(t, a, "admin@nyp.example")
			count := func() int {
				t.Helper()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM programme`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			scenario{name: "the list", path: "/programmes", cookie: officer, wantStatus: 200,
				wantContains: []string{"Operation Choice", "Operation Divan", "Stepping Up", "St Giles Trust"}, wantNotContains: []string{"Add a programme"}}.run(t, h)
			var choice string
			if err := db.QueryRow(`SELECT CAST(id AS text) FROM programme WHERE name = 'Operation Choice'`).Scan(&choice); err != nil {
				t.Fatal(err)
			}
			scenario{name: "a programme's rules", path: "/programmes/" + choice, cookie: officer, wantStatus: 200,
				wantContains: []string{"not extend to young people under investigation for supply", "outside custody", "10 to 17"}}.run(t, h)
			scenario{name: "a partner may not add one", path: "/programmes/new", cookie: officer, wantStatus: 404}.run(t, h)
			scenario{name: "nor post one", method: "POST", path: "/programmes", cookie: officer, wantStatus: 404,
				body: url.Values{"name": {"Mine"}}.Encode()}.run(t, h)
			scenario{name: "the form", path: "/programmes/new", cookie: admin, wantStatus: 200,
				wantContains: []string{"Eligibility rules and routes (JSON)", "Misuse of Drugs Act 1971"}}.run(t, h)

			var owner string
			if err := db.QueryRow(`SELECT CAST(id AS text) FROM agency WHERE name = 'City of York Council'`).Scan(&owner); err != nil {
				t.Fatal(err)
			}
			good := url.Values{"name": {"Youth boxing <b>club</b>"}, "kind": {"mentoring"}, "owner": {owner}, "min_age": {"11"}, "max_age": {"18"},
				"active": {"yes"}, "rules": {`{"eligible":[{"fact":"age","op":"between","min":11,"max":18,"message":"For 11 to 18 year olds"}]}`}}
			with := func(k, v string) string {
				x := url.Values{}
				for kk, vv := range good {
					x[kk] = vv
				}
				x.Set(k, v)
				return x.Encode()
			}
			before := count()
			for _, c := range []struct{ name, field, value, want string }{
				{"no name", "name", " ", "Enter the programme&#39;s name"},
				{"a name taken", "name", "Operation Choice", "already has a programme called Operation Choice"},
				{"no kind", "kind", "charity", "Choose what the programme does"},
				{"an owner of no agency", "owner", "00000000-0000-0000-0000-000000000000", "Choose the agency that owns the programme"},
				{"ages the wrong way round", "max_age", "9", "The oldest age must not be below the youngest"},
				{"an age not a number", "min_age", "ten", "youngest age as a whole number"},
				{"rules not JSON", "rules", "age < 18", "not valid JSON"},
				{"a rule on an unknown fact", "rules", `{"eligible":[{"fact":"postcode","op":"in","values":["YO1"],"message":"m"}]}`, "Eligibility rule 1: &#34;postcode&#34; is not a fact"},
				{"a rule with no message", "rules", `{"eligible":[{"fact":"age","op":"between","min":1}]}`, "needs a message"},
			} {
				scenario{name: c.name, method: "POST", path: "/programmes", cookie: admin, body: with(c.field, c.value), wantStatus: 422,
					wantContains: []string{"govuk-error-summary", c.want}}.run(t, h)
			}
			if n := count(); n != before {
				t.Fatalf("after refused programmes: got %d, want %d (nothing stored)", n, before)
			}
			rec := scenario{name: "add", method: "POST", path: "/programmes", cookie: admin, body: good.Encode(), wantStatus: 303}.run(t, h)
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/programmes/")
			scenario{name: "its page", path: "/programmes/" + id, cookie: officer, wantStatus: 200,
				wantContains: []string{"Youth boxing &lt;b&gt;club&lt;/b&gt;", "For 11 to 18 year olds", "11 to 18"}, wantNotContains: []string{"<b>club</b>"}}.run(t, h)
			scenario{name: "close it", method: "POST", path: "/programmes/" + id, cookie: admin, body: with("active", ""), wantStatus: 303}.run(t, h)
			scenario{name: "closed", path: "/programmes", cookie: officer, wantStatus: 200, wantContains: []string{"Closed"}}.run(t, h)
			scenario{name: "a programme of no one", method: "POST", path: "/programmes/00000000-0000-0000-0000-000000000000", cookie: admin,
				body: good.Encode(), wantStatus: http.StatusNotFound}.run(t, h)
			var entries int
			if err := db.QueryRow(`SELECT count(*) FROM audit_event WHERE record_type = 'programme' AND record_ids = $1`, id).Scan(&entries); err != nil || entries != 2 {
				t.Errorf("got %d audit entries for the programme, %v; want 2 (added, changed)", entries, err)
			}
		})
	}
}
