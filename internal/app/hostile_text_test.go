package app_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// TestUnstorableTextIsRefused: a NUL character or bytes that are not UTF-8,
// in a form field, a query string, a JSON string or an imported cell, are
// refused with 400 (or a row-and-column problem) naming where they were,
// and nothing is stored. PostgreSQL cannot store either in a text column:
// before, each was a 500 there (and stored as-is on SQLite).
func TestUnstorableTextIsRefused(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t, e, nil)
			cookie := signIn(t, a, "analyst@nyp.example")
			bearer := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
			same := map[string]string{"Sec-Fetch-Site": "same-origin"}
			group := func(name string) string {
				return url.Values{"name": {name}, "primary_threat": {"drugs"}, "ownership": {"local"}, "classification": {"OFFICIAL"}, "handling": {"P"}}.Encode()
			}
			const refused = "cannot be stored"
			for _, sc := range []scenario{
				{name: "NUL in a form field", method: "POST", path: "/ocgs", cookie: cookie, header: same, body: group("Hostile\x00group"),
					wantStatus: 400, wantContains: []string{"The form could not be read", `The field &#34;name&#34; contains a character that ` + refused, "Nothing was saved"},
					wantNotContains: []string{"problem with the service", "\x00"}},
				{name: "not UTF-8 in a form field", method: "POST", path: "/ocgs", cookie: cookie, header: same, body: group("Hostile\xffgroup"),
					wantStatus: 400, wantContains: []string{refused}, wantNotContains: []string{"problem with the service", "\xff"}},
				{name: "NUL in a page's query string", path: "/ocgs?q=a%00b", cookie: cookie,
					wantStatus: 400, wantContains: []string{`The field &#34;q&#34; contains a character that ` + refused}, wantNotContains: []string{"problem with the service"}},
				{name: "NUL in the reports filter", path: "/reports?q=%00", cookie: cookie, wantStatus: 400, wantContains: []string{refused}},
				{name: "NUL in an API query string", path: "/api/v1/ocgs?q=a%00b", header: bearer,
					wantStatus: 400, wantType: "application/problem+json", wantContains: []string{`"field":"q"`, refused}, wantNotContains: []string{"Internal server error"}},
				{name: "NUL in a JSON string", method: "POST", path: "/api/v1/ocgs", header: bearer,
					body:       `{"name":"API \u0000 group","primary_threat":"drugs","ownership":"local","classification":"OFFICIAL","handling":"P"}`,
					wantStatus: 400, wantType: "application/problem+json", wantContains: []string{`"field":"body"`, refused}, wantNotContains: []string{"Internal server error"}},
				{name: "not UTF-8 in a JSON string", method: "POST", path: "/api/v1/ocgs", header: bearer,
					body:       "{\"name\":\"API \xff group\",\"primary_threat\":\"drugs\",\"ownership\":\"local\",\"classification\":\"OFFICIAL\",\"handling\":\"P\"}",
					wantStatus: 400, wantType: "application/problem+json", wantContains: []string{`"field":"body"`, refused}},
				{name: "an ordinary search still works", path: "/ocgs?q=" + url.QueryEscape("Zoë <b>"), cookie: cookie, wantStatus: 200},
			} {
				t.Run(sc.name, func(t *testing.T) { sc.run(t, a.Handler()) })
			}
			for name, tc := range map[string]struct {
				fields map[string]string
				file   string
				want   int
			}{
				"not UTF-8 in the file's name": {map[string]string{"kind": "groups", "classification": "OFFICIAL", "handling": "P"}, "bad\xffname.csv", 422},
				"NUL in a field":               {map[string]string{"kind": "groups", "classification": "OFFICIAL\x00", "handling": "P"}, "groups.csv", 400},
			} {
				rec := httptest.NewRecorder()
				a.Handler().ServeHTTP(rec, upload(t, cookie, tc.fields, tc.file, "name,primary_threat,ownership_level\nFine name,drugs,local\n"))
				if rec.Code != tc.want || !strings.Contains(rec.Body.String(), refused) {
					t.Errorf("upload with %s: got %d, want %d saying it %s: %.300s", name, rec.Code, tc.want, refused, rec.Body.String())
				}
			}
			_, rec := importJob(t, a, cookie, upload(t, cookie, map[string]string{"kind": "groups", "classification": "OFFICIAL", "handling": "P"},
				"groups.csv", "name,primary_threat,ownership_level,summary\nNul\x00Name,drugs,local,fine\nFine name,drugs,local,Nul\x00summary\n"))
			body := rec.Body.String()
			for _, want := range []string{"The file has problems", "row 2, column name", "contains a NUL character", "row 3, column summary"} {
				if !strings.Contains(body, want) {
					t.Errorf("import job page: lacks %q", want)
				}
			}
			if strings.Contains(body, "Import failed") {
				t.Error("import job page: says the import failed, want the rows' problems")
			}
			var n int
			if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM ocg WHERE name LIKE 'Hostile%' OR name LIKE 'API %' OR name LIKE 'Nul%' OR name = 'Fine name'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("got %d hostile groups stored, %v, want none", n, err)
			}
		})
	}
}

// TestCrossOriginFormIs403Page: a form posted from another site (as a
// forged request would be) is refused with a 403 page in the service's
// own layout, marked top and bottom and saying nothing was saved, or, on
// the API, a problem document; before, both were a bare line of text.
func TestCrossOriginFormIs403Page(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	cookie := signIn(t, a, "analyst@nyp.example")
	bearer := tokenFor(t, a, "analyst@nyp.example", "read", "write")
	cross := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	for _, sc := range []scenario{
		{name: "page", method: "POST", path: "/reports", cookie: cookie, header: cross, body: reportForm("forged"),
			wantStatus: 403, wantType: "text/html",
			wantContains:    []string{"The form came from another site", "Nothing was saved", `data-marking="top"`, `data-marking="bottom"`},
			wantNotContains: []string{"cross-origin request detected"}},
		{name: "API", method: "POST", path: "/api/v1/reports", body: reportJSON("forged"),
			header:     map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Authorization": "Bearer " + bearer},
			wantStatus: 403, wantType: "application/problem+json", wantContains: []string{`"status":403`, "Cross-origin request refused"},
			wantNotContains: []string{"cross-origin request detected"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, a.Handler()) })
	}
	var n int
	if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM info_report WHERE body = 'forged'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("got %d forged reports stored, %v, want none", n, err)
	}
}
