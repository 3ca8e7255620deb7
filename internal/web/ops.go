package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"alliance/internal/router"
)

// Ops serves the operator endpoints: liveness, readiness and metrics.
type Ops struct {
	// Ready checks the dependencies (the database).
	Ready func(ctx context.Context) error
	// Registry is served at /metrics.
	Registry *prometheus.Registry
}

// Register adds /healthz, /readyz and /metrics to t.
func (o Ops) Register(t *router.Table) {
	t.Handle("GET /healthz", router.AccessPublic, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	}))
	t.Handle("GET /readyz", router.AccessPublic, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		status, body := http.StatusOK, map[string]string{"status": "ready", "database": "ok"}
		if err := o.Ready(ctx); err != nil {
			status, body = http.StatusServiceUnavailable, map[string]string{"status": "not ready", "database": "unreachable"}
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Handle("GET /metrics", router.AccessOperator,
		promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry}))
}
