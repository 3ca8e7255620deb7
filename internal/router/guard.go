package router

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/observe"
)

// Who is the caller of a request as the identity middleware resolved it.
type Who struct {
	Actor domain.Actor
	// Full is true for a completed sign-in or a valid API token; false for a
	// session that still owes its second factor.
	Full bool
}

type whoKey struct{}

// WithWho returns ctx carrying w.
func WithWho(ctx context.Context, w Who) context.Context { return context.WithValue(ctx, whoKey{}, w) }

// WhoFrom returns the caller in ctx; the zero Who is anonymous.
func WhoFrom(ctx context.Context) Who {
	w, _ := ctx.Value(whoKey{}).(Who)
	return w
}

// ActorFrom returns the fully signed-in actor in ctx, or the zero Actor.
func ActorFrom(ctx context.Context) domain.Actor {
	if w := WhoFrom(ctx); w.Full {
		return w.Actor
	}
	return domain.Actor{}
}

// Guard enforces route declarations. It is safe for concurrent use.
type Guard struct {
	// OperatorToken, when set, admits a request to operator routes from any
	// address if it carries "Authorization: Bearer <token>".
	OperatorToken string
	// NotFound answers requests refused by a page route: refusals look like
	// missing pages, so they never reveal that something exists.
	NotFound http.Handler
	// APIUnauthorized answers API requests without a valid token (401);
	// APINotFound answers API requests refused for want of a role (404).
	APIUnauthorized, APINotFound http.Handler
}

// Wrap returns the route's handler guarded by its declaration.
func (g Guard) Wrap(r Route) http.Handler {
	h := r.Handler
	notFound := g.NotFound
	if r.API && g.APINotFound != nil {
		notFound = g.APINotFound
	}
	if notFound == nil {
		notFound = http.NotFoundHandler()
	}
	switch r.Access.Kind {
	case Public:
		return h
	case Operator:
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if isLoopback(clientAddr(req)) || g.tokenOK(req) {
				h.ServeHTTP(w, req)
				return
			}
			notFound.ServeHTTP(w, req)
		})
	case SecondFactor:
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			who := WhoFrom(req.Context())
			if who.Actor.Anonymous() || who.Full {
				http.Redirect(w, req, g.signIn(""), http.StatusSeeOther)
				return
			}
			h.ServeHTTP(w, req)
		})
	case SignedIn, RoleRestricted:
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			who := WhoFrom(req.Context())
			if !who.Full {
				g.unauthenticated(w, req, r.API)
				return
			}
			if !r.Access.Admits(who.Actor) {
				notFound.ServeHTTP(w, req)
				return
			}
			h.ServeHTTP(w, req)
		})
	}
	return notFound
}

func (g Guard) unauthenticated(w http.ResponseWriter, r *http.Request, api bool) {
	if api {
		if g.APIUnauthorized != nil {
			g.APIUnauthorized.ServeHTTP(w, r)
			return
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	next := ""
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, g.signIn(next), http.StatusSeeOther) //nolint:gosec // always the local sign-in page; next is checked when used
}

func (g Guard) signIn(next string) string {
	const p = "/sign-in"
	if next != "" && next != "/" {
		return p + "?next=" + url.QueryEscape(next)
	}
	return p
}

func (g Guard) tokenOK(r *http.Request) bool {
	if g.OperatorToken == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(g.OperatorToken)) == 1
}

// clientAddr is the client the request logger resolved (so a request
// relayed by a local proxy is judged by its real origin), else the peer.
func clientAddr(r *http.Request) string {
	if a := observe.ClientAddr(r.Context()); a != "" {
		return a
	}
	return r.RemoteAddr
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
