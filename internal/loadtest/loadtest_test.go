package loadtest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://192.168.1.1", false},
		{"ftp://127.0.0.1", false},
		{"not a url", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			err := CheckLoopback(context.Background(), tc.url)
			if (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestRunIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{BaseURL: srv.URL, Paths: []string{"/x", "/fail"}, Duration: 10 * time.Second, Concurrency: 4, MaxRequests: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[0].Path != "/healthz" {
		t.Fatalf("got %+v, want the baseline then two paths", res)
	}
	for _, r := range res {
		if r.Requests != 200 {
			t.Errorf("%s: got %d requests, want exactly the 200 cap", r.Path, r.Requests)
		}
		if r.P50 > r.P95 || r.P95 > r.P99 {
			t.Errorf("%s: got p50 %v p95 %v p99 %v, want them ordered", r.Path, r.P50, r.P95, r.P99)
		}
	}
	if res[2].Errors != 200 || res[1].Errors != 0 {
		t.Errorf("got errors %d and %d, want 0 for /x and 200 for /fail", res[1].Errors, res[2].Errors)
	}
	var buf bytes.Buffer
	if err := Print(&buf, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "p99 ×base") || !strings.Contains(buf.String(), "/fail") {
		t.Errorf("got table %q, want headings and rows", buf.String())
	}
}

func TestPct(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := pct(d, 50); got != 5 {
		t.Errorf("p50: got %v, want 5", got)
	}
	if got := pct(d, 99); got != 10 {
		t.Errorf("p99: got %v, want 10", got)
	}
	if got := pct(nil, 50); got != 0 {
		t.Errorf("empty: got %v, want 0", got)
	}
}
