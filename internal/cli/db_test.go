package cli_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alliance/internal/cli"
)

var pendingRow = regexp.MustCompile(`(?m)^\d{5}\s+pending`)

// TestMigrateStatusCreatesNothing: `migrate status`, `audit verify` and
// `backup` about a SQLite file that does not exist fail with a clear error
// and leave no file behind (a check must never make the database it was
// asked about); about one that exists status lists the migrations.
func TestMigrateStatusCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Execute(cli.Env{Args: args, Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut, Version: "test"})
		return code, out.String(), errOut.String()
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"migrate status", []string{"migrate", "status"}},
		{"audit verify", []string{"audit", "verify"}},
		{"backup", []string{"backup", "--out", filepath.Join(dir, "copy.db")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			missing := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+"-missing.db")
			code, out, errOut := run(append(tc.args, "--db", missing, "--log-level", "warn")...)
			if code == 0 || !strings.Contains(errOut, "does not exist") || !strings.Contains(errOut, missing) {
				t.Errorf("%s of a missing database: got exit %d, %q, want a failure naming the file", tc.name, code, errOut)
			}
			if strings.Contains(out, "VERSION") || strings.Contains(out, "Checked") || strings.Contains(out, "Backed up") {
				t.Errorf("%s of a missing database: got output %q, want none", tc.name, out)
			}
			for _, f := range []string{missing, missing + "-wal", missing + "-shm", missing + ".key", filepath.Join(dir, "copy.db")} {
				if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("after %s: %s exists (%v), want no file created", tc.name, f, err)
				}
			}
		})
	}
	made := filepath.Join(dir, "made.db")
	if code, _, errOut := run("migrate", "up", "--db", made, "--log-level", "warn"); code != 0 {
		t.Fatalf("migrate up: exit %d, %s", code, errOut)
	}
	if code, out, errOut := run("migrate", "status", "--db", made, "--log-level", "warn"); code != 0 || !strings.Contains(out, "applied") || pendingRow.MatchString(out) {
		t.Errorf("status of a migrated database: got exit %d, %q, %q, want every migration applied", code, out, errOut)
	}
}

// TestLookingCommandsCreateNothing: the commands that only read a
// database (audit verify, backup, partnership list, user list) fail about
// a SQLite file that does not exist, naming it, and create neither it nor
// a key nor a copy: a mistyped --db made an empty database, which backup
// then copied as if it were the real one.
func TestLookingCommandsCreateNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"audit verify", []string{"audit", "verify"}},
		{"backup", []string{"backup", "--out", "copy.db"}},
		{"partnership list", []string{"partnership", "list"}},
		{"user list", []string{"user", "list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			missing := filepath.Join(dir, "missing.db")
			args := append([]string{}, tc.args...)
			for i, a := range args {
				if a == "copy.db" {
					args[i] = filepath.Join(dir, a)
				}
			}
			args = append(args, "--db", missing, "--log-level", "warn")
			var out, errOut bytes.Buffer
			code := cli.Execute(cli.Env{Args: args, Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut, Version: "test"})
			if code == 0 || !strings.Contains(errOut.String(), "does not exist") || !strings.Contains(errOut.String(), missing) {
				t.Errorf("got exit %d, %q, want a failure naming %s", code, errOut.String(), missing)
			}
			left, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range left {
				t.Errorf("after %s: %s was created, want no file", tc.name, e.Name())
			}
		})
	}
}
