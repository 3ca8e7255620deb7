// Package web is Alliance's server-rendered user interface: GOV.UK Design
// System pages that work without JavaScript, each route declared in
// routes.go with who may use it. Handlers parse input, call package service
// and render; they hold no business rules.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/observe"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// Options configure the web UI.
type Options struct {
	Service  *service.Service
	Identity *service.Identity
	Reports  *service.Reports
	Admin    *service.Admin
	Auditing *service.Auditing
	Sharing  *service.Sharing
	Register *service.Register
	Scoring  *service.Scoring
	Pictures *service.Pictures
	Search   *service.Search
	// Disruptions and Performance serve disruption recording, the panel
	// and the dashboard.
	Disruptions *service.Disruptions
	Performance *service.PerformanceService
	// Homes builds each user's home page.
	Homes *service.Homes
	// BoardPacks builds the board pack page and PDF.
	BoardPacks *service.BoardPacks
	// Submissions serves partner submissions, public reports and triage.
	Submissions *service.Submissions
	// Programmes serves the prevention programmes.
	Programmes *service.Programmes
	// Referrals serves referrals to them, behind the firewall.
	Referrals *service.Referrals
	OIDC      *service.OIDC // nil when sign-in through an identity provider is off
	Log       *slog.Logger
	// Version is the build's version string, shown on the about page.
	Version string

	// Importer imports and exports the register's files; ImportMaxBytes
	// caps an upload (DefaultImportMaxBytes when zero).
	Importer *service.Importer
	// Jobs runs web imports and exports as jobs and shows their status
	// pages and files.
	Jobs           *service.Jobs
	ImportMaxBytes int64
}

// Web serves the HTML pages. It is safe for concurrent use.
type Web struct {
	svc     *service.Service
	id      *service.Identity
	reports *service.Reports
	admin   *service.Admin
	audits  *service.Auditing
	sharing *service.Sharing
	scoring *service.Scoring
	// register is the OCG register (groups, people, links, 4P plans),
	// for every page that reads or writes it.
	register *service.Register
	pictures *service.Pictures
	finder   *service.Search // register search
	// disruptions and perf serve /disruptions and /performance.
	disruptions *service.Disruptions
	perf        *service.PerformanceService
	homes       *service.Homes
	boardPacks  *service.BoardPacks
	submissions *service.Submissions
	programmes  *service.Programmes
	referrals   *service.Referrals
	public      *RateLimit
	oidc        *service.OIDC
	log         *slog.Logger
	views       *view.Engine
	assets      *Assets
	version     string
	limit       *RateLimit

	// importer and importMaxBytes serve /import and /export/register.
	importer       *service.Importer
	jobs           *service.Jobs
	importMaxBytes int64

	// pages holds the access declared for each GET page, by path, as
	// Register declared it, so the navigation links only what will open.
	pages map[string]router.Access
}

// New parses the templates and hashes the assets.
func New(opts Options) (*Web, error) {
	if opts.Service == nil || opts.Identity == nil || opts.Reports == nil || opts.Admin == nil || opts.Auditing == nil || opts.Sharing == nil ||
		opts.Register == nil || opts.Disruptions == nil || opts.Performance == nil || opts.Homes == nil || opts.BoardPacks == nil || opts.Submissions == nil {
		return nil, errors.New("web: missing a service")
	}
	assets, err := NewAssets()
	if err != nil {
		return nil, err
	}
	tfs, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"field": field, "roleName": roleName, "has": hasRole, "options": options, "needsLRO": needsLRO,
		"agencyOptions": agencyOptions, "typeOptions": typeOptions, "roleOptions": roleOptions, "pager": pager}
	maps.Copy(funcs, registerFuncs)
	views, err := view.New(tfs, assets.URL, funcs)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Web{svc: opts.Service, id: opts.Identity, reports: opts.Reports, admin: opts.Admin, audits: opts.Auditing, sharing: opts.Sharing, scoring: opts.Scoring, pictures: opts.Pictures, register: opts.Register, finder: opts.Search, oidc: opts.OIDC,
		importer: opts.Importer, jobs: opts.Jobs, importMaxBytes: opts.ImportMaxBytes, disruptions: opts.Disruptions, perf: opts.Performance, homes: opts.Homes, boardPacks: opts.BoardPacks, submissions: opts.Submissions, programmes: opts.Programmes, referrals: opts.Referrals, public: NewRateLimit(0.05, 5),
		log: log, views: views, assets: assets, version: opts.Version, limit: NewRateLimit(2, 10)}, nil
}

// Assets returns the static file server.
func (h *Web) Assets() *Assets { return h.assets }

var errNotFound = domain.NotFound("page", "")

// handlerFunc is a page handler that returns its error instead of writing
// it, so errors are rendered in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Web) page(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.renderError(w, r, err)
		}
	})
}

// nav lists the service navigation for a, with current marked. Signed-out
// pages have none. What it shows is read from the access policy (the
// permissions each role holds, which are data) and from the route table's
// declarations, never from role names, so a link shows exactly when it
// would open.
func (h *Web) nav(pol authz.Policy, a domain.Actor, current string) []view.NavItem {
	if a.Anonymous() {
		return nil
	}
	items := []view.NavItem{{Label: "Home", Href: "/"}}
	if pol.Allowed(a, authz.Search, domain.KindOCG) || pol.Allowed(a, authz.Search, domain.KindEntity) {
		items = append(items, view.NavItem{Label: "Search", Href: "/search"})
	}
	if pol.Allowed(a, authz.List, domain.KindInfoReport) {
		items = append(items, view.NavItem{Label: "Information reports", Href: "/reports"})
	}
	if a.Has(domain.RoleAnalyst) && pol.Allowed(a, authz.List, domain.KindSubmission) {
		items = append(items, view.NavItem{Label: "Triage", Href: "/triage"})
	} else if pol.Allowed(a, authz.Create, domain.KindSubmission) {
		items = append(items, view.NavItem{Label: "Submissions", Href: "/submissions"})
	}
	// Referrals and NRM for those who may make them (the forms' routes
	// admit them); programmes for those who run them or write them.
	admits := func(path string) bool { acc, ok := h.pages[path]; return ok && acc.Admits(a) }
	if admits("/referrals/new") {
		items = append(items, view.NavItem{Label: "Referrals", Href: "/referrals"}, view.NavItem{Label: "NRM", Href: "/nrm"})
	}
	if admits("/nrm/summary") || admits("/programmes/new") {
		items = append(items, view.NavItem{Label: "Programmes", Href: "/programmes"})
	}
	items = append(items, view.NavItem{Label: "Agencies", Href: "/agencies"}, view.NavItem{Label: "Areas", Href: "/areas"})
	for _, it := range []view.NavItem{{Label: "Users", Href: "/admin/users"}, {Label: "Sharing agreements", Href: "/sharing"},
		{Label: "Scoring models", Href: "/admin/scoring-models"}, {Label: "Reference data", Href: "/admin/reference-data"},
		{Label: "Triage targets", Href: "/admin/triage-targets"},
		{Label: "Audit log", Href: "/audit"}} {
		if acc, ok := h.pages[it.Href]; ok && acc.Admits(a) {
			items = append(items, it)
		}
	}
	items = append(items, view.NavItem{Label: "Your account", Href: "/account"})
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}

// newPage returns the common page data for r.
func (h *Web) newPage(r *http.Request, title, current string) *view.Page {
	a := router.ActorFrom(r.Context())
	// The navigation reads the policy once; if it cannot be read, the
	// zero policy grants nothing and only the plain links show.
	var pol authz.Policy
	if !a.Anonymous() {
		if got, err := h.register.Policy(r.Context()); err == nil {
			pol = got
		}
	}
	p := &view.Page{
		Title:     title,
		Nonce:     Nonce(r.Context()),
		RequestID: observe.RequestID(r.Context()),
		Nav:       h.nav(pol, a, current),
	}
	p.Nav = withGroups(pol, a, p.Nav, current)
	p.Nav = withPicture(p.Nav, current)
	p.Nav = withDisruptions(pol, p.Nav, a, current)
	if !a.Anonymous() {
		p.Actor = &a
		if part, err := h.svc.PartnershipByID(r.Context(), a.PartnershipID); err == nil {
			p.Partnership = &part
		}
	}
	return p
}

// currentPartnership is the signed-in actor's partnership.
func (h *Web) currentPartnership(ctx context.Context) (domain.Partnership, error) {
	a := router.ActorFrom(ctx)
	if a.Anonymous() {
		return domain.Partnership{}, domain.NotFound("partnership", "")
	}
	return h.svc.PartnershipByID(ctx, a.PartnershipID)
}

func (h *Web) render(w http.ResponseWriter, r *http.Request, status int, page string, p *view.Page) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Render into the response only after the template has run whole.
	var buf bufferedWriter
	if err := h.views.Render(&buf, page, p); err != nil {
		return err
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.b)
	return err
}

type bufferedWriter struct{ b []byte }

func (b *bufferedWriter) Write(p []byte) (int, error) { b.b = append(b.b, p...); return len(p), nil }

type errorPage struct {
	Heading   string
	Lines     []string
	RequestID string
}

// renderError maps err to a page: not found (or forbidden) → 404; a
// conflict with the record's state (someone else changed it) → 409; a body
// over its size limit → 413; input no form could show → 400; the
// database out of service (a full disk, an outage: see
// service.Unavailable) → 503; anything else → 500 with only the request
// id. Internal detail goes to the log, never the browser, and only the
// faults are logged as errors.
func (h *Web) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	var verr *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrForbidden):
		h.NotFound(w, r)
	case errors.Is(err, domain.ErrConflict):
		h.log.InfoContext(r.Context(), "request conflicts with the record's state", "error", err.Error())
		h.errorPage(w, r, http.StatusConflict, "Someone else changed this record", []string{
			"The record was changed, or moved on, after you opened the page, so nothing was saved.",
			"Go back, reload the page to see the record as it is now, and try again if you still need to.",
		})
	case errors.As(err, &mbe):
		h.log.InfoContext(r.Context(), "request body over its limit", "limit_bytes", mbe.Limit)
		h.errorPage(w, r, http.StatusRequestEntityTooLarge, "The form is too large", []string{
			fmt.Sprintf("What you sent is larger than the %s this form accepts, so nothing was saved.", sizeLabel(mbe.Limit)),
			"Go back, shorten the longest text (or attach less), and send it again.",
		})
	case errors.As(err, &verr):
		fields := make([]string, 0, len(verr.Problems))
		lines := []string{"Nothing was saved. Go back and try again."}
		for _, p := range verr.Problems {
			fields = append(fields, p.Field)
			lines = append(lines, p.Message+".")
		}
		h.log.InfoContext(r.Context(), "request refused", "fields", fields)
		h.errorPage(w, r, http.StatusBadRequest, "The form could not be read", lines)
	default:
		if cause, ok := service.Unavailable(err); ok {
			h.log.ErrorContext(r.Context(), "service unavailable", "cause", cause, "error", err.Error())
			h.Unavailable(w, r)
			return
		}
		h.log.ErrorContext(r.Context(), "page failed", "error", err.Error())
		h.ServerError(w, r)
	}
}

// Error answers a page request that failed with err, as renderError does.
// The middleware uses it for failures before a page's handler runs.
func (h *Web) Error(w http.ResponseWriter, r *http.Request, err error) { h.renderError(w, r, err) }

// sizeLabel writes a byte count as "1 MB" or "64 KB".
func sizeLabel(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

// errorPage renders the error page with status, heading and lines.
func (h *Web) errorPage(w http.ResponseWriter, r *http.Request, status int, heading string, lines []string) {
	p := h.newPage(r, heading, "")
	p.Data = errorPage{Heading: heading, Lines: lines, RequestID: observe.RequestID(r.Context())}
	if err := h.render(w, r, status, "error", p); err != nil {
		h.log.ErrorContext(r.Context(), "render error page", "status", status, "error", err.Error())
		http.Error(w, heading, status)
	}
}

// Unavailable renders the 503 page: the service cannot reach its database
// for now. It asks the browser to try again after a while.
func (h *Web) Unavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "30")
	h.errorPage(w, r, http.StatusServiceUnavailable, "Sorry, the service is unavailable", []string{
		"The service cannot store or read records just now. Nothing you entered on this page was saved.",
		"Try again in a few minutes.",
	})
}

// CrossOrigin renders the 403 page for a form sent from another site,
// which the cross-origin protection refuses before any handler runs.
func (h *Web) CrossOrigin(w http.ResponseWriter, r *http.Request) {
	h.log.InfoContext(r.Context(), "cross-origin request refused")
	h.errorPage(w, r, http.StatusForbidden, "The form came from another site", []string{
		"Nothing was saved. Alliance accepts forms only from its own pages, so that no other site can act in your name.",
		"Go back to Alliance, reload the page and send the form again.",
	})
}

// NotFound renders the 404 page.
func (h *Web) NotFound(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Page not found", "")
	p.Data = errorPage{
		Heading: "Page not found",
		Lines: []string{
			"If you typed the web address, check it is correct.",
			"If you pasted the web address, check you copied the entire address.",
			"If you followed a link, the record may have been removed, or you may not have access to it.",
		},
	}
	if err := h.render(w, r, http.StatusNotFound, "error", p); err != nil {
		h.log.ErrorContext(r.Context(), "render 404", "error", err.Error())
		http.Error(w, "Page not found", http.StatusNotFound)
	}
}

// ServerError renders the 500 page, which shows the request id and nothing
// else about the failure.
func (h *Web) ServerError(w http.ResponseWriter, r *http.Request) {
	id := observe.RequestID(r.Context())
	p := h.newPage(r, "Sorry, there is a problem with the service", "")
	p.Data = errorPage{
		Heading:   "Sorry, there is a problem with the service",
		Lines:     []string{"Try again later. Nothing you entered on this page was saved unless the page said so."},
		RequestID: id,
	}
	if err := h.render(w, r, http.StatusInternalServerError, "error", p); err != nil {
		h.log.ErrorContext(r.Context(), "render 500", "error", err.Error())
		http.Error(w, fmt.Sprintf("Internal server error (request id %s)", id), http.StatusInternalServerError)
	}
}

// roleName returns a role's display name.
func roleName(r domain.Role) string {
	switch r {
	case domain.RoleAdministrator:
		return "Administrator"
	case domain.RoleAnalyst:
		return "Intelligence analyst"
	case domain.RoleLRO:
		return "Lead responsible officer"
	case domain.RolePartnerOfficer:
		return "Partner officer"
	case domain.RolePanelMember:
		return "Disruption panel member"
	case domain.RoleBoardViewer:
		return "Board viewer"
	case domain.RoleReferralCoordinator:
		return "Referral coordinator"
	case domain.RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

func hasRole(roles []domain.Role, r string) bool {
	for _, x := range roles {
		if string(x) == r {
			return true
		}
	}
	return false
}

// options builds radio or checkbox options from value, label pairs.
func options(pairs ...string) []Option {
	out := make([]Option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Option{Value: pairs[i], Label: pairs[i+1]})
	}
	return out
}

func agencyOptions(ags []domain.Agency) []Option {
	out := make([]Option, len(ags))
	for i, a := range ags {
		out[i] = Option{Value: a.ID, Label: a.Name}
	}
	return out
}

func typeOptions(ts []domain.AgencyTypeInfo) []Option {
	out := make([]Option, len(ts))
	for i, t := range ts {
		out[i] = Option{Value: string(t.Code), Label: t.Name}
	}
	return out
}

func roleOptions(rs []domain.RoleInfo) []Option {
	out := make([]Option, len(rs))
	for i, r := range rs {
		out[i] = Option{Value: string(r.Code), Label: r.Name}
	}
	return out
}

// Pager is what the pagination partial takes.
type Pager struct{ Prev, Next, Label string }

func pager(prev, next, label string) Pager { return Pager{prev, next, label} }
