package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestRestrictedRecordIsInvisible proves, over HTTP and on both engines,
// that a user without access to a restricted report gets 404 on its page and
// API route, does not find it in search, does not see it in totals or page
// counts, and cannot export it, while a user named on it can.
func TestRestrictedRecordIsInvisible(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			ctx := context.Background()
			author := signIn(t, a, "lro@nyc.example") // a council author: a police original would never reach the council officer (authz.SeesReport)
			s, err := a.Identity().Authenticate(ctx, author)
			if err != nil {
				t.Fatal(err)
			}
			// 30 open reports and one restricted to a council officer.
			for i := 0; i < 30; i++ {
				if _, err := a.Reports().Create(ctx, s.Actor, service.ReportInput{Title: "Zebra open " + string(rune('A'+i%26)), Body: "Seen near the ring road",
					SourceGrade: "2", IntelGrade: "B", Classification: "OFFICIAL", Handling: "P"}); err != nil {
					t.Fatal(err)
				}
			}
			secret, err := a.Reports().Create(ctx, s.Actor, service.ReportInput{Title: "Zebra restricted witness", Body: "Named witness details",
				SourceGrade: "1", IntelGrade: "A", Classification: "OFFICIAL-SENSITIVE", Handling: "P", Restricted: true, NamedUsers: []string{"officer@nyc.example"}})
			if err != nil {
				t.Fatal(err)
			}

			outsider := signIn(t, a, "analyst2@nyp.example") // same agency, same role, not named
			named := signIn(t, a, "officer@nyc.example")
			admin := signIn(t, a, "admin@nyp.example")
			outsiderTok := tokenFor(t, a, "analyst2@nyp.example", "read")
			namedTok := tokenFor(t, a, "officer@nyc.example", "read")
			page := "/reports/" + secret.ID
			isas, err := a.Store().ISAs(ctx, s.Actor.PartnershipID)
			if err != nil {
				t.Fatal(err)
			}
			isaID := map[string]string{}
			for _, i := range isas {
				isaID[i.Reference] = i.ID
			}
			exportBody := func(extra string) string { return "q=zebra&purpose=Tasking&recipients=SOC+team&" + extra }
			apiPath := "/api/v1/reports/" + secret.ID

			scenarios := []scenario{
				{name: "author sees it", path: page, cookie: author, wantStatus: 200, wantContains: []string{"Zebra restricted witness", "Restricted: need to know"}},
				{name: "named user is asked why first", path: page, cookie: named, wantStatus: 200,
					wantContains: []string{"Why are you opening this record?", "Zebra restricted witness", "Safeguarding a person"}, wantNotContains: []string{"Named witness details"}},
				{name: "a reason is required", method: "POST", path: page + "/purpose", cookie: named, body: "purpose=other&detail=", wantStatus: 422,
					wantContains: []string{"Explain why you are opening this record"}},
				{name: "named user gives a reason", method: "POST", path: page + "/purpose", cookie: named, body: "purpose=safeguarding&detail=Strategy+meeting", wantStatus: 303},
				{name: "named user sees it", path: page, cookie: named, wantStatus: 200, wantContains: []string{"Named witness details"}},
				{name: "and is not asked again", path: page, cookie: named, wantStatus: 200, wantNotContains: []string{"Why are you opening"}},
				{name: "outsider cannot give a reason for it", method: "POST", path: page + "/purpose", cookie: outsider, body: "purpose=tasking", wantStatus: 404},
				{name: "outsider page is not found", path: page, cookie: outsider, wantStatus: 404, wantNotContains: []string{"Zebra restricted", "witness"}},
				{name: "administrator page is not found", path: page, cookie: admin, wantStatus: 404, wantNotContains: []string{"Zebra restricted"}},
				{name: "outsider API is not found", path: apiPath, header: map[string]string{"Authorization": "Bearer " + outsiderTok}, wantStatus: 404, wantNotContains: []string{"Zebra"}},
				{name: "named API", path: apiPath, header: map[string]string{"Authorization": "Bearer " + namedTok}, wantStatus: 200, wantContains: []string{"Zebra restricted witness"}},
				{name: "outsider search", path: "/reports?q=zebra", cookie: outsider, wantStatus: 200,
					wantContains: []string{"30 reports match", "Page 1 of 2"}, wantNotContains: []string{"Zebra restricted", "31 reports"}},
				{name: "author search counts it", path: "/reports?q=zebra", cookie: author, wantStatus: 200, wantContains: []string{"31 reports match", "Page 1 of 2"}},
				{name: "outsider search for the title finds nothing", path: "/reports?q=" + url.QueryEscape("restricted witness"), cookie: outsider, wantStatus: 200,
					wantContains: []string{"0 reports match"}, wantNotContains: []string{"Zebra restricted"}},
				{name: "outsider second page", path: "/reports?q=zebra&page=2", cookie: outsider, wantStatus: 200, wantContains: []string{"Page 2 of 2"}, wantNotContains: []string{"Zebra restricted"}},
				{name: "export needs a purpose", method: "POST", path: "/reports/export", cookie: outsider, body: "q=zebra", wantStatus: 422,
					wantContains: []string{"Say why you are exporting", "Say who will receive"}, wantNotContains: []string{"Zebra open"}},
				{name: "export needs an agreement", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody(""), wantStatus: 422,
					wantContains: []string{"Choose the information sharing agreement"}},
				{name: "expired agreement stops the export", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody("isa=" + isaID["PA-ISA-002"]), wantStatus: 422,
					wantContains: []string{"PA-ISA-002", "expired on 31 March 2025"}, wantNotContains: []string{"Zebra open"}},
				{name: "suspended agreement stops the export", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody("isa=" + isaID["PA-ISA-005"]), wantStatus: 422,
					wantContains: []string{"the agreement is suspended"}},
				{name: "ad hoc needs an approver", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody("isa=adhoc&justification=Risk+to+life"), wantStatus: 422,
					wantContains: []string{"name who approved this disclosure"}},
				{name: "ad hoc approved", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody("isa=adhoc&justification=Risk+to+life&approver=lro%40nyp.example"), wantStatus: 200,
					wantContains: []string{"ad hoc disclosure, approved: Risk to life"}},
				{name: "outsider export", method: "POST", path: "/reports/export", cookie: outsider, body: exportBody("isa=" + isaID["PA-ISA-001"]), wantStatus: 200,
					wantContains: []string{"OFFICIAL-SENSITIVE", "Zebra open", "Recipients: SOC team", "PA-ISA-001"}, wantNotContains: []string{"Zebra restricted", "witness details"}},
				{name: "author export", method: "POST", path: "/reports/export", cookie: author, body: exportBody("isa=" + isaID["PA-ISA-001"]), wantStatus: 200, wantContains: []string{"Zebra restricted witness"}},
				{name: "partner officer may not export", path: "/reports/export", cookie: named, wantStatus: 404, wantNotContains: []string{"Zebra"}},
				{name: "partner officer may not post an export", method: "POST", path: "/reports/export", cookie: named, body: "purpose=x&recipients=y", wantStatus: 404, wantNotContains: []string{"Zebra"}},
				{name: "administrator list is not found", path: "/reports", cookie: admin, wantStatus: 404, wantNotContains: []string{"Zebra"}},
			}
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
			}

			// The auditor sees who has seen it, and why; nobody else can.
			dpo := signIn(t, a, "dpo@nyp.example")
			for _, sc := range []scenario{
				{name: "who has seen it", path: "/audit/records/" + secret.ID, cookie: dpo, wantStatus: 200,
					wantContains: []string{"Who has seen this record", "consultation", "Safeguarding a person: Strategy meeting", "collection", "disclosure", "Tasking"}},
				{name: "analyst cannot read the log", path: "/audit", cookie: author, wantStatus: 404},
				{name: "administrator cannot read the log", path: "/audit/records/" + secret.ID, cookie: admin, wantStatus: 404},
				{name: "what did the named user see", path: "/audit?user=officer%40nyc.example&operation=consultation", cookie: dpo, wantStatus: 200,
					wantContains: []string{"Safeguarding a person", secret.Reference}},
				{name: "reading the log is logged", path: "/audit?operation=consultation", cookie: dpo, wantStatus: 200, wantContains: []string{"audit_log"}},
				{name: "bad audit search", path: "/audit?from=yesterday&operation=peek", cookie: dpo, wantStatus: 422, wantContains: []string{"Enter a date, for example 22/11/2026"}},
			} {
				t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
			}

			// API totals do not count it either.
			for _, tc := range []struct {
				tok  string
				want int
			}{{outsiderTok, 30}, {namedTok, 31}} {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/reports?q=zebra&per_page=10", nil)
				req.Header.Set("Authorization", "Bearer "+tc.tok)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var body struct {
					Total int `json:"total"`
					Pages int `json:"pages"`
					Items []struct {
						Title string `json:"title"`
					} `json:"items"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("api list: %v: %s", err, rec.Body.String())
				}
				if body.Total != tc.want || body.Pages != (tc.want+9)/10 || len(body.Items) != 10 {
					t.Errorf("api list: got total %d pages %d items %d, want total %d", body.Total, body.Pages, len(body.Items), tc.want)
				}
				if tc.want == 30 && strings.Contains(rec.Body.String(), "Zebra restricted") {
					t.Error("api list for the outsider mentions the restricted report")
				}
			}
		})
	}
}

func TestSubmitReportForm(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	h := a.Handler()
	officer := signIn(t, a, "officer@nyc.example")
	bad := url.Values{"title": {""}, "body": {"x"}, "source_grade": {"9"}, "intel_grade": {"B"}, "classification": {"SECRET"}, "handling": {"C"}}
	scenario{name: "bad form", method: "POST", path: "/reports", cookie: officer, body: bad.Encode(), wantStatus: 422,
		wantContains: []string{"There is a problem", `href="#title"`, "Enter a title", "Choose the source evaluation", "SECRET material must not be put on Alliance",
			"Enter the handling conditions", `govuk-form-group--error`}}.run(t, h)
	before, _ := a.Reports().List(context.Background(), mustActor(t, a, officer), "", 1, 10)
	scenario{name: "bad form again", method: "POST", path: "/reports", cookie: officer, body: bad.Encode(), wantStatus: 422}.run(t, h)
	if n, _ := a.Reports().List(context.Background(), mustActor(t, a, officer), "", 1, 10); n.Total != before.Total {
		t.Errorf("after a bad form: got %d reports, want %d: nothing stored", n.Total, before.Total)
	}
	good := url.Values{"title": {"Cuckooing at Flat 3"}, "body": {"Neighbours report new visitors"}, "source_grade": {"2"}, "intel_grade": {"C"},
		"classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}, "restricted": {"no"}}
	rec := scenario{name: "good form", method: "POST", path: "/reports", cookie: officer, body: good.Encode(), wantStatus: 303}.run(t, h)
	loc := rec.Header().Get("Location")
	scenario{name: "created", path: loc, cookie: officer, wantStatus: 200, wantContains: []string{"Cuckooing at Flat 3", "2C P", "North Yorkshire Council"}}.run(t, h)
	// OFFICIAL-SENSITIVE handled P from the council: police see it, a fire officer does not.
	scenario{name: "police see it", path: loc, cookie: signIn(t, a, "analyst@nyp.example"), wantStatus: 200}.run(t, h)
	scenario{name: "fire do not", path: loc, cookie: signIn(t, a, "officer@nyfrs.example"), wantStatus: 404}.run(t, h)
}

func mustActor(t *testing.T, a interface {
	Identity() *service.Identity
}, cookie string) domain.Actor {
	t.Helper()
	s, err := a.Identity().Authenticate(context.Background(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	return s.Actor
}

// TestServiceAccountReadsAreDisclosures: a partner system reads through a
// token tied to a sharing agreement; each read is a disclosure under it, and
// suspending the agreement stops the reads.
func TestServiceAccountReadsAreDisclosures(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	h := a.Handler()
	ctx := context.Background()
	admin := mustActor(t, a, signIn(t, a, "admin@nyc.example"))
	ags, _ := a.Store().Agencies(ctx, admin.PartnershipID)
	var council string
	for _, ag := range ags {
		if ag.Name == "North Yorkshire Council" {
			council = ag.ID
		}
	}
	svc, err := a.Admin().CreateUser(ctx, admin, service.NewUser{Email: "casesystem@nyc.example", Name: "NYC case system", AgencyID: council,
		Roles: []string{"partner_officer"}, ServiceAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	isas, _ := a.Store().ISAs(ctx, admin.PartnershipID)
	if _, _, err := a.Identity().CreateToken(ctx, admin, service.TokenInput{UserID: svc.ID, Name: "case sync", Scopes: []string{"read"}, Days: 30}); err == nil {
		t.Error("service account token without an agreement: got one")
	}
	tok, _, err := a.Identity().CreateToken(ctx, admin, service.TokenInput{UserID: svc.ID, Name: "case sync", Scopes: []string{"read"}, Days: 30, ISAID: isas[0].ID,
		Purpose: "Safeguarding case sync"})
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	scenario{name: "system lists reports", path: "/api/v1/reports", header: bearer, wantStatus: 200, wantContains: []string{"Young people missing from school"}}.run(t, h)
	evs, _ := a.Store().SearchAudit(ctx, admin.PartnershipID, store.AuditFilter{Limit: 1})
	if len(evs) == 0 || evs[0].Operation != "disclosure" || evs[0].ISAID != isas[0].ID || !strings.Contains(evs[0].Recipients, "case sync") {
		t.Errorf("system read: got %+v, want a disclosure under %s", evs, isas[0].Reference)
	}
	// The register's reads are disclosures under the agreement too.
	rec := scenario{name: "system lists groups", path: "/api/v1/ocgs", header: bearer, wantStatus: 200}.run(t, h)
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("groups the system can see: got %v (%s), want some", err, rec.Body.String())
	}
	group := "/api/v1/ocgs/" + list.Items[0].ID
	for _, path := range []string{"/api/v1/ocgs", group, "/api/v1/ocg-picture"} {
		before, _ := a.Store().SearchAudit(ctx, admin.PartnershipID, store.AuditFilter{Limit: 1})
		scenario{name: "system reads " + path, path: path, header: bearer, wantStatus: 200}.run(t, h)
		evs, _ := a.Store().SearchAudit(ctx, admin.PartnershipID, store.AuditFilter{Limit: 1})
		if len(evs) == 0 || (len(before) > 0 && evs[0].ID == before[0].ID) || evs[0].Operation != "disclosure" || evs[0].ISAID != isas[0].ID {
			t.Errorf("system read of %s: got %+v, want a new disclosure under %s", path, evs, isas[0].Reference)
		}
		if path == group && evs[0].Justification != "Safeguarding case sync" {
			t.Errorf("system read of the group: got justification %q, want the token's purpose", evs[0].Justification)
		}
	}
	if err := a.Sharing().SetStatus(ctx, admin, isas[0].ID, "suspended"); err != nil {
		t.Fatal(err)
	}
	scenario{name: "suspended agreement stops the system", path: "/api/v1/reports", header: bearer, wantStatus: 403,
		wantContains: []string{"Sharing agreement not in force"}, wantNotContains: []string{"Young people"}}.run(t, h)
	for _, path := range []string{"/api/v1/ocgs", group, "/api/v1/ocg-picture", "/api/v1/search?q=Smith"} {
		scenario{name: "suspended agreement stops " + path, path: path, header: bearer, wantStatus: 403,
			wantContains: []string{"Sharing agreement not in force"}, wantNotContains: []string{`"reference"`, `"items"`}}.run(t, h)
	}
}
