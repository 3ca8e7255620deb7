// Package app wires Alliance together from a Config. Build is the one place
// that constructs its parts: the store, the audit log, the access policy
// and every service. The HTTP server (New, Serve), every command of the
// command line and the demo loader take what Build built. It holds no
// business logic.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/store"
)

// App is Alliance as Build made it: its database, its audit log, its
// access policy and its services; and, when New made it, its HTTP handler.
type App struct {
	cfg config.Config
	log *slog.Logger

	store    *store.Store
	key      []byte
	keySrc   KeySource
	keyErr   error // why an App built with KeyIfAny has no key
	hasher   *auth.Hasher
	audit    *audit.Log
	policies *service.Policies

	svc         *service.Service
	id          *service.Identity
	admin       *service.Admin
	reports     *service.Reports
	audits      *service.Auditing
	sharing     *service.Sharing
	scoring     *service.Scoring
	register    *service.Register
	pictures    *service.Pictures
	search      *service.Search
	importer    *service.Importer
	disruptions *service.Disruptions
	performance *service.PerformanceService
	homes       *service.Homes
	boardPacks  *service.BoardPacks
	submissions *service.Submissions
	programmes  *service.Programmes
	referrals   *service.Referrals
	indexer     *service.SearchIndexer
	jobs        *service.Jobs

	// Built by New, for serving.
	table   *router.Table
	handler http.Handler
	// DemoLoaded is true when this start loaded the demo.
	DemoLoaded bool
	// DemoResult describes the demo load, when DemoLoaded.
	DemoResult demo.Result
}

// KeyUse says how Build finds the deployment's secret key.
type KeyUse int

const (
	// KeyWrite is for whatever writes: the key is SecretKey's (a new SQLite
	// database gets one beside it); without one Build fails.
	KeyWrite KeyUse = iota
	// KeyIfAny is for commands that only look, or write nothing that is
	// audited: the key is LoadSecretKey's (never made), and a missing or
	// unreadable one does not fail Build. The App then has no audit log,
	// KeyErr says why, and it must not be used for audited writes.
	KeyIfAny
)

// Options carry what the command line adds to the Config.
type Options struct {
	Version string
	// DemoStepDelay slows the demo load, for crash tests only.
	DemoStepDelay time.Duration
	// Hasher overrides the password hasher (tests use cheap parameters).
	Hasher *auth.Hasher
	// Existing opens the database only if it exists: a missing SQLite file
	// is an error, and is not created.
	Existing bool
	// Migrate applies pending migrations as soon as the database is open,
	// before the key is looked for (the command line's writing commands).
	Migrate bool
	// Key says how the secret key is found; New always uses KeyWrite.
	Key KeyUse
}

// Build opens the database named by cfg (creating an empty SQLite file when
// there is none, unless opts.Existing) and constructs the audit log, the
// access policy and every service over it. It migrates only when
// opts.Migrate is set, and loads nothing. The App owns the store: Close
// releases it.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	st, err := store.Open(ctx, store.Options{DSN: cfg.DB, ReadConns: cfg.DBConns, Logger: log, Existing: opts.Existing})
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, st, cfg, log, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// build is Build over an open store.
func build(ctx context.Context, st *store.Store, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if opts.Migrate {
		if _, err := st.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	a := &App{cfg: cfg, log: log, store: st, hasher: opts.Hasher}
	if a.hasher == nil {
		a.hasher = auth.NewHasher(auth.DefaultArgon2, max(1, runtime.NumCPU()/2))
	}
	if err := a.findKey(ctx, opts.Key); err != nil {
		return nil, err
	}
	var box *auth.Box
	if a.key != nil {
		a.audit = audit.NewLog(st.Now, st.NewID, audit.SigningKey(a.key))
		var err error
		if box, err = auth.NewBox(a.key); err != nil {
			return nil, err
		}
	}
	a.services(box)
	return a, nil
}

// findKey finds the secret key as use says.
func (a *App) findKey(ctx context.Context, use KeyUse) error {
	switch use {
	case KeyWrite:
		key, src, err := SecretKey(ctx, a.cfg, a.store)
		if err != nil {
			return err
		}
		a.key, a.keySrc = key, src
	case KeyIfAny:
		a.key, a.keySrc, a.keyErr = LoadSecretKey(a.cfg, a.store)
		if a.keyErr != nil {
			a.key = nil
		}
	default:
		return fmt.Errorf("app: unknown key use %d", use)
	}
	return nil
}

// services constructs every service over the store, the audit log and the
// one policy source, which every service that decides access shares.
func (a *App) services(box *auth.Box) {
	st, log, alog := a.store, a.log, a.audit
	a.policies = service.NewPolicies(st)
	a.svc = service.New(st, log)
	a.id = service.NewIdentity(st, a.hasher, auth.NewRules(12), box,
		service.IdentityConfig{IdleTimeout: a.cfg.SessionIdle, AbsoluteTimeout: a.cfg.SessionMax}, log)
	if alog != nil {
		a.id.SetAudit(alog)
	}
	a.reports = service.NewReports(st, log, alog)
	a.admin = service.NewAdmin(st, a.id, log, alog)
	a.audits = service.NewAuditing(st, log, alog)
	a.sharing = service.NewSharing(st, log, alog)
	a.scoring = service.NewScoring(st, log, alog)
	a.register = service.NewRegister(st, log, alog)
	a.pictures = service.NewPictures(st, log, alog)
	a.search = service.NewSearch(st, log, alog)
	a.importer = service.NewImporter(st, log, alog)
	a.disruptions = service.NewDisruptions(st, log, alog)
	a.performance = service.NewPerformance(st, alog, a.cfg.SuppressBelow)
	a.homes = service.NewHomes(st, log, alog, a.performance)
	a.boardPacks = service.NewBoardPacks(st, a.performance, a.pictures)
	a.submissions = service.NewSubmissions(st, log, alog, a.reports)
	a.programmes = service.NewProgrammes(st, log, alog)
	a.referrals = service.NewReferrals(st, log, alog)
	for _, s := range []interface{ UsePolicies(*service.Policies) }{
		a.reports, a.scoring, a.register, a.pictures, a.search, a.importer, a.disruptions, a.performance, a.homes, a.submissions,
	} {
		s.UsePolicies(a.policies)
	}
	a.indexer = service.NewSearchIndexer(st, log)
	a.jobs = service.NewJobs(st, a.importer, a.audits, log)
}

// errNoKey refuses audited work to an App built without a key.
var errNoKey = errors.New("app: no secret key, so no audit log")

// needAudit returns an error unless the App has an audit log.
func (a *App) needAudit() error {
	switch {
	case a.audit != nil:
		return nil
	case a.keyErr != nil:
		return fmt.Errorf("%w: %w", errNoKey, a.keyErr)
	}
	return errNoKey
}

// KeySource says where the secret key the app runs with comes from.
func (a *App) KeySource() KeySource { return a.keySrc }

// KeyErr says why an App built with KeyIfAny has no key; nil when it has one.
func (a *App) KeyErr() error { return a.keyErr }

// Handler returns the whole HTTP handler (New builds it; Build does not).
func (a *App) Handler() http.Handler { return a.handler }

// Routes returns the route table, for tests that walk it.
func (a *App) Routes() []router.Route { return a.table.Routes() }

// Store returns the app's store, for tests; commands go through services
// and the App's own methods.
func (a *App) Store() *store.Store { return a.store }

// Policies returns the policy source every service shares.
func (a *App) Policies() *service.Policies { return a.policies }

// Service returns the partnership and areas service.
func (a *App) Service() *service.Service { return a.svc }

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

// Importer returns the register import and export service.
func (a *App) Importer() *service.Importer { return a.importer }

// SearchIndexer returns the indexer that writes imported people's search
// entries; Serve runs it, the import command drains it, and tests drain it.
func (a *App) SearchIndexer() *service.SearchIndexer { return a.indexer }

// Jobs returns the job runner; Serve runs it, and tests run jobs with it.
func (a *App) Jobs() *service.Jobs { return a.jobs }

// Close releases the database.
func (a *App) Close() error { return a.store.Close() }
