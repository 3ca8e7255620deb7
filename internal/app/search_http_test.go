package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"alliance/internal/app"
	"alliance/internal/store"
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
				rec := getAs(a, tt.path, tt.api, cookie, tok)
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

// TestSearchTermsAudited checks that a register search, from a page or the
// API, is in the audit log with its words as typed (and so are searches
// that find nothing), under the searcher's name, and that the words never
// reach the process log.
func TestSearchTermsAudited(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			var logs syncBuffer
			a := newAppLogging(t, e, nil, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			ctx := context.Background()
			cookie := signIn(t, a, "analyst@nyp.example")
			tok := tokenFor(t, a, "analyst@nyp.example", "read")
			analyst, err := a.Identity().Authenticate(ctx, cookie)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, path string
				api        bool
				wantLabel  string
			}{
				{"page, nothing found", "/search?q=Quillon+Vexmoor", false, `search for "Quillon Vexmoor", results page 1: nothing shown`},
				{"page, found", "/search?q=Aaron+Colier&kind=person", false, `search for "Aaron Colier" among person, results page 1`},
				{"api, found", "/api/v1/search?q=Duffy+Aaron&dob=", true, `search for "Duffy Aaron", results page 1`},
				{"api, nothing found", "/api/v1/search?q=Zephyrine+Oddsock", true, `search for "Zephyrine Oddsock", results page 1: nothing shown`},
			}
			for _, tt := range tests {
				rec := getAs(a, tt.path, tt.api, cookie, tok)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: got status %d, want 200", tt.name, rec.Code)
				}
				evs, err := a.Store().SearchAudit(ctx, analyst.Actor.PartnershipID, store.AuditFilter{Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, ev := range evs {
					if ev.Label == tt.wantLabel {
						found = true
						if ev.ActorID != analyst.Actor.UserID || !strings.HasPrefix(ev.Justification, "Search of the OCG register") {
							t.Errorf("%s: got entry by %q for %q, want the analyst's, for a search of the register", tt.name, ev.ActorID, ev.Justification)
						}
					}
				}
				if !found {
					var got []string
					for _, ev := range evs {
						got = append(got, ev.Label)
					}
					t.Errorf("%s: got latest labels %q, want one %q", tt.name, got, tt.wantLabel)
				}
			}
			for _, words := range []string{"Quillon", "Vexmoor", "Colier", "Duffy Aaron", "Zephyrine", "Oddsock"} {
				if strings.Contains(logs.String(), words) {
					t.Errorf("the process log holds the search words %q: they belong in the audit log only", words)
				}
			}
		})
	}
}

// getAs sends GET path to a's handler signed in with the session cookie,
// or, for the API, with the bearer token tok.
func getAs(a *app.App, path string, api bool, cookie, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if api {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return rec
}
