package app_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestSecretKeySource: where each kind of deployment takes its key from. A
// PostgreSQL deployment never defaults to a file (it must be told), a SQLite
// one defaults to the file beside the database; an explicit key file is
// never made; a database that has an audit log never gets a new key.
func TestSecretKeySource(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			st := storetest.Open(t, e, store.Options{})
			dir := t.TempDir()
			keyFile := filepath.Join(dir, "alliance.key")
			if err := auth.WriteKeyFile(keyFile, auth.NewKey()); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name      string
				key, file string
				wantFile  string // "" for the environment
				wantErr   string
			}{
				{"environment", testKey, "", "", ""},
				{"key file", "", keyFile, keyFile, ""},
				{"both", testKey, keyFile, "", "both set"},
				{"missing key file", "", filepath.Join(dir, "nope.key"), filepath.Join(dir, "nope.key"), "secret key missing"},
			}
			if e.Name == "postgres" {
				tests = append(tests, struct {
					name, key, file, wantFile, wantErr string
				}{"neither", "", "", "", "with PostgreSQL, set ALLIANCE_SECRET_KEY"})
			} else {
				tests = append(tests, struct {
					name, key, file, wantFile, wantErr string
				}{"neither: beside the database", "", "", st.SQLiteFile() + ".key", ""})
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					cfg := config.Config{SecretKey: tc.key, SecretKeyFile: tc.file}
					k, src, err := app.SecretKey(context.Background(), cfg, st)
					if tc.wantErr != "" {
						if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
							t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
						}
						if tc.file != "" {
							if _, err := os.Stat(tc.file); err == nil && tc.file != keyFile {
								t.Errorf("a key file was made at %s", tc.file)
							}
						}
						return
					}
					if err != nil || len(k) != 32 || src.File != tc.wantFile {
						t.Errorf("got key of %d bytes from %q (%v), want 32 from %q", len(k), src.File, err, tc.wantFile)
					}
				})
			}
		})
	}
}

// TestNoNewKeyForAnExistingLog: on SQLite, once the database has an audit
// log, a missing key file is an error for every command, never a new key.
func TestNoNewKeyForAnExistingLog(t *testing.T) {
	st := storetest.Open(t, storetest.Engines(t)[0], store.Options{})
	ctx := context.Background()
	cfg := config.Config{}
	// A new database: the key is made beside it (0600).
	if _, src, err := app.SecretKey(ctx, cfg, st); err != nil || !src.BesideDB {
		t.Fatalf("new database: got %+v, %v; want a key made beside it", src, err)
	}
	fi, err := os.Stat(st.SQLiteFile() + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: got %v, %v; want mode 0600", fi, err)
	}
	appendEntry(t, st, cfg)
	if err := os.Remove(st.SQLiteFile() + ".key"); err != nil {
		t.Fatal(err)
	}
	for _, load := range []struct {
		name string
		fn   func() error
	}{
		{"SecretKey", func() error { _, _, err := app.SecretKey(ctx, cfg, st); return err }},
		{"LoadSecretKey", func() error { _, _, err := app.LoadSecretKey(cfg, st); return err }},
	} {
		if err := load.fn(); !errors.Is(err, auth.ErrKeyMissing) {
			t.Errorf("%s after the key file was lost: got %v, want ErrKeyMissing", load.name, err)
		}
		if _, err := os.Stat(st.SQLiteFile() + ".key"); err == nil {
			t.Errorf("%s made a new key for a database that has an audit log", load.name)
		}
	}
}

// appendEntry starts an audit chain in st with the key cfg gives.
func appendEntry(t *testing.T, st *store.Store, cfg config.Config) {
	t.Helper()
	ctx := context.Background()
	key, _, err := app.SecretKey(ctx, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey(key))
	err = st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p := domain.Partnership{Slug: "k", Name: "Key"}
		if err := st.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		_, err := alog.Append(ctx, tx, domain.Actor{UserID: "u", PartnershipID: p.ID}, audit.Meta{}, audit.Entry{Operation: audit.Collection, RecordType: "partnership", RecordIDs: []string{p.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
