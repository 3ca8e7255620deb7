package audit_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// BenchmarkVerify measures audit verify over a 200,000-entry chain;
// entries/s is the figure the issue asks for (over 200,000 a second).
func BenchmarkVerify(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := storetest.Open(b, e, store.Options{})
			l := audit.NewLog(s.Now, s.NewID, key)
			var a domain.Actor
			ctx := context.Background()
			err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				p := domain.Partnership{Slug: "b", Name: "B"}
				if err := s.InsertPartnership(ctx, tx, &p); err != nil {
					return err
				}
				a = domain.Actor{UserID: s.NewID(), DisplayName: "Ann Analyst", PartnershipID: p.ID, AgencyID: s.NewID(), AgencyName: "North Yorkshire Police"}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			n := benchEntries()
			for done := 0; done < n; done += 10000 {
				batch := min(10000, n-done)
				err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					for i := 0; i < batch; i++ {
						if _, err := l.Append(ctx, tx, a, audit.Meta{RequestID: "0123456789abcdef01234567", ClientAddr: "192.0.2.10"}, audit.Entry{
							Operation: audit.Consultation, RecordType: "info_report", RecordIDs: []string{s.NewID()}, Label: fmt.Sprintf("IR-2026-%06d", i),
							Justification: "Tasking or briefing: Op Ember"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				rep, err := audit.Verify(ctx, s.Reader(), key.Public().(ed25519.PublicKey))
				if err != nil || !rep.OK() || rep.Entries != int64(n) {
					b.Fatalf("verify: %v %+v", err, rep.Problems)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// benchEntries is the chain length: 200,000, or ALLIANCE_BENCH_AUDIT_ENTRIES.
func benchEntries() int {
	if v, err := strconv.Atoi(os.Getenv("ALLIANCE_BENCH_AUDIT_ENTRIES")); err == nil && v > 0 {
		return v
	}
	return 200000
}

// BenchmarkAppendTransaction measures one transaction that appends one
// entry, as a web request does: the head's signature is checked and the new
// head signed once per transaction, which this includes.
func BenchmarkAppendTransaction(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := storetest.Open(b, e, store.Options{})
			l := audit.NewLog(s.Now, s.NewID, key)
			a, _ := seed(b, s)
			ctx := context.Background()
			for b.Loop() {
				err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					_, err := l.Append(ctx, tx, a, audit.Meta{RequestID: "0123456789abcdef01234567", ClientAddr: "192.0.2.10"}, audit.Entry{
						Operation: audit.Consultation, RecordType: "info_report", RecordIDs: []string{"r"}, Label: "IR-2026-000001", Justification: "Tasking"})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyLog measures Verify over a whole log made by `alliance
// generate --audit N` (scripts/bench-audit-speed.sh makes one of 1,000,556
// entries in 46 chains on each engine), named by ALLIANCE_BENCH_DB, with its
// key in ALLIANCE_BENCH_KEY_FILE (or beside a SQLite file); it skips
// otherwise. Each iteration also runs the floor, the bare SELECT of the
// same rows in chain order (orderedRead), so entries/s, floor-entries/s and
// their ratio x-floor come from the same run; the peaks are the memory
// while verifying.
func BenchmarkVerifyLog(b *testing.B) {
	dsn := os.Getenv("ALLIANCE_BENCH_DB")
	if dsn == "" {
		b.Skip("set ALLIANCE_BENCH_DB to a database made by scripts/bench-audit-speed.sh")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DSN: dsn, Existing: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pub := audit.SigningKey(benchSecret(b, dsn)).Public().(ed25519.PublicKey)
	var verifyTime, floorTime time.Duration
	var entries int64
	mem := &peakMemory{}
	for b.Loop() {
		// Verify first, so that with -benchtime 1x the memory it needs is
		// measured in a process that has read nothing yet.
		m := startPeakMemory()
		t0 := time.Now()
		rep, err := audit.Verify(ctx, s.Reader(), pub)
		verifyTime += time.Since(t0)
		m.finish()
		mem.merge(m)
		t0 = time.Now()
		n, ferr := orderedRead(ctx, s.Reader())
		floorTime += time.Since(t0)
		if err != nil || ferr != nil || !rep.OK() || rep.Entries != n {
			b.Fatalf("verify: %d entries (read %d), %v %v %v", rep.Entries, n, err, ferr, rep.Problems)
		}
		entries += n
	}
	mem.report(b)
	b.ReportMetric(float64(entries)/float64(b.N), "entries")
	b.ReportMetric(float64(entries)/verifyTime.Seconds(), "entries/s")
	b.ReportMetric(float64(entries)/floorTime.Seconds(), "floor-entries/s")
	b.ReportMetric(verifyTime.Seconds()/floorTime.Seconds(), "x-floor")
}
