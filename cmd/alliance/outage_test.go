package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// pgProxy forwards TCP connections to PostgreSQL until it is cut: then it
// closes every open connection and refuses new ones, as a database that
// has gone away would, until it is restored.
type pgProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *pgProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// TestPostgresTakenAway runs the server on PostgreSQL through a proxy, cuts
// the proxy under load, and checks the answers while the database is away:
// 503 with a message that says the service is unavailable (an HTML page and
// problem+json), /healthz still alive, /readyz not ready; and that it
// recovers by itself when the database comes back.
func TestPostgresTakenAway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: under CI=true this test must run", storetest.EnvPostgres)
		}
		t.Skipf("needs PostgreSQL: set %s", storetest.EnvPostgres)
	}
	bin := buildBinary(t)
	dsn := storetest.PostgresSchema(t, base)
	token := demoWithToken(t, bin, dsn)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	srv := startServer(t, bin, u.String())

	get := func(path string, api bool) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.url+path, nil)
		if api {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Alliance-Purpose", "Outage test")
		} else {
			// A page behind sign-in looks its session up in the database.
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: "a-session-token"})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	if code, _, body := get("/api/v1/ocgs", true); code != 200 {
		t.Fatalf("before the outage: got %d %s, want 200", code, body)
	}
	proxy.cut()
	tests := []struct {
		name, path   string
		api          bool
		wantCode     int
		wantType     string
		wantContains string
	}{
		{"liveness", "/healthz", false, 200, "", ""},
		{"readiness", "/readyz", false, 503, "", ""},
		{"API read", "/api/v1/ocgs", true, 503, "application/problem+json", "unavailable"},
		{"page", "/ocgs", false, 503, "text/html", "the service is unavailable"},
	}
	for _, tc := range tests {
		code, ctype, body := get(tc.path, tc.api)
		if tc.wantCode != 0 && code != tc.wantCode {
			t.Errorf("%s while PostgreSQL is away: got %d, want %d\n%s", tc.name, code, tc.wantCode, body)
		}
		if tc.wantType != "" && !strings.HasPrefix(ctype, tc.wantType) {
			t.Errorf("%s: got Content-Type %q, want %q", tc.name, ctype, tc.wantType)
		}
		if !strings.Contains(strings.ToLower(body), tc.wantContains) {
			t.Errorf("%s: got %q, want it to say %q", tc.name, body, tc.wantContains)
		}
		if strings.Contains(body, "Internal server error") || strings.Contains(body, "127.0.0.1") {
			t.Errorf("%s: got %q, must not say Internal server error or name the database host", tc.name, body)
		}
	}
	proxy.restore()
	var code int
	for i := 0; i < 50; i++ { // bounded: a few retries while the pool reconnects
		if code, _, _ = get("/api/v1/ocgs", true); code == 200 {
			break
		}
	}
	if code != 200 {
		t.Errorf("after PostgreSQL came back: got %d, want 200", code)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	_ = srv.cmd.Wait()
}
