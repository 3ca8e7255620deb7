package service_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/generate"
	"alliance/internal/match"
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
			// VACUUM as well as ANALYZE: until the freshly written pages
			// are marked all-visible, every posting an index-only scan of
			// search_key reads costs a heap fetch too.
			if _, err := st.Reader().ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
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
// the 50th, 95th and 99th percentiles beside a bare floor timed in the
// same loop, and the recall of the name-variant set. The target is p95
// under 25 ms.
//
// The floor is the least an engine does to answer a search with a page:
// one statement through the same connection pool that reads the first 20
// postings of the query's most selective key from the search_key index
// and the 20 records they point to (no policy, no ranking, no audit
// entry). x-floor is p95 over the floor's p95. cand-p50/p95 time the
// store's candidate statements alone (no ranking, queue count or audit
// entry; two rounds of the queries after the timed loop), so what is left
// of p50 is the service's share, mostly the consultation entry. cpu-ms/op is this process's processor time per
// search (on PostgreSQL the server's is not in it): on a shared machine a
// steadier measure of the work than the wall times.
//
// Recall: the 40 people of TestSearchQuality are added to the register
// (once; later runs find them) and looked for by their 68 name variants
// among the million: recall-top3 is the share found in the first three
// results, recall-page1 in the first page.
func BenchmarkSearch(b *testing.B) {
	people, groups := benchSizes()
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			st := benchStore(b, e, people, groups)
			w := newSearchWorld(b, st)
			ids := benchQualityTargets(b, st, w)
			ctx := context.Background()
			for _, q := range benchQueries { // warm the caches
				if _, err := w.svc.Search(ctx, w.analyst, q, 1); err != nil {
					b.Fatalf("%+v: %v", q, err)
				}
				benchFloor(b, st, w, q)
			}
			grants, err := st.RoleGrants(ctx)
			if err != nil {
				b.Fatal(err)
			}
			policy := authz.New(grants)
			var ds, fs, cs []time.Duration
			var cpu time.Duration
			found := 0
			b.ResetTimer()
			i := 0
			for b.Loop() {
				q := benchQueries[i%len(benchQueries)]
				i++
				c0 := cpuTime(b)
				t0 := time.Now()
				res, err := w.svc.Search(ctx, w.analyst, q, 1)
				ds = append(ds, time.Since(t0))
				cpu += cpuTime(b) - c0
				if err != nil {
					b.Fatalf("%+v: %v", q, err)
				}
				if len(res.Items) > 0 {
					found++
				}
				t0 = time.Now()
				benchFloor(b, st, w, q)
				fs = append(fs, time.Since(t0))
			}
			b.StopTimer()
			// The store's share, timed apart so that the loop above times
			// what it always did: each candidate search follows a search
			// (untimed) that wrote its consultation entry, as a search's
			// own candidate statements do.
			for i := range 2 * len(benchQueries) {
				q := benchQueries[i%len(benchQueries)]
				if _, err := w.svc.Search(ctx, w.analyst, q, 1); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				benchCandidates(b, st, policy, w, q)
				cs = append(cs, time.Since(t0))
			}
			rec := benchRecall(b, w, ids)
			pct := func(ds []time.Duration, p int) float64 {
				sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
				return float64(ds[min(len(ds)*p/100, len(ds)-1)].Microseconds()) / 1000
			}
			b.ReportMetric(pct(ds, 50), "p50-ms")
			b.ReportMetric(pct(ds, 95), "p95-ms")
			b.ReportMetric(pct(ds, 99), "p99-ms")
			b.ReportMetric(pct(ds, 100), "max-ms")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
			b.ReportMetric(pct(cs, 50), "cand-p50-ms")
			b.ReportMetric(pct(cs, 95), "cand-p95-ms")
			b.ReportMetric(pct(fs, 50), "floor-p50-ms")
			b.ReportMetric(pct(fs, 95), "floor-p95-ms")
			b.ReportMetric(pct(ds, 95)/pct(fs, 95), "x-floor")
			b.ReportMetric(float64(found)/float64(len(ds)), "found/op")
			b.ReportMetric(100*rec.top3, "recall-top3-%")
			b.ReportMetric(100*rec.page1, "recall-page1-%")
			b.ReportMetric(100*rec.dob3, "recall-dob-top3-%")
			b.ReportMetric(100*rec.tied3, "recall-ranked-top3-%")
		})
	}
}

// benchQuery is what BenchmarkSearch's query q asks of the store.
func benchQuery(q service.SearchInput) match.Query {
	var dob *time.Time
	if d, ok := domain.ParseDay(q.DOB); ok {
		dob = &d
	}
	return match.NewQuery(q.Text, dob)
}

// benchCandidates runs the store's part of query q alone (the candidate
// statements, without ranking, the queue count or the audit entry), so
// that the service's share can be told from the store's.
func benchCandidates(b *testing.B, st *store.Store, policy authz.Policy, w *searchWorld, q service.SearchInput) {
	b.Helper()
	mq := benchQuery(q)
	f := store.SearchFilter{Keys: mq.Keys(), Groups: true}
	if q.Text != "" {
		f.FullText = mq.FullText()
	}
	if _, err := st.SearchCandidates(context.Background(), policy, w.analyst, f); err != nil {
		b.Fatal(err)
	}
}

// benchFloor runs the bare floor of query q (see BenchmarkSearch): the
// first 20 records of its most selective key, in one statement.
func benchFloor(b *testing.B, st *store.Store, w *searchWorld, q service.SearchInput) {
	b.Helper()
	k := benchQuery(q).Keys()
	key := ""
	for _, ks := range [][]string{k.Exact, k.Pair, k.Initial, k.Token, k.Fuzzy} {
		if len(ks) > 0 {
			key = ks[0]
			break
		}
	}
	rows, err := st.Reader().QueryContext(context.Background(), `SELECT e.id, e.reference, e.name, e.dob FROM search_key k
		JOIN entity e ON e.id = k.record_id WHERE k.partnership_id = $1 AND k.key = $2 LIMIT 20`, w.pid, key)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ref, name string
		var d sql.NullString
		if err := rows.Scan(&id, &ref, &name, &d); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

// benchQualityTargets adds the people of TestSearchQuality to the
// benchmark's register the first time (they take the references P-000001
// onwards, the generated people having PS- ones) and returns their IDs.
func benchQualityTargets(b *testing.B, st *store.Store, w *searchWorld) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, len(qualityTargets))
	for i, p := range qualityTargets {
		err := st.Reader().QueryRowContext(ctx, `SELECT CAST(id AS text) FROM entity WHERE partnership_id = $1 AND kind = 'person' AND name = $2
			AND reference NOT LIKE 'PS-%'`, w.pid, p.name).Scan(&ids[i])
		if errors.Is(err, sql.ErrNoRows) {
			ids[i] = insertPerson(b, st, w, p, domain.Marking{}).ID
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// recall is what benchRecall found: the shares of the name variants of
// TestSearchQuality for which the person meant was in the first three
// results (top3), on the first page (page1), among the first three when
// the variant is searched with the person's date of birth (dob3), and
// ranked among the first three by score (tied3: fewer than three results
// score above the person's own score, so the ranking put no worse match
// first; at a million people most variants have namesakes whose names match
// them better, which no ranker can tell from the person meant without the
// date of birth).
type recall struct{ top3, page1, dob3, tied3 float64 }

// benchRecall looks for the people of TestSearchQuality (ids) by their
// name variants, with and without their dates of birth, and logs each
// miss with the target's place and how many results outscored it.
func benchRecall(b *testing.B, w *searchWorld, ids []string) recall {
	b.Helper()
	ctx := context.Background()
	var r recall
	// all returns every ranked result of in (every page).
	all := func(in service.SearchInput) []service.SearchResult {
		var out []service.SearchResult
		for page := 1; ; page++ {
			res, err := w.svc.Search(ctx, w.analyst, in, page)
			if err != nil {
				b.Fatalf("%+v: %v", in, err)
			}
			out = append(out, res.Items...)
			if page >= res.Pages {
				return out
			}
		}
	}
	place := func(items []service.SearchResult, id string) int {
		for i, it := range items {
			if it.ID == id {
				return i
			}
		}
		return -1
	}
	for _, q := range qualityQueries {
		target := qualityTargets[q.want]
		items := all(service.SearchInput{Text: q.text, DOB: q.dob})
		pos := place(items, ids[q.want])
		var dob *time.Time
		if d, ok := domain.ParseDay(q.dob); ok {
			dob = &d
		}
		own := match.NewQuery(q.text, dob).Score(match.Candidate{Names: append(append([]string{target.name}, target.aliases...), target.nicknames...)}).Score
		better := 0
		for _, it := range items {
			if it.Score > own+1e-9 && it.ID != ids[q.want] {
				better++
			}
		}
		if better < 3 {
			r.tied3++
		}
		if pos >= 0 && pos < service.SearchPerPage {
			r.page1++
		}
		if pos >= 0 && pos < 3 {
			r.top3++
		} else {
			var top []string
			for _, it := range items[:min(3, len(items))] {
				top = append(top, fmt.Sprintf("%s (%.3f)", it.Name, it.Score))
			}
			b.Logf("recall: %q: %q at %d of %d (own score %.3f), %d scored higher; top: %s", q.text, target.name, pos+1, len(items), own, better, strings.Join(top, ", "))
		}
		withDOB := all(service.SearchInput{Text: q.text, DOB: target.dob})
		if p := place(withDOB, ids[q.want]); p >= 0 && p < 3 {
			r.dob3++
		} else {
			b.Logf("recall: %q with %s: %q at %d of %d", q.text, target.dob, target.name, p+1, len(withDOB))
		}
	}
	n := float64(len(qualityQueries))
	return recall{top3: r.top3 / n, page1: r.page1 / n, dob3: r.dob3 / n, tied3: r.tied3 / n}
}
