package web

import (
	"net/http"

	"alliance/internal/router"
)

// Register adds every web route to t, each with its access declaration.
//
// Until sign-in exists (the identity issue), the pages below show only
// reference data (agency names, the ONS reporting structure) and are public;
// they become SignedIn when identity lands.
func (h *Web) Register(t *router.Table) {
	t.Handle("GET /static/{version}/{path...}", router.AccessPublic, h.assets)
	t.Handle("GET /{$}", router.AccessPublic, h.page(h.home))
	t.Handle("GET /agencies", router.AccessPublic, h.page(h.agencies))
	t.Handle("GET /areas", router.AccessPublic, h.page(h.areas))
	t.Handle("GET /areas/{code}", router.AccessPublic, h.page(h.area))
	t.Handle("GET /about", router.AccessPublic, h.page(h.about))
	t.Handle("GET /favicon.ico", router.AccessPublic, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	}))
	// Everything else: the GOV.UK 404 page.
	t.Handle("/", router.AccessPublic, http.HandlerFunc(h.NotFound))
}
