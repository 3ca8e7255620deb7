package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// peakMemory samples the process's memory every few milliseconds while a
// benchmark runs: the Go heap in use, what the Go runtime holds from the
// system, and the resident set (which also counts what the SQLite driver
// allocates outside the Go heap and the pages of the database file it maps).
type peakMemory struct {
	stop          chan struct{}
	done          sync.WaitGroup
	mu            sync.Mutex
	heap, sys, rs uint64
}

func startPeakMemory() *peakMemory {
	runtime.GC()
	p := &peakMemory{stop: make(chan struct{})}
	p.sample()
	p.done.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.sample()
			}
		}
	})
	return p
}

func (p *peakMemory) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss := residentBytes()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.heap, p.sys, p.rs = max(p.heap, m.HeapInuse), max(p.sys, m.Sys), max(p.rs, rss)
}

// finish stops the sampling.
func (p *peakMemory) finish() {
	close(p.stop)
	p.done.Wait()
	p.sample()
}

// merge keeps the higher of p's and q's peaks.
func (p *peakMemory) merge(q *peakMemory) {
	p.heap, p.sys, p.rs = max(p.heap, q.heap), max(p.sys, q.sys), max(p.rs, q.rs)
}

// report reports the peaks in MB.
func (p *peakMemory) report(b *testing.B) {
	b.ReportMetric(float64(p.heap)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(p.sys)/1e6, "peak-gosys-MB")
	if p.rs > 0 {
		b.ReportMetric(float64(p.rs)/1e6, "peak-rss-MB")
	}
}

// residentBytes is the process's resident set from /proc (0 where there
// is none).
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return pages * uint64(os.Getpagesize())
}

// orderedRead is the floor verify is measured against: the bare SELECT of
// every entry's hashed columns in chain order, each row scanned as raw
// bytes and dropped, through the same driver, with no Alliance code. It
// returns the number of rows.
func orderedRead(ctx context.Context, db *sql.DB) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, at_us, actor_id, actor_name, agency_id, agency_name, operation,
		record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash
		FROM audit_event ORDER BY partnership_id, seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var seq, at int64
	var c [16]sql.RawBytes
	dest := []any{&seq, &at}
	for i := range c {
		dest = append(dest, &c[i])
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// benchSecret reads the secret key a benchmark database was written with:
// ALLIANCE_BENCH_KEY_FILE, or the key file beside a SQLite database.
func benchSecret(b testing.TB, dsn string) []byte {
	path := os.Getenv("ALLIANCE_BENCH_KEY_FILE")
	if path == "" {
		path = strings.TrimPrefix(dsn, "file:") + ".key"
	}
	raw, err := os.ReadFile(path) //nolint:gosec // the benchmark's operator names the file
	if err != nil {
		b.Fatalf("the key of %s: %v (set ALLIANCE_BENCH_KEY_FILE)", dsn, err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		b.Fatalf("key file %s: %v", path, err)
	}
	return k
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
