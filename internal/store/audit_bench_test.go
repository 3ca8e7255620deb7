package store_test

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"alliance/internal/store"
)

// BenchmarkAuditSearch times the auditor's first page over a large log. It
// needs a database made by `alliance generate --audit …` (see
// scripts/bench-audit.sh), named by ALLIANCE_BENCH_DB, and skips otherwise.
// It reports the median and worst first-page time for each kind of search.
func BenchmarkAuditSearch(b *testing.B) {
	dsn := os.Getenv("ALLIANCE_BENCH_DB")
	if dsn == "" {
		b.Skip("set ALLIANCE_BENCH_DB to a database made by scripts/bench-audit.sh")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DSN: dsn})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ps, err := s.Partnerships(ctx)
	if err != nil || len(ps) < 2 {
		b.Fatalf("partnerships: %v", err)
	}
	// A synthetic partnership with a full chain, and one of its entries to
	// take a user, an agency and a record from.
	pid := ps[len(ps)-1].ID
	sample, err := s.SearchAudit(ctx, pid, store.AuditFilter{Limit: 1})
	if err != nil || len(sample) == 0 {
		b.Fatalf("sample entry: %v", err)
	}
	e := sample[0]
	mid := e.At.AddDate(-1, 0, 0)
	cases := []struct {
		name string
		f    store.AuditFilter
	}{
		{"latest", store.AuditFilter{}},
		{"by user", store.AuditFilter{ActorID: e.ActorID}},
		{"by record (who has seen it)", store.AuditFilter{RecordID: e.RecordIDs[0]}},
		{"by agency and month", store.AuditFilter{AgencyID: e.AgencyID, From: mid, To: mid.AddDate(0, 1, 0)}},
		{"by operation", store.AuditFilter{Operation: "disclosure"}},
		{"user's consultations in a year", store.AuditFilter{ActorID: e.ActorID, Operation: "consultation", From: mid.AddDate(-1, 0, 0), To: mid}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var ds []time.Duration
			f := tc.f
			f.Limit = 50
			for b.Loop() {
				t0 := time.Now()
				got, err := s.SearchAudit(ctx, pid, f)
				if err != nil || len(got) == 0 {
					b.Fatalf("search: %d entries, %v", len(got), err)
				}
				ds = append(ds, time.Since(t0))
			}
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
		})
	}
}
