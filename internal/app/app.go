// Package app wires Alliance together from a Config: the store, the
// services, the web UI, the API and the operator endpoints, behind one
// middleware chain. It holds no business logic.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"alliance/internal/api"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/observe"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/web"
)

// App is a running Alliance: its database and HTTP handler.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	store   *store.Store
	svc     *service.Service
	table   *router.Table
	handler http.Handler
	// DemoLoaded is true when this start loaded the demo.
	DemoLoaded bool
	// DemoResult describes the demo load, when DemoLoaded.
	DemoResult demo.Result
}

// Options carry what the command line adds to the Config.
type Options struct {
	Version string
	// DemoStepDelay slows the demo load, for crash tests only.
	DemoStepDelay time.Duration
}

// OpenStore opens the database named by cfg.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, store.Options{DSN: cfg.DB, ReadConns: cfg.DBConns, Logger: log})
}

// Prepare brings the database up to date for serving: it migrates an empty
// database (or any database when cfg.Migrate or cfg.Demo is set), refuses a
// database whose schema is behind this binary otherwise, and loads the demo
// when cfg.Demo is set and the database holds no partnership.
func Prepare(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger, opts Options) (loaded bool, res demo.Result, err error) {
	version, err := st.SchemaVersion(ctx)
	if err != nil {
		return false, res, err
	}
	pending, err := st.HasPendingMigrations(ctx)
	if err != nil {
		return false, res, err
	}
	if pending {
		if version > 0 && !cfg.Migrate && !cfg.Demo {
			return false, res, fmt.Errorf("the database schema (version %d) is behind this version of Alliance: run 'alliance migrate up --db …' or start with --migrate", version)
		}
		applied, err := st.Migrate(ctx)
		if err != nil {
			return false, res, err
		}
		log.InfoContext(ctx, "migrations applied", "versions", applied)
	}
	if !cfg.Demo {
		return false, res, nil
	}
	res, err = demo.Load(ctx, st, demo.Options{StepDelay: opts.DemoStepDelay, Progress: demoProgress(ctx, log)})
	if errors.Is(err, demo.ErrNotEmpty) {
		log.InfoContext(ctx, "demo not loaded: the database already holds data, which is reused")
		return false, res, nil
	}
	if err != nil {
		return false, res, err
	}
	log.InfoContext(ctx, "demo loaded", "partnership", res.Partnership.Slug, "agencies", res.Agencies, "areas", res.OrgUnits, "users", len(res.Users))
	return true, res, nil
}

// demoProgress logs each demo step at debug level.
func demoProgress(ctx context.Context, log *slog.Logger) func(string, int, int) {
	return func(step string, n, of int) {
		log.DebugContext(ctx, "demo step written, not yet committed", "step", step, "n", n, "of", of)
	}
}

// New opens and prepares the database and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := NewWithStore(ctx, st, cfg, log, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// NewWithStore is New over an open store, which the App then owns.
func NewWithStore(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	loaded, res, err := Prepare(ctx, st, cfg, log, opts)
	if err != nil {
		return nil, err
	}
	svc := service.New(st, log)
	metrics := observe.NewMetrics(st.Pools())
	ui, err := web.New(web.Options{Service: svc, Log: log, Partnership: cfg.Partnership, Version: opts.Version})
	if err != nil {
		return nil, err
	}
	guard := router.Guard{OperatorToken: cfg.MetricsToken, Denied: http.HandlerFunc(ui.NotFound)}
	table := router.NewTable(metrics.RequestDuration, guard.Wrap)
	ui.Register(table)
	api.New(api.Options{Service: svc, Log: log, Partnership: cfg.Partnership}).Register(table)
	web.Ops{Ready: svc.Ready, Registry: metrics.Registry}.Register(table)

	cop := http.NewCrossOriginProtection()
	var h http.Handler = table.Mux()
	h = cop.Handler(h)
	h = web.Recover(log, http.HandlerFunc(ui.ServerError), h)
	h = web.SecurityHeaders(false, h)
	h = web.RequestLog(log, h)
	return &App{cfg: cfg, log: log, store: st, svc: svc, table: table, handler: h, DemoLoaded: loaded, DemoResult: res}, nil
}

// Handler returns the whole HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Routes returns the route table, for tests that walk it.
func (a *App) Routes() []router.Route { return a.table.Routes() }

// Store returns the app's store.
func (a *App) Store() *store.Store { return a.store }

// Serve serves HTTP on ln until ctx is cancelled, then stops accepting,
// lets in-flight requests finish within cfg.ShutdownTimeout, and returns.
// Every write runs in a transaction, so a request cut off at the deadline
// leaves nothing half-written.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.log.Info("stopped")
	return nil
}

// Close releases the database.
func (a *App) Close() error { return a.store.Close() }
