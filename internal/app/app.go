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
	"runtime"
	"strings"
	"time"

	"alliance/internal/api"
	"alliance/internal/audit"
	"alliance/internal/auth"
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
	id      *service.Identity
	admin   *service.Admin
	reports *service.Reports
	audits  *service.Auditing
	sharing *service.Sharing
	table   *router.Table
	handler http.Handler
	indexer *service.SearchIndexer
	keySrc  KeySource
	jobs    *service.Jobs
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
	// Hasher overrides the password hasher (tests use cheap parameters).
	Hasher *auth.Hasher
}

// OpenStore opens the database named by cfg, creating an empty SQLite
// file when there is none.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, store.Options{DSN: cfg.DB, ReadConns: cfg.DBConns, Logger: log})
}

// OpenExistingStore opens the database named by cfg only if it exists: a
// missing SQLite file is an error, and is not created.
func OpenExistingStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	return store.Open(ctx, store.Options{DSN: cfg.DB, ReadConns: cfg.DBConns, Logger: log, Existing: true})
}

// Prepare brings the database up to date for serving: it migrates an empty
// database (or any database when cfg.Migrate or cfg.Demo is set), refuses a
// database whose schema is behind this binary otherwise, and loads the demo
// when cfg.Demo is set and the database holds no partnership.
func Prepare(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger, alog *audit.Log, opts Options) (loaded bool, res demo.Result, err error) {
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
		n, err := SignHeadsAfterUpgrade(ctx, st, alog, applied)
		if err != nil {
			return false, res, err
		}
		if n > 0 {
			log.InfoContext(ctx, "signed the heads of audit chains written before heads were signed", "chains", n)
		}
	}
	if !cfg.Demo {
		return false, res, nil
	}
	res, err = demo.Load(ctx, st, demo.Options{StepDelay: opts.DemoStepDelay, Progress: demoProgress(ctx, log), Hasher: opts.Hasher, Audit: alog})
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
	key, keySrc, err := SecretKey(ctx, cfg, st)
	if err != nil {
		return nil, err
	}
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey(key))
	loaded, res, err := Prepare(ctx, st, cfg, log, alog, opts)
	if err != nil {
		return nil, err
	}
	if err := CheckKey(ctx, st, key, keySrc); err != nil {
		return nil, err
	}
	box, err := auth.NewBox(key)
	if err != nil {
		return nil, err
	}
	hasher := opts.Hasher
	if hasher == nil {
		hasher = auth.NewHasher(auth.DefaultArgon2, max(1, runtime.NumCPU()/2))
	}
	svc := service.New(st, log)
	id := service.NewIdentity(st, hasher, auth.NewRules(12), box,
		service.IdentityConfig{IdleTimeout: cfg.SessionIdle, AbsoluteTimeout: cfg.SessionMax}, log)
	id.SetAudit(alog)
	reports := service.NewReports(st, log, alog)
	admin := service.NewAdmin(st, id, log, alog)
	auditing := service.NewAuditing(st, log, alog)
	sharing := service.NewSharing(st, log, alog)
	// Scoring models: version 1 of each shipped default, stored once.
	scoring := service.NewScoring(st, log, alog)
	if err := scoring.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	register := service.NewRegister(st, log, alog)
	pictures := service.NewPictures(st, log, alog)
	search := service.NewSearch(st, log, alog)
	importer := service.NewImporter(st, log, alog)
	disruptions := service.NewDisruptions(st, log, alog)
	performance := service.NewPerformance(st, alog, cfg.SuppressBelow)
	indexer := service.NewSearchIndexer(st, log)
	importer.WakeIndexer(indexer)
	jobs := service.NewJobs(st, importer, auditing, log)
	var oidcSvc *service.OIDC
	if cfg.OIDC.Enabled() {
		roles, err := cfg.OIDC.RoleMap()
		if err != nil {
			return nil, err
		}
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		oidcSvc, err = service.NewOIDC(dctx, id, service.OIDCSettings{Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID,
			ClientSecret: cfg.OIDC.ClientSecret, RedirectURL: cfg.OIDC.RedirectURL, Label: cfg.OIDC.Label, GroupRoles: roles})
		cancel()
		if err != nil {
			return nil, err
		}
	}
	metrics := observe.NewMetrics(st.Pools())
	metrics.AddGauge("alliance_search_queue", "Imported people and other entities not yet in the search index.", func() float64 {
		qctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := st.SearchQueueLength(qctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	ui, err := web.New(web.Options{Service: svc, Identity: id, Reports: reports, Admin: admin, Auditing: auditing, Sharing: sharing, Scoring: scoring, Register: register, Pictures: pictures, Search: search, Importer: importer, Jobs: jobs, Disruptions: disruptions, Performance: performance, OIDC: oidcSvc, Log: log, Version: opts.Version,
		ImportMaxBytes: int64(cfg.ImportMaxMB) << 20})
	if err != nil {
		return nil, err
	}
	guard := router.Guard{OperatorToken: cfg.MetricsToken, NotFound: http.HandlerFunc(ui.NotFound),
		APIUnauthorized: http.HandlerFunc(api.Unauthorized), APINotFound: http.HandlerFunc(api.NotFound)}
	table := router.NewTable(metrics.RequestDuration, guard.Wrap)
	ui.Register(table)
	apis := api.New(api.Options{Service: svc, Reports: reports, Register: register, Pictures: pictures, Search: search, Performance: performance, Log: log})
	apis.Register(table)
	web.Ops{Ready: svc.Ready, Registry: metrics.Registry}.Register(table)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			apis.CrossOrigin(w, r)
			return
		}
		ui.CrossOrigin(w, r)
	}))
	var h http.Handler = table.Mux()
	h = cop.Handler(h)
	h = web.Identify(id, ui.Error, apis.Error, h)
	h = web.StorableQuery(ui.Error, apis.Error, h)
	h = web.Recover(log, http.HandlerFunc(ui.ServerError), h)
	h = web.SecurityHeaders(false, h)
	h = web.RequestLog(log, web.Proxies(cfg.TrustedProxies), h)
	return &App{cfg: cfg, log: log, store: st, svc: svc, id: id, admin: admin, reports: reports, audits: auditing, sharing: sharing,
		table: table, handler: h, indexer: indexer, keySrc: keySrc, jobs: jobs, DemoLoaded: loaded, DemoResult: res}, nil
}

// KeySource says where the secret key the app runs with comes from.
func (a *App) KeySource() KeySource { return a.keySrc }

// Handler returns the whole HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Routes returns the route table, for tests that walk it.
func (a *App) Routes() []router.Route { return a.table.Routes() }

// SearchIndexer returns the indexer that writes imported people's search
// entries; Serve runs it, and tests drain it.
func (a *App) SearchIndexer() *service.SearchIndexer { return a.indexer }

// Jobs returns the job runner; Serve runs it, and tests run jobs with it.
func (a *App) Jobs() *service.Jobs { return a.jobs }

// Store returns the app's store.
func (a *App) Store() *store.Store { return a.store }

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

// Identity returns the identity service.
func (a *App) Identity() *service.Identity { return a.id }

// Admin returns the administration service.
func (a *App) Admin() *service.Admin { return a.admin }

// Auditing returns the auditor's service.
func (a *App) Auditing() *service.Auditing { return a.audits }

// Sharing returns the sharing agreements service.
func (a *App) Sharing() *service.Sharing { return a.sharing }

// Reports returns the information reports service.
func (a *App) Reports() *service.Reports { return a.reports }

// Close releases the database.
func (a *App) Close() error { return a.store.Close() }
