package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// keylessEnv is the process environment without any configured secret key,
// plus extra.
func keylessEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALLIANCE_SECRET_KEY") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runCLI runs the binary with env and returns its combined output.
func runCLI(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, append(args, "--log-level", "warn")...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestBackupCarriesTheKey: a SQLite backup holds everything a restore
// needs, the database and the key beside it; audit verify on the copy
// passes; verify without the key says the key is missing and makes no key;
// verify with another key says so and does not call it tampering; and
// nothing that writes makes a new key for a database that has a log.
func TestBackupCarriesTheKey(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live", "alliance.db")
	if err := os.Mkdir(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	env := keylessEnv()
	if out, err := runCLI(bin, env, "demo", "--db", db); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if _, err := os.Stat(db + ".key"); err != nil {
		t.Fatalf("the demo made no key beside the database: %v", err)
	}
	copyDB := filepath.Join(dir, "copy.db")
	out, err := runCLI(bin, env, "backup", "--db", db, "--out", copyDB)
	if err != nil || !strings.Contains(out, "Copied the secret key to "+copyDB+".key") {
		t.Fatalf("backup: got %v\n%s\nwant the key copied to %s.key", err, out, copyDB)
	}
	fi, err := os.Stat(copyDB + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup key file: got %v, %v; want a file readable by its owner only", fi, err)
	}
	live, _ := os.ReadFile(db + ".key")
	copied, _ := os.ReadFile(copyDB + ".key")
	if string(live) != string(copied) {
		t.Errorf("the backup's key differs from the live key")
	}
	// The backup again to the same name: refused, nothing overwritten.
	if out, err := runCLI(bin, env, "backup", "--db", db, "--out", copyDB); err == nil {
		t.Errorf("second backup to the same file: got success\n%s", out)
	}

	// The copy verifies with the key beside it, and says where that is.
	out, err = runCLI(bin, env, "audit", "verify", "--db", copyDB)
	if err != nil || !strings.Contains(out, "The audit log is intact") || !strings.Contains(out, copyDB+".key") {
		t.Errorf("verify the backup: got %v\n%s\nwant intact, naming the key file", err, out)
	}

	// A copy of the database without its key: key missing, and no key made.
	bare := filepath.Join(dir, "bare.db")
	data, err := os.ReadFile(copyDB)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bare, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		args    []string
		want    []string
		wantNot []string
	}{
		{"verify without the key", env, []string{"audit", "verify", "--db", bare},
			[]string{"secret key missing", bare + ".key", "restore"}, []string{"tampered", "intact"}},
		{"verify with another key", keylessEnv("ALLIANCE_SECRET_KEY=" + strings.Repeat("ab", 32)), []string{"audit", "verify", "--db", bare},
			[]string{"key mismatch", "signed with key", "not evidence of tampering"}, []string{"has been tampered with", "intact"}},
		{"a write without the key", env, []string{"user", "add", "--db", bare, "--email", "x@nyp.example", "--name", "X", "--agency", "North Yorkshire Police", "--role", "auditor"},
			[]string{"secret key missing", "no new key is made"}, nil},
		{"serve without the key", env, []string{"serve", "--db", bare, "--addr", "127.0.0.1:0"},
			[]string{"secret key missing"}, []string{"is ready"}},
		{"serve with another key", keylessEnv("ALLIANCE_SECRET_KEY=" + strings.Repeat("ab", 32)), []string{"serve", "--db", copyDB, "--addr", "127.0.0.1:0"},
			[]string{"the audit log was signed with key"}, []string{"is ready"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(bin, tc.env, tc.args...)
			if err == nil {
				t.Errorf("got success, want failure\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("got\n%s\nwant it to contain %q", out, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("got\n%s\nwant it not to contain %q", out, w)
				}
			}
			if _, err := os.Stat(bare + ".key"); err == nil {
				t.Errorf("a key file was made beside the bare copy")
			}
		})
	}
}

// TestAuditVerifyReportsTruncation: cutting the newest entries off a chain
// and setting its head back, with no checkpoint after the cut, fails audit
// verify, on both engines.
func TestAuditVerifyReportsTruncation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			env := testEnv()
			if out, err := runCLI(bin, env, "demo", "--db", dsn); err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			if out, err := runCLI(bin, env, "audit", "verify", "--db", dsn); err != nil || !strings.Contains(out, "intact") {
				t.Fatalf("verify before: got %v\n%s", err, out)
			}
			st, err := store.Open(context.Background(), store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			var pid string
			var seq int64
			err = st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				if err := tx.QueryRowContext(ctx, `SELECT CAST(partnership_id AS text), seq FROM audit_head ORDER BY seq DESC LIMIT 1`).Scan(&pid, &seq); err != nil {
					return err
				}
				for _, q := range []string{
					`DELETE FROM audit_subject WHERE partnership_id = $1 AND seq > $2`,
					`DELETE FROM audit_event WHERE partnership_id = $1 AND seq > $2`,
					`DELETE FROM audit_checkpoint WHERE partnership_id = $1 AND seq > $2`,
					`UPDATE audit_head SET seq = $2, hash = (SELECT hash FROM audit_event WHERE partnership_id = $1 AND seq = $2) WHERE partnership_id = $1`,
				} {
					if _, err := tx.ExecContext(ctx, q, pid, seq-2); err != nil {
						return err
					}
				}
				return nil
			})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			out, err := runCLI(bin, env, "audit", "verify", "--db", dsn)
			if err == nil || !strings.Contains(out, "truncated") || !strings.Contains(out, "tampered") || strings.Contains(out, "intact") {
				t.Errorf("verify after cutting 2 entries off: got %v\n%s\nwant a failure reporting truncation", err, out)
			}
		})
	}
}

// TestVerifyNeverSealsStrippedHeads: with two chains, one head signed and
// the other's signature removed (as someone hiding a cut would), audit
// verify --checkpoint refuses to sign it and calls it tampering, on both
// engines.
func TestVerifyNeverSealsStrippedHeads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			env := testEnv()
			for _, args := range [][]string{
				{"demo"},
				{"partnership", "add", "--slug", "west-yorkshire", "--name", "West Yorkshire: Programme Precision", "--region", "E12000003"},
				{"user", "add", "--partnership", "west-yorkshire", "--email", "admin@wyp.example", "--name", "Admin", "--agency", "West Yorkshire Police",
					"--agency-type", "police", "--role", "administrator"},
			} {
				if out, err := runCLI(bin, env, append(args, "--db", dsn)...); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
			st, err := store.Open(context.Background(), store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			var chains int
			err = st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_head`).Scan(&chains); err != nil {
					return err
				}
				// Strip the signature of the demo's chain, the longer one.
				_, err := tx.ExecContext(ctx, `UPDATE audit_head SET signature = '', key_id = '' WHERE seq = (SELECT max(seq) FROM audit_head)`)
				return err
			})
			st.Close()
			if err != nil || chains != 2 {
				t.Fatalf("got %d chains (%v), want 2", chains, err)
			}
			out, err := runCLI(bin, env, "audit", "verify", "--checkpoint", "--db", dsn)
			if err == nil || !strings.Contains(out, "tampering") || strings.Contains(out, "Signed every chain") || strings.Contains(out, "intact") {
				t.Errorf("verify --checkpoint with one head stripped: got %v\n%s\nwant a refusal that calls it tampering", err, out)
			}
			// Nothing was sealed: a second look still finds the bare head.
			if out, err := runCLI(bin, env, "audit", "verify", "--db", dsn); err == nil || !strings.Contains(out, "unsigned") {
				t.Errorf("verify after the refusal: got %v\n%s\nwant the head still unsigned", err, out)
			}
		})
	}
}
