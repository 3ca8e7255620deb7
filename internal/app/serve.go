package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"alliance/internal/api"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/observe"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web"
)

// New builds the App (Build, with the key a writer needs), prepares the
// database for serving (prepare) and builds the HTTP handler over the
// services Build made.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	opts.Existing, opts.Migrate, opts.Key = false, false, KeyWrite
	a, err := Build(ctx, cfg, log, opts)
	if err != nil {
		return nil, err
	}
	if err := a.prepare(ctx, opts); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.buildHandler(ctx, opts); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// prepare brings the database up to date for serving: it migrates an empty
// database (or any database when cfg.Migrate or cfg.Demo is set), refuses a
// database whose schema is behind this binary otherwise, loads the demo when
// cfg.Demo is set and the database holds no partnership, checks that the
// key is the one the audit log was signed with, and stores the shipped
// scoring models.
func (a *App) prepare(ctx context.Context, opts Options) error {
	if err := a.migrateToServe(ctx); err != nil {
		return err
	}
	if a.cfg.Demo {
		if err := a.loadDemoToServe(ctx, opts); err != nil {
			return err
		}
	}
	if err := CheckKey(ctx, a.store, a.key, a.keySrc); err != nil {
		return err
	}
	// Scoring models: version 1 of each shipped default, stored once.
	return a.scoring.EnsureDefaults(ctx)
}

// migrateToServe applies pending migrations to an empty database, or to
// any when cfg.Migrate or cfg.Demo is set, and signs the heads of audit
// chains written before heads were signed when that migration is among
// them.
func (a *App) migrateToServe(ctx context.Context) error {
	version, err := a.store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	pending, err := a.store.HasPendingMigrations(ctx)
	if err != nil || !pending {
		return err
	}
	if version > 0 && !a.cfg.Migrate && !a.cfg.Demo {
		return fmt.Errorf("the database schema (version %d) is behind this version of Alliance: run 'alliance migrate up --db …' or start with --migrate", version)
	}
	applied, err := a.store.Migrate(ctx)
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "migrations applied", "versions", applied)
	n, err := a.SignHeadsAfterUpgrade(ctx, applied)
	if err != nil {
		return err
	}
	if n > 0 {
		a.log.InfoContext(ctx, "signed the heads of audit chains written before heads were signed", "chains", n)
	}
	return nil
}

// loadDemoToServe loads the demo unless the database already holds data,
// which is reused.
func (a *App) loadDemoToServe(ctx context.Context, opts Options) error {
	res, err := a.LoadDemo(ctx, demo.Options{StepDelay: opts.DemoStepDelay, Progress: func(step string, n, of int) {
		a.log.DebugContext(ctx, "demo step written, not yet committed", "step", step, "n", n, "of", of)
	}})
	if errors.Is(err, demo.ErrNotEmpty) {
		a.log.InfoContext(ctx, "demo not loaded: the database already holds data, which is reused")
		return nil
	}
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "demo loaded", "partnership", res.Partnership.Slug, "agencies", res.Agencies, "areas", res.OrgUnits, "users", len(res.Users))
	a.DemoLoaded, a.DemoResult = true, res
	return nil
}

// oidc returns the identity provider's sign-in, when cfg configures one; it
// asks the provider for its endpoints, so only serving builds it.
func (a *App) oidc(ctx context.Context) (*service.OIDC, error) {
	if !a.cfg.OIDC.Enabled() {
		return nil, nil
	}
	roles, err := a.cfg.OIDC.RoleMap()
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	o := a.cfg.OIDC
	return service.NewOIDC(dctx, a.id, service.OIDCSettings{Issuer: o.Issuer, ClientID: o.ClientID,
		ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL, Label: o.Label, GroupRoles: roles})
}

// metrics returns the Prometheus metrics, with the search queue's length.
func (a *App) metrics() *observe.Metrics {
	m := observe.NewMetrics(a.store.Pools())
	m.AddGauge("alliance_search_queue", "Imported people and other entities not yet in the search index.", func() float64 {
		qctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := a.store.SearchQueueLength(qctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	return m
}

// buildHandler builds the web UI, the API and the operator endpoints over
// the App's services, in one route table behind one middleware chain.
func (a *App) buildHandler(ctx context.Context, opts Options) error {
	oidcSvc, err := a.oidc(ctx)
	if err != nil {
		return err
	}
	metrics := a.metrics()
	ui, err := web.New(web.Options{Service: a.svc, Identity: a.id, Reports: a.reports, Admin: a.admin, Auditing: a.audits, Sharing: a.sharing,
		Scoring: a.scoring, Register: a.register, Pictures: a.pictures, Search: a.search, Importer: a.importer, Jobs: a.jobs,
		Disruptions: a.disruptions, Performance: a.performance, Homes: a.homes, BoardPacks: a.boardPacks, Submissions: a.submissions, Programmes: a.programmes, Referrals: a.referrals, OIDC: oidcSvc, Log: a.log, Version: opts.Version,
		ImportMaxBytes: int64(a.cfg.ImportMaxMB) << 20})
	if err != nil {
		return err
	}
	guard := router.Guard{OperatorToken: a.cfg.MetricsToken, NotFound: http.HandlerFunc(ui.NotFound),
		APIUnauthorized: http.HandlerFunc(api.Unauthorized), APINotFound: http.HandlerFunc(api.NotFound)}
	a.table = router.NewTable(metrics.RequestDuration, guard.Wrap)
	ui.Register(a.table)
	apis := api.New(api.Options{Service: a.svc, Reports: a.reports, Register: a.register, Pictures: a.pictures, Search: a.search,
		Performance: a.performance, Submissions: a.submissions, Referrals: a.referrals, Log: a.log})
	apis.Register(a.table)
	web.Ops{Ready: a.svc.Ready, Registry: metrics.Registry}.Register(a.table)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			apis.CrossOrigin(w, r)
			return
		}
		ui.CrossOrigin(w, r)
	}))
	var h http.Handler = a.table.Mux()
	h = cop.Handler(h)
	h = web.Identify(a.id, ui.Error, apis.Error, h)
	h = web.StorableQuery(ui.Error, apis.Error, h)
	h = web.Recover(a.log, http.HandlerFunc(ui.ServerError), h)
	h = web.SecurityHeaders(false, h)
	h = web.RequestLog(a.log, web.Proxies(a.cfg.TrustedProxies), h)
	a.handler = h
	return nil
}

// Serve serves HTTP on ln and runs jobs until ctx is cancelled. Then it
// stops accepting requests and claiming jobs, and lets in-flight requests
// and the running job finish within cfg.ShutdownTimeout; a job still
// running then is stopped, rolls back and is given back, so another server
// (or this one, restarted) runs it again. Every write runs in a
// transaction, so a request cut off at the deadline leaves nothing
// half-written.
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
	ictx, stopIndexer := context.WithCancel(context.WithoutCancel(ctx))
	indexed := make(chan struct{})
	go func() { defer close(indexed); a.indexer.Run(ictx, 10*time.Second) }()
	defer func() { stopIndexer(); <-indexed }()
	claim, stopClaiming := context.WithCancel(context.WithoutCancel(ctx))
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.jobs.Run(claim, work, 5*time.Second) }()
	defer func() { stopClaiming(); stopWork(); <-jobsDone }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests and the running job", "timeout", a.cfg.ShutdownTimeout.String())
	stopClaiming()
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	select {
	case <-jobsDone:
	case <-sctx.Done():
		a.log.Warn("shutting down: the running job did not finish in time; stopping it, to be run again")
		stopWork()
		<-jobsDone
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.log.Info("stopped")
	return nil
}
