package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/observe"
	"alliance/internal/router"
	"alliance/internal/service"
)

// SessionCookie names the session cookie. The __Host- prefix makes
// browsers insist on Secure, Path=/ and no Domain, so no other site or
// subdomain can set or read it.
const SessionCookie = "__Host-alliance_session"

// Identify resolves the caller of every request and puts it in the request
// context for the route guard and the handlers. Pages use the session
// cookie; the API uses only "Authorization: Bearer" tokens and ignores
// cookies, so no other site can make a browser call it; an API caller's
// purpose is its X-Alliance-Purpose header, else its token's. When the caller
// cannot be resolved because something failed (not because the credential
// is wrong), the request ends with pageErr or apiErr.
func Identify(id *service.Identity, pageErr, apiErr func(http.ResponseWriter, *http.Request, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if anonymousPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
				a, err := id.AuthenticateToken(ctx, strings.TrimSpace(bearer))
				switch {
				case err == nil:
					// The request's own purpose wins over the token's.
					if p := r.Header.Get(service.PurposeHeader); strings.TrimSpace(p) != "" {
						a.Purpose = p
					}
					ctx = router.WithWho(ctx, router.Who{Actor: a, Full: true})
				case !errors.Is(err, domain.ErrNotFound):
					apiErr(w, r, fmt.Errorf("authenticate api token: %w", err))
					return
				}
			}
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			s, err := id.Authenticate(ctx, c.Value)
			switch {
			case err == nil:
				ctx = router.WithWho(ctx, router.Who{Actor: s.Actor, Full: s.Stage == service.StageFull})
				ctx = withSession(ctx, s)
			case errors.Is(err, domain.ErrNotFound):
				clearSessionCookie(w)
			default:
				pageErr(w, r, fmt.Errorf("authenticate session: %w", err))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// clientOf describes the request's origin for sessions and sign-in history:
// the client address RequestLog resolved (through trusted proxies), or the
// connection's peer.
func clientOf(r *http.Request) service.Client {
	host := observe.ClientAddr(r.Context())
	if host == "" {
		var err error
		if host, _, err = net.SplitHostPort(r.RemoteAddr); err != nil {
			host = r.RemoteAddr
		}
	}
	return service.Client{Addr: host, UserAgent: r.UserAgent()}
}

// anonymousPath reports paths served the same to everyone, whose requests
// need no session look-up: assets and the operator endpoints.
func anonymousPath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics", "/favicon.ico":
		return true
	}
	return strings.HasPrefix(p, "/static/")
}
