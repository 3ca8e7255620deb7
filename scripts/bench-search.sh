#!/usr/bin/env bash
# Register search, first page, at 1,000,000 people and 50,000 groups on
# SQLite and (when ALLIANCE_TEST_POSTGRES_URL is set) PostgreSQL: p50, p95
# and p99 of the service's search (candidates, ranking, the consultation
# entry in the audit log) beside a bare floor timed in the same loop (the
# first 20 records of the query's most selective key, one statement), their
# ratio (x-floor), processor time per search, and the recall of the 68 name
# variants of TestSearchQuality among the million (top 3 and first page).
# The data set is built once (about 12-25 minutes per engine) and cached in
# $ALLIANCE_BENCH_CACHE (SQLite) or a schema of the test database
# (PostgreSQL). Sizes: ALLIANCE_BENCH_SEARCH_PEOPLE, _GROUPS; searches per
# engine: BENCH_SEARCHES (default 480, 20 rounds of the 24 queries).
set -euo pipefail
cd "$(dirname "$0")/.."
export ALLIANCE_BENCH_CACHE=${ALLIANCE_BENCH_CACHE:-${TMPDIR:-/tmp}/alliance-bench}
echo "== register search over ${ALLIANCE_BENCH_SEARCH_PEOPLE:-1000000} people; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench 'BenchmarkSearch$' -benchtime "${BENCH_SEARCHES:-480}x" -timeout 3h ./internal/service/ |
  grep -E '^(Benchmark|ok|    search)'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
