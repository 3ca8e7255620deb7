package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// testEnv is the environment the tests run the binary with: PostgreSQL
// needs a configured secret key.
func testEnv() []string {
	return append(os.Environ(), "ALLIANCE_SECRET_KEY=00000000000000000000000000000000000000000000000000000000000000cc")
}

// binary is the alliance command TestMain built for the process tests,
// or why it could not be built.
var binary struct {
	path string
	err  error
	out  []byte
}

// TestMain builds the alliance command once for the whole package, so each
// process test starts it without compiling it again.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "alliance-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !testing.Short() {
		binary.path = filepath.Join(dir, "alliance")
		binary.out, binary.err = exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary returns the alliance command TestMain built.
func buildBinary(t *testing.T) string {
	t.Helper()
	if binary.err != nil || binary.path == "" {
		t.Fatalf("go build: %v\n%s", binary.err, binary.out)
	}
	return binary.path
}

// TestKillDuringDemoLoad kills the server with SIGKILL after the demo load
// has written some steps but before it commits, then starts it again: the
// database must hold none of the demo after the kill, and all of it after
// the restart.
func TestKillDuringDemoLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			cmd := exec.Command(bin, "serve", "--demo", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "debug", "--demo-step-delay", "2s")
			cmd.Env = testEnv()
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := make(chan bool, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					// After the areas step (2 of 4), the transaction holds
					// the partnership and 205 areas, uncommitted.
					if strings.Contains(sc.Text(), "demo step written") && strings.Contains(sc.Text(), `"step":"areas"`) {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						killed <- true
						break
					}
				}
				for sc.Scan() {
				}
				killed <- false
			}()
			select {
			case ok := <-killed:
				if !ok {
					t.Fatal("the server exited before the demo reached its second step")
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the demo never reached its second step")
			}
			_ = cmd.Wait()

			ctx := context.Background()
			st, err := store.Open(ctx, store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			n, err := st.CountPartnerships(ctx, st.Reader())
			if err != nil || n != 0 {
				t.Errorf("after SIGKILL mid-load: got %d partnerships (%v), want 0: the load must be all or nothing", n, err)
			}
			st.Close()

			// Start again: the demo completes, and SIGTERM stops the server
			// cleanly.
			serve := exec.Command(bin, "serve", "--demo", "--db", dsn, "--addr", "127.0.0.1:0")
			serve.Env = testEnv()
			stdout, err := serve.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := serve.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			ready := false
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "Alliance is ready at") {
					ready = true
					break
				}
			}
			if !ready {
				_ = serve.Process.Kill()
				t.Fatal("second start: the server never said it was ready")
			}
			_ = serve.Process.Signal(syscall.SIGTERM)
			go func() {
				for sc.Scan() {
				}
			}()
			if err := serve.Wait(); err != nil {
				t.Errorf("after SIGTERM: got %v, want a clean exit", err)
			}
			st, err = store.Open(ctx, store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			p, err := st.PartnershipBySlug(ctx, "north-yorkshire")
			if err != nil {
				t.Fatalf("after restart: %v", err)
			}
			wards, err := st.OrgUnits(ctx, p.ID, domain.LevelWard)
			if err != nil || len(wards) != 195 {
				t.Errorf("after restart: got %d wards (%v), want 195", len(wards), err)
			}
		})
	}
}

func TestCLIErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad dsn", []string{"serve", "--db", "mysql://x/y"}, "only SQLite file paths and postgres:// URLs"},
		{"missing folder", []string{"migrate", "status", "--db", filepath.Join(dir, "no", "a.db")}, "does not exist"},
		{"bad addr", []string{"serve", "--db", filepath.Join(dir, "a.db"), "--addr", "nowhere"}, "want host:port"},
		{"bad env", []string{"version"}, ""},
		{"demo twice", []string{"demo", "--db", filepath.Join(dir, "twice.db")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(bin, tc.args...).CombinedOutput()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v\n%s, want success", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(string(out), tc.want) {
				t.Errorf("got %v\n%s\nwant failure mentioning %q", err, out, tc.want)
			}
		})
	}
	out, err := exec.Command(bin, "demo", "--db", filepath.Join(dir, "twice.db")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already holds data") {
		t.Errorf("second demo: got %v\n%s, want a refusal", err, out)
	}
	cmd := exec.Command(bin, "serve", "--db", filepath.Join(dir, "a.db"))
	cmd.Env = append(os.Environ(), "ALLIANCE_DEMO=perhaps")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ALLIANCE_DEMO") {
		t.Errorf("bad environment: got %v\n%s, want an error naming ALLIANCE_DEMO", err, out)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	run := func(args ...string) (string, error) {
		out, err := exec.Command(bin, append(args, "--db", db, "--log-level", "warn")...).Output()
		return string(out), err
	}
	if out, err := run("demo"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	out, err := run("user", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 29 || !strings.Contains(out, "analyst@nyp.example\tNorth Yorkshire Police\tintelligence_analyst") {
		t.Errorf("user list: got %d lines:\n%s\nwant 29 with email, agency and roles", len(lines), out)
	}
	out, err = run("user", "add", "--email", "new.admin@nyp.example", "--name", "Nia Admin", "--agency", "North Yorkshire Police", "--role", "administrator", "--role", "auditor")
	if err != nil || !strings.Contains(out, "/reset-password/") || !strings.Contains(out, "administrator,auditor") {
		t.Errorf("user add: got %v\n%s", err, out)
	}
	out, err = run("user", "add", "--email", "case.system@york.example", "--name", "York case system", "--agency", "York Case Hub", "--agency-type", "local_authority",
		"--role", "partner_officer", "--service-account")
	if err != nil || strings.Contains(out, "/reset-password/") {
		t.Errorf("service account: got %v\n%s, want no reset link", err, out)
	}
	if out, err := run("user", "add", "--email", "bad", "--name", "X", "--agency", "North Yorkshire Police", "--role", "nope"); err == nil {
		t.Errorf("bad user add: got success %s", out)
	}
	out, err = run("token", "create", "--user", "analyst@nyp.example", "--scopes", "read")
	tok := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(tok, "alliance_") || len(tok) < 40 {
		t.Fatalf("token create: got %q, %v", out, err)
	}
	out, err = run("token", "create", "--user", "lro@nyp.example", "--scopes", "read", "--purpose", "Weekly tasking meeting")
	lroTok := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(lroTok, "alliance_") {
		t.Fatalf("token create --purpose: got %q, %v", out, err)
	}
	out, err = run("token", "create", "--user", "lro@nyp.example", "--scopes", "read")
	lroBare := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(lroBare, "alliance_") {
		t.Fatalf("token create without a purpose: got %q, %v", out, err)
	}
	// The token works against a server on the same database.
	srv := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "warn")
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() }()
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Alliance is ready at "); ok {
			url = strings.Fields(rest)[0]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, url+"api/v1/partnership", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "north-yorkshire") {
		t.Errorf("API with the new token: got %d %s", resp.StatusCode, body)
	}
	// A group read needs the purpose the token was made with.
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, list := get("api/v1/ocgs", lroTok)
	var groups struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(list), &groups); err != nil || len(groups.Items) == 0 {
		t.Fatalf("groups: %v %s", err, list)
	}
	group := "api/v1/ocgs/" + groups.Items[0].ID
	if code, b := get(group, lroBare); code != 400 || !strings.Contains(b, "X-Alliance-Purpose") {
		t.Errorf("group read by a token without a purpose: got %d %s, want 400 naming X-Alliance-Purpose", code, b)
	}
	if code, b := get(group, lroTok); code != 200 {
		t.Errorf("group read by a token made with --purpose: got %d %s, want 200", code, b)
	}
}

// TestAuditVerifyCommand: the command passes on an intact log and fails,
// naming the entry, after a row is edited in the database.
func TestAuditVerifyCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "audit.db")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append(args, "--db", db, "--log-level", "warn")...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("demo"); err != nil {
		t.Fatalf("demo: %v %s", err, out)
	}
	out, err := run("audit", "verify")
	if err != nil || !strings.Contains(out, "The audit log is intact") {
		t.Fatalf("intact log: got %v\n%s", err, out)
	}
	st, err := store.Open(context.Background(), store.Options{DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_event SET justification = 'Nothing to see' WHERE seq = 7`)
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = run("audit", "verify")
	if err == nil || !strings.Contains(out, "entry 7: changed") {
		t.Errorf("edited log: got %v\n%s\nwant a failure naming entry 7", err, out)
	}
}
