package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/generate"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// reportBenchQueries are searches of the kind analysts type into the
// report list: common and rare words, two words, a prefix, a place, a
// surname (which also finds reports linked to people of that name), a
// grading and a reference.
var reportBenchQueries = []string{"cash", "cuckooing", "county lines", "exploit", "Whitby", "Khan", "1B", "IR-SYN-0500000",
	"knife school", "warehouse cannabis grow", "snapchat", "Scarborough van"}

// benchReference is the shape of a reference, as the store's search
// recognises one.
var benchReference = regexp.MustCompile(`^[A-Za-z]{1,8}([-/][A-Za-z0-9]+)+$`)

// reportBenchSizes are the reports, submissions and open submissions of
// the report benchmarks: 1,000,000, 200,000 and 2,000, or
// ALLIANCE_BENCH_REPORTS, _SUBMISSIONS and _OPEN.
func reportBenchSizes() (reports, subs, open int) {
	reports, subs, open = 1000000, 200000, 2000
	for _, v := range []struct {
		env string
		n   *int
	}{{"ALLIANCE_BENCH_REPORTS", &reports}, {"ALLIANCE_BENCH_SUBMISSIONS", &subs}, {"ALLIANCE_BENCH_OPEN", &open}} {
		if n, err := strconv.Atoi(os.Getenv(v.env)); err == nil && n > 0 {
			*v.n = n
		}
	}
	return reports, subs, min(open, subs)
}

// reportBenchWorld is the report benchmarks' cached database and services.
type reportBenchWorld struct {
	*searchWorld
	reports *service.Reports
	subs    *service.Submissions
}

// reportBenchStore opens the report benchmarks' database on engine e,
// building it the first time (cached as the search benchmark's is): a
// register of 20,000 people and 1,000 groups to link to, then the reports
// and submissions of generate.Reports.
func reportBenchStore(b *testing.B, e storetest.Engine) *reportBenchWorld {
	b.Helper()
	ctx := context.Background()
	reports, subs, open := reportBenchSizes()
	st := openBenchCache(b, e, fmt.Sprintf("reports_%d_%d_%d_v1", reports, subs, open))
	w := newSearchWorld(b, st)
	var n int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM info_report WHERE partnership_id = $1`, w.pid).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n < reports {
		t0 := time.Now()
		if _, err := generate.Register(ctx, st, w.pid, w.police.ID, w.analystUser.ID, 20000, 1000, 7); err != nil {
			b.Fatal(err)
		}
		stats, err := generate.Reports(ctx, st, generate.ReportOptions{PartnershipID: w.pid, Police: w.police.ID, Council: w.council.ID,
			UserID: w.analystUser.ID, Reports: reports, Submissions: subs, OpenSubmissions: open, Seed: 42})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: generated %d reports (%d sanitised, %d links) and %d submissions in %s", e.Name, stats.Reports, stats.Sanitised,
			stats.Links, stats.Submissions, time.Since(t0).Round(time.Second))
	}
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
	rs := service.NewReports(st, nil, alog)
	return &reportBenchWorld{searchWorld: w, reports: rs, subs: service.NewSubmissions(st, nil, alog, rs)}
}

// pctMS is the p-th percentile of ds in milliseconds (ds is sorted).
func pctMS(ds []time.Duration, p int) float64 {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return float64(ds[min(len(ds)*p/100, len(ds)-1)].Microseconds()) / 1000
}

// BenchmarkReportSearch times the first page of an information report
// search as an analyst runs it (the policy in SQL, the count of matches,
// the page and its consultation entry in the audit log) over 1,000,000
// reports on each engine, beside the bare SQL query timed in the same loop:
// the same full-text match through the same index, newest first, one page,
// with no policy, count, links or audit entry. The target is p95 under
// 100 ms; x-bare is p95 over the bare query's p95.
func BenchmarkReportSearch(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			w := reportBenchStore(b, e)
			ctx := context.Background()
			matched := map[string]int{}
			for _, q := range reportBenchQueries { // warm the caches
				res, err := w.reports.List(ctx, w.analyst, q, 1, 25)
				if err != nil {
					b.Fatalf("%q: %v", q, err)
				}
				matched[q] = res.Total
				reportBare(b, e, w, q)
			}
			b.Logf("matches: %v", matched)
			var ds, bs []time.Duration
			per, perBare := map[string][]time.Duration{}, map[string][]time.Duration{}
			var cpu time.Duration
			i := 0
			b.ResetTimer()
			for b.Loop() {
				q := reportBenchQueries[i%len(reportBenchQueries)]
				i++
				c0 := cpuTime(b)
				t0 := time.Now()
				if _, err := w.reports.List(ctx, w.analyst, q, 1, 25); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				per[q] = append(per[q], ds[len(ds)-1])
				cpu += cpuTime(b) - c0
				t0 = time.Now()
				reportBare(b, e, w, q)
				bs = append(bs, time.Since(t0))
				perBare[q] = append(perBare[q], bs[len(bs)-1])
			}
			b.StopTimer()
			var line []string
			for _, q := range reportBenchQueries {
				if len(per[q]) > 0 {
					line = append(line, fmt.Sprintf("%q %.1f/%.1f", q, pctMS(per[q], 50), pctMS(perBare[q], 50)))
				}
			}
			b.Logf("p50 ms, search/bare: %s", strings.Join(line, ", "))
			b.ReportMetric(pctMS(ds, 50), "p50-ms")
			b.ReportMetric(pctMS(ds, 95), "p95-ms")
			b.ReportMetric(pctMS(ds, 99), "p99-ms")
			b.ReportMetric(pctMS(bs, 50), "bare-p50-ms")
			b.ReportMetric(pctMS(bs, 95), "bare-p95-ms")
			b.ReportMetric(pctMS(ds, 95)/pctMS(bs, 95), "x-bare")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
		})
	}
}

// reportBare runs the bare query of search q: the engine's full-text
// match, newest first, 25 rows; for a reference, the report of that
// reference, as the search looks one up.
func reportBare(b *testing.B, e storetest.Engine, w *reportBenchWorld, q string) {
	b.Helper()
	if benchReference.MatchString(q) {
		benchRows(b, w.st, `SELECT fr.id, fr.reference, fr.title FROM info_report fr WHERE fr.partnership_id = $1 AND fr.reference = $2`, w.pid, q)
		return
	}
	var words []string
	for _, f := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if e.Name == "postgres" {
			words = append(words, f+":*")
		} else {
			words = append(words, `"`+f+`"*`)
		}
	}
	match := `fr.id IN (SELECT x.id FROM report_fts CROSS JOIN info_report x ON x.doc_id = report_fts.rowid WHERE report_fts MATCH $2)`
	text := strings.Join(words, " ")
	if e.Name == "postgres" {
		match, text = `fr.search_tsv @@ to_tsquery('simple', $2)`, strings.Join(words, " & ")
	}
	benchRows(b, w.st, `SELECT fr.id, fr.reference, fr.title FROM info_report fr WHERE fr.partnership_id = $1 AND `+match+`
		ORDER BY fr.created_at DESC LIMIT 25`, w.pid, text)
}

// benchRows runs query and reads its rows.
func benchRows(b *testing.B, st *store.Store, query string, args ...any) {
	b.Helper()
	rows, err := st.Reader().QueryContext(context.Background(), query, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, c, d sql.NullString
		if err := rows.Scan(&a, &c, &d); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTriage times the first page of the triage queue as an analyst
// opens it (the policy in SQL, the count, the targets, the page of 50 most
// urgent and longest waiting, and its consultation entry) among 200,000
// submissions with 2,000 waiting, in the database of BenchmarkReportSearch,
// beside the bare SQL query of the same page timed in the same loop. The
// target is p95 under 50 ms.
func BenchmarkTriage(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			w := reportBenchStore(b, e)
			ctx := context.Background()
			res, err := w.subs.Triage(ctx, w.analyst, 1)
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Items) == 0 {
				b.Fatalf("the triage queue is empty")
			}
			b.Logf("waiting: %d, overdue on the first page: %d", res.Total, res.Overdue)
			var ds, bs []time.Duration
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				if _, err := w.subs.Triage(ctx, w.analyst, 1); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				t0 = time.Now()
				benchRows(b, w.st, `SELECT x.id, x.reference, x.what FROM submission x WHERE x.partnership_id = $1 AND x.status IN ('new', 'question')
					ORDER BY CASE x.priority WHEN 'threat_to_life' THEN 1 WHEN 'child_at_risk' THEN 2 WHEN 'time_critical' THEN 3 ELSE 4 END, x.created_at
					LIMIT 50`, w.pid)
				bs = append(bs, time.Since(t0))
			}
			b.StopTimer()
			b.ReportMetric(pctMS(ds, 50), "p50-ms")
			b.ReportMetric(pctMS(ds, 95), "p95-ms")
			b.ReportMetric(pctMS(ds, 99), "p99-ms")
			b.ReportMetric(pctMS(bs, 50), "bare-p50-ms")
			b.ReportMetric(pctMS(bs, 95), "bare-p95-ms")
			b.ReportMetric(pctMS(ds, 95)/pctMS(bs, 95), "x-bare")
		})
	}
}
