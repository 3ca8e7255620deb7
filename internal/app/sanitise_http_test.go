package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/authz"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// TestPoliceOriginalsNeverReachPartners plants a marker in police
// originals of every handling (P at OFFICIAL, C with the council's agency
// type in its conditions, restricted to the council officer by name) and
// walks every route a council officer can reach (pages, lists, search,
// exports, the API, triage, home): the marker never appears. The analyst
// then writes a sanitised version without the marker and disseminates it
// to councils under an agreement in force: the council officer reads it,
// HMRC does not, and the dissemination is a disclosure in the audit log.
func TestPoliceOriginalsNeverReachPartners(t *testing.T) {
	const marker = "MARKERQZX7"
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			ctx := context.Background()
			analystCookie := signIn(t, a, "analyst@nyp.example")
			analyst, err := a.Identity().Authenticate(ctx, analystCookie)
			if err != nil {
				t.Fatal(err)
			}
			var originals []string
			for _, in := range []service.ReportInput{
				{Classification: "OFFICIAL", Handling: "P"},
				{Classification: "OFFICIAL", Handling: "C", HandlingConditions: "Councils only", ConditionTypes: []string{"local_authority"}},
				{Classification: "OFFICIAL-SENSITIVE", Handling: "P", Restricted: true, NamedUsers: []string{"officer@nyc.example"}},
			} {
				in.Title, in.Body, in.SourceGrade, in.IntelGrade = "Source "+marker+" at Castle Road", "Informant "+marker+" says the line uses flat 4", "1", "A"
				rep, err := a.Reports().Create(ctx, analyst.Actor, in)
				if err != nil {
					t.Fatal(err)
				}
				originals = append(originals, rep.ID)
			}
			// The control: the police see them where the council is walked.
			if rec := getAs(a, "/reports?q=Informant", false, analystCookie, ""); !strings.Contains(rec.Body.String(), marker) {
				t.Fatalf("the analyst's search does not find the originals: the walk below would prove nothing")
			}
			council := signIn(t, a, "officer@nyc.example")
			councilTok := tokenFor(t, a, "officer@nyc.example", "read")
			get := func(path string, api bool) *httptest.ResponseRecorder {
				return getAs(a, path, api, council, councilTok)
			}
			paths := []string{"/", "/reports", "/reports?q=Informant", "/reports?q=castle", "/search?q=Informant", "/search?q=Castle+Road",
				"/reports/export", "/submissions", "/triage", "/ocgs", "/ocg-picture", "/disruptions", "/performance"}
			for _, id := range originals {
				paths = append(paths, "/reports/"+id)
			}
			for _, p := range paths {
				if rec := get(p, false); strings.Contains(rec.Body.String(), marker) {
					t.Errorf("GET %s as the council officer shows the marker (status %d)", p, rec.Code)
				}
			}
			for _, p := range []string{"/api/v1/reports", "/api/v1/reports?q=Informant", "/api/v1/search?q=Informant"} {
				if rec := get(p, true); strings.Contains(rec.Body.String(), marker) {
					t.Errorf("GET %s with the council officer's token shows the marker (status %d)", p, rec.Code)
				}
			}
			for _, id := range originals {
				if rec := get("/reports/"+id, false); rec.Code != http.StatusNotFound {
					t.Errorf("a police original opens for the council officer: %d", rec.Code)
				}
				if rec := get("/api/v1/reports/"+id, true); rec.Code != http.StatusNotFound {
					t.Errorf("a police original opens through the council's token: %d", rec.Code)
				}
			}

			// A sanitised version, disseminated to councils.
			scenario{name: "a copy is refused", method: "POST", path: "/reports/" + originals[0] + "/sanitise", cookie: analystCookie, wantStatus: 422,
				body: url.Values{"title": {"x"}, "body": {"Informant " + marker + " says the line uses flat 4"}}.Encode(), wantContains: []string{"repeats the original"}}.run(t, h)
			scenario{name: "a council officer may not sanitise", method: "POST", path: "/reports/" + originals[0] + "/sanitise", cookie: council, wantStatus: 404,
				body: "title=x&body=y"}.run(t, h)
			rec := scenario{name: "sanitise", method: "POST", path: "/reports/" + originals[0] + "/sanitise", cookie: analystCookie, wantStatus: 303,
				body: url.Values{"title": {"Premises of concern"}, "body": {"A flat on Castle Road is used to supply drugs; young people are seen there."}}.Encode()}.run(t, h)
			version := strings.TrimPrefix(rec.Header().Get("Location"), "/reports/")
			if get("/reports/"+version, false).Code != http.StatusNotFound {
				t.Errorf("the version reaches the council before it is disseminated")
			}
			isas, err := a.Sharing().UsableBy(ctx, analyst.Actor)
			if err != nil || len(isas) == 0 {
				t.Fatalf("no agreement in force: %v", err)
			}
			scenario{name: "no recipient", method: "POST", path: "/reports/" + version + "/disseminate", cookie: analystCookie, wantStatus: 422,
				body: url.Values{"isa": {isas[0].ID}, "purpose": {"x"}}.Encode(), wantContains: []string{"Choose who to disseminate it to"}}.run(t, h)
			scenario{name: "the original cannot be disseminated", method: "POST", path: "/reports/" + originals[0] + "/disseminate", cookie: analystCookie,
				wantStatus: 422, body: url.Values{"types": {"local_authority"}, "isa": {isas[0].ID}, "purpose": {"x"}}.Encode(),
				wantContains: []string{"Only a sanitised version may be disseminated"}}.run(t, h)
			scenario{name: "disseminate", method: "POST", path: "/reports/" + version + "/disseminate", cookie: analystCookie, wantStatus: 303,
				body: url.Values{"types": {"local_authority"}, "isa": {isas[0].ID}, "purpose": {"Housing enforcement on the flat"}}.Encode()}.run(t, h)
			scenario{name: "the council reads it, after saying why", method: "POST", path: "/reports/" + version + "/purpose", cookie: council, wantStatus: 303,
				body: "purpose=safeguarding&detail=Tenancy+visit"}.run(t, h)
			scenario{name: "the council reads the version", path: "/reports/" + version, cookie: council, wantStatus: 200,
				wantContains:    []string{"Premises of concern", "A flat on Castle Road is used to supply drugs", "A sanitised version of police intelligence"},
				wantNotContains: []string{marker, "/reports/" + originals[0], "Disseminated to", `id="disseminate"`}}.run(t, h)
			scenario{name: "HMRC does not", path: "/reports/" + version, cookie: signIn(t, a, "officer@hmrc.example"), wantStatus: 404}.run(t, h)
			// Every partner viewer, in every place a report can appear: the
			// version only where it was disseminated (councils), the
			// original nowhere.
			for _, v := range []struct {
				email string
				sees  bool
			}{{"officer@nyc.example", true}, {"officer@york.example", true}, {"officer@hmrc.example", false}, {"officer@nyfrs.example", false},
				{"officer@probation.example", false}, {"officer@dwp.example", false}, {"officer@broadacres.example", false}} {
				ck := signIn(t, a, v.email)
				tok := tokenFor(t, a, v.email, "read")
				for _, p := range []struct {
					path string
					api  bool
				}{{"/reports", false}, {"/reports?q=premises", false}, {"/reports?q=castle+road", false}, {"/api/v1/reports", true},
					{"/api/v1/reports?q=premises", true}, {"/search?q=premises", false}, {"/", false}} {
					body := getAs(a, p.path, p.api, ck, tok).Body.String()
					if strings.Contains(body, marker) {
						t.Errorf("%s: GET %s shows the original's marker", v.email, p.path)
					}
					if strings.HasPrefix(p.path, "/reports") || strings.HasPrefix(p.path, "/api") {
						// The list shows the title, the API the text.
						if got := strings.Contains(body, ">Premises of concern<") || strings.Contains(body, "A flat on Castle Road"); got != v.sees {
							t.Errorf("%s: GET %s lists the version: got %t, want %t", v.email, p.path, got, v.sees)
						}
					}
				}
				act, err := a.Identity().Authenticate(ctx, ck)
				if err != nil {
					t.Fatal(err)
				}
				usable, err := a.Sharing().UsableBy(ctx, act.Actor)
				if err != nil {
					t.Fatal(err)
				}
				if len(usable) == 0 {
					continue
				}
				// Partners who may not export reports get 404; one who may
				// gets only what they may read.
				want := http.StatusNotFound
				if a.Reports().Allowed(ctx, act.Actor, authz.Export) {
					want = http.StatusOK
				}
				rec := scenario{name: v.email + " exports", method: "POST", path: "/reports/export", cookie: ck, wantStatus: want,
					body: url.Values{"q": {"castle road"}, "purpose": {"Tasking"}, "recipients": {"SOC team"}, "isa": {usable[0].ID}}.Encode()}.run(t, h)
				if rec.Code == http.StatusOK {
					if got := strings.Contains(rec.Body.String(), "A flat on Castle Road"); got != v.sees || strings.Contains(rec.Body.String(), marker) {
						t.Errorf("%s: the export holds the version: got %t, want %t; the marker: %t", v.email, got, v.sees, strings.Contains(rec.Body.String(), marker))
					}
				}
			}
			scenario{name: "the analyst sees where it went", path: "/reports/" + version, cookie: analystCookie, wantStatus: 200,
				wantContains: []string{"Disseminated to", "Housing enforcement on the flat"}}.run(t, h)
			scenario{name: "and the version from the original", path: "/reports/" + originals[0], cookie: analystCookie, wantStatus: 200,
				wantContains: []string{"Sanitised versions for partners", "/reports/" + version}}.run(t, h)
			var n int
			if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE operation = 'disclosure' AND record_ids = $1 AND recipients LIKE '%local authority%'`,
				version).Scan(&n); err != nil || n != 1 {
				t.Errorf("got %d disclosure entries for the dissemination, %v; want 1 naming the recipients", n, err)
			}
		})
	}
}

// TestReportLinks: an analyst links a report to a group by its reference;
// the report page names the group, the group's page lists the report, the
// link is a combination in the audit log; a reference no one may see is
// refused naming the field, with nothing stored; a council officer who
// may see the group does not see the police report on its page.
func TestReportLinks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			ctx := context.Background()
			db := a.Store().Reader()
			cookie := signIn(t, a, "analyst@nyp.example")
			s, err := a.Identity().Authenticate(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := a.Reports().Create(ctx, s.Actor, service.ReportInput{Title: "Runner seen at the safe house", Body: "A runner for the Malton line",
				SourceGrade: "2", IntelGrade: "B", Classification: "OFFICIAL", Handling: "P"})
			if err != nil {
				t.Fatal(err)
			}
			var group, ref string
			if err := db.QueryRow(`SELECT CAST(id AS text), reference FROM ocg WHERE name = 'Malton cocaine supply network'`).Scan(&group, &ref); err != nil {
				t.Fatal(err)
			}
			links := func() int {
				t.Helper()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM report_link WHERE report_id = $1`, rep.ID).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			scenario{name: "an unknown reference", method: "POST", path: "/reports/" + rep.ID + "/links", cookie: cookie, body: "link=OCG-1999-9999",
				wantStatus: 422, wantContains: []string{`href="#link"`, "No group or person you may see has that reference"}}.run(t, h)
			if links() != 0 {
				t.Fatal("a refused link was stored")
			}
			for range 2 { // linking twice changes nothing
				scenario{name: "link", method: "POST", path: "/reports/" + rep.ID + "/links", cookie: cookie, body: "link=" + strings.ToLower(ref), wantStatus: 303}.run(t, h)
			}
			if got := links(); got != 1 {
				t.Errorf("got %d links, want 1", got)
			}
			scenario{name: "the report names the group", path: "/reports/" + rep.ID, cookie: cookie, wantStatus: 200,
				wantContains: []string{`id="linked"`, "Malton cocaine supply network", "/ocgs/" + group}}.run(t, h)
			// Search finds it by the linked group's reference (not in its
			// text) and by its grading.
			for _, q := range []string{url.QueryEscape(ref), "2B+P"} {
				scenario{name: "search " + q, path: "/reports?q=" + q, cookie: cookie, wantStatus: 200, wantContains: []string{"Runner seen at the safe house"}}.run(t, h)
			}
			scenario{name: "search something else", path: "/reports?q=OCG-1999-9999", cookie: cookie, wantStatus: 200,
				wantNotContains: []string{"Runner seen at the safe house"}}.run(t, h)
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM audit_event WHERE operation = 'combination' AND record_ids = $1`, rep.ID+" "+group).Scan(&n); err != nil || n != 1 {
				t.Errorf("got %d combination entries, %v; want 1", n, err)
			}
			// The group's page lists it (after the reason prompt).
			analyst2 := signIn(t, a, "analyst2@nyp.example")
			scenario{name: "reason again", method: "POST", path: "/ocgs/" + group + "/purpose", cookie: analyst2, wantStatus: 303, body: "purpose=tasking&detail=x"}.run(t, h)
			scenario{name: "the group lists the report", path: "/ocgs/" + group, cookie: analyst2, wantStatus: 200,
				wantContains: []string{`id="reports"`, "Runner seen at the safe house"}}.run(t, h)
			officer := signIn(t, a, "officer@nyc.example")
			// Give a reason, if the council officer may see the group at all.
			req := httptest.NewRequest(http.MethodPost, "/ocgs/"+group+"/purpose", strings.NewReader("purpose=tasking&detail=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: officer})
			h.ServeHTTP(httptest.NewRecorder(), req)
			if rec := getAs(a, "/ocgs/"+group, false, officer, ""); strings.Contains(rec.Body.String(), "Runner seen at the safe house") {
				t.Errorf("the council officer sees the police report on the group's page (status %d)", rec.Code)
			}
		})
	}
}
