#!/usr/bin/env bash
# Information report search and the triage queue at 1,000,000 reports and
# 200,000 submissions (2,000 waiting) on SQLite and (when
# ALLIANCE_TEST_POSTGRES_URL is set) PostgreSQL: p50, p95 and p99 of the
# service beside the bare SQL query of the same page timed in the same loop,
# and their ratio (x-bare). The data set is built once (about 3 minutes on
# SQLite, longer on PostgreSQL) and cached in $ALLIANCE_BENCH_CACHE (SQLite)
# or a schema of the test database (PostgreSQL). Sizes:
# ALLIANCE_BENCH_REPORTS, _SUBMISSIONS, _OPEN; runs: BENCH_RUNS (default 240).
set -euo pipefail
cd "$(dirname "$0")/.."
export ALLIANCE_BENCH_CACHE=${ALLIANCE_BENCH_CACHE:-${TMPDIR:-/tmp}/alliance-bench}
echo "== report search and triage over ${ALLIANCE_BENCH_REPORTS:-1000000} reports; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench 'BenchmarkReportSearch$|BenchmarkTriage$' -benchtime "${BENCH_RUNS:-240}x" -timeout 3h ./internal/service/ |
  grep -E '^(Benchmark|ok|    reports_bench)'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
