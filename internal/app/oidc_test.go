package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// browser follows redirects by hand, keeping cookies by name (Go's cookie
// jar will not send Secure cookies over http, which this loopback test uses).
type browser struct {
	t       *testing.T
	cookies map[string]string
	client  *http.Client
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, cookies: map[string]string{},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches u and returns the response (body read) after at most one hop.
func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp, string(body)
}

func TestOIDCSignIn(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := m.Config()
	c, _ := config.Load(func(string) string { return "" })
	c.DB = storetest.Engines(t)[0].DSN(t)
	c.Demo = true
	c.SecretKey = testKey
	c.OIDC = config.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: base + "/sign-in/oidc/callback", GroupRoles: "soc-analysts=intelligence_analyst;soc-lros=lro", Label: "North Yorkshire Police"}
	if err := c.ValidateServe(); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Hasher: cheap})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := &http.Server{Handler: a.Handler()}
	go srv.Serve(ln)
	defer srv.Close()

	// An administrator links the analyst to their identity at the provider.
	ctx := context.Background()
	cred, err := a.Store().CredentialsByEmail(ctx, a.Store().Reader(), "analyst2@nyp.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Admin().LinkOIDC(ctx, service.System(cred.User.PartnershipID), cred.User.ID, cfg.Issuer, "entra-object-id-42"); err != nil {
		t.Fatal(err)
	}

	signIn := func(b *browser, user *mockoidc.MockUser) (*http.Response, string) {
		t.Helper()
		if _, body := b.get(base + "/sign-in"); !strings.Contains(body, "North Yorkshire Police") {
			t.Fatalf("sign-in page lacks the provider button: %s", body)
		}
		m.QueueUser(user)
		resp, _ := b.get(base + "/sign-in/oidc?next=%2Fareas")
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, cfg.Issuer) {
			t.Fatalf("begin: got %d to %q, want a redirect to the provider", resp.StatusCode, loc)
		}
		q, _ := url.Parse(loc)
		for _, p := range []string{"state", "nonce", "code_challenge"} {
			if q.Query().Get(p) == "" {
				t.Errorf("authorisation request lacks %s", p)
			}
		}
		if q.Query().Get("code_challenge_method") != "S256" {
			t.Errorf("got code_challenge_method %q, want S256", q.Query().Get("code_challenge_method"))
		}
		resp, _ = b.get(loc) // the provider answers with a redirect to our callback
		cb := resp.Header.Get("Location")
		if !strings.HasPrefix(cb, base+"/sign-in/oidc/callback") {
			t.Fatalf("provider: got %d to %q, want our callback", resp.StatusCode, cb)
		}
		return b.get(cb)
	}

	t.Run("linked user signs in and gets roles from groups", func(t *testing.T) {
		b := newBrowser(t)
		resp, _ := signIn(b, &mockoidc.MockUser{Subject: "entra-object-id-42", Email: "someone.else@nyp.example", Groups: []string{"soc-lros"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/areas" || b.cookies[web.SessionCookie] == "" {
			t.Fatalf("callback: got %d to %q, session %v; want a session and /areas", resp.StatusCode, resp.Header.Get("Location"), b.cookies[web.SessionCookie] != "")
		}
		_, body := b.get(base + "/areas")
		if !strings.Contains(body, "Reporting structure") {
			t.Errorf("after OIDC sign-in: got a page without the areas")
		}
		after, err := a.Store().CredentialsByID(ctx, a.Store().Reader(), cred.User.ID)
		if err != nil || len(after.User.Roles) != 1 || after.User.Roles[0] != domain.RoleLRO {
			t.Errorf("roles after sign-in: got %v, %v; want [lro] from the soc-lros group", after.User.Roles, err)
		}
	})

	t.Run("matching e-mail is not enough", func(t *testing.T) {
		b := newBrowser(t)
		resp, body := signIn(b, &mockoidc.MockUser{Subject: "someone-new", Email: "analyst2@nyp.example"})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not linked to Alliance") || b.cookies[web.SessionCookie] != "" {
			t.Errorf("unlinked subject with a known e-mail: got %d, session %v; want 403 and no session", resp.StatusCode, b.cookies[web.SessionCookie] != "")
		}
	})

	t.Run("forged state is refused", func(t *testing.T) {
		b := newBrowser(t)
		m.QueueUser(&mockoidc.MockUser{Subject: "entra-object-id-42"})
		resp, _ := b.get(base + "/sign-in/oidc")
		loc, _ := url.Parse(resp.Header.Get("Location"))
		v := loc.Query()
		v.Set("state", "forged")
		loc.RawQuery = v.Encode()
		resp, _ = b.get(loc.String())
		resp, body := b.get(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "did not complete") || b.cookies[web.SessionCookie] != "" {
			t.Errorf("forged state: got %d, session %v; want 400 and no session", resp.StatusCode, b.cookies[web.SessionCookie] != "")
		}
	})

	t.Run("callback without our cookie is refused", func(t *testing.T) {
		b := newBrowser(t)
		resp, _ := b.get(base + "/sign-in/oidc/callback?code=x&state=y")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("got %d, want 400", resp.StatusCode)
		}
	})
}
