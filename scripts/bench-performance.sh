#!/usr/bin/env bash
# The performance dashboard at scale (decision 0026): BenchmarkPerformance
# over the 1,000,000-disruption benchmark database (45 partnerships, a
# regional one of five forces with a fifth of the disruptions, and a small
# one of about 46 validated a year), on SQLite and, when
# ALLIANCE_TEST_POSTGRES_URL is set, PostgreSQL. It prints, per engine:
#   build   the time to build the database (when this run built it);
#   rollup  the roll-up's cells per validated disruption and per outcome,
#           and the cells one regional year's dashboard reads at most;
#   partnership, regional, small (and the filtered views, no target):
#           p50 and p95 of the dashboard beside the p95 of the bare SQL
#           aggregate timed in the same run, and the ratio (x-bare).
# The database is cached in $ALLIANCE_BENCH_CACHE (SQLite) or a schema of
# that name (PostgreSQL); BENCH_REBUILD=1 deletes it first so the build is
# timed. BENCH_DISRUPTIONS sets the size (default 1,000,000), BENCH_TIMES
# the dashboards timed per case (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
export ALLIANCE_BENCH_CACHE=${ALLIANCE_BENCH_CACHE:-${TMPDIR:-/tmp}/alliance-bench}
size=${BENCH_DISRUPTIONS:-1000000}
name="perf_45_${size}_v5"
if [ "${BENCH_REBUILD:-0}" = 1 ]; then
  rm -f "$ALLIANCE_BENCH_CACHE/$name.db" "$ALLIANCE_BENCH_CACHE/$name.db-wal" "$ALLIANCE_BENCH_CACHE/$name.db-shm"
  if [ -n "${ALLIANCE_TEST_POSTGRES_URL:-}" ]; then
    psql "$ALLIANCE_TEST_POSTGRES_URL" -q -c "DROP SCHEMA IF EXISTS $name CASCADE"
  fi
fi
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ALLIANCE_BENCH_DISRUPTIONS=$size go test -v -run '^$' -bench 'BenchmarkPerformance$' -benchtime "${BENCH_TIMES:-200}x" -timeout 3h ./internal/service/ |
  grep --line-buffered -E '^(Benchmark.*-[0-9]+ |ok|FAIL|--- FAIL)|performance_bench_test'
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
