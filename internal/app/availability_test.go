package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"alliance/internal/store/storetest"
)

// TestReadyWhileAWriteIsRunning: /readyz answers 200 while a long write
// transaction holds the writer (on SQLite, the one write connection).
// Readiness means the server can serve reads, not that the writer is idle.
func TestReadyWhileAWriteIsRunning(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- a.Store().InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `UPDATE partnership SET name = name`); err != nil {
						return err
					}
					close(started)
					<-release
					return nil
				})
			}()
			<-started
			scenario{name: "readyz during a write", path: "/readyz", wantStatus: 200, wantContains: []string{`"ready"`},
				wantNotContains: []string{"not ready"}}.run(t, a.Handler())
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// syncBuffer is a log destination tests read after the requests end.
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

func reportForm(body string) string {
	return url.Values{"title": {"Full disk"}, "body": {body}, "source_grade": {"1"}, "intel_grade": {"A"},
		"classification": {"OFFICIAL"}, "handling": {"P"}}.Encode()
}

func reportJSON(body string) string {
	b, _ := json.Marshal(map[string]string{"title": "Full disk", "body": body, "source_grade": "1", "intel_grade": "A",
		"classification": "OFFICIAL", "handling": "P"})
	return string(b)
}

// TestFullDiskIsUnavailable: when the database's disk is full, a write
// answers 503 with a page (or a problem document) saying the service is
// unavailable, not "internal server error", and the log names the cause.
// SQLite's max_page_count stands in for the full disk: past it SQLite
// fails exactly as on a full disk (SQLITE_FULL).
func TestFullDiskIsUnavailable(t *testing.T) {
	var logs syncBuffer
	a := newAppLogging(t, storetest.Engines(t)[0], nil, slog.New(slog.NewTextHandler(&logs, nil)))
	cookie := signIn(t, a, "analyst@nyp.example")
	bearer := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
	err := a.Store().InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		var n int
		return tx.QueryRowContext(ctx, `PRAGMA max_page_count = 1`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("Seen near the ring road. ", 750) // 18,750 characters: overflow pages
	scenario{name: "web write on a full disk", method: "POST", path: "/reports", cookie: cookie, body: reportForm(big),
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}, wantStatus: 503,
		wantContains:    []string{"Sorry, the service is unavailable", "Nothing you entered on this page was saved"},
		wantNotContains: []string{"problem with the service", "full", "SQLITE", "sql:"}}.run(t, a.Handler())
	rec := scenario{name: "API write on a full disk", method: "POST", path: "/api/v1/reports", header: bearer, body: reportJSON(big),
		wantStatus: 503, wantType: "application/problem+json",
		wantContains: []string{`"title":"Service unavailable"`}, wantNotContains: []string{"Internal server error", "full", "SQLITE"}}.run(t, a.Handler())
	if rec.Header().Get("Retry-After") == "" {
		t.Error("API 503: got no Retry-After header, want one")
	}
	if got := logs.String(); strings.Count(got, "the database's disk is full") < 2 || !strings.Contains(got, "level=ERROR") {
		t.Errorf("log: got %q, want two errors naming the full disk", got)
	}
}

// TestOversizedFormIs413: a form or API body over its size limit answers
// 413 with a page (or problem document) that says so, and is not logged
// as an error.
func TestOversizedFormIs413(t *testing.T) {
	var logs syncBuffer
	a := newAppLogging(t, storetest.Engines(t)[0], nil, slog.New(slog.NewTextHandler(&logs, nil)))
	cookie := signIn(t, a, "analyst@nyp.example")
	bearer := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
	huge := strings.Repeat("x", 2<<20)
	scenario{name: "web form over 1 MB", method: "POST", path: "/reports", cookie: cookie, body: reportForm(huge),
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}, wantStatus: 413,
		wantContains:    []string{"The form is too large", "larger than the 1 MB this form accepts", "nothing was saved"},
		wantNotContains: []string{"problem with the service"}}.run(t, a.Handler())
	scenario{name: "API body over 1 MB", method: "POST", path: "/api/v1/reports", header: bearer, body: reportJSON(huge),
		wantStatus: 413, wantType: "application/problem+json", wantContains: []string{`"status":413`, "at most 1048576 bytes"},
		wantNotContains: []string{"Internal server error"}}.run(t, a.Handler())
	if got := logs.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, "request body over its limit") {
		t.Errorf("log: got %q, want the oversized bodies noted, not logged as errors", got)
	}
	var n int
	if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM info_report WHERE title = 'Full disk'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("got %d reports stored, %v, want none", n, err)
	}
}

// TestLosingStepIsConflictOnBothEngines: a lifecycle step the group has
// already taken (another request got there first) is 409 on both
// engines, whether the loser read the group before the winner committed
// (the conditional update refuses it) or after (the status check does).
func TestLosingStepIsConflictOnBothEngines(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			w := map[string]string{"Authorization": "Bearer " + tokenFor(t, a, "analyst@nyp.example", "read", "write")}
			rec := scenario{name: "propose", method: "POST", path: "/api/v1/ocgs", header: w, wantStatus: 201,
				body: `{"name":"Race Crew","ownership":"local","primary_threat":"county_lines","threats":["drugs"],"classification":"OFFICIAL","handling":"P"}`}.run(t, h)
			loc := rec.Header().Get("Location")
			step := `{"to":"under_assessment","decision":"Tasking"}`
			scenario{name: "winner", method: "POST", path: loc + "/transitions", header: w, body: step, wantStatus: 200}.run(t, h)
			scenario{name: "loser", method: "POST", path: loc + "/transitions", header: w, body: step, wantStatus: 409,
				wantType: "application/problem+json", wantContains: []string{`"title":"Conflict"`}, wantNotContains: []string{"Invalid request"}}.run(t, h)
			// Concurrent losers: each is 200 or 409, exactly one 200.
			step = `{"to":"archived","archive_reason":"inactive","rationale":"Dispersed","decision":"Panel"}`
			codes := make(chan int, 4)
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest(http.MethodPost, loc+"/transitions", strings.NewReader(step))
					req.Header.Set("Authorization", w["Authorization"])
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					codes <- rec.Code
				}()
			}
			wg.Wait()
			close(codes)
			got := map[int]int{}
			for c := range codes {
				got[c]++
			}
			if got[200] != 1 || got[409] != 3 {
				t.Errorf("four concurrent archivings: got %v, want one 200 and three 409", got)
			}
		})
	}
}
