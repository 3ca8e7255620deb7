package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// TestSearchHTTP drives GET /search and GET /api/v1/search: the empty
// form, a search, a bad date of birth named on the form and in the API's
// problem, and the nav link.
func TestSearchHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			cookie := signIn(t, a, "analyst@nyp.example")
			tok := tokenFor(t, a, "analyst@nyp.example", "read")
			tests := []struct {
				name, path   string
				api          bool
				wantStatus   int
				wantContains []string
			}{
				{"empty form", "/search", false, 200, []string{`<h1 class="govuk-heading-l">Search the register</h1>`, `name="dob"`, `href="/search"`}},
				{"a search", "/search?q=Smyth+John&kind=person", false, 200, []string{`id="result-count"`, `value="Smyth John"`}},
				{"bad date", "/search?q=Smith&dob=31%2F02%2F1990", false, 400, []string{`href="#dob"`, "Date of birth must be a real date"}},
				{"api search", "/api/v1/search?q=Smyth+John", true, 200, []string{`"items":`, `"marking":"OFFICIAL-SENSITIVE"`}},
				{"api bad date", "/api/v1/search?q=Smith&dob=2099-01-01", true, 400, []string{`"field":"dob"`}},
				{"api nothing", "/api/v1/search", true, 400, []string{`"field":"q"`}},
			}
			for _, tt := range tests {
				req := httptest.NewRequest(http.MethodGet, tt.path, nil)
				if tt.api {
					req.Header.Set("Authorization", "Bearer "+tok)
				} else {
					req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
				}
				rec := httptest.NewRecorder()
				a.Handler().ServeHTTP(rec, req)
				if rec.Code != tt.wantStatus {
					t.Errorf("%s: got status %d, want %d: %s", tt.name, rec.Code, tt.wantStatus, rec.Body.String())
				}
				for _, s := range tt.wantContains {
					if !strings.Contains(rec.Body.String(), s) {
						t.Errorf("%s: got no %q in the response", tt.name, s)
					}
				}
			}
		})
	}
}
