package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/store/storetest"
)

// TestSecondarySuppressionHTTP: in a year of 2 Protect and 12 Pursue
// disruptions, the board's dashboard and a partner system's API read hide
// the 2 as "fewer than 5" and the 12 (hidden only so that the 2 cannot be
// worked out from the total) as "hidden", never "fewer than 5".
func TestSecondarySuppressionHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			ctx := context.Background()
			st := a.Store()
			part, err := st.PartnershipBySlug(ctx, demo.Slug)
			if err != nil {
				t.Fatal(err)
			}
			wards, err := st.OrgUnits(ctx, part.ID, domain.LevelWard)
			if err != nil || len(wards) == 0 {
				t.Fatalf("wards: %v", err)
			}
			analyst, err := st.CredentialsByEmail(ctx, st.Reader(), "analyst@nyp.example")
			if err != nil {
				t.Fatal(err)
			}
			// 2010/11: a year the demo has no disruptions in.
			var list []domain.Disruption
			for i := range 14 {
				p := domain.Pursue
				if i < 2 {
					p = domain.Protect
				}
				list = append(list, domain.Disruption{Subject: domain.SubjectTheme, Theme: "Street dealing", FourP: p, Impact: domain.ImpactMinor,
					ValidatedFourP: p, ValidatedImpact: domain.ImpactMinor, Rationale: "Test", On: time.Date(2010, 10, 10, 0, 0, 0, 0, time.UTC),
					UnitID: wards[0].ID, LeadAgencyID: analyst.User.AgencyID, Threats: []string{"drugs"}, Status: domain.DisruptionValidated,
					Marking:   domain.Marking{PartnershipID: part.ID, OriginAgencyID: analyst.User.AgencyID, Classification: domain.Official, Handling: domain.HandlingP},
					CreatedBy: analyst.User.ID})
			}
			if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.InsertDisruptions(ctx, tx, list) }); err != nil {
				t.Fatal(err)
			}
			row := func(label, text string) string {
				return `<th scope="row" class="govuk-table__header">` + label + `</th><td class="govuk-table__cell govuk-table__cell--numeric">` + text + `</td>`
			}
			scenario{name: "board dashboard", path: "/performance?fy=2010%2F11", cookie: signIn(t, a, "board@nyp.example"), wantStatus: 200,
				wantContains:    []string{`<span class="app-figure__value">14</span>`, row("Protect", "fewer than 5"), row("Pursue", "hidden")},
				wantNotContains: []string{row("Pursue", "fewer than 5"), `data-value="12"`}}.run(t, h)

			rec := scenario{name: "api", path: "/api/v1/performance?fy=2010/11", header: map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "board@nyp.example", "read")},
				wantStatus: 200, wantType: "application/json"}.run(t, h)
			var got struct {
				ByFourP []struct {
					Label string `json:"label"`
					Count struct {
						Value      *int64 `json:"value"`
						Suppressed bool   `json:"suppressed"`
						Secondary  bool   `json:"secondary"`
						Text       string `json:"text"`
					} `json:"count"`
				} `json:"by_4p"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			cells := map[string]string{}
			for _, c := range got.ByFourP {
				if c.Count.Value != nil && c.Count.Suppressed {
					t.Errorf("API %s: got a value %d with suppressed true", c.Label, *c.Count.Value)
				}
				cells[c.Label] = c.Count.Text
				if c.Count.Secondary {
					cells[c.Label] += " (secondary)"
				}
			}
			for label, want := range map[string]string{"Protect": "fewer than 5", "Pursue": "hidden (secondary)"} {
				if cells[label] != want {
					t.Errorf("API %s: got %q, want %q", label, cells[label], want)
				}
			}
			if strings.Contains(rec.Body.String(), `"value":12`) {
				t.Error("API: got the hidden 12")
			}
		})
	}
}
