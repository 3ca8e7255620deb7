package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// BenchmarkPages measures whole requests through the middleware chain,
// beside /healthz, so the figures read as ratios.
func BenchmarkPages(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAppB(b, e)
			cookie := signIn(b, a, "analyst@nyp.example")
			tok := tokenFor(b, a, "analyst@nyp.example", "read")
			for _, path := range []string{"/healthz", "/", "/areas", "/areas/E07000163", "/reports", "/api/v1/areas?level=ward"} {
				b.Run(path, func(b *testing.B) {
					h := a.Handler()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, path, nil)
						req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
						req.Header.Set("Authorization", "Bearer "+tok)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: got %d", path, rec.Code)
						}
					}
				})
			}
		})
	}
}
