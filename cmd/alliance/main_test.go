package main

import (
	"bufio"
	"context"
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

// buildBinary compiles the alliance command once for the process tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "alliance")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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
