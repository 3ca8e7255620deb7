package app_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/store/storetest"
)

// TestScoringPages: an analyst scores a group on both methods through the
// forms (errors name the fields), the history shows model versions and the
// review flag; people who may not score or see the group get 404; an
// administrator edits a model, with errors naming the JSON field, and
// saves a new version.
func TestScoringPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			who := mustActor(t, a, analyst)
			o := domain.OCG{Name: "Harbour Street group", Status: domain.StatusUnderAssessment, Ownership: domain.OwnLocal, PrimaryThreat: "county_lines",
				CreatedBy: who.UserID, Marking: domain.Marking{PartnershipID: who.PartnershipID, OriginAgencyID: who.AgencyID,
					Classification: domain.OfficialSensitive, Handling: domain.HandlingP}}
			st := a.Store()
			if err := st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return st.InsertOCG(ctx, tx, &o) }); err != nil {
				t.Fatal(err)
			}
			base := "/ocgs/" + o.ID

			scenario{name: "OCGM form", path: base + "/assess?method=ocgm", cookie: analyst, wantStatus: 200,
				wantContains:    []string{"Seriousness of criminal activity", "weight ×3", "not the national OCGM weights", "22/11/2026", `name="confidence"`},
				wantNotContains: []string{"Opportunity"}}.run(t, h)
			scenario{name: "MoRiLE form", path: base + "/assess?method=morile", cookie: analyst, wantStatus: 200,
				wantContains: []string{"Physical harm", "Geographic scope", "Victim vulnerability", "Organisational position", "Opportunity"}}.run(t, h)

			bad := url.Values{"method": {"ocgm"}, "criminality": {"serious"}, "confidence": {"5"}, "assessed_on": {"31/02/2026"}}
			scenario{name: "incomplete OCGM", method: "POST", path: base + "/assess", cookie: analyst, body: bad.Encode(), wantStatus: 422,
				wantContains: []string{"There is a problem", `href="#violence"`, "Choose a value for Use of violence and weapons", `href="#confidence"`,
					`href="#rationale"`, `href="#assessed_on"`}}.run(t, h)

			good := url.Values{"method": {"ocgm"}, "criminality": {"most_serious"}, "violence": {"firearms"}, "vulnerability": {"systematic"},
				"capability": {"expert"}, "geography": {"national"}, "finance": {"professional"}, "corruption": {"established"}, "network": {"hub"},
				"confidence": {"2"}, "rationale": {"Firearms recovered; three graded reports"}, "assessed_on": {"20/11/2026"}}
			rec := scenario{name: "score OCGM", method: "POST", path: base + "/assess", cookie: analyst, body: good.Encode(), wantStatus: 303}.run(t, h)
			if got := rec.Header().Get("Location"); got != base {
				t.Errorf("after scoring: got Location %q, want %q", got, base)
			}
			low := url.Values{"method": {"morile"}, "physical": {"none"}, "psychological": {"none"}, "financial": {"none"}, "community": {"none"},
				"geography": {"local"}, "frequency": {"isolated"}, "trend": {"decreasing"}, "victim_vulnerability": {"none_known"}, "org_position": {"strong"},
				"confidence": {"1"}, "rationale": {"Little current harm seen"}, "opportunity": {"Licensing review of the premises"}}
			scenario{name: "score MoRiLE", method: "POST", path: base + "/assess", cookie: analyst, body: low.Encode(), wantStatus: 303}.run(t, h)
			scenario{name: "history", path: base + "/assessments", cookie: analyst, wantStatus: 200,
				wantContains: []string{"OCGM-style, model version 1", "MoRiLE-style, model version 1", "72 of 72", "1A, P1", "2: Medium",
					"Needs review", "Licensing review of the premises", "20 November 2026"}}.run(t, h)

			officer := signIn(t, a, "officer@hmrc.example")
			board := signIn(t, a, "board@nyp.example")
			for _, sc := range []scenario{
				{name: "partner officer cannot see the form", path: base + "/assess", cookie: officer, wantStatus: 404, wantNotContains: []string{"Harbour Street"}},
				{name: "partner officer cannot score", method: "POST", path: base + "/assess", cookie: officer, body: good.Encode(), wantStatus: 404},
				{name: "partner officer cannot see the history", path: base + "/assessments", cookie: officer, wantStatus: 404, wantNotContains: []string{"Harbour Street"}},
				{name: "board viewer cannot score", method: "POST", path: base + "/assess", cookie: board, body: good.Encode(), wantStatus: 404},
				{name: "analyst cannot edit models", path: "/admin/scoring-models/ocgm", cookie: analyst, wantStatus: 404},
				{name: "signed out", path: base + "/assessments", wantStatus: 303},
			} {
				sc.run(t, h)
			}

			admin := signIn(t, a, "admin@nyp.example")
			scenario{name: "models", path: "/admin/scoring-models", cookie: admin, wantStatus: 200,
				wantContains: []string{"Alliance default OCGM-style model", "Alliance default MoRiLE-style model", "Shipped default", "Current"}}.run(t, h)
			rec = scenario{name: "edit form", path: "/admin/scoring-models/ocgm", cookie: admin, wantStatus: 200,
				wantContains: []string{`id="definition"`, "review_threshold", "not the national OCGM weights"}}.run(t, h)
			if !strings.Contains(rec.Body.String(), "&#34;weight&#34;: 3") {
				t.Fatal("edit form: got no definition text to edit")
			}
			def, err := a.Store().CurrentScoringModel(context.Background(), a.Store().Reader(), domain.MethodOCGM)
			if err != nil {
				t.Fatal(err)
			}
			broken := url.Values{"definition": {strings.Replace(def.Definition, `"weight": 3,`, `"weight": -1,`, 1)}}
			scenario{name: "invalid definition", method: "POST", path: "/admin/scoring-models/ocgm", cookie: admin, body: broken.Encode(), wantStatus: 422,
				wantContains: []string{"There is a problem", "attributes[0].weight: Weight must be more than 0", `href="#definition"`}}.run(t, h)
			edited := url.Values{"definition": {strings.Replace(def.Definition, `"weight": 3,`, `"weight": 4,`, 1)}}
			scenario{name: "save version 2", method: "POST", path: "/admin/scoring-models/ocgm", cookie: admin, body: edited.Encode(), wantStatus: 303}.run(t, h)
			scenario{name: "models after", path: "/admin/scoring-models", cookie: admin, wantStatus: 200, wantContains: []string{"Earlier version"}}.run(t, h)
			scenario{name: "history keeps version 1", path: base + "/assessments", cookie: analyst, wantStatus: 200,
				wantContains: []string{"OCGM-style, model version 1"}, wantNotContains: []string{"model version 2"}}.run(t, h)
		})
	}
}
