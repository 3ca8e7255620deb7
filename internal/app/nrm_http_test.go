package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// TestNRM: a first responder records an NRM referral and the decisions;
// bad input names the field and stores nothing; the firewall keeps NRM
// records from analysts, board members and other partners; and the
// 2023/24 summary the API gives equals one counted here from the records:
// 47 referrals, up on 28, 64% under 18, criminal exploitation the most
// common, as the slides say.
func TestNRM(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, e, nil)
			h := a.Handler()
			db := a.Store().Reader()
			officer := signIn(t, a, "officer@york.example")
			count := func() int {
				t.Helper()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM nrm_referral`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			good := url.Values{"kind": {"nrm"}, "subject_name": {"Quillon Nightingale"}, "age_at_exploitation": {"child"}, "types": {"criminal", "sexual"},
				"county_lines": {"yes"}, "competent_authority": {"sca"}, "referred_on": {"01/12/2026"}}
			with := func(k string, v ...string) string {
				x := url.Values{}
				for kk, vv := range good {
					x[kk] = vv
				}
				x[k] = v
				return x.Encode()
			}
			before := count()
			for _, c := range []struct{ name, body, want string }{
				{"Duty to Notify for a child", with("kind", "dtn"), "A Duty to Notify report is for an adult who does not consent"},
				{"no type", with("types"), "Choose at least one type of exploitation"},
				{"a type of no one", with("types", "piracy"), "Choose exploitation types from the list"},
				{"no authority", with("competent_authority", "police"), "Choose the competent authority"},
				{"in the future", with("referred_on", "01/01/2099"), "cannot be in the future"},
			} {
				scenario{name: c.name, method: "POST", path: "/nrm", cookie: officer, body: c.body, wantStatus: 422, wantContains: []string{c.want}}.run(t, h)
			}
			if n := count(); n != before {
				t.Fatalf("after refused records: got %d, want %d", n, before)
			}
			rec := scenario{name: "record", method: "POST", path: "/nrm", cookie: officer, body: good.Encode(), wantStatus: 303}.run(t, h)
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/nrm/")
			for _, c := range []struct {
				name string
				v    url.Values
				want string
			}{
				{"CG before RG", url.Values{"rg": {"positive"}, "rg_on": {"04/12/2026"}, "cg": {"positive"}, "cg_on": {"03/12/2026"}},
					"The conclusive grounds decision cannot be before the reasonable grounds decision"},
				{"CG after a negative RG", url.Values{"rg": {"negative"}, "rg_on": {"04/12/2026"}, "cg": {"positive"}, "cg_on": {"05/12/2026"}},
					"A conclusive grounds decision follows a positive reasonable grounds decision"},
				{"RG with no date", url.Values{"rg": {"positive"}, "cg": {"pending"}}, "Enter the date of the reasonable grounds decision"},
				{"RG before the referral", url.Values{"rg": {"positive"}, "rg_on": {"30/11/2026"}, "cg": {"pending"}}, "cannot be before the referral"},
			} {
				scenario{name: c.name, method: "POST", path: "/nrm/" + id + "/decisions", cookie: officer, body: c.v.Encode(), wantStatus: 422,
					wantContains: []string{c.want}}.run(t, h)
			}
			scenario{name: "decide", method: "POST", path: "/nrm/" + id + "/decisions", cookie: officer, wantStatus: 303,
				body: url.Values{"rg": {"positive"}, "rg_on": {"03/12/2026"}, "cg": {"pending"}}.Encode()}.run(t, h)
			scenario{name: "decided", path: "/nrm/" + id, cookie: officer, wantStatus: 200, wantContains: []string{"positive on 3 December 2026", "Quillon"}}.run(t, h)

			for _, email := range []string{"analyst@nyp.example", "board@nyp.example", "officer@nyc.example", "lro@nyp.example"} {
				ck := signIn(t, a, email)
				if rec := getAs(a, "/nrm/"+id, false, ck, ""); rec.Code != http.StatusNotFound {
					t.Errorf("%s: GET the NRM referral: got %d, want 404", email, rec.Code)
				}
				if body := getAs(a, "/nrm", false, ck, "").Body.String(); strings.Contains(body, "Quillon") {
					t.Errorf("%s: the NRM list shows another's referral", email)
				}
				if rec := getAs(a, "/api/v1/nrm-summary?fy=2023/24", true, "", tokenFor(t, a, email, "read")); rec.Code != http.StatusNotFound {
					t.Errorf("%s: GET /api/v1/nrm-summary: got %d, want 404", email, rec.Code)
				}
			}

			// The 2023/24 summary, counted here from the records.
			coord := tokenFor(t, a, "referrals@nycsp.example", "read")
			rec = getAs(a, "/api/v1/nrm-summary?fy=2023/24", true, "", coord)
			var got struct {
				Total        int                 `json:"total"`
				Under18      int                 `json:"under_18_percent"`
				MostCommon   string              `json:"most_common_type"`
				ByQuarter    map[string]int      `json:"by_quarter"`
				ByType       map[string]int      `json:"by_exploitation_type"`
				Change       *int                `json:"change_percent"`
				PreviousYear struct{ Total int } `json:"previous_year"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("GET /api/v1/nrm-summary: got %d %s, %v", rec.Code, rec.Body.String(), err)
			}
			var total, children, before23, criminal, q1 int
			var top string
			for _, c := range []struct {
				q   string
				out any
			}{
				{`SELECT count(*) FROM nrm_referral WHERE kind = 'nrm' AND referred_on BETWEEN '2023-04-01' AND '2024-03-31'`, &total},
				{`SELECT count(*) FROM nrm_referral WHERE kind = 'nrm' AND age_at_exploitation = 'child' AND referred_on BETWEEN '2023-04-01' AND '2024-03-31'`, &children},
				{`SELECT count(*) FROM nrm_referral WHERE kind = 'nrm' AND referred_on BETWEEN '2022-04-01' AND '2023-03-31'`, &before23},
				{`SELECT count(*) FROM nrm_referral n JOIN nrm_exploitation e ON e.nrm_id = n.id WHERE n.kind = 'nrm' AND e.type = 'criminal'
					AND n.referred_on BETWEEN '2023-04-01' AND '2024-03-31'`, &criminal},
				{`SELECT count(*) FROM nrm_referral WHERE kind = 'nrm' AND referred_on BETWEEN '2023-04-01' AND '2023-06-30'`, &q1},
				{`SELECT e.type FROM nrm_referral n JOIN nrm_exploitation e ON e.nrm_id = n.id WHERE n.kind = 'nrm'
					AND n.referred_on BETWEEN '2023-04-01' AND '2024-03-31' GROUP BY e.type ORDER BY count(*) DESC, e.type LIMIT 1`, &top},
			} {
				if err := db.QueryRow(c.q).Scan(c.out); err != nil {
					t.Fatal(err)
				}
			}
			wantPct := (children*100 + total/2) / total
			if got.Total != total || got.Under18 != wantPct || got.MostCommon != top || got.ByType["criminal"] != criminal || got.ByQuarter["Q1"] != q1 ||
				got.PreviousYear.Total != before23 || got.Change == nil || *got.Change <= 0 {
				t.Errorf("the summary: got %+v; counted %d referrals, %d%% under 18, %q most common, %d criminal, %d in Q1, %d the year before",
					got, total, wantPct, top, criminal, q1, before23)
			}
			if total != 47 || wantPct != 64 || top != "criminal" || before23 != 28 {
				t.Errorf("the demo's 2023/24: got %d referrals, %d%% under 18, %q most common, %d the year before; want 47, 64%%, criminal, 28 (the slides)",
					total, wantPct, top, before23)
			}
			coordCk := signIn(t, a, "referrals@nycsp.example")
			scenario{name: "the summary page", path: "/nrm/summary?fy=2023/24", cookie: coordCk, wantStatus: 200,
				wantContains: []string{"47 NRM referrals in 2023/24, up 68% on 28 in 2022/23", "64% were for potential victims under 18"}}.run(t, h)
		})
	}
}
