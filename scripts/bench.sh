#!/usr/bin/env bash
# Benchmarks that anyone can rerun:
#   1. Go benchmarks (store bulk insert, whole page requests, register search
#      over 1M people and 50k groups) on SQLite and, when
#      ALLIANCE_TEST_POSTGRES_URL is set, PostgreSQL;
#   2. start-up time of `serve --demo` on an empty database and of `serve` on
#      an existing one;
#   3. `alliance generate` at benchmark scale, with its peak memory;
#   4. the loopback load driver against `serve` on that database, with the
#      server's peak resident memory sampled during the run.
#   5. the heavy paths of issue 15, each beside its bare floor timed in the
#      same run (BENCH_SCALE=0 skips them): import, search, audit verify and
#      the entry per read, the dashboard, start-up; see each script's header.
# Sizes: BENCH_USERS users per partnership (default 2000: 90,000 users
# across 45 partnerships), BENCH_DURATION per endpoint (default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${BENCH_USERS:-2000}
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d)
trap 'if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
port=${BENCH_PORT:-18080}

echo "== Go benchmarks"
go test -run '^$' -bench . -benchtime 2s ./internal/store/ ./internal/app/ | grep -E '^(Benchmark|ok)'

echo "== register search (first page) and an OCG page with 30 members, over 1,000,000 people and 50,000 groups (built once, cached in \$ALLIANCE_BENCH_CACHE)"
ALLIANCE_BENCH_CACHE=${ALLIANCE_BENCH_CACHE:-${TMPDIR:-/tmp}/alliance-bench} \
  go test -run '^$' -bench 'BenchmarkSearch|BenchmarkOCGPage' -benchtime 480x -timeout 2h ./internal/service/ | grep -E '^(Benchmark|ok|    search)'

echo "== performance dashboard over 1,000,000 disruptions and 3,000,000 outcomes in 45 partnerships, against the bare SQL aggregate (built once, cached)"
ALLIANCE_BENCH_CACHE=${ALLIANCE_BENCH_CACHE:-${TMPDIR:-/tmp}/alliance-bench} \
  go test -run '^$' -bench 'BenchmarkPerformance' -benchtime 200x -timeout 2h ./internal/service/ | grep -E '^(Benchmark|ok)'

echo "== build"
CGO_ENABLED=0 go build -o "$work/alliance" ./cmd/alliance
bin="$work/alliance"

echo "== register import: 100,000 people from CSV on each engine, against sqlite3's .import of the same file"
go test -run '^$' -bench BenchmarkImportPeople -benchtime 1x ./internal/service/ | grep -E '^(Benchmark|ok)|sqlite3'
echo "== register import memory: 1,000,000 people from CSV through the command line (peak resident memory)"
awk 'BEGIN { srand(1); print "name,aliases,dob,gender";
  split("Jordan Kyle Ann Bob Chloe Daniel Emma Liam Olivia Noah Amelia Jack Isla Harry", f, " ");
  split("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Khan Patel", l, " ");
  for (i = 0; i < 1000000; i++) printf "%s %s,%s,%02d/%02d/%d,male\n", f[1+int(rand()*14)], l[1+int(rand()*12)],
    (i % 2 ? "" : f[1+int(rand()*14)] " " l[1+int(rand()*12)]), 1+int(rand()*28), 1+int(rand()*12), 1960+int(rand()*48) }' > "$work/people1m.csv"
"$bin" demo --db "$work/import.db" --log-level warn >/dev/null
"$bin" import people "$work/people1m.csv" --db "$work/import.db" --partnership north-yorkshire --as analyst@nyp.example --stats --log-level warn
rm -f "$work"/import.db*

wait_ready() { # file: wait until serve prints its ready line
  for _ in $(seq 1 600); do grep -q 'Alliance is ready' "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "server did not start:"; cat "$1"; return 1
}

echo "== start-up"
t0=$(date +%s%N)
"$bin" serve --demo --db "$work/demo.db" --addr 127.0.0.1:$port --log-level warn > "$work/demo.out" 2>&1 & server=$!
wait_ready "$work/demo.out"; t1=$(date +%s%N)
kill -TERM $server; wait $server || true
echo "serve --demo on an empty database: ready in $(( (t1 - t0) / 1000000 )) ms (wall clock, process start to ready)"
t0=$(date +%s%N)
"$bin" serve --demo --db "$work/demo.db" --addr 127.0.0.1:$port --log-level warn > "$work/demo2.out" 2>&1 & server=$!
wait_ready "$work/demo2.out"; t1=$(date +%s%N)
kill -TERM $server; wait $server || true
echo "serve on an existing database: ready in $(( (t1 - t0) / 1000000 )) ms"

echo "== generate (the demo, then 45 synthetic partnerships, $users users each)"
"$bin" demo --db "$work/bench.db" --log-level warn >/dev/null
"$bin" generate --db "$work/bench.db" --users "$users" --log-level warn 2>/dev/null
ls -l "$work/bench.db" | awk '{printf "database file: %.0f MiB\n", $5/1048576}'
token=$("$bin" token create --db "$work/bench.db" --user analyst@nyp.example --scopes read --purpose "Load benchmark" --log-level warn 2>/dev/null)

echo "== load: serve on the benchmark-scale database (pages as a signed-in demo analyst, API with a token)"
"$bin" serve --db "$work/bench.db" --addr 127.0.0.1:$port --log-level warn > "$work/serve.out" 2>&1 & server=$!
wait_ready "$work/serve.out"

( while kill -0 $server 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' /proc/$server/status 2>/dev/null || echo 0)
    echo "$rss"; sleep 0.2
  done ) > "$work/rss.txt" &
sampler=$!
"$bin" loadtest --url http://127.0.0.1:$port --duration "$duration" --concurrency 16 \
  --email analyst@nyp.example --password alliance-demo-partnership \
  --paths "/,/areas,/areas/E07000163,/agencies,/reports,/account"
"$bin" loadtest --url http://127.0.0.1:$port --duration "$duration" --concurrency 16 --token "$token" \
  --paths "/api/v1/areas,/api/v1/areas?level=ward,/api/v1/reports"
echo "== sign-in storm: 100 failed sign-ins a second against ordinary pages"
"$bin" loadtest --url http://127.0.0.1:$port --duration 30s --concurrency 8 --storm-rate 100 \
  --email analyst@nyp.example --password alliance-demo-partnership --paths "/,/areas,/reports"
kill $sampler 2>/dev/null || true
peak=$(sort -n "$work/rss.txt" | tail -n 1)
echo "serve peak resident memory during the load: $(( peak / 1024 )) MiB"
kill -TERM $server; wait $server || true
server=

if [ "${BENCH_SCALE:-1}" = 1 ]; then
  # The scripts take the PostgreSQL database under either name.
  export ALLIANCE_BENCH_POSTGRES_URL=${ALLIANCE_BENCH_POSTGRES_URL:-${ALLIANCE_TEST_POSTGRES_URL:-}}
  if [ -n "$ALLIANCE_BENCH_POSTGRES_URL" ]; then export ALLIANCE_TEST_POSTGRES_URL=${ALLIANCE_TEST_POSTGRES_URL:-$ALLIANCE_BENCH_POSTGRES_URL}; fi
  for part in import search audit-speed performance; do
    echo "== issue 15: scripts/bench-$part.sh"
    "scripts/bench-$part.sh"
  done
  # Start-up empties the public schema of the database it is given, so it
  # runs on PostgreSQL only with one named for it.
  echo "== issue 15: scripts/bench-startup.sh"
  ALLIANCE_BENCH_POSTGRES_URL="${BENCH_STARTUP_POSTGRES_URL:-}" scripts/bench-startup.sh
fi
