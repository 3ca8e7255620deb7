package app_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func httptestServe(a *app.App, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return rec
}

// checkPage checks a response's status and what its body must and must
// not hold.
func checkPage(t *testing.T, rec *httptest.ResponseRecorder, want int, contains, lacks []string) {
	t.Helper()
	if rec.Code != want {
		t.Errorf("got status %d, want %d", rec.Code, want)
	}
	body := rec.Body.String()
	for _, s := range contains {
		if !strings.Contains(body, s) {
			t.Errorf("got a page without %q", s)
		}
	}
	for _, s := range lacks {
		if strings.Contains(body, s) {
			t.Errorf("got a page with %q, which must not appear", s)
		}
	}
}

// entitiesNamed counts the people called name, in every partnership.
func entitiesNamed(t *testing.T, a *app.App, name string) int {
	t.Helper()
	var n int
	if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM entity WHERE name = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// auditLabelled counts the audit entries whose label contains s and that
// name the request that asked for the work.
func auditLabelled(t *testing.T, a *app.App, s string) int {
	t.Helper()
	var n int
	if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE record_label LIKE $1 AND request_id <> ''`, "%"+s+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportJobPages: a web import answers at once with a redirect to its
// job's page, which reloads itself (without script) while the job waits,
// shows the result once the job has run, and is its owner's only: another
// user of the same agency and role, or a made-up address, gets 404.
func TestImportJobPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			analyst, other := signIn(t, a, "analyst@nyp.example"), signIn(t, a, "analyst2@nyp.example")
			fields := map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"}
			rec := getPage(a, analyst, "/import")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /import: got %d", rec.Code)
			}
			req := upload(t, analyst, fields, "jobs.csv", "name\nJoanna Jobson\n")
			rec = httptestServe(a, req)
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
				t.Fatalf("POST /import: got %d to %q, want 303 to a job page", rec.Code, loc)
			}
			if got := entitiesNamed(t, a, "Joanna Jobson"); got != 0 {
				t.Errorf("before the job ran: got %d people stored, want 0", got)
			}
			cases := []struct {
				name     string
				cookie   string
				path     string
				want     int
				contains []string
				lacks    []string
			}{
				{"queued, owner", analyst, loc, http.StatusOK,
					[]string{`<meta http-equiv="refresh" content="5">`, "Waiting to start", "jobs.csv", `href="` + loc + `"`, "you can leave this page"},
					[]string{"Import complete", "Joanna Jobson"}},
				{"queued, another analyst", other, loc, http.StatusNotFound, []string{"Page not found"}, []string{"jobs.csv"}},
				{"made-up job", analyst, "/jobs/not-a-job", http.StatusNotFound, []string{"Page not found"}, nil},
				{"unknown job", analyst, "/jobs/01900000-0000-7000-8000-000000000000", http.StatusNotFound, []string{"Page not found"}, nil},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					checkPage(t, getPage(a, tc.cookie, tc.path), tc.want, tc.contains, tc.lacks)
				})
			}
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
				t.Fatalf("run the job: got %v, %v", ran, err)
			}
			checkPage(t, getPage(a, analyst, loc), http.StatusOK, []string{"Import complete", "1 person stored", "Finished", "jobs.csv"},
				[]string{"http-equiv=\"refresh\"", "Waiting to start"})
			checkPage(t, getPage(a, other, loc), http.StatusNotFound, nil, []string{"jobs.csv", "Import complete"})
			if got := entitiesNamed(t, a, "Joanna Jobson"); got != 1 {
				t.Errorf("after the job ran: got %d people stored, want 1", got)
			}
			if got := auditLabelled(t, a, "from jobs.csv"); got != 1 {
				t.Errorf("got %d audit entries for the import, want 1", got)
			}
			checkJobAudit(t, a, "from jobs.csv", "analyst@nyp.example")
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || ran {
				t.Errorf("a second run: got %v, %v, want no job left", ran, err)
			}
		})
	}
}

// checkJobAudit checks that the import a job ran (its audit entry's label
// contains label) is logged as the work of the user who uploaded the file,
// never of the server or another account, and that the whole log, its
// chain heads signed in the import's transaction, verifies.
func checkJobAudit(t *testing.T, a *app.App, label, owner string) {
	t.Helper()
	ctx := context.Background()
	st := a.Store()
	c, err := st.CredentialsByEmail(ctx, st.Reader(), owner)
	if err != nil {
		t.Fatal(err)
	}
	var actor, name string
	if err := st.Reader().QueryRow(`SELECT actor_id, actor_name FROM audit_event WHERE record_label LIKE $1`, "%"+label+"%").Scan(&actor, &name); err != nil {
		t.Fatal(err)
	}
	if actor != c.User.ID || name != c.User.DisplayName {
		t.Errorf("import logged as %s (%s), want the uploader %s (%s)", actor, name, c.User.ID, c.User.DisplayName)
	}
	secret, err := hex.DecodeString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, st.Reader(), audit.SigningKey(secret).Public().(ed25519.PublicKey))
	if err != nil || !rep.OK() {
		t.Errorf("audit log after the job: got problems %v (%v), want none", rep.Problems, err)
	}
}

// TestImportJobSurvivesItsServer: a server claims an import job and dies
// (it never renews the lease nor ends the job). Once the lease has
// expired another server runs the job from the start, exactly once; the
// dead server can no longer end it. A job that keeps stopping its server
// is failed with a reason instead of being run for ever.
func TestImportJobSurvivesItsServer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			ctx := context.Background()
			st := a.Store()
			analyst := signIn(t, a, "analyst@nyp.example")
			fields := map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"}
			rec := httptestServe(a, upload(t, analyst, fields, "lease.csv", "name\nLena Lease\n"))
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST /import: got %d, want 303", rec.Code)
			}
			// The first server takes the job, then dies.
			dead, err := st.ClaimJob(ctx, "dead-server", time.Hour)
			if err != nil || "/jobs/"+dead.ID != loc || dead.Status != domain.JobRunning {
				t.Fatalf("claim: got %+v, %v, want the job, running", dead, err)
			}
			checkPage(t, getPage(a, analyst, loc), http.StatusOK, []string{"In progress", `http-equiv="refresh"`}, []string{"Import complete", "started again"})
			// While its lease holds, no other server takes it.
			if ran, err := a.Jobs().RunOnce(ctx); err != nil || ran {
				t.Fatalf("run while leased: got %v, %v, want nothing to run", ran, err)
			}
			if err := storetest.ExpireJobLease(ctx, st, dead.ID); err != nil {
				t.Fatal(err)
			}
			if ran, err := a.Jobs().RunOnce(ctx); err != nil || !ran {
				t.Fatalf("run after the lease expired: got %v, %v, want the job run", ran, err)
			}
			checkPage(t, getPage(a, analyst, loc), http.StatusOK, []string{"Import complete", "1 person stored"}, []string{"In progress"})
			if got := entitiesNamed(t, a, "Lena Lease"); got != 1 {
				t.Errorf("got %d people stored, want exactly 1", got)
			}
			if got := auditLabelled(t, a, "from lease.csv"); got != 1 {
				t.Errorf("got %d audit entries for the import, want 1", got)
			}
			// The dead server, back from the dead, cannot end the job again.
			err = st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return st.FinishJob(ctx, tx, dead.ID, "dead-server", domain.JobFailed, "", "late")
			})
			if !store.ErrLeaseLost(err) {
				t.Errorf("a late end from the dead server: got %v, want the lease lost", err)
			}

			// A job whose server dies every time fails with a reason after
			// service.JobMaxAttempts starts, and its file is deleted.
			rec = httptestServe(a, upload(t, analyst, fields, "crash.csv", "name\nCarl Crash\n"))
			loc = rec.Header().Get("Location")
			for i := range service.JobMaxAttempts {
				j, err := st.ClaimJob(ctx, "crashing-server", time.Hour)
				if err != nil || "/jobs/"+j.ID != loc || j.Attempts != i+1 {
					t.Fatalf("claim %d: got %+v, %v", i+1, j, err)
				}
				if j.Attempts == 2 {
					checkPage(t, getPage(a, analyst, loc), http.StatusOK, []string{"In progress", "started again from the beginning (attempt 2)"}, nil)
				}
				if err := storetest.ExpireJobLease(ctx, st, j.ID); err != nil {
					t.Fatal(err)
				}
			}
			if ran, err := a.Jobs().RunOnce(ctx); err != nil || ran {
				t.Fatalf("run after %d crashes: got %v, %v, want the job failed, not run", service.JobMaxAttempts, ran, err)
			}
			checkPage(t, getPage(a, analyst, loc), http.StatusOK, []string{"Failed", "interrupted 3 times", "Nothing was stored"},
				[]string{"Import complete", `http-equiv="refresh"`})
			if got := entitiesNamed(t, a, "Carl Crash"); got != 0 {
				t.Errorf("got %d people stored from the failed job, want 0", got)
			}
			if _, err := st.JobInput(ctx, strings.TrimPrefix(loc, "/jobs/")); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("the failed job's file: got %v, want it deleted", err)
			}
		})
	}
}

// TestImportJobGivenBackOnShutdown: a server that stops before its job
// ends gives the lease back, without counting the attempt, and the next
// server runs the job.
func TestImportJobGivenBackOnShutdown(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			ctx := context.Background()
			st := a.Store()
			analyst := signIn(t, a, "analyst@nyp.example")
			rec := httptestServe(a, upload(t, analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"},
				"stop.csv", "name\nSteph Stop\n"))
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST /import: got %d, want 303", rec.Code)
			}
			j, err := st.ClaimJob(ctx, "stopping-server", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.ReleaseJob(ctx, j.ID, "stopping-server"); err != nil {
				t.Fatal(err)
			}
			again, err := st.ClaimJob(ctx, "next-server", time.Hour)
			if err != nil || again.ID != j.ID || again.Attempts != 1 {
				t.Errorf("after the release: got %+v, %v, want the job claimable, on its first counted attempt", again, err)
			}
		})
	}
}

// jobState reads a job's status, attempts and lease holder.
func jobState(t *testing.T, a *app.App, id string) (status string, attempts int, leased bool) {
	t.Helper()
	var owner sql.NullString
	if err := a.Store().Reader().QueryRow(`SELECT status, attempts, lease_owner FROM job WHERE id = $1`, id).Scan(&status, &attempts, &owner); err != nil {
		t.Fatal(err)
	}
	return status, attempts, owner.Valid
}

// TestShutdownGivesTheJobBack: a server shut down while an import job runs
// longer than its shutdown timeout stops the job, which rolls back, and
// gives it back without counting the attempt; the next server runs it
// whole.
func TestShutdownGivesTheJobBack(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, func(c *config.Config) { c.ShutdownTimeout = time.Millisecond })
			analyst := signIn(t, a, "analyst@nyp.example")
			const rows = 60000 // a few seconds of work: the shutdown comes while it runs
			var b strings.Builder
			b.WriteString("name\n")
			for i := range rows {
				fmt.Fprintf(&b, "Shutdown Person %d\n", i)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- a.Serve(ctx, ln) }()
			rec := httptestServe(a, upload(t, analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"},
				"big.csv", b.String()))
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST /import: got %d, want 303", rec.Code)
			}
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/jobs/")
			for {
				if status, _, _ := jobState(t, a, id); status != string(domain.JobQueued) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			stop()
			if err := <-served; err != nil {
				t.Fatalf("serve: %v", err)
			}
			status, attempts, leased := jobState(t, a, id)
			if status != string(domain.JobQueued) || attempts != 0 || leased {
				t.Fatalf("after the shutdown: got status %s, %d attempts, leased %v, want queued, 0 attempts, no lease", status, attempts, leased)
			}
			var stored int
			if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM entity WHERE name LIKE 'Shutdown Person %'`).Scan(&stored); err != nil || stored != 0 {
				t.Fatalf("after the shutdown: got %d people stored, %v, want 0", stored, err)
			}
			// The next server runs it whole.
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
				t.Fatalf("run again: got %v, %v", ran, err)
			}
			if status, attempts, _ := jobState(t, a, id); status != string(domain.JobSucceeded) || attempts != 1 {
				t.Errorf("after the rerun: got %s after %d attempts, want succeeded after 1", status, attempts)
			}
			if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM entity WHERE name LIKE 'Shutdown Person %'`).Scan(&stored); err != nil || stored != rows {
				t.Errorf("after the rerun: got %d people stored, %v, want %d", stored, err, rows)
			}
		})
	}
}

// TestTwoServersShareTheJobs: two servers on one database, as behind a
// load balancer, run the jobs uploaded to either of them between them,
// each job once: the lease is claimed in the database, not in a process.
func TestTwoServersShareTheJobs(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			open := func(demoLoad bool) *app.App {
				c, _ := config.Load(func(string) string { return "" })
				c.DB, c.Demo, c.SecretKey = dsn, demoLoad, testKey
				a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Hasher: cheap})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a
			}
			servers := []*app.App{open(true), open(false)}
			const jobs = 6
			for i := range jobs {
				srv := servers[i%2]
				cookie := signIn(t, srv, "analyst@nyp.example")
				rec := httptestServe(srv, upload(t, cookie, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"},
					fmt.Sprintf("shared-%d.csv", i), fmt.Sprintf("name\nShared Person %d\n", i)))
				if rec.Code != http.StatusSeeOther {
					t.Fatalf("upload %d: got %d, want 303", i, rec.Code)
				}
			}
			ran := make([]int, len(servers))
			var wg sync.WaitGroup
			for i, srv := range servers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						did, err := srv.Jobs().RunOnce(context.Background())
						if err != nil {
							t.Errorf("server %d: %v", i, err)
							return
						}
						if !did {
							return
						}
						ran[i]++
					}
				}()
			}
			wg.Wait()
			if ran[0]+ran[1] != jobs {
				t.Errorf("got %v jobs run by the two servers, want %d in all", ran, jobs)
			}
			var succeeded, once, people int
			r := servers[0].Store().Reader()
			if err := r.QueryRow(`SELECT count(*), count(CASE WHEN attempts = 1 THEN 1 END) FROM job WHERE status = 'succeeded'`).Scan(&succeeded, &once); err != nil {
				t.Fatal(err)
			}
			if err := r.QueryRow(`SELECT count(*) FROM entity WHERE name LIKE 'Shared Person %'`).Scan(&people); err != nil {
				t.Fatal(err)
			}
			if succeeded != jobs || once != jobs || people != jobs {
				t.Errorf("got %d jobs succeeded, %d on their first attempt, %d people stored, want %d of each", succeeded, once, people, jobs)
			}
		})
	}
}
