package app

import (
	"context"
	"crypto/ed25519"
	"database/sql"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/demo"
	"alliance/internal/generate"
	"alliance/internal/store"
)

// The operator's work on a deployment: what the command line does besides
// calling services, done here with what Build built so that no command
// touches the store or the audit log itself.

// Database names the database for messages: its engine and where it is,
// never a password.
func (a *App) Database() string { return a.store.String() }

// MigrationStatus lists every migration and whether it is applied.
func (a *App) MigrationStatus(ctx context.Context) ([]store.MigrationState, error) {
	return a.store.MigrationStatus(ctx)
}

// HasPendingMigrations reports whether the schema is behind this binary.
func (a *App) HasPendingMigrations(ctx context.Context) (bool, error) {
	return a.store.HasPendingMigrations(ctx)
}

// Migrate applies every pending migration and returns the versions it
// applied.
func (a *App) Migrate(ctx context.Context) ([]int64, error) { return a.store.Migrate(ctx) }

// HeadsNeedSigning reports whether applied (the versions a migration run
// just applied) added audit head signatures to a database whose audit log
// has begun, so that the heads already there must now be signed.
func (a *App) HeadsNeedSigning(ctx context.Context, applied []int64) (bool, error) {
	if upgraded, err := HeadSigningApplied(ctx, a.store, applied); err != nil || !upgraded {
		return false, err
	}
	return a.store.AuditStarted(ctx)
}

// SignHeadsAfterUpgrade is SignHeadsAfterUpgrade with the App's audit log:
// it signs the heads of chains written before heads were signed, when
// applied includes the migration that added head signatures, and returns
// how many it signed.
func (a *App) SignHeadsAfterUpgrade(ctx context.Context, applied []int64) (int, error) {
	if err := a.needAudit(); err != nil {
		return 0, err
	}
	return SignHeadsAfterUpgrade(ctx, a.store, a.audit, applied)
}

// Backup copies a SQLite database, while it runs, to the new file out, and
// checks the copy; it returns the copy's size in bytes.
func (a *App) Backup(ctx context.Context, out string) (int64, error) { return a.store.Backup(ctx, out) }

// CopyKey writes the App's secret key to the new file path, readable by its
// owner only, for a backup.
func (a *App) CopyKey(path string) error {
	if a.key == nil {
		return errNoKey
	}
	return auth.WriteKeyFile(path, a.key)
}

// AuditKeyID is the ID of the key that checks the audit log's signatures.
func (a *App) AuditKeyID() (string, error) {
	if err := a.needAudit(); err != nil {
		return "", err
	}
	return a.audit.KeyID(), nil
}

// VerifyAudit walks every audit chain and reports what it found, checking
// signatures with the App's key.
func (a *App) VerifyAudit(ctx context.Context) (audit.Report, error) {
	if err := a.needAudit(); err != nil {
		return audit.Report{}, err
	}
	return audit.Verify(ctx, a.store.Reader(), audit.SigningKey(a.key).Public().(ed25519.PublicKey))
}

// SealAudit signs every chain's current head and adds a checkpoint there,
// after a clean VerifyAudit; it returns how many checkpoints it added.
func (a *App) SealAudit(ctx context.Context) (int, error) {
	if err := a.needAudit(); err != nil {
		return 0, err
	}
	var n int
	err := a.store.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = a.audit.Checkpoint(ctx, tx)
		return err
	})
	return n, err
}

// LoadDemo loads the demo partnership into an empty database (demo.Load),
// with the App's audit log and password hasher; opts gives the pacing and
// the progress report.
func (a *App) LoadDemo(ctx context.Context, opts demo.Options) (demo.Result, error) {
	if err := a.needAudit(); err != nil {
		return demo.Result{}, err
	}
	opts.Audit, opts.Hasher = a.audit, a.hasher
	return demo.Load(ctx, a.store, opts)
}

// Generate fills the database with synthetic benchmark-scale data
// (generate.Run), signing the audit log's checkpoints with the App's key.
func (a *App) Generate(ctx context.Context, opts generate.Options) (generate.Stats, error) {
	if err := a.needAudit(); err != nil {
		return generate.Stats{}, err
	}
	opts.Audit = a.audit
	return generate.Run(ctx, a.store, opts)
}
