package router

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// Guard enforces route declarations. Its zero value admits public routes
// only; operator routes then answer loopback clients alone.
type Guard struct {
	// OperatorToken, when set, admits a request to operator routes from any
	// address if it carries "Authorization: Bearer <token>".
	OperatorToken string
	// Denied answers refused requests. Signed-in and role routes are refused
	// with it until identity exists. Default: 404 Not Found, so a refusal
	// never reveals that a page exists.
	Denied http.Handler
}

// Wrap returns h guarded by access.
func (g Guard) Wrap(access Access, h http.Handler) http.Handler {
	denied := g.Denied
	if denied == nil {
		denied = http.NotFoundHandler()
	}
	switch access.Kind {
	case Public:
		return h
	case Operator:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isLoopback(r.RemoteAddr) || g.tokenOK(r) {
				h.ServeHTTP(w, r)
				return
			}
			denied.ServeHTTP(w, r)
		})
	default:
		return denied
	}
}

func (g Guard) tokenOK(r *http.Request) bool {
	if g.OperatorToken == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(g.OperatorToken)) == 1
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
