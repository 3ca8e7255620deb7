package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"testing"
	"time"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// BenchmarkPerformanceHTTP times GET /api/v1/performance for 2024/25 over
// loopback HTTP, through the whole middleware chain (the token's check,
// the purpose, the audit rules, the JSON), as an analyst of the police
// agency, over the database BenchmarkPerformance builds (run it first; the
// same ALLIANCE_BENCH_DISRUPTIONS and ALLIANCE_BENCH_CACHE): "partnership"
// rotating through eight ordinary partnerships, "regional" for the region
// and "small" for the partnership of about 46 disruptions a year. Each
// reports p50 and p95 beside the bare SQL aggregate timed in the same run
// (bare-p50-ms, bare-p95-ms, x-bare on the p95s, x-bare-p50). It adds an
// analyst with a token to each partnership it reads the first time.
func BenchmarkPerformanceHTTP(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := perfBenchApp(b, e)
			srv := httptest.NewServer(a.Handler())
			defer srv.Close()
			for _, c := range []struct {
				name  string
				parts []int
				unit  bool
			}{{"partnership", []int{2, 3, 4, 5, 6, 7, 8, 9}, false}, {"regional", []int{1}, true}, {"small", []int{45}, false}} {
				b.Run(c.name, func(b *testing.B) {
					type target struct{ pid, url, token string }
					var ts []target
					for _, i := range c.parts {
						p, token := perfBenchToken(b, a, i)
						q := url.Values{"fy": {"2024/25"}}
						if c.unit {
							q.Set("unit", p.RegionCode)
						}
						ts = append(ts, target{p.ID, srv.URL + "/api/v1/performance?" + q.Encode(), token})
					}
					get := func(t target) {
						req, err := http.NewRequest(http.MethodGet, t.url, nil)
						if err != nil {
							b.Fatal(err)
						}
						req.Header.Set("Authorization", "Bearer "+t.token)
						res, err := srv.Client().Do(req)
						if err != nil {
							b.Fatal(err)
						}
						body, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusOK {
							b.Fatalf("%s: got %d: %s", t.url, res.StatusCode, body)
						}
					}
					for _, t := range ts[:min(3, len(ts))] { // warm the caches
						get(t)
					}
					var dash, bare []time.Duration
					i := 0
					for b.Loop() {
						t := ts[i%len(ts)]
						i++
						t0 := time.Now()
						get(t)
						dash = append(dash, time.Since(t0))
						t0 = time.Now()
						if err := storetest.PerformanceBareAggregate(context.Background(), a.Store().Reader(), t.pid, 2024); err != nil {
							b.Fatal(err)
						}
						bare = append(bare, time.Since(t0))
					}
					reportVsBare(b, dash, bare)
				})
			}
		})
	}
}

// reportVsBare reports the p50 and p95 of dash and bare and their ratios.
func reportVsBare(b *testing.B, dash, bare []time.Duration) {
	for _, ds := range [][]time.Duration{dash, bare} {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, p95 := func(ds []time.Duration) time.Duration { return ds[len(ds)/2] }, func(ds []time.Duration) time.Duration { return ds[len(ds)*95/100] }
	b.ReportMetric(ms(p50(dash)), "p50-ms")
	b.ReportMetric(ms(p95(dash)), "p95-ms")
	b.ReportMetric(ms(p50(bare)), "bare-p50-ms")
	b.ReportMetric(ms(p95(bare)), "bare-p95-ms")
	b.ReportMetric(float64(p95(dash))/float64(p95(bare)), "x-bare")
	b.ReportMetric(float64(p50(dash))/float64(p50(bare)), "x-bare-p50")
}

// perfBenchApp builds the app over BenchmarkPerformance's database, or
// skips when it has not been built.
func perfBenchApp(b *testing.B, e storetest.Engine) *app.App {
	b.Helper()
	ctx := context.Background()
	total := "1000000"
	if v := os.Getenv("ALLIANCE_BENCH_DISRUPTIONS"); v != "" {
		total = v
	}
	c, err := config.Load(func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	c.DB, c.SecretKey, c.Migrate = storetest.BenchCacheDSN(b, e, "perf_45_"+total+"_v5"), testKey, true
	a, err := app.New(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Version: "bench", Hasher: cheap})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	var n int
	if err := a.Store().Reader().QueryRowContext(ctx, `SELECT count(*) FROM disruption`).Scan(&n); err != nil || n == 0 {
		b.Skipf("the performance benchmark database (%s disruptions) is not built: run BenchmarkPerformance first (%v)", total, err)
	}
	return a
}

// perfBenchToken returns synthetic partnership i and a read token of its
// benchmark analyst (of its police agency), added the first time.
func perfBenchToken(b *testing.B, a *app.App, i int) (domain.Partnership, string) {
	b.Helper()
	ctx := context.Background()
	st := a.Store()
	p, err := st.PartnershipBySlug(ctx, fmt.Sprintf("synthetic-%03d", i))
	if err != nil {
		b.Fatal(err)
	}
	email := fmt.Sprintf("bench-analyst.p%03d@synthetic.example", i)
	cred, err := st.CredentialsByEmail(ctx, st.Reader(), email)
	if err != nil {
		ags, err := st.Agencies(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		u := domain.User{PartnershipID: p.ID, Email: email, DisplayName: "Benchmark analyst", Active: true, Roles: []domain.Role{domain.RoleAnalyst}}
		for _, ag := range ags {
			if ag.Type == domain.AgencyPolice && u.AgencyID == "" {
				u.AgencyID = ag.ID
			}
		}
		if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.InsertUsers(ctx, tx, []domain.User{u}) }); err != nil {
			b.Fatal(err)
		}
		if cred, err = st.CredentialsByEmail(ctx, st.Reader(), email); err != nil {
			b.Fatal(err)
		}
	}
	actor := domain.Actor{Kind: domain.ActorUser, UserID: cred.User.ID, PartnershipID: p.ID, AgencyID: cred.User.AgencyID, Roles: cred.User.Roles}
	token, _, err := a.Identity().CreateToken(ctx, actor, service.TokenInput{Name: "Performance benchmark", Scopes: []string{"read"}, Days: 1,
		Purpose: "Performance benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	return p, token
}
