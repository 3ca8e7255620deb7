package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// legacyUpload posts a file of historic reports to /reports/import.
func legacyUpload(t *testing.T, h http.Handler, cookie, name, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := upload(t, cookie, nil, name, body)
	req.URL.Path, req.RequestURI = "/reports/import", "/reports/import"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestLegacyReportImport imports historic 5x5x5 reports through the page:
// their grading is kept as recorded and shown with an advisory 3x5x2
// reading, search finds them, a council officer never reads them, a file
// with any bad row stores nothing and names the row and column, and a
// file imported twice is refused the second time.
func TestLegacyReportImport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, e, nil)
			h := a.Handler()
			ctx := context.Background()
			analyst := signIn(t, a, "analyst@nyp.example")
			count := func() int {
				act, err := a.Identity().Authenticate(ctx, analyst)
				if err != nil {
					t.Fatal(err)
				}
				page, err := a.Reports().List(ctx, act.Actor, "5x5x5", 1, 25)
				if err != nil {
					t.Fatal(err)
				}
				return page.Total
			}
			before := count() // the demo's own historic reports
			good := "reference,recorded_on,title,text,grading,classification,conditions\n" +
				"NIM/2011/0042,14/03/2011,Cannabis grow at Mill Lane,LEGACYQZX9 saw the grow lights on at night,B35,OFFICIAL,Refer to DS Hart\n" +
				"NIM/2012/0007,2012-06-01,Van used for deliveries,A white van <script>alert(1)</script> collects at 6am,a/1/1,OFFICIAL-SENSITIVE,\n"

			bad := []struct {
				name, file, want string
			}{
				{"grading not 5x5x5", strings.Replace(good, "B35", "1B", 1), "row 2, column grading"},
				{"old marking", strings.Replace(good, "OFFICIAL-SENSITIVE", "RESTRICTED", 1), "RESTRICTED is a marking from before 2014"},
				{"secret", strings.Replace(good, ",OFFICIAL,", ",SECRET,", 1), "row 2, column classification"},
				{"no date", strings.Replace(good, "14/03/2011", "", 1), "row 2, column recorded_on"},
				{"missing column", "reference,title,text,grading,classification\nX,T,B,B35,OFFICIAL\n", "row 1, column recorded_on"},
				{"Alliance shape", strings.Replace(good, "NIM/2011/0042", "IR-2026-000001", 1), "has the shape of an Alliance reference"},
				{"duplicate in file", strings.Replace(good, "NIM/2012/0007", "NIM/2011/0042", 1), "also on row 2"},
			}
			for _, c := range bad {
				rec := legacyUpload(t, h, analyst, "old.csv", c.file)
				if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
					t.Errorf("%s: got %d, want 422 naming %q", c.name, rec.Code, c.want)
				}
			}
			if n := count(); n != before {
				t.Fatalf("after bad files: got %d historic reports, want the %d there were (nothing partial)", n, before)
			}

			rec := legacyUpload(t, h, analyst, "old.csv", good)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "2 reports stored") {
				t.Fatalf("good file: got %d, want 200 with 2 reports stored", rec.Code)
			}
			if n := count(); n != before+2 {
				t.Fatalf("got %d historic reports, want %d", n, before+2)
			}
			rec = legacyUpload(t, h, analyst, "old.csv", good)
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "already held") {
				t.Errorf("the same file again: got %d, want 422 saying the references are already held", rec.Code)
			}
			if n := count(); n != before+2 {
				t.Errorf("after the second upload: got %d historic reports, want %d", n, before+2)
			}

			list := getAs(a, "/reports?q=legacyqzx9", false, analyst, "").Body.String()
			if !strings.Contains(list, "B35 (5x5x5)") {
				t.Fatalf("the search for the text does not list the report with its grading as recorded")
			}
			i := strings.Index(list, `<a class="govuk-link" href="/reports/`)
			id := list[i+len(`<a class="govuk-link" href="/reports/`):]
			id = id[:strings.IndexByte(id, '"')]
			page := getAs(a, "/reports/"+id, false, analyst, "").Body.String()
			for _, want := range []string{"Historic 5x5x5 grading B35, kept as recorded", "B: Mostly reliable", "5: No further dissemination",
				"Advisory 3x5x2 reading, not recorded: about 1B, handling C, originator only", "Recorded conditions: Refer to DS Hart", "14 March 2011"} {
				if !strings.Contains(page, want) {
					t.Errorf("the report's page lacks %q", want)
				}
			}
			if strings.Contains(page, "Source evaluation</dt><dd class=\"govuk-summary-list__value\">B") {
				t.Errorf("the report's page shows the 5x5x5 source as a 3x5x2 source evaluation")
			}
			if body := getAs(a, "/reports?q=white+van", false, analyst, "").Body.String(); strings.Contains(body, "<script>alert") {
				t.Errorf("markup in an imported report is shown unescaped")
			}
			tok := tokenFor(t, a, "analyst@nyp.example", "read")
			if body := getAs(a, "/api/v1/reports?q=legacyqzx9", true, "", tok).Body.String(); !strings.Contains(body, `"grading_scheme":"5x5x5"`) ||
				!strings.Contains(body, `"legacy_handling":"5"`) {
				t.Errorf("the API does not give the grading as recorded: %.300s", body)
			}

			council := signIn(t, a, "officer@nyc.example")
			for _, p := range []string{"/reports?q=legacyqzx9", "/reports/" + id, "/search?q=legacyqzx9"} {
				if body := getAs(a, p, false, council, "").Body.String(); strings.Contains(body, "LEGACYQZX9") {
					t.Errorf("GET %s as the council officer shows a historic police report", p)
				}
			}
			if rec := getAs(a, "/reports/import", false, council, ""); rec.Code == http.StatusOK {
				t.Errorf("the council officer opens the import page: got %d", rec.Code)
			}
			if rec := legacyUpload(t, h, council, "old.csv", strings.ReplaceAll(good, "NIM/", "CNL/")); rec.Code == http.StatusOK {
				t.Errorf("the council officer imports historic reports: got %d", rec.Code)
			}
		})
	}
}
