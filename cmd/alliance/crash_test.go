package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// server is one running `alliance serve` started by a test.
type server struct {
	cmd *exec.Cmd
	url string
}

// startServer runs `alliance serve` on dsn on a free loopback port and waits
// until it says it is ready.
func startServer(t *testing.T, bin, dsn string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)...)
	cmd.Env = testEnv()
	var logs syncBuffer
	cmd.Stderr = &logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("the server's log:\n%s", logs.String())
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Alliance is ready at "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return &server{cmd: cmd, url: strings.TrimSuffix(strings.Fields(rest)[0], "/")}
		}
	}
	t.Fatal("the server never said it was ready")
	return nil
}

// syncBuffer is a bytes.Buffer safe for a process's output and a test to
// share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mustCLI runs one command of the binary against dsn and returns its
// standard output.
func mustCLI(t *testing.T, bin, dsn string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--db", dsn)...)
	cmd.Env = testEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("alliance %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// TestKillUnderWriteLoad SIGKILLs the server while four clients propose
// groups through the API, three times on each engine. Every write the
// server acknowledged (201) must be in the database afterwards with its
// audit entry, the audit log must verify, and the server must start again
// and be ready.
func TestKillUnderWriteLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			token := demoWithToken(t, bin, dsn)
			var acked []string
			for round := 1; round <= 3; round++ {
				srv := startServer(t, bin, dsn)
				ids := writeUntilKilled(t, srv, token, fmt.Sprintf("Round %d", round))
				if len(ids) == 0 {
					t.Fatalf("round %d: got no acknowledged writes before the kill, want some", round)
				}
				acked = append(acked, ids...)
			}
			ctx := context.Background()
			st, err := store.Open(ctx, store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range acked {
				var groups, audited int
				if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM ocg WHERE id = $1`, id).Scan(&groups); err != nil {
					t.Fatal(err)
				}
				if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM audit_subject WHERE record_id = $1`, id).Scan(&audited); err != nil {
					t.Fatal(err)
				}
				if groups != 1 || audited == 0 {
					t.Errorf("acknowledged group %s: got %d rows and %d audit entries after SIGKILL, want 1 and at least 1", id, groups, audited)
				}
			}
			st.Close()
			t.Logf("%d acknowledged writes survived three SIGKILLs", len(acked))
			if out := mustCLI(t, bin, dsn, "audit", "verify", "--log-level", "warn"); !strings.Contains(out, "intact") {
				t.Errorf("audit verify after SIGKILLs: got %q, want the log intact", out)
			}
			srv := startServer(t, bin, dsn)
			resp, err := http.Get(srv.url + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("/readyz after restart: got %d, want 200", resp.StatusCode)
			}
			_ = srv.cmd.Process.Signal(syscall.SIGTERM)
			if err := srv.cmd.Wait(); err != nil {
				t.Errorf("SIGTERM after restart: got %v, want a clean exit", err)
			}
		})
	}
}

// writeUntilKilled proposes groups from four clients, SIGKILLs the server
// once 30 have been acknowledged, and returns the IDs acknowledged. Each
// client stops at its first failed request, and at 200 requests at most.
func writeUntilKilled(t *testing.T, srv *server, token, prefix string) []string {
	t.Helper()
	var (
		mu     sync.Mutex
		ids    []string
		killed bool
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				id, status, err := proposeGroup(client, srv, token, fmt.Sprintf("%s writer %d group %d", prefix, w, i))
				if err != nil || status != http.StatusCreated || id == "" {
					return
				}
				mu.Lock()
				ids = append(ids, id)
				if len(ids) >= 30 && !killed {
					killed = true
					_ = srv.cmd.Process.Signal(syscall.SIGKILL)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if !killed {
		_ = srv.cmd.Process.Signal(syscall.SIGKILL)
	}
	_ = srv.cmd.Wait()
	return ids
}

// TestImportUnderWriteLoad runs command-line imports of groups while four
// clients propose groups through the API of a running server: every import
// must succeed whole, however the audit chain's positions interleave, and
// the log must verify afterwards.
func TestImportUnderWriteLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			token := demoWithToken(t, bin, dsn)
			srv := startServer(t, bin, dsn)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			written := 0
			client := &http.Client{Timeout: 30 * time.Second}
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 500; i++ {
						select {
						case <-stop:
							return
						default:
						}
						_, status, err := proposeGroup(client, srv, token, fmt.Sprintf("Writer %d group %d", w, i))
						if err != nil || status != http.StatusCreated {
							t.Errorf("writer %d: got %d (%v), want 201", w, status, err)
							return
						}
						mu.Lock()
						written++
						mu.Unlock()
					}
				}()
			}
			dir := t.TempDir()
			for run := 1; run <= 3; run++ {
				var b strings.Builder
				b.WriteString("Reference,Name,Primary_Threat,Ownership_Level,Home_Area\n")
				for i := 0; i < 300; i++ {
					fmt.Fprintf(&b, "LOAD-%d-%d,Imported crew %d-%d,county_lines,local,E07000165\n", run, i, run, i)
				}
				file := fmt.Sprintf("%s/groups-%d.csv", dir, run)
				if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(bin, "import", "groups", "--db", dsn, "--partnership", "north-yorkshire", "--as", "analyst@nyp.example",
					"--log-level", "warn", file)
				cmd.Env = testEnv()
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("import %d under write load: got %v, want success\n%s", run, err, out)
				}
			}
			close(stop)
			wg.Wait()
			t.Logf("%d groups proposed through the API during three imports of 300", written)
			_ = srv.cmd.Process.Signal(syscall.SIGTERM)
			_ = srv.cmd.Wait()
			ctx := context.Background()
			st, err := store.Open(ctx, store.Options{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM ocg WHERE reference LIKE 'LOAD-%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if n != 900 {
				t.Errorf("got %d imported groups, want 900", n)
			}
			if out := mustCLI(t, bin, dsn, "audit", "verify", "--log-level", "warn"); !strings.Contains(out, "intact") {
				t.Errorf("audit verify after the imports: got %q, want the log intact", out)
			}
		})
	}
}

// demoWithToken loads the demo into dsn and returns a read and write API
// token of its analyst.
func demoWithToken(t *testing.T, bin, dsn string) string {
	t.Helper()
	mustCLI(t, bin, dsn, "demo", "--log-level", "warn")
	return strings.TrimSpace(mustCLI(t, bin, dsn, "token", "create", "--user", "analyst@nyp.example", "--scopes", "read,write", "--log-level", "warn"))
}

// proposeGroup proposes a group named name through the API and returns its
// id and the status the server answered.
func proposeGroup(client *http.Client, srv *server, token, name string) (string, int, error) {
	body := fmt.Sprintf(`{"name":%q,"ownership":"local","primary_threat":"county_lines","threats":["drugs"],`+
		`"home_area":"E07000165","classification":"OFFICIAL-SENSITIVE","handling":"P"}`, name)
	req, err := http.NewRequest("POST", srv.url+"/api/v1/ocgs", strings.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var got struct {
		ID string `json:"id"`
	}
	if resp.StatusCode == http.StatusCreated {
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			return "", resp.StatusCode, err
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return got.ID, resp.StatusCode, nil
}
