package app_test

import (
	"encoding/json"
	"testing"

	"alliance/internal/store/storetest"
)

// TestOCGPictureHTTP checks the OCG picture page and its API on both
// engines, against the demo partnership's register: the seed's figures for
// 2023/24, a badly written year named as the fy problem, and no picture for
// roles that do not read groups.
func TestOCGPictureHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			dpo := signIn(t, a, "dpo@nyp.example")
			for _, sc := range []scenario{
				{name: "page", path: "/ocg-picture", cookie: analyst, wantStatus: 200,
					wantContains: []string{"The OCG picture", `href="/ocg-picture"`, "organised crime groups scored and mapped today", "Needs attention", "Groups ranked by score"}},
				{name: "page for a year", path: "/ocg-picture?fy=2023-24", cookie: analyst, wantStatus: 200,
					wantContains: []string{`<span class="app-figure__value">28</span>`,
						"organised crime groups scored and mapped at 31 March 2024: 24 drugs or county lines, 2 modern slavery and human trafficking, 1 burglary, 1 fraud",
						`<span class="app-figure__value">19</span>`, "dismantled in 2023/24: 9 county lines, 7 illegal drugs, 1 burglary, 1 fraud, 1 money laundering",
						`<option value="2023-24" selected>2023/24</option>`, "Restricted", "No current 4P plan", "4P plan review overdue",
						// The trend: 2023/24 as its own picture counts it, charted.
						`id="trend" data-chart="bar"`, `<th scope="row" class="govuk-table__header">2023/24</th><td class="govuk-table__cell govuk-table__cell--numeric" data-value="28">28</td><td class="govuk-table__cell govuk-table__cell--numeric" data-value="19">19</td>`,
						`id="trend-by-threat" data-chart="bar"`}},
				{name: "page with a slash", path: "/ocg-picture?fy=2023%2F24", cookie: analyst, wantStatus: 200, wantContains: []string{"dismantled in 2023/24"}},
				{name: "bad year", path: "/ocg-picture?fy=2023%2F25", cookie: analyst, wantStatus: 400,
					wantContains: []string{"There is a problem", `href="#fy"`, "is not a financial year: a financial year runs from April one year to March the next, like 2023/24", "dismantled in the 12 months to"}, wantNotContains: []string{"fy must be"}},
				{name: "auditor", path: "/ocg-picture", cookie: dpo, wantStatus: 404, wantNotContains: []string{"scored and mapped"}},
				// A partner officer at the council counts only what the council may see.
				{name: "council officer", path: "/ocg-picture?fy=2023-24", cookie: signIn(t, a, "officer@nyc.example"), wantStatus: 200,
					wantContains:    []string{"organised crime groups scored and mapped at 31 March 2024"},
					wantNotContains: []string{`<span class="app-figure__value">28</span>`, `<span class="app-figure__value">19</span>`, "Restricted"}},
				{name: "signed out", path: "/ocg-picture", wantStatus: 303},
			} {
				sc.run(t, h)
			}
			// The navigation offers the picture to those who read groups only.
			scenario{name: "nav", path: "/", cookie: analyst, wantStatus: 200, wantContains: []string{`href="/ocg-picture"`}}.run(t, h)
			scenario{name: "no nav", path: "/", cookie: dpo, wantStatus: 200, wantNotContains: []string{`href="/ocg-picture"`}}.run(t, h)

			token := tokenFor(t, a, "analyst@nyp.example", "read")
			auth := map[string]string{"Authorization": "Bearer " + token}
			rec := scenario{name: "api", path: "/api/v1/ocg-picture?fy=2023/24", header: auth, wantStatus: 200, wantType: "application/json"}.run(t, h)
			var pic struct {
				FY     *string `json:"fy"`
				AsAt   string  `json:"as_at"`
				Period struct{ From, To, Label string }
				Mapped struct {
					Total   int    `json:"total"`
					Summary string `json:"summary"`
				} `json:"mapped"`
				Dismantled struct {
					Total int `json:"total"`
				} `json:"dismantled"`
				Marking string `json:"marking"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &pic); err != nil {
				t.Fatal(err)
			}
			if pic.FY == nil || *pic.FY != "2023/24" || pic.AsAt != "2024-03-31" || pic.Period.From != "2023-04-01" || pic.Marking != "OFFICIAL-SENSITIVE" {
				t.Errorf("api: got %+v, want 2023/24 as at 31 March 2024", pic)
			}
			if pic.Mapped.Total != 28 || pic.Mapped.Summary != "24 drugs or county lines, 2 modern slavery and human trafficking, 1 burglary, 1 fraud" ||
				pic.Dismantled.Total != 19 {
				t.Errorf("api: got %d mapped (%s), %d dismantled; want the seed's 28 and 19", pic.Mapped.Total, pic.Mapped.Summary, pic.Dismantled.Total)
			}
			scenario{name: "api bad fy", path: "/api/v1/ocg-picture?fy=2023-25", header: auth, wantStatus: 400, wantType: "application/problem+json",
				wantContains: []string{`"field":"fy"`}}.run(t, h)
			dpoToken := tokenFor(t, a, "dpo@nyp.example", "read")
			scenario{name: "api auditor", path: "/api/v1/ocg-picture", header: map[string]string{"Authorization": "Bearer " + dpoToken}, wantStatus: 403}.run(t, h)
		})
	}
}
