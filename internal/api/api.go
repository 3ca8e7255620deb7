// Package api is Alliance's JSON API, version 1, under /api/v1. Responses are
// JSON; errors are RFC 9457 problem details (application/problem+json) that
// name the bad parameter or field. The OpenAPI 3.1 document served at
// /api/v1/openapi.json is kept in openapi.json beside this file, and a test
// proves it lists exactly the registered routes.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"alliance/internal/domain"
	"alliance/internal/observe"
	"alliance/internal/router"
	"alliance/internal/service"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPIDoc }

// Options configure the API.
type Options struct {
	Service  *service.Service
	Reports  *service.Reports
	Register *service.Register
	Pictures *service.Pictures
	Search   *service.Search
	// Performance serves the dashboard's figures.
	Performance *service.PerformanceService
	// Submissions serves partner submissions and the triage queue.
	Submissions *service.Submissions
	// Referrals serves referrals to programmes, behind the firewall.
	Referrals *service.Referrals
	Log       *slog.Logger
}

// API serves /api/v1 to callers with an API token. It is safe for
// concurrent use.
type API struct {
	svc         *service.Service
	reports     *service.Reports
	register    *service.Register
	pictures    *service.Pictures
	finder      *service.Search
	perf        *service.PerformanceService
	submissions *service.Submissions
	referrals   *service.Referrals
	log         *slog.Logger
}

// New returns the API.
func New(opts Options) *API {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &API{svc: opts.Service, reports: opts.Reports, register: opts.Register, pictures: opts.Pictures, finder: opts.Search, perf: opts.Performance, submissions: opts.Submissions, referrals: opts.Referrals, log: log}
}

// Unauthorized answers API calls without a valid token.
func Unauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="alliance"`)
	writeProblem(w, r, Problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "Send a valid API token: Authorization: Bearer <token>."})
}

// NotFound answers API calls for what does not exist or may not be seen.
func NotFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, Problem{Status: http.StatusNotFound, Title: "Not found"})
}

// Register adds every API route to t with its access declaration.
func (a *API) Register(t *router.Table) {
	t.HandleAPI("GET /api/v1/openapi.json", router.AccessPublic, http.HandlerFunc(a.openapi))
	t.HandleAPI("GET /api/v1/partnership", router.AccessSignedIn, a.handle(a.getPartnership))
	t.HandleAPI("GET /api/v1/agencies", router.AccessSignedIn, a.handle(a.listAgencies))
	t.HandleAPI("GET /api/v1/areas", router.AccessSignedIn, a.handle(a.listAreas))
	t.HandleAPI("GET /api/v1/areas/{code}", router.AccessSignedIn, a.handle(a.getArea))
	t.HandleAPI("GET /api/v1/areas/{code}/boundary", router.AccessSignedIn, a.handle(a.getBoundary))
	t.HandleAPI("GET /api/v1/reports", router.AccessSignedIn, a.handle(a.listReports))
	t.HandleAPI("POST /api/v1/reports", router.AccessSignedIn, a.handle(a.createReport))
	t.HandleAPI("GET /api/v1/reports/{id}", router.AccessSignedIn, a.handle(a.getReport))
	// The OCG picture: the service decides who may see it.
	t.HandleAPI("GET /api/v1/ocg-picture", router.AccessSignedIn, a.handle(a.getPicture))
	t.HandleAPI("GET /api/v1/performance", router.AccessSignedIn, a.handle(a.getPerformance))
	// The OCG register: the service and policy decide per record.
	t.HandleAPI("GET /api/v1/ocgs", router.AccessSignedIn, a.handle(a.listOCGs))
	t.HandleAPI("POST /api/v1/ocgs", router.AccessSignedIn, a.handle(a.createOCG))
	t.HandleAPI("GET /api/v1/ocgs/{id}", router.AccessSignedIn, a.handle(a.getOCG))
	t.HandleAPI("POST /api/v1/ocgs/{id}/transitions", router.AccessSignedIn, a.handle(a.createTransition))
	t.HandleAPI("POST /api/v1/ocgs/{id}/members", router.AccessSignedIn, a.handle(a.createMember))
	t.HandleAPI("PUT /api/v1/ocgs/{id}/members/{link}", router.AccessSignedIn, a.handle(a.updateMember))
	t.HandleAPI("POST /api/v1/ocgs/{id}/members/{link}/end", router.AccessSignedIn, a.handle(a.endMember))
	t.HandleAPI("GET /api/v1/people/{id}", router.AccessSignedIn, a.handle(a.getPerson))
	t.HandleAPI("GET /api/v1/search", router.AccessSignedIn, a.handle(a.search))
	// Intelligence from partners: the service decides who may submit and
	// who may triage.
	t.HandleAPI("POST /api/v1/submissions", router.AccessSignedIn, a.handle(a.createSubmission))
	t.HandleAPI("GET /api/v1/triage", router.AccessSignedIn, a.handle(a.getTriage))
	// Referrals and programme summaries: coordinators (the service's
	// firewall decides what each lists).
	t.HandleAPI("GET /api/v1/referrals", router.Roles(domain.RoleReferralCoordinator), a.handle(a.getReferrals))
	t.HandleAPI("GET /api/v1/programmes/{id}/summary", router.Roles(domain.RoleReferralCoordinator), a.handle(a.getProgrammeSummary))
	t.HandleAPI("GET /api/v1/nrm-summary", router.Roles(domain.RoleReferralCoordinator), a.handle(a.getNRMSummary))
	// Anything else under /api/: a problem document, not an HTML page.
	t.Handle("/api/", router.AccessPublic, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, Problem{Status: http.StatusNotFound, Title: "Not found", Detail: "There is no such API resource."})
	}))
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// Problem is an RFC 9457 problem details object.
type Problem struct {
	Type          string              `json:"type"`
	Title         string              `json:"title"`
	Status        int                 `json:"status"`
	Detail        string              `json:"detail,omitempty"`
	Instance      string              `json:"instance,omitempty"`
	RequestID     string              `json:"request_id,omitempty"`
	InvalidParams []domain.FieldError `json:"invalid_params,omitempty"`
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	p.Instance = r.URL.Path
	p.RequestID = observe.RequestID(r.Context())
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// CrossOrigin answers an API call a browser sent from another site, which
// the cross-origin protection refuses before any handler runs: 403.
func (a *API) CrossOrigin(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, Problem{Status: http.StatusForbidden, Title: "Cross-origin request refused",
		Detail: "A browser sent this request from another site. Call the API from your own client, with an API token."})
}

// Error answers an API call that failed with err, as writeError does. The
// middleware uses it for failures before a handler runs.
func (a *API) Error(w http.ResponseWriter, r *http.Request, err error) { a.writeError(w, r, err) }

// writeError maps err to a problem: a body over its limit → 413,
// validation → 400 naming each field, a read without a purpose → 400 naming
// the X-Alliance-Purpose header, not found → 404, conflict → 409, the
// database out of service (see service.Unavailable) → 503, anything else →
// 500 with the request id only.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *domain.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		a.log.InfoContext(r.Context(), "request body over its limit", "limit_bytes", mbe.Limit)
		writeProblem(w, r, Problem{Status: http.StatusRequestEntityTooLarge, Title: "Request body too large",
			Detail: fmt.Sprintf("The request body must be at most %d bytes.", mbe.Limit)})
	case errors.As(err, &verr):
		writeProblem(w, r, Problem{Status: http.StatusBadRequest, Title: "Invalid request",
			Detail: "One or more parameters are invalid.", InvalidParams: verr.Problems})
	case errors.Is(err, domain.ErrNotFound):
		writeProblem(w, r, Problem{Status: http.StatusNotFound, Title: "Not found"})
	case errors.Is(err, service.ErrPurposeMissing):
		writeProblem(w, r, Problem{Status: http.StatusBadRequest, Title: "Purpose required",
			Detail:        "Reading a record needs a purpose, logged with the read: send it in the " + service.PurposeHeader + " header, or use a token made with a purpose.",
			InvalidParams: []domain.FieldError{{Field: service.PurposeHeader, Message: "Say what this read is for"}}})
	case errors.Is(err, service.ErrAgreementNotInForce):
		writeProblem(w, r, Problem{Status: http.StatusForbidden, Title: "Sharing agreement not in force",
			Detail: "The information sharing agreement this system's token relies on has expired, been suspended or withdrawn. Ask the partnership's administrator."})
	case errors.Is(err, domain.ErrForbidden):
		writeProblem(w, r, Problem{Status: http.StatusForbidden, Title: "Forbidden", Detail: "Your token or role does not allow this."})
	case errors.Is(err, domain.ErrConflict):
		writeProblem(w, r, Problem{Status: http.StatusConflict, Title: "Conflict", Detail: "The change clashes with existing data."})
	default:
		if cause, ok := service.Unavailable(err); ok {
			a.log.ErrorContext(r.Context(), "service unavailable", "cause", cause, "error", err.Error())
			w.Header().Set("Retry-After", "30")
			writeProblem(w, r, Problem{Status: http.StatusServiceUnavailable, Title: "Service unavailable",
				Detail: "The service cannot reach its database just now; nothing was changed. Try again in a few minutes."})
			return
		}
		a.log.ErrorContext(r.Context(), "api request failed", "error", err.Error())
		writeProblem(w, r, Problem{Status: http.StatusInternalServerError, Title: "Internal server error",
			Detail: "Quote the request id if you contact support."})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func (a *API) partnershipFor(ctx context.Context) (domain.Partnership, error) {
	actor := router.ActorFrom(ctx)
	if actor.Anonymous() {
		return domain.Partnership{}, domain.NotFound("partnership", "")
	}
	return a.svc.PartnershipByID(ctx, actor.PartnershipID)
}

type partnershipJSON struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	Programme  string    `json:"programme"`
	RegionCode string    `json:"region_code,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func (a *API) getPartnership(w http.ResponseWriter, r *http.Request) error {
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, partnershipJSON{p.ID, p.Slug, p.Name, p.Programme, p.RegionCode, p.CreatedAt})
}

type agencyJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	Type      string `json:"type"`
	TypeName  string `json:"type_name"`
}

func (a *API) listAgencies(w http.ResponseWriter, r *http.Request) error {
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	list, err := a.svc.Agencies(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]agencyJSON, len(list))
	for i, ag := range list {
		out[i] = agencyJSON{ag.ID, ag.Name, ag.ShortName, string(ag.Type), ag.TypeName}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
}

type areaJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Level       string `json:"level"`
	ParentCode  string `json:"parent_code,omitempty"`
	Population  int64  `json:"population,omitempty"`
	HasBoundary bool   `json:"has_boundary"`
}

func (a *API) listAreas(w http.ResponseWriter, r *http.Request) error {
	var level domain.OrgLevel
	if v := r.URL.Query().Get("level"); v != "" {
		l, err := domain.ParseOrgLevel(v)
		if err != nil {
			verr := &domain.ValidationError{}
			verr.Add("level", "%s", err)
			return verr
		}
		level = l
	}
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	all, err := a.svc.Areas(r.Context(), p, "")
	if err != nil {
		return err
	}
	codes := make(map[string]string, len(all))
	for _, u := range all {
		codes[u.ID] = u.Code
	}
	out := make([]areaJSON, 0, len(all))
	for _, u := range all {
		if level != "" && u.Level != level {
			continue
		}
		out = append(out, areaJSON{u.Code, u.Name, string(u.Level), codes[u.ParentID], u.Population, u.HasBoundary})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": len(out)})
}

func (a *API) getArea(w http.ResponseWriter, r *http.Request) error {
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	d, err := a.svc.Area(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	parent := ""
	if len(d.Path) > 0 {
		parent = d.Path[len(d.Path)-1].Code
	}
	children := make([]areaJSON, len(d.Children))
	for i, c := range d.Children {
		children[i] = areaJSON{c.Code, c.Name, string(c.Level), d.Unit.Code, c.Population, c.HasBoundary}
	}
	u := d.Unit
	return writeJSON(w, http.StatusOK, map[string]any{
		"area":     areaJSON{u.Code, u.Name, string(u.Level), parent, u.Population, u.HasBoundary},
		"children": children,
	})
}

func (a *API) getBoundary(w http.ResponseWriter, r *http.Request) error {
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	geom, err := a.svc.AreaBoundary(r.Context(), p, code)
	if err != nil {
		return err
	}
	d, err := a.svc.Area(r.Context(), p, code)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	feature := map[string]any{
		"type":       "Feature",
		"properties": map[string]any{"code": d.Unit.Code, "name": d.Unit.Name, "level": d.Unit.Level},
		"geometry":   json.RawMessage(geom),
	}
	return json.NewEncoder(w).Encode(feature)
}
