package config

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadPrecedence(t *testing.T) {
	c, err := Load(env(map[string]string{"ALLIANCE_DB": "from-env.db", "ALLIANCE_ADDR": "127.0.0.1:9000", "ALLIANCE_DEMO": "true", "ALLIANCE_LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatal(err)
	}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	c.BindServe(fs)
	if err := fs.Parse([]string{"--db", "from-flag.db"}); err != nil {
		t.Fatal(err)
	}
	if c.DB != "from-flag.db" {
		t.Errorf("DB: got %q, want the flag's value", c.DB)
	}
	if c.Addr != "127.0.0.1:9000" || !c.Demo || c.LogLevel != slog.LevelDebug {
		t.Errorf("got addr %q demo %v level %v, want the environment's values", c.Addr, c.Demo, c.LogLevel)
	}
	if c.ShutdownTimeout != 30*time.Second {
		t.Errorf("ShutdownTimeout: got %v, want the 30s default", c.ShutdownTimeout)
	}
}

func TestLoadRejectsBadEnvironment(t *testing.T) {
	tests := []struct {
		name, key, value string
	}{
		{"bool", "ALLIANCE_DEMO", "perhaps"},
		{"level", "ALLIANCE_LOG_LEVEL", "loud"},
		{"duration", "ALLIANCE_SHUTDOWN_TIMEOUT", "soon"},
		{"int", "ALLIANCE_DB_CONNS", "many"},
		{"upload size not a number", "ALLIANCE_IMPORT_MAX_MB", "big"},
		{"upload size too large", "ALLIANCE_IMPORT_MAX_MB", "5000"},
		{"upload size zero", "ALLIANCE_IMPORT_MAX_MB", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{tc.key: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("got %v, want an error naming %s", err, tc.key)
			}
		})
	}
}

func TestLoadImportMax(t *testing.T) {
	c, err := Load(env(map[string]string{"ALLIANCE_IMPORT_MAX_MB": "200"}))
	if err != nil || c.ImportMaxMB != 200 {
		t.Errorf("got %d, %v, want 200 MB", c.ImportMaxMB, err)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		db      string
		addr    string
		wantErr string // "" for valid
	}{
		{"sqlite file", filepath.Join(dir, "a.db"), "127.0.0.1:8080", ""},
		{"sqlite file uri", "file:" + filepath.Join(dir, "a.db") + "?cache=shared", "127.0.0.1:0", ""},
		{"postgres", "postgres://u:secret@127.0.0.1:5432/alliance", "127.0.0.1:8080", ""},
		{"missing folder", filepath.Join(dir, "nope", "a.db"), "127.0.0.1:8080", "does not exist"},
		{"directory", dir, "127.0.0.1:8080", "is a directory"},
		{"empty", "", "127.0.0.1:8080", "give a SQLite file path"},
		{"memory", ":memory:", "127.0.0.1:8080", "in-memory"},
		{"mysql", "mysql://x@y/z", "127.0.0.1:8080", "only SQLite"},
		{"postgres no db", "postgres://u@127.0.0.1:5432", "127.0.0.1:8080", "no database"},
		{"postgres bad", "postgres://u:secret@[::1/alliance", "127.0.0.1:8080", "not a valid PostgreSQL URL"},
		{"bad addr", filepath.Join(dir, "a.db"), "8080", "want host:port"},
		{"bad port", filepath.Join(dir, "a.db"), "127.0.0.1:99999", "port must be"},
	}
	if os.Geteuid() != 0 { // root can write anywhere
		tests = append(tests, struct{ name, db, addr, wantErr string }{"read-only folder", filepath.Join(readOnly, "a.db"), "127.0.0.1:8080", "not writable"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := Load(env(nil))
			c.DB, c.Addr = tc.db, tc.addr
			err := c.ValidateServe()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("got %q, want the password kept out of the message", err)
			}
		})
	}
}

func TestListenPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, _ := Load(env(nil))
	c.Addr = ln.Addr().String()
	_, err = c.Listen()
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("got %v, want a port-in-use message", err)
	}
}

func TestRedacted(t *testing.T) {
	c := Config{DB: "postgres://alliance:hunter2@db:5432/alliance"}
	if got := c.Redacted(); strings.Contains(got, "hunter2") {
		t.Errorf("got %q, want the password hidden", got)
	}
}
