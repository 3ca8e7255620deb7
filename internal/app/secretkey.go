package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/store"
)

// KeySource is where a deployment's secret key comes from: the
// ALLIANCE_SECRET_KEY variable, or a key file.
type KeySource struct {
	// File is the key file's absolute path; empty when the key comes from
	// ALLIANCE_SECRET_KEY.
	File string
	// BesideDB is true for the SQLite default: DB + ".key", made on first
	// start. A backup of the database must carry it.
	BesideDB bool
}

// String says where the key lives, for operators (never the key itself).
func (k KeySource) String() string {
	switch {
	case k.File == "":
		return "the ALLIANCE_SECRET_KEY environment variable"
	case k.BesideDB:
		return "the key file beside the database, " + k.File
	default:
		return "the key file " + k.File + " (ALLIANCE_SECRET_KEY_FILE)"
	}
}

// SecretKeySource says where cfg puts the key for st's database. PostgreSQL
// deployments must configure it (ALLIANCE_SECRET_KEY, or
// ALLIANCE_SECRET_KEY_FILE), so that every app server has the same key and
// the key is not kept with the database; SQLite deployments default to a
// file beside the database.
func SecretKeySource(cfg config.Config, st *store.Store) (KeySource, error) {
	switch {
	case cfg.SecretKey != "" && cfg.SecretKeyFile != "":
		return KeySource{}, errors.New("ALLIANCE_SECRET_KEY and ALLIANCE_SECRET_KEY_FILE are both set: set one")
	case cfg.SecretKey != "":
		return KeySource{}, nil
	case cfg.SecretKeyFile != "":
		abs, err := filepath.Abs(cfg.SecretKeyFile)
		if err != nil {
			return KeySource{}, fmt.Errorf("ALLIANCE_SECRET_KEY_FILE: %w", err)
		}
		return KeySource{File: abs}, nil
	case st.SQLiteFile() != "":
		return KeySource{File: st.SQLiteFile() + ".key", BesideDB: true}, nil
	}
	return KeySource{}, errors.New("with PostgreSQL, set ALLIANCE_SECRET_KEY (64 hex characters; make one with: openssl rand -hex 32) or " +
		"ALLIANCE_SECRET_KEY_FILE (a file holding it, kept apart from the database), the same on every app server")
}

// LoadSecretKey returns the deployment's key and where it came from. It
// never makes a key: a missing key is auth.ErrKeyMissing, wrapped with what
// to do, because a new key cannot check the audit log's signatures or open
// the second-factor secrets the old one sealed. Commands that only read or
// check (audit verify, backup) use it.
func LoadSecretKey(cfg config.Config, st *store.Store) ([]byte, KeySource, error) {
	src, err := SecretKeySource(cfg, st)
	if err != nil {
		return nil, src, err
	}
	if src.File == "" {
		k, err := cfg.SecretKeyBytes()
		return k, src, err
	}
	k, err := auth.ReadKeyFile(src.File)
	if errors.Is(err, auth.ErrKeyMissing) {
		hint := "set ALLIANCE_SECRET_KEY or ALLIANCE_SECRET_KEY_FILE to the key this database was written with"
		if src.BesideDB {
			hint = "restore it from the backup of this database (alliance backup writes it beside the copy, as COPY.key), " +
				"or set ALLIANCE_SECRET_KEY or ALLIANCE_SECRET_KEY_FILE to the key the database was written with"
		}
		return nil, src, fmt.Errorf("%w, and ALLIANCE_SECRET_KEY is not set: %s", err, hint)
	}
	return k, src, err
}

// SecretKey returns the key for commands that write. A SQLite database
// that has no audit log yet (a new one) gets a new key in the file beside
// it, readable by its owner only. A database that has one keeps the key it
// was written with: if that key is missing, SecretKey fails rather than make
// a new one (which would leave the log unverifiable and the second-factor
// secrets sealed for good).
func SecretKey(ctx context.Context, cfg config.Config, st *store.Store) ([]byte, KeySource, error) {
	k, src, err := LoadSecretKey(cfg, st)
	if !errors.Is(err, auth.ErrKeyMissing) || !src.BesideDB {
		return k, src, err
	}
	started, serr := st.AuditStarted(ctx)
	if serr != nil {
		return nil, src, serr
	}
	if started {
		return nil, src, fmt.Errorf("%w (the database already holds a signed audit log, so no new key is made)", err)
	}
	k = auth.NewKey()
	if err := auth.WriteKeyFile(src.File, k); err != nil {
		return nil, src, err
	}
	return k, src, nil
}

// CheckKey returns an error when st's audit log was signed with a key other
// than key, so that a server started with the wrong key says so at once
// instead of refusing every write.
func CheckKey(ctx context.Context, st *store.Store, key []byte, src KeySource) error {
	return checkKeyID(ctx, st, audit.SecretKeyID(key), src.String())
}

// checkKeyID returns an error when a head or a checkpoint of st's audit log
// was signed with a key other than the one named want, from where.
func checkKeyID(ctx context.Context, st *store.Store, want, where string) error {
	ids, err := st.AuditKeyIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id != want {
			return fmt.Errorf("the audit log was signed with key %s, but the secret key in %s is key %s: start with the key this database was written with", id, where, want)
		}
	}
	return nil
}

// HeadSigningApplied reports whether applied (the versions a migration run
// just applied) includes the migration that added audit head signatures.
func HeadSigningApplied(ctx context.Context, st *store.Store, applied []int64) (bool, error) {
	if len(applied) == 0 {
		return false, nil
	}
	states, err := st.MigrationStatus(ctx)
	if err != nil {
		return false, err
	}
	for _, m := range states {
		if strings.HasSuffix(m.Name, headSigningMigration) && slices.Contains(applied, m.Version) {
			return true, nil
		}
	}
	return false, nil
}

// headSigningMigration ends the file name of the migration that added
// signatures to audit chain heads.
const headSigningMigration = "_audit_head_signature.sql"

// SignHeadsAfterUpgrade signs the heads of audit chains written before
// heads were signed, when applied (the versions a migration run just
// applied) includes the migration that added head signatures: that run is
// the one moment such heads are legitimately unsigned. Afterwards an
// unsigned head is reported by audit verify and refused by writers. It
// returns how many heads it signed.
func SignHeadsAfterUpgrade(ctx context.Context, st *store.Store, alog *audit.Log, applied []int64) (int, error) {
	if upgraded, err := HeadSigningApplied(ctx, st, applied); err != nil || !upgraded {
		return 0, err
	}
	// Heads are signed only with the key that signed the checkpoints, so
	// a wrong key cannot seal the log at the upgrade.
	if err := checkKeyID(ctx, st, alog.KeyID(), "use"); err != nil {
		return 0, err
	}
	var n int
	err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = alog.SignUnsignedHeads(ctx, tx)
		return err
	})
	return n, err
}
