// Package observe sets up structured logging, request ids and Prometheus
// metrics. Logs carry the request id of the request they belong to and never
// query strings, form values or record content: those may hold personal data.
package observe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"regexp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"database/sql"
)

type ctxKey int

const requestIDKey ctxKey = iota

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// NewRequestID returns incoming when it is a safe id from a trusted proxy
// (letters, digits, dot, dash, underscore; 8 to 64 of them) and a new random
// id otherwise, so client input can never forge or break log lines.
func NewRequestID(incoming string) string {
	if safeID.MatchString(incoming) {
		return incoming
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// contextHandler adds the request id found in the record's context.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// NewLogger returns a logger writing format ("json" or "text") to w at
// level, adding request ids from contexts.
func NewLogger(w io.Writer, format string, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// Metrics is the Prometheus registry of one process and the collectors the
// HTTP layer uses. It is not global: each app has its own.
type Metrics struct {
	Registry        *prometheus.Registry
	RequestDuration *prometheus.HistogramVec
}

// NewMetrics registers the Go runtime, process, HTTP and database pool
// collectors. pools maps a pool name to its *sql.DB.
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "alliance_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern, method and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "code"}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.RequestDuration,
	)
	for name, db := range pools {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

// AddGauge registers a gauge whose value fn reads at each scrape.
func (m *Metrics) AddGauge(name, help string, fn func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// RouteInfo carries the matched route pattern back out to middleware that
// runs outside the ServeMux (the ServeMux sets Request.Pattern only on the
// request it hands to the handler).
type RouteInfo struct{ Pattern string }

type routeKey struct{}

// WithRouteInfo returns ctx carrying a new, empty RouteInfo.
func WithRouteInfo(ctx context.Context) (context.Context, *RouteInfo) {
	ri := &RouteInfo{}
	return context.WithValue(ctx, routeKey{}, ri), ri
}

// Route returns the RouteInfo in ctx, or nil.
func Route(ctx context.Context) *RouteInfo {
	ri, _ := ctx.Value(routeKey{}).(*RouteInfo)
	return ri
}

type clientKey struct{}

// WithClientAddr returns ctx carrying the client's address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// ClientAddr returns the client address in ctx, or "".
func ClientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(string)
	return a
}
