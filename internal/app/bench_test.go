package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"alliance/internal/store/storetest"
)

// BenchmarkPages measures whole requests through the middleware chain,
// beside /healthz, so the figures read as ratios.
func BenchmarkPages(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAppB(b, e)
			for _, path := range []string{"/healthz", "/", "/areas", "/areas/E07000163", "/api/v1/areas?level=ward"} {
				b.Run(path, func(b *testing.B) {
					h := a.Handler()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, path, nil)
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
