package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"alliance/internal/generate"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// benchQueries are misspelt, swapped, nicknamed, transliterated and
// partial searches of the kind analysts type, with and without a date of
// birth, and a registration and a reference.
var benchQueries = []service.SearchInput{
	{Text: "Muhamad Khan"},
	{Text: "Jon Smyth"},
	{Text: "Sean O Neil"},
	{Text: "Lukasz Wojcik"},
	{Text: "Zoe Browne"},
	{Text: "Bill Robertson"},
	{Text: "Smith John"},
	{Text: "Siobhan Murphey"},
	{Text: "Mohammed Hussain", DOB: "14/03/1988"},
	{Text: "Katherine Mcdonald"},
	{Text: "Jo Wisniewski"},
	{Text: "Gurpreet Sandhu"},
	{Text: "Aleksandr Ivanov"},
	{Text: "Kwame Mensah"},
	{Text: "Jose Garcia"},
	{Text: "Yusef Ahmed"},
	{Text: "Chris Hughes Williams"},
	{Text: "Stephen Stevenson"},
	{Text: "Kowalski"},
	{Text: "Northside Crew"},
	{Text: "Operation Kestrel"},
	{Text: "PS-0123456"},
	{DOB: "22/11/1990"},
	{Text: "Moha"},
}

// benchSizes are the people and groups of the search benchmark: 1,000,000
// and 50,000, or ALLIANCE_BENCH_SEARCH_PEOPLE and _GROUPS.
func benchSizes() (int, int) {
	people, groups := 1000000, 50000
	if v, err := strconv.Atoi(os.Getenv("ALLIANCE_BENCH_SEARCH_PEOPLE")); err == nil && v > 0 {
		people = v
	}
	if v, err := strconv.Atoi(os.Getenv("ALLIANCE_BENCH_SEARCH_GROUPS")); err == nil && v >= 0 {
		groups = v
	}
	return people, groups
}

// benchStore opens the search benchmark's database on engine e, building
// it the first time: a SQLite file in ALLIANCE_BENCH_CACHE (default the
// system temporary directory), or a PostgreSQL schema in the test
// database, each named by the sizes so later runs reuse it.
func benchStore(b *testing.B, e storetest.Engine, people, groups int) *store.Store {
	b.Helper()
	ctx := context.Background()
	st := openBenchCache(b, e, fmt.Sprintf("search_%d_%d_v1", people, groups))
	w := newSearchWorld(b, st)
	var n int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM ocg WHERE partnership_id = $1`, w.pid).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n < groups || n == 0 {
		t0 := time.Now()
		stats, err := generate.Register(ctx, st, w.pid, w.police.ID, w.analystUser.ID, people, groups, 42)
		if err != nil {
			b.Fatal(err)
		}
		if e.Name == "postgres" {
			if _, err := st.Reader().ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: generated %d people, %d vehicles, %d phones, %d groups, %d aliases, %d links, %d search keys in %s",
			e.Name, stats.People, stats.Vehicles, stats.Phones, stats.Groups, stats.Aliases, stats.Links, stats.SearchKeys, time.Since(t0).Round(time.Second))
	}
	return st
}

// openBenchCache opens, migrated, the kept benchmark database called name
// on engine e: a SQLite file in ALLIANCE_BENCH_CACHE (default alliance-bench
// in the system temporary directory), or a schema of that name in the
// PostgreSQL test database. Later runs reuse what an earlier one built.
func openBenchCache(b *testing.B, e storetest.Engine, name string) *store.Store {
	b.Helper()
	ctx := context.Background()
	var dsn string
	switch e.Name {
	case "sqlite":
		dir := os.Getenv("ALLIANCE_BENCH_CACHE")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "alliance-bench")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		dsn = filepath.Join(dir, name+".db")
	default:
		base := os.Getenv(storetest.EnvPostgres)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+name); err != nil {
			b.Fatal(err)
		}
		admin.Close()
		dsn = base + "&search_path=" + name
	}
	st, err := store.Open(ctx, store.Options{DSN: dsn})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkSearch times the first page of a register search (candidates,
// ranking and the consultation log entry) for a mix of misspelt queries
// over 1,000,000 people and 50,000 groups, on each engine, and reports
// the median and 95th percentile. The target is p95 under 50 ms.
func BenchmarkSearch(b *testing.B) {
	people, groups := benchSizes()
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			st := benchStore(b, e, people, groups)
			w := newSearchWorld(b, st)
			ctx := context.Background()
			for _, q := range benchQueries { // warm the caches
				if _, err := w.svc.Search(ctx, w.analyst, q, 1); err != nil {
					b.Fatalf("%+v: %v", q, err)
				}
			}
			var ds []time.Duration
			found := 0
			b.ResetTimer()
			i := 0
			for b.Loop() {
				q := benchQueries[i%len(benchQueries)]
				i++
				t0 := time.Now()
				res, err := w.svc.Search(ctx, w.analyst, q, 1)
				ds = append(ds, time.Since(t0))
				if err != nil {
					b.Fatalf("%+v: %v", q, err)
				}
				if len(res.Items) > 0 {
					found++
				}
			}
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
			b.ReportMetric(ms(ds[len(ds)*95/100]), "p95-ms")
			b.ReportMetric(ms(ds[len(ds)-1]), "max-ms")
			b.ReportMetric(float64(found)/float64(len(ds)), "found/op")
		})
	}
}
