#!/usr/bin/env bash
# Issue 15, register import: `alliance import people` of a CSV file (default
# 50,000 rows), the whole command (records, search keys and documents, audit)
# until every person is searchable, beside the engine's own bulk load of the
# same file into a plain table, timed in the same run:
#   1. BenchmarkImportPeople (Go): rows/s, floor-rows/s, x-floor, peak-MiB on
#      SQLite and, when ALLIANCE_TEST_POSTGRES_URL is set, PostgreSQL;
#   2. the real command under /usr/bin/time -v (wall, CPU, peak resident
#      memory) against `sqlite3 .import` and `psql \copy` of the same file.
# Rows: BENCH_IMPORT_ROWS (default 50000). To time another build of the
# command beside this one (e.g. the code before issue 15), set
# BENCH_IMPORT_OLD_BIN to its binary; BENCH_IMPORT_SKIP_GO=1 skips step 1. Run it on a quiet machine: figures are
# noisy under load, the ratios less so (the load average is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${BENCH_IMPORT_ROWS:-50000}
pg=${ALLIANCE_TEST_POSTGRES_URL:-}
work=$(mktemp -d)
schemas=()
cleanup() {
  for s in "${schemas[@]}"; do psql "$pg" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "${BENCH_IMPORT_SKIP_GO:-}" ]; then
  echo "== BenchmarkImportPeople, $rows rows (whole import, indexing included, against the bare bulk load in the same run)"
  ALLIANCE_BENCH_IMPORT_ROWS=$rows go test -run '^$' -bench 'BenchmarkImportPeople' -benchtime 1x -timeout 1h ./internal/service/ |
    grep -E '^(Benchmark|ok)|register_import_bench_test'
fi

echo "== build"
CGO_ENABLED=0 go build -o "$work/alliance" ./cmd/alliance
bins=("new=$work/alliance")
if [ -n "${BENCH_IMPORT_OLD_BIN:-}" ]; then bins+=("old=$BENCH_IMPORT_OLD_BIN"); fi

awk -v n="$rows" 'BEGIN { srand(1); print "name,aliases,dob,gender";
  split("Jordan Kyle Ann Bob Chloe Daniel Emma Liam Olivia Noah Amelia Jack Isla Harry", f, " ");
  split("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Khan Patel", l, " ");
  for (i = 0; i < n; i++) printf "%s %s,%s,%02d/%02d/%d,male\n", f[1+int(rand()*14)], l[1+int(rand()*12)],
    (i % 2 ? "" : f[1+int(rand()*14)] " " l[1+int(rand()*12)]), 1+int(rand()*28), 1+int(rand()*12), 1960+int(rand()*48) }' > "$work/people.csv"
cols="(name text, aliases text, dob text, gender text)"

# timed LABEL FLOOR_SECONDS COMMAND...: runs the command under /usr/bin/time -v
# and prints wall, CPU, peak RSS, rows/s and the ratio to the floor.
timed() {
  local label=$1 floor=$2; shift 2
  /usr/bin/time -v "$@" > "$work/out" 2> "$work/time" || { cat "$work/out" "$work/time"; return 1; }
  awk -v label="$label" -v floor="$floor" -v rows="$rows" -v ld="$(cut -d' ' -f1 /proc/loadavg)" '
    /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); wall = (n == 3 ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2]) }
    /User time/ { user = $NF } /System time/ { sys = $NF } /Maximum resident set size/ { rss = $NF / 1024 }
    END { printf "%-22s %6.2f s wall (%5.2f s CPU), %7.0f rows/s, peak RSS %4.0f MiB; floor %.3f s: %.3fx the floor (load %s)\n",
      label, wall, user + sys, rows / wall, rss, floor, floor / wall, ld }' "$work/time"
}

seconds() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N); awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }'; }

echo "== SQLite: alliance import people, $rows rows, into the demo database"
"$work/alliance" demo --db "$work/demo.db" --log-level warn > /dev/null
sqlite3 "$work/plain.db" "CREATE TABLE people $cols"
floor=$(seconds sqlite3 "$work/plain.db" ".import --csv --skip 1 $work/people.csv people")
echo "sqlite3 .import into a plain table: $floor s ($(awk -v r="$rows" -v f="$floor" 'BEGIN { printf "%.0f", r / f }') rows/s)"
for b in "${bins[@]}"; do
  name=${b%%=*} bin=${b#*=}
  cp "$work/demo.db" "$work/$name.db" && cp "$work/demo.db.key" "$work/$name.db.key"
  timed "sqlite $name" "$floor" "$bin" import people "$work/people.csv" --db "$work/$name.db" --partnership north-yorkshire \
    --as analyst@nyp.example --stats --log-level warn
done

if [ -z "$pg" ]; then
  echo "== PostgreSQL skipped: set ALLIANCE_TEST_POSTGRES_URL"
  exit 0
fi
echo "== PostgreSQL: alliance import people, $rows rows, into the demo database (a new schema each)"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/pg.key"
export ALLIANCE_SECRET_KEY_FILE="$work/pg.key"
sep='?'; case "$pg" in *\?*) sep='&' ;; esac
plain="bench_import_plain_$$"
schemas+=("$plain")
psql "$pg" -qc "CREATE SCHEMA $plain; CREATE TABLE $plain.people $cols"
floor=$(seconds psql "$pg" -qc "\\copy $plain.people FROM '$work/people.csv' WITH (FORMAT csv, HEADER true)")
echo "psql \\copy into a plain table: $floor s ($(awk -v r="$rows" -v f="$floor" 'BEGIN { printf "%.0f", r / f }') rows/s)"
for b in "${bins[@]}"; do
  name=${b%%=*} bin=${b#*=}
  schema="bench_import_${name}_$$"
  schemas+=("$schema")
  psql "$pg" -qc "CREATE SCHEMA $schema"
  url="$pg${sep}search_path=$schema"
  "$bin" demo --db "$url" --log-level warn > /dev/null
  timed "postgres $name" "$floor" "$bin" import people "$work/people.csv" --db "$url" --partnership north-yorkshire \
    --as analyst@nyp.example --stats --log-level warn
done
