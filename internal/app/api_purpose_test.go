package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"alliance/internal/api"
	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestAPIReadsNeedAPurpose: a person's token reading a group, a person or
// a report must say why, in the X-Alliance-Purpose header or by the
// purpose it was made with (the header wins). Without either the read is a
// 400 problem naming the header and nothing is logged; with one, the
// consultation's justification is that purpose, never a fixed text.
func TestAPIReadsNeedAPurpose(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a, analyst, latest := purposeWorld(t, e)
			h, st, ctx, pid := a.Handler(), a.Store(), context.Background(), analyst.User.PartnershipID
			// Records of the partnership someone else wrote, which the
			// analyst may see (each read below must answer 200).
			pick := func(query string) string {
				t.Helper()
				var id string
				if err := st.Reader().QueryRow(query, pid, analyst.User.ID).Scan(&id); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
				return id
			}
			group := pick(`SELECT CAST(id AS text) FROM ocg WHERE partnership_id = $1 AND created_by <> $2 AND NOT restricted ORDER BY reference LIMIT 1`)
			person := pick(`SELECT CAST(id AS text) FROM entity WHERE partnership_id = $1 AND created_by <> $2 AND NOT restricted AND kind = 'person' ORDER BY reference LIMIT 1`)
			report := pick(`SELECT CAST(id AS text) FROM info_report WHERE partnership_id = $1 AND created_by <> $2 AND NOT restricted ORDER BY reference LIMIT 1`)
			bare := tokenWithPurpose(t, a, "analyst@nyp.example", "", "read")
			made := tokenWithPurpose(t, a, "analyst@nyp.example", "Tasking meeting, 12/03/2024", "read")
			for _, rec := range []struct{ kind, path, id string }{
				{"ocg", "/api/v1/ocgs/" + group, group},
				{"entity", "/api/v1/people/" + person, person},
				{"info_report", "/api/v1/reports/" + report, report},
			} {
				for _, tc := range []struct {
					name, token, header string
					wantStatus          int
					wantWhy             string
				}{
					{"no purpose", bare, "", 400, ""},
					{"blank header, no purpose", bare, "   ", 400, ""},
					{"header too long", bare, strings.Repeat("x", 501), 400, ""},
					{"header", bare, "Safeguarding referral SR-0042", 200, "Safeguarding referral SR-0042"},
					{"token's purpose", made, "", 200, "Tasking meeting, 12/03/2024"},
					{"header wins over the token's", made, "Court file for R v Smith", 200, "Court file for R v Smith"},
				} {
					name := rec.kind + ": " + tc.name
					header := map[string]string{"Authorization": "Bearer " + tc.token}
					if tc.header != "" {
						header["X-Alliance-Purpose"] = tc.header
					}
					before := latest()
					sc := scenario{name: name, path: rec.path, header: header, wantStatus: tc.wantStatus}
					if tc.wantStatus == 400 {
						sc.wantType = "application/problem+json"
						sc.wantContains = []string{`"field":"X-Alliance-Purpose"`}
						sc.wantNotContains = []string{`"reference"`, `"marking"`}
					}
					res := sc.run(t, h)
					got := latest()
					if tc.wantStatus != 200 {
						if got.ID != before.ID {
							t.Errorf("%s: got a new audit entry %+v, want none for a refused read", name, got)
						}
						continue
					}
					if got.ID == before.ID || got.Operation != audit.Consultation || got.ActorID != analyst.User.ID || got.Justification != tc.wantWhy {
						t.Errorf("%s: got entry %+v, want a consultation by the analyst justified %q", name, got, tc.wantWhy)
					}
					// A group's read logs the group and then its members, all
					// with the same purpose; a report's names the report.
					if rec.kind == "info_report" && (got.RecordType != rec.kind || len(got.RecordIDs) != 1 || got.RecordIDs[0] != rec.id) {
						t.Errorf("%s: got entry for %s %v, want the report %s", name, got.RecordType, got.RecordIDs, rec.id)
					}
					var body map[string]any
					if err := json.Unmarshal(res.Body.Bytes(), &body); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				}
			}
			// Nowhere is a read justified by the old fixed text.
			evs, err := st.SearchAudit(ctx, pid, store.AuditFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.Justification == "API read" {
					t.Errorf("got an entry justified \"API read\": %+v", ev)
				}
			}
		})
	}
}

// TestAPIListsNeedAPurpose: a token's list or search shows records too, so
// it needs a purpose before anything is read (400, nothing logged, no
// record in the answer), and the purpose is logged with what was listed;
// on both engines.
func TestAPIListsNeedAPurpose(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a, _, latest := purposeWorld(t, e)
			h := a.Handler()
			bare := tokenWithPurpose(t, a, "analyst@nyp.example", "", "read")
			made := tokenWithPurpose(t, a, "analyst@nyp.example", "Tasking meeting, 12/03/2024", "read")
			for _, l := range []struct{ name, path, why string }{
				{"reports", "/api/v1/reports?per_page=5", "List of information reports"},
				{"reports searched", "/api/v1/reports?q=Scarborough", "Search of information reports"},
				{"groups", "/api/v1/ocgs", "List of organised crime groups"},
				{"register search", "/api/v1/search?q=Barker", "Search of the OCG register"},
				{"OCG picture", "/api/v1/ocg-picture", "The OCG picture: ranked list and groups needing attention"},
			} {
				for _, tc := range []struct {
					name, token, header string
					wantStatus          int
					wantWhy             string
				}{
					{"no purpose", bare, "", 400, ""},
					{"header", bare, "Safeguarding referral SR-0042", 200, l.why + ": Safeguarding referral SR-0042"},
					{"token's purpose", made, "", 200, l.why + ": Tasking meeting, 12/03/2024"},
				} {
					name := l.name + ": " + tc.name
					header := map[string]string{"Authorization": "Bearer " + tc.token}
					if tc.header != "" {
						header["X-Alliance-Purpose"] = tc.header
					}
					before := latest()
					sc := scenario{name: name, path: l.path, header: header, wantStatus: tc.wantStatus}
					if tc.wantStatus == 400 {
						sc.wantContains = []string{`"field":"X-Alliance-Purpose"`}
						sc.wantNotContains = []string{`"reference"`, `"body"`, `"summary"`, `"items"`}
					}
					sc.run(t, h)
					got := latest()
					switch {
					case tc.wantStatus != 200 && got.ID != before.ID:
						t.Errorf("%s: got a new audit entry %+v, want none for a refused list", name, got)
					case tc.wantStatus == 200 && (got.ID == before.ID || got.Justification != tc.wantWhy):
						t.Errorf("%s: got entry %+v, want one justified %q", name, got, tc.wantWhy)
					}
				}
			}
		})
	}
}

// TestOpenAPIDescribesPurpose: the OpenAPI document describes the
// X-Alliance-Purpose header on every read of a record that needs it, and
// the 400 a read without one gets.
func TestOpenAPIDescribesPurpose(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Ref string `json:"$ref"`
			} `json:"parameters"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Parameters["Purpose"]; got.Name != "X-Alliance-Purpose" || got.In != "header" {
		t.Errorf("components.parameters.Purpose: got %+v, want the X-Alliance-Purpose header", got)
	}
	for _, path := range []string{"/api/v1/ocgs/{id}", "/api/v1/people/{id}", "/api/v1/reports/{id}", "/api/v1/reports", "/api/v1/ocgs", "/api/v1/search", "/api/v1/ocg-picture"} {
		op := doc.Paths[path]["get"]
		found := false
		for _, p := range op.Parameters {
			found = found || p.Ref == "#/components/parameters/Purpose"
		}
		if !found {
			t.Errorf("GET %s: got no X-Alliance-Purpose parameter", path)
		}
		if _, ok := op.Responses["400"]; !ok {
			t.Errorf("GET %s: got no 400 response for a read without a purpose", path)
		}
	}
}

// TestTokenPurposeOnAccountPage: the account page makes a token with a
// purpose, lists it, and refuses one too long, naming the field.
func TestTokenPurposeOnAccountPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			lro := signIn(t, a, "lro@nyp.example")
			scenario{name: "form", path: "/account", cookie: lro, wantStatus: 200, wantContains: []string{`name="purpose"`, "X-Alliance-Purpose"}}.run(t, h)
			scenario{name: "too long", method: "POST", path: "/account/tokens", cookie: lro, wantStatus: 422,
				body: "name=Case+sync&scopes=read&days=30&purpose=" + strings.Repeat("x", 501), wantContains: []string{`href="#purpose"`},
				wantNotContains: []string{`id="new-token"`}}.run(t, h)
			rec := scenario{name: "with a purpose", method: "POST", path: "/account/tokens", cookie: lro, wantStatus: 200,
				body: "name=Case+sync&scopes=read&days=30&purpose=Weekly+tasking+meeting", wantContains: []string{`id="new-token"`, "Weekly tasking meeting"}}.run(t, h)
			body := rec.Body.String()
			i := strings.Index(body, `id="new-token">`)
			tok, _, _ := strings.Cut(body[i+len(`id="new-token">`):], "<")
			tokens, err := a.Identity().Tokens(context.Background(), mustActor(t, a, lro), false)
			if err != nil || len(tokens) != 1 || tokens[0].Purpose != "Weekly tasking meeting" || !strings.HasPrefix(tok, tokens[0].Prefix) {
				t.Errorf("stored tokens: got %+v, %v; want one with the purpose", tokens, err)
			}
		})
	}
}

// purposeWorld is a demo app, its analyst's credentials and a function
// that returns the partnership's newest audit entry.
func purposeWorld(t *testing.T, e storetest.Engine) (*app.App, store.Credentials, func() audit.Event) {
	t.Helper()
	a := newApp(t, e, nil)
	ctx, st := context.Background(), a.Store()
	analyst, err := st.CredentialsByEmail(ctx, st.Reader(), "analyst@nyp.example")
	if err != nil {
		t.Fatal(err)
	}
	latest := func() audit.Event {
		t.Helper()
		evs, err := st.SearchAudit(ctx, analyst.User.PartnershipID, store.AuditFilter{Limit: 1})
		if err != nil || len(evs) == 0 {
			t.Fatalf("latest audit entry: %v", err)
		}
		return evs[0]
	}
	return a, analyst, latest
}
