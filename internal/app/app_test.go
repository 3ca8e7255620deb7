package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"alliance/internal/api"
	"alliance/internal/app"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// cheap keeps password hashing fast in tests; production uses auth.DefaultArgon2.
var cheap = auth.NewHasher(auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 4)

const testKey = "0000000000000000000000000000000000000000000000000000000000000001"

func newAppB(b *testing.B, e storetest.Engine) *app.App {
	b.Helper()
	c, _ := config.Load(func(string) string { return "" })
	c.DB = e.DSN(b)
	c.Demo = true
	c.SecretKey = testKey
	a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Version: "bench", Hasher: cheap})
	if err != nil {
		b.Fatalf("app.New on %s: %v", e.Name, err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

func newApp(t *testing.T, e storetest.Engine, mutate func(*config.Config)) *app.App {
	t.Helper()
	return newAppLogging(t, e, mutate, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newAppLogging is newApp logging to log.
func newAppLogging(t *testing.T, e storetest.Engine, mutate func(*config.Config), log *slog.Logger) *app.App {
	t.Helper()
	c, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	c.DB = e.DSN(t)
	c.Demo = true
	c.SecretKey = testKey
	if mutate != nil {
		mutate(&c)
	}
	a, err := app.New(context.Background(), c, log, app.Options{Version: "test", Hasher: cheap})
	if err != nil {
		t.Fatalf("app.New on %s: %v", e.Name, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// signIn returns a session cookie value for a demo account (demo accounts
// skip the second factor).
func signIn(t testing.TB, a *app.App, email string) string {
	t.Helper()
	res, err := a.Identity().SignIn(context.Background(), email, demo.Password, service.Client{Addr: "127.0.0.1"})
	if err != nil || res.Stage != service.StageFull {
		t.Fatalf("sign in %s: got %+v, %v", email, res, err)
	}
	return res.Token
}

// tokenFor returns an API token for a demo account, made with the purpose
// "API tests" (see tokenWithPurpose).
func tokenFor(t testing.TB, a *app.App, email string, scopes ...string) string {
	t.Helper()
	return tokenWithPurpose(t, a, email, "API tests", scopes...)
}

// tokenWithPurpose returns an API token for a demo account made with
// purpose ("" for none).
func tokenWithPurpose(t testing.TB, a *app.App, email, purpose string, scopes ...string) string {
	t.Helper()
	s, err := a.Identity().Authenticate(context.Background(), signIn(t, a, email))
	if err != nil {
		t.Fatal(err)
	}
	plain, _, err := a.Identity().CreateToken(context.Background(), s.Actor, service.TokenInput{Name: "test", Scopes: scopes, Days: 1, Purpose: purpose})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

type scenario struct {
	name            string
	method, path    string
	cookie          string // session cookie value
	body            string // form or JSON body
	header          map[string]string
	remote          string
	wantStatus      int
	wantType        string
	wantContains    []string
	wantNotContains []string
}

func (sc scenario) run(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	var reqBody io.Reader
	if sc.body != "" {
		reqBody = strings.NewReader(sc.body)
	}
	req := httptest.NewRequest(method, sc.path, reqBody)
	if sc.body != "" && !strings.HasPrefix(sc.body, "{") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if sc.cookie != "" {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: sc.cookie})
	}
	req.RemoteAddr = "127.0.0.1:40000"
	if sc.remote != "" {
		req.RemoteAddr = sc.remote
	}
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != sc.wantStatus {
		t.Errorf("%s %s: got status %d, want %d", method, sc.path, rec.Code, sc.wantStatus)
	}
	if sc.wantType != "" && !strings.HasPrefix(rec.Header().Get("Content-Type"), sc.wantType) {
		t.Errorf("%s: got Content-Type %q, want %q", sc.path, rec.Header().Get("Content-Type"), sc.wantType)
	}
	for _, s := range sc.wantContains {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body lacks %q", sc.path, s)
		}
	}
	for _, s := range sc.wantNotContains {
		if strings.Contains(body, s) {
			t.Errorf("%s: body contains %q, which must not appear", sc.path, s)
		}
	}
	return rec
}

func TestScenarios(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, func(c *config.Config) { c.MetricsToken = "metrics-secret" })
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			admin := signIn(t, a, "admin@nyp.example")
			tok := tokenFor(t, a, "analyst@nyp.example", "read")
			bearer := map[string]string{"Authorization": "Bearer " + tok}
			scenarios := []scenario{
				{name: "signed out home goes to sign-in", path: "/", wantStatus: 303},
				{name: "signed out page keeps where it was going", path: "/areas/E07000163", wantStatus: 303},
				{name: "sign-in page", path: "/sign-in", wantStatus: 200, wantContains: []string{"Sign in to Alliance", `name="email"`, `autocomplete="current-password"`, "OFFICIAL-SENSITIVE"},
					wantNotContains: []string{"Your account"}},
				{name: "home", path: "/", cookie: analyst, wantStatus: 200, wantType: "text/html",
					wantContains:    []string{"North Yorkshire: Project Alliance", `data-marking="top"`, `data-marking="bottom"`, "OFFICIAL-SENSITIVE", "partner agencies", ">195<", "Skip to main content", "Demo account", "Sign out", "Information reports"},
					wantNotContains: []string{"govuk-crest", "GDS Transport", "Crown copyright</a>", `href="/admin/users"`}},
				{name: "administrator sees Users, not reports", path: "/", cookie: admin, wantStatus: 200, wantContains: []string{`href="/admin/users"`}, wantNotContains: []string{`href="/reports"`}},
				{name: "agencies", path: "/agencies", cookie: analyst, wantStatus: 200,
					wantContains: []string{"North Yorkshire Police", "City of York Council", "HM Revenue and Customs", "St Giles Trust", "Charity or voluntary sector"}},
				{name: "areas", path: "/areas", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Yorkshire and The Humber", "E23000009", "Craven", "E07000163", "Scarborough", "Open Government Licence"}},
				{name: "district", path: "/areas/E07000163", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Craven", "Aire Valley with Lothersdale", "E05006189", "North Yorkshire", "19 wards"}},
				{name: "ward", path: "/areas/E05006189", cookie: analyst, wantStatus: 200,
					wantContains: []string{"Aire Valley with Lothersdale", "/api/v1/areas/E05006189/boundary", "Craven"}},
				{name: "about is public", path: "/about", wantStatus: 200, wantContains: []string{"About Alliance", "Open Government Licence"}},
				{name: "account", path: "/account", cookie: analyst, wantStatus: 200, wantContains: []string{"analyst@nyp.example", "This session", "Sign out everywhere", "Intelligence analyst"}},
				{name: "unknown area", path: "/areas/E05999999", cookie: analyst, wantStatus: 404, wantContains: []string{"Page not found", "OFFICIAL-SENSITIVE"}},
				{name: "malformed area", path: "/areas/%27%20OR%201=1", cookie: analyst, wantStatus: 404, wantContains: []string{"Page not found"}},
				{name: "unknown page", path: "/no/such/page", wantStatus: 404, wantContains: []string{"Page not found"}},
				{name: "admin page for a non-admin is not found", path: "/admin/users", cookie: analyst, wantStatus: 404, wantNotContains: []string{"Add a user"}},
				{name: "admin users", path: "/admin/users", cookie: admin, wantStatus: 200, wantContains: []string{"Add a user", "dpo@nyp.example", "Auditor"}},
				{name: "api without token", path: "/api/v1/partnership", wantStatus: 401, wantType: "application/problem+json"},
				{name: "api with a session cookie but no token", path: "/api/v1/partnership", cookie: analyst, wantStatus: 401},
				{name: "api with a wrong token", path: "/api/v1/partnership", header: map[string]string{"Authorization": "Bearer alliance_nope"}, wantStatus: 401},
				{name: "api partnership", path: "/api/v1/partnership", header: bearer, wantStatus: 200, wantType: "application/json",
					wantContains: []string{`"slug":"north-yorkshire"`, `"region_code":"E12000003"`}},
				{name: "api agencies", path: "/api/v1/agencies", header: bearer, wantStatus: 200, wantContains: []string{`"total":14`, `"type":"police"`}},
				{name: "api wards", path: "/api/v1/areas?level=ward", header: bearer, wantStatus: 200,
					wantContains: []string{`"total":195`, `"code":"E05006189"`, `"parent_code":"E07000163"`}, wantNotContains: []string{`"level":"district"`}},
				{name: "api bad level", path: "/api/v1/areas?level=parish", header: bearer, wantStatus: 400, wantType: "application/problem+json",
					wantContains: []string{`"field":"level"`, `"status":400`, `"request_id"`}},
				{name: "api area", path: "/api/v1/areas/E07000163", header: bearer, wantStatus: 200, wantContains: []string{`"name":"Craven"`, `"parent_code":"E23000009"`, `"code":"E05006189"`}},
				{name: "api unknown area", path: "/api/v1/areas/E05999999", header: bearer, wantStatus: 404, wantType: "application/problem+json"},
				{name: "api boundary", path: "/api/v1/areas/E05006189/boundary", header: bearer, wantStatus: 200, wantType: "application/geo+json",
					wantContains: []string{`"type":"Feature"`, `"Polygon"`, `"coordinates"`}},
				{name: "api unknown route", path: "/api/v1/nothing", wantStatus: 404, wantType: "application/problem+json"},
				{name: "api read token cannot write", method: "POST", path: "/api/v1/reports", header: bearer, body: `{"title":"x"}`, wantStatus: 403},
				{name: "openapi is public", path: "/api/v1/openapi.json", wantStatus: 200, wantContains: []string{`"openapi": "3.1.0"`}},
				{name: "healthz", path: "/healthz", wantStatus: 200, wantContains: []string{"ok"}},
				{name: "readyz", path: "/readyz", wantStatus: 200, wantContains: []string{`"ready"`}},
				{name: "metrics from loopback", path: "/metrics", wantStatus: 200, wantContains: []string{"alliance_http_request_duration_seconds", "go_sql_max_open_connections"}},
				{name: "metrics from afar", path: "/metrics", remote: "203.0.113.9:5000", wantStatus: 404, wantNotContains: []string{"go_sql"}},
				{name: "metrics from afar with token", path: "/metrics", remote: "203.0.113.9:5000", header: map[string]string{"Authorization": "Bearer metrics-secret"}, wantStatus: 200},
				{name: "metrics from afar with wrong token", path: "/metrics", remote: "203.0.113.9:5000", header: map[string]string{"Authorization": "Bearer nope"}, wantStatus: 404},
				{name: "cross-site post refused", method: "POST", path: "/sign-in", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
				{name: "stale asset", path: "/static/0000000000000000/app.css", wantStatus: 404},
				{name: "asset traversal is cleaned, not served", path: "/static/x/../../go.mod", wantStatus: 307, wantNotContains: []string{"module alliance"}},
			}
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
			}
		})
	}
}

var nonceAttr = regexp.MustCompile(`<script nonce="([^"]+)">`)

func TestSecurityHeadersAndAssets(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	h := a.Handler()
	cookie := signIn(t, a, "analyst@nyp.example")
	rec := scenario{path: "/", cookie: cookie, wantStatus: 200}.run(t, h)
	csp := rec.Header().Get("Content-Security-Policy")
	m := nonceAttr.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("got no nonce on the inline script")
	}
	for _, want := range []string{"default-src 'self'", "script-src 'self' 'nonce-" + m[1] + "'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q allows unsafe-inline", csp)
	}
	if strings.Count(rec.Body.String(), "<script") != 2 {
		t.Errorf("got %d script tags, want 2 (the nonce'd class switch and app.mjs)", strings.Count(rec.Body.String(), "<script"))
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if rec.Header().Get("X-Request-Id") == "" {
		t.Error("got no X-Request-Id")
	}
	// Every asset the page links is served, immutable.
	links := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(links) < 3 {
		t.Fatalf("got %d asset links, want at least 3", len(links))
	}
	for _, l := range links {
		r := scenario{path: l[1], wantStatus: 200}.run(t, h)
		if cc := r.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: got Cache-Control %q, want immutable", l[1], cc)
		}
	}
	// A second request gets a different nonce.
	rec2 := scenario{path: "/", cookie: cookie, wantStatus: 200}.run(t, h)
	if m2 := nonceAttr.FindStringSubmatch(rec2.Body.String()); m2 == nil || m2[1] == m[1] {
		t.Error("got the same nonce twice, want a fresh one per request")
	}
}

func TestServerErrorShowsOnlyRequestID(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	a.Store().Close() // every query now fails
	for _, path := range []string{"/sign-in", "/api/v1/agencies"} {
		rec := scenario{path: path, header: map[string]string{"Authorization": "Bearer alliance_x"}, wantStatus: 500, wantNotContains: []string{"database is closed", "sql:", "store:"}}.run(t, a.Handler())
		id := rec.Header().Get("X-Request-Id")
		if id == "" || !strings.Contains(rec.Body.String(), id) {
			t.Errorf("%s: got body without the request id %q", path, id)
		}
	}
	scenario{path: "/readyz", wantStatus: 503, wantContains: []string{"not ready"}}.run(t, a.Handler())
}

// TestEveryRouteIsDeclared walks the route table: every route must carry a
// complete access declaration.
func TestEveryRouteIsDeclared(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	routes := a.Routes()
	if len(routes) < 10 {
		t.Fatalf("got %d routes, want the whole table", len(routes))
	}
	for _, r := range routes {
		if !r.Access.Valid() {
			t.Errorf("route %q: got access %s, want a declaration", r.Pattern, r.Access)
		}
		if r.Handler == nil {
			t.Errorf("route %q: got no handler", r.Pattern)
		}
	}
}

func TestUndeclaredRoutePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering a route without access: got no panic, want one")
		}
	}()
	router.NewTable(nil, nil).Handle("GET /x", router.Access{}, http.NotFoundHandler())
}

// TestOpenAPIMatchesRoutes proves the committed OpenAPI document lists every
// registered API route and nothing else.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil)
	var registered []string
	for _, r := range a.Routes() {
		if r.API {
			registered = append(registered, strings.ToLower(r.Method())+" "+r.Path())
		}
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("got openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(registered)
	sort.Strings(documented)
	if strings.Join(registered, "\n") != strings.Join(documented, "\n") {
		t.Errorf("routes and OpenAPI differ:\nregistered:\n%s\ndocumented:\n%s", strings.Join(registered, "\n"), strings.Join(documented, "\n"))
	}
}

func TestSecondStartReusesData(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			fixed := storetest.Engine{Name: e.Name, DSN: func(testing.TB) string { return dsn }}
			first := newApp(t, fixed, nil)
			if !first.DemoLoaded {
				t.Fatal("first start: got no demo load")
			}
			first.Close()
			second := newApp(t, fixed, nil)
			if second.DemoLoaded {
				t.Error("second start: got the demo loaded again, want the data reused")
			}
			n, err := second.Store().CountPartnerships(context.Background(), second.Store().Reader())
			if err != nil || n != 1 {
				t.Errorf("got %d partnerships, %v; want 1", n, err)
			}
		})
	}
}

func TestEmptyDatabaseMigratesWithoutDemo(t *testing.T) {
	e := storetest.Engines(t)[0]
	dsn := e.DSN(t)
	fixed := storetest.Engine{Name: e.Name, DSN: func(testing.TB) string { return dsn }}
	a := newApp(t, fixed, func(c *config.Config) { c.Demo = false })
	v, err := a.Store().SchemaVersion(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("empty database: got schema version %d, %v; want it migrated", v, err)
	}
	if a.DemoLoaded {
		t.Error("got a demo load without --demo")
	}
	// No partnership yet: the sign-in page says how to add one.
	scenario{path: "/sign-in", wantStatus: 200, wantContains: []string{"no partnership yet", "alliance partnership add", "alliance user add", "OFFICIAL-SENSITIVE"}}.run(t, a.Handler())
}
