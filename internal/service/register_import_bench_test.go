package service_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// writePeopleCSV writes n people a register import takes: a name, an alias
// for every other person, a date of birth and a gender.
func writePeopleCSV(tb testing.TB, path string, n int) {
	tb.Helper()
	first := []string{"Jordan", "Kyle", "Ann", "Bob", "Chloe", "Daniel", "Emma", "Liam", "Olivia", "Noah", "Amelia", "Jack", "Isla", "Harry",
		"Mia", "Oscar", "Sophie", "Leo", "Grace", "Charlie", "Mohammed", "Aisha", "Connor", "Siobhan", "Tomasz", "Agnieszka"}
	last := []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans",
		"Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "O'Neill", "Nowak", "Khan", "Patel", "McDonald", "Brennan"}
	genders := []string{"male", "female", ""}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintln(w, "name,aliases,dob,gender")
	for i := range n {
		alias := ""
		if i%2 == 0 {
			alias = first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
		}
		fmt.Fprintf(w, "%s %s,%s,%02d/%02d/%d,%s\n", first[r.IntN(len(first))], last[r.IntN(len(last))], alias,
			1+r.IntN(28), 1+r.IntN(12), 1960+r.IntN(48), genders[r.IntN(3)])
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImportPeople imports 100,000 people from one CSV file through
// the Importer (parse, check, entity + aliases + flags, audit) on
// each engine, and in the same run times the sqlite3 shell's .import of
// the same file into a plain table, reporting how many times slower the
// register import is. Set ALLIANCE_BENCH_IMPORT_ROWS to change the size.
func BenchmarkImportPeople(b *testing.B) {
	n := 100000
	if v := os.Getenv("ALLIANCE_BENCH_IMPORT_ROWS"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			b.Fatalf("ALLIANCE_BENCH_IMPORT_ROWS: %v", err)
		}
	}
	path := filepath.Join(b.TempDir(), "people.csv")
	writePeopleCSV(b, path, n)
	var cli time.Duration
	if sqlite3, err := exec.LookPath("sqlite3"); err != nil {
		b.Logf("sqlite3 .import comparison skipped: no sqlite3 shell on PATH (%v)", err)
	} else {
		db := filepath.Join(b.TempDir(), "plain.db")
		if out, err := exec.Command(sqlite3, db, "CREATE TABLE people (name text, aliases text, dob text, gender text)").CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v %s", err, out)
		}
		start := time.Now()
		if out, err := exec.Command(sqlite3, db, ".import --csv --skip 1 "+path+" people").CombinedOutput(); err != nil {
			b.Fatalf("sqlite3 .import: %v %s", err, out)
		}
		cli = time.Since(start)
		b.Logf("sqlite3 .import of %d rows into a plain table: %v (%.0f rows/s)", n, cli, float64(n)/cli.Seconds())
	}
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			f := newImportFixture(b, e)
			ctx := context.Background()
			rows := 0
			var indexing time.Duration
			for b.Loop() {
				file, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				res, err := f.im.Import(ctx, f.actors["analyst"], importexport.KindPeople, importexport.CSV, file, service.ImportOptions{Marking: official})
				file.Close()
				if err != nil || res.Stored != n {
					b.Fatalf("got %d stored, %v %v", res.Stored, err, res.Problems)
				}
				rows += n
				// The search index follows the import: time it apart.
				b.StopTimer()
				start := time.Now()
				if got, err := service.NewSearchIndexer(f.st, nil).Drain(ctx); err != nil || got != n {
					b.Fatalf("got %d indexed, %v, want %d", got, err, n)
				}
				indexing += time.Since(start)
				b.StartTimer()
			}
			perRow := b.Elapsed() / time.Duration(rows)
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows)/indexing.Seconds(), "indexed/s")
			b.ReportMetric(float64(rows)/(b.Elapsed()+indexing).Seconds(), "searchable/s")
			if cli > 0 {
				b.ReportMetric(float64(perRow*time.Duration(n))/float64(cli), "x-sqlite3-import")
			}
		})
	}
}
