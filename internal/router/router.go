// Package router holds the one route table of the HTTP server. Every web and
// API route is registered here with a declaration of who may call it; a
// route without one cannot be registered, and a test walks the table to
// prove it. Each handler is wrapped with per-route metrics labelled by its
// pattern, never by the raw path.
package router

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"alliance/internal/domain"
	"alliance/internal/observe"
)

// AccessKind says what sort of caller a route admits.
type AccessKind int

// Kinds of access. The zero value is deliberately not one of them, so a
// route that forgets its declaration is refused.
const (
	// Public routes serve anyone: health checks, assets, error pages and
	// reference pages that hold no protected data.
	Public AccessKind = iota + 1
	// Operator routes serve loopback clients, or clients that present the
	// operator's metrics token.
	Operator
	// SignedIn routes serve any signed-in user of the partnership.
	SignedIn
	// RoleRestricted routes serve signed-in users holding one of Roles.
	RoleRestricted
	// SecondFactor routes serve a person who has given a correct password
	// and must now give (or set up) their second factor.
	SecondFactor
)

// Access is a route's declaration of who may call it.
type Access struct {
	Kind  AccessKind
	Roles []domain.Role
}

// Predefined declarations.
var (
	AccessPublic       = Access{Kind: Public}
	AccessOperator     = Access{Kind: Operator}
	AccessSignedIn     = Access{Kind: SignedIn}
	AccessSecondFactor = Access{Kind: SecondFactor}
)

// Roles declares a route open to holders of any of roles.
func Roles(roles ...domain.Role) Access { return Access{Kind: RoleRestricted, Roles: roles} }

// Valid reports whether a is a complete declaration.
func (a Access) Valid() bool {
	switch a.Kind {
	case Public, Operator, SignedIn, SecondFactor:
		return len(a.Roles) == 0
	case RoleRestricted:
		return len(a.Roles) > 0
	}
	return false
}

// Admits reports whether a signed-in actor (who has passed any second
// factor) may use a route declared with a: what the guard decides, for the
// navigation to show only the links that will open.
func (a Access) Admits(actor domain.Actor) bool {
	switch a.Kind {
	case Public, SignedIn:
		return true
	case RoleRestricted:
		return actor.HasAny(a.Roles...)
	}
	return false
}

func (a Access) String() string {
	switch a.Kind {
	case Public:
		return "public"
	case Operator:
		return "operator"
	case SignedIn:
		return "signed-in"
	case SecondFactor:
		return "second-factor"
	case RoleRestricted:
		rs := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			rs[i] = string(r)
		}
		return "roles(" + strings.Join(rs, ",") + ")"
	}
	return "undeclared"
}

// Route is one entry of the table.
type Route struct {
	// Pattern is a net/http ServeMux pattern with its method, e.g.
	// "GET /areas/{code}".
	Pattern string
	Access  Access
	Handler http.Handler
	// API marks routes under /api/v1, which the OpenAPI document lists.
	API bool
}

// Method returns the pattern's method, or "" for any method.
func (r Route) Method() string {
	if i := strings.IndexByte(r.Pattern, ' '); i > 0 {
		return r.Pattern[:i]
	}
	return ""
}

// Path returns the pattern without its method.
func (r Route) Path() string {
	if i := strings.IndexByte(r.Pattern, ' '); i > 0 {
		return r.Pattern[i+1:]
	}
	return r.Pattern
}

// Table collects routes and builds the ServeMux. It is not safe for
// concurrent registration; build it once at start-up.
type Table struct {
	routes   []Route
	duration *prometheus.HistogramVec
	guard    func(Route) http.Handler
}

// NewTable returns an empty table. Request durations are observed into
// duration (labels: route, method, code) when it is not nil. guard, when not
// nil, returns each route's handler wrapped with the enforcement of its
// declaration.
func NewTable(duration *prometheus.HistogramVec, guard func(Route) http.Handler) *Table {
	return &Table{duration: duration, guard: guard}
}

// Handle registers h at pattern for callers allowed by access. It panics
// when access is not a complete declaration: a programming error found at
// start-up, never in production traffic.
func (t *Table) Handle(pattern string, access Access, h http.Handler) {
	t.add(Route{Pattern: pattern, Access: access, Handler: h})
}

// HandleAPI is Handle for an /api/v1 route.
func (t *Table) HandleAPI(pattern string, access Access, h http.Handler) {
	t.add(Route{Pattern: pattern, Access: access, Handler: h, API: true})
}

func (t *Table) add(r Route) {
	if !r.Access.Valid() {
		panic(fmt.Sprintf("router: route %q has no valid access declaration", r.Pattern))
	}
	t.routes = append(t.routes, r)
}

// Routes returns the registered routes sorted by pattern.
func (t *Table) Routes() []Route {
	out := append([]Route(nil), t.routes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// Mux builds a ServeMux serving every route, each wrapped with its access
// guard and its metrics.
func (t *Table) Mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range t.routes {
		h := r.Handler
		if t.guard != nil {
			h = t.guard(r)
		}
		mux.Handle(r.Pattern, t.instrument(r.Pattern, h))
	}
	return mux
}

func (t *Table) instrument(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri := observe.Route(r.Context()); ri != nil {
			ri.Pattern = pattern
		}
		if t.duration == nil {
			h.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &StatusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		t.duration.WithLabelValues(pattern, r.Method, fmt.Sprint(sw.Status())).Observe(time.Since(start).Seconds())
	})
}

// StatusWriter records the status code written through it.
type StatusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records code and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write passes b on, recording an implicit 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Status returns the status written, 200 when none was written explicitly.
func (w *StatusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Bytes returns how many body bytes were written.
func (w *StatusWriter) Bytes() int64 { return w.bytes }

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
