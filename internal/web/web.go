// Package web is Alliance's server-rendered user interface: GOV.UK Design
// System pages that work without JavaScript, each route declared in
// routes.go with who may use it. Handlers parse input, call package service
// and render; they hold no business rules.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"alliance/internal/domain"
	"alliance/internal/observe"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// Options configure the web UI.
type Options struct {
	Service *service.Service
	Log     *slog.Logger
	// Partnership is the slug of the partnership shown before sign-in
	// exists; "" for the first by name.
	Partnership string
	// Version is the build's version string, shown on the about page.
	Version string
}

// Web serves the HTML pages. It is safe for concurrent use.
type Web struct {
	svc         *service.Service
	log         *slog.Logger
	views       *view.Engine
	assets      *Assets
	partnership string
	version     string
}

// New parses the templates and hashes the assets.
func New(opts Options) (*Web, error) {
	if opts.Service == nil {
		return nil, errors.New("web: no service")
	}
	assets, err := NewAssets()
	if err != nil {
		return nil, err
	}
	tfs, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	views, err := view.New(tfs, assets.URL)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Web{svc: opts.Service, log: log, views: views, assets: assets, partnership: opts.Partnership, version: opts.Version}, nil
}

// Assets returns the static file server.
func (h *Web) Assets() *Assets { return h.assets }

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

// nav lists the service navigation with current marked.
func nav(current string) []view.NavItem {
	items := []view.NavItem{
		{Label: "Home", Href: "/"},
		{Label: "Agencies", Href: "/agencies"},
		{Label: "Areas", Href: "/areas"},
	}
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}

// newPage returns the common page data for r.
func (h *Web) newPage(r *http.Request, title, current string) *view.Page {
	return &view.Page{
		Title:     title,
		Nonce:     Nonce(r.Context()),
		RequestID: observe.RequestID(r.Context()),
		Nav:       nav(current),
	}
}

// currentPartnership is the partnership the page is about.
func (h *Web) currentPartnership(ctx context.Context) (domain.Partnership, error) {
	return h.svc.Partnership(ctx, h.partnership)
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

// renderError maps err to a page: not found → 404, anything else → 500 with
// only the request id. Internal detail goes to the log, never the browser.
func (h *Web) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, domain.ErrNotFound) {
		h.NotFound(w, r)
		return
	}
	h.log.ErrorContext(r.Context(), "page failed", "error", err.Error())
	h.ServerError(w, r)
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
