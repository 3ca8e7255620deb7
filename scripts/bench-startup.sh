#!/usr/bin/env bash
# Start-up of `serve --demo` on an empty database (process start to "ready":
# migrations, the demo load, the key check, the handler), the old build
# (OLD_REV, default 29849bb, the branch point of issue 15) against this tree,
# in the same run:
#   - on SQLite, and on PostgreSQL when ALLIANCE_BENCH_POSTGRES_URL names a
#     database the script may empty (its public schema is dropped and made
#     again before every start);
#   - quiet, and loaded: with two busy loops (`nice -n 0 sh -c 'while :; do
#     :; done'`) running for the duration, on top of whatever else runs;
#   - beside the bare floor: the engine itself making the same schema and
#     rows from a dump of the demo database (sqlite3 reading `.dump`, psql
#     -1 reading pg_dump's output), with no Alliance code;
# and then serve's peak resident memory while the load driver (`alliance
# loadtest`, as scripts/bench.sh runs it: pages as a signed-in analyst, the
# API with a token, a sign-in storm) runs against the demo database.
# Each figure is the median of BENCH_RUNS starts (default 3); the CPU time
# is the server's own (user + system) when it printed ready.
# OLD_BIN skips building the old binary; BENCH_DURATION is the load driver's
# time per endpoint (default 5s); BENCH_SKIP_LOAD=1 skips the memory part.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
old_rev=${OLD_REV:-29849bb}
duration=${BENCH_DURATION:-5s}
port=${BENCH_PORT:-18090}
pg=${ALLIANCE_BENCH_POSTGRES_URL:-}
work=$(mktemp -d)
busy=()
server=
cleanup() {
  for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# One key for every start, so PostgreSQL starts (which need one) and SQLite
# starts sign with the same key.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/key"
chmod 600 "$work/key"
export ALLIANCE_SECRET_KEY_FILE="$work/key"
tick=$(getconf CLK_TCK)

echo "== build (this tree, and $old_rev)"
CGO_ENABLED=0 go build -o "$work/new" ./cmd/alliance
if [ -n "${OLD_BIN:-}" ]; then
  cp "$OLD_BIN" "$work/old"
else
  git worktree add --detach -q "$work/oldsrc" "$old_rev"
  (cd "$work/oldsrc" && CGO_ENABLED=0 go build -o "$work/old" ./cmd/alliance)
  git worktree remove --force "$work/oldsrc"
fi

empty() { # db: make the database empty
  case "$1" in
    postgres*) psql "$1" -X -q -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' 2>/dev/null ;;
    *) rm -f "$1" "$1"-wal "$1"-shm "$1".key ;;
  esac
}

# start bin db: one start on an empty database; prints "wall_ms cpu_ms hwm_mib".
start() {
  empty "$2"
  local out="$work/serve.out" t0 t1 cpu hwm
  t0=$(date +%s%N)
  "$1" serve --demo --db "$2" --addr 127.0.0.1:$port --log-level warn > "$out" 2>&1 & server=$!
  for _ in $(seq 1 3000); do grep -q 'Alliance is ready' "$out" 2>/dev/null && break; sleep 0.02; done
  t1=$(date +%s%N)
  if ! grep -q 'Alliance is ready' "$out"; then echo "server did not start:" >&2; cat "$out" >&2; exit 1; fi
  cpu=$(awk '{print $14 + $15}' /proc/$server/stat)
  hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/$server/status)
  kill -TERM $server; wait $server || true; server=
  echo "$(( (t1 - t0) / 1000000 )) $(( cpu * 1000 / tick )) $hwm"
}

# floor db: the engine alone making the demo database's schema and rows
# from a dump of it, in one transaction; prints wall ms.
floor() {
  local t0 t1
  case "$1" in
    postgres*)
      # Only the public schema (tests may keep schemas of their own in the
      # same database); the dump makes the schema again itself.
      pg_dump --schema=public --no-owner --no-privileges "$1" > "$work/dump.sql"
      psql "$1" -X -q -c 'DROP SCHEMA public CASCADE' 2>/dev/null
      t0=$(date +%s%N); psql "$1" -X -q -1 -v ON_ERROR_STOP=1 -f "$work/dump.sql" > /dev/null; t1=$(date +%s%N) ;;
    *)
      sqlite3 "$1" .dump > "$work/dump.sql"
      rm -f "$work/floor.db"
      t0=$(date +%s%N); sqlite3 "$work/floor.db" < "$work/dump.sql"; t1=$(date +%s%N) ;;
  esac
  echo "$(( (t1 - t0) / 1000000 ))"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# measure engine db label: old and new, alternating, BENCH_RUNS times each,
# and the floor after each new start.
measure() {
  local engine=$1 db=$2 label=$3 i
  : > "$work/old.txt"; : > "$work/new.txt"; : > "$work/floor.txt"
  for i in $(seq 1 "$runs"); do
    start "$work/old" "$db" >> "$work/old.txt"
    start "$work/new" "$db" >> "$work/new.txt"
    floor "$db" >> "$work/floor.txt"
  done
  local fl ow oc oh nw nc nh
  fl=$(median < "$work/floor.txt")
  ow=$(cut -d' ' -f1 "$work/old.txt" | median); oc=$(cut -d' ' -f2 "$work/old.txt" | median); oh=$(cut -d' ' -f3 "$work/old.txt" | median)
  nw=$(cut -d' ' -f1 "$work/new.txt" | median); nc=$(cut -d' ' -f2 "$work/new.txt" | median); nh=$(cut -d' ' -f3 "$work/new.txt" | median)
  printf '%-10s %-7s old %6d ms (cpu %5d ms, peak %3d MiB)  new %6d ms (cpu %5d ms, peak %3d MiB)  floor %5d ms  new/floor %5.1fx  old/new %4.1fx  load %s\n' \
    "$engine" "$label" "$ow" "$oc" "$oh" "$nw" "$nc" "$nh" "$fl" "$(awk -v a="$nw" -v b="$fl" 'BEGIN {print a / (b > 0 ? b : 1)}')" \
    "$(awk -v a="$ow" -v b="$nw" 'BEGIN {print a / (b > 0 ? b : 1)}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  runs: old $(cut -d' ' -f1 "$work/old.txt" | tr '\n' ' ')/ new $(cut -d' ' -f1 "$work/new.txt" | tr '\n' ' ')/ floor $(tr '\n' ' ' < "$work/floor.txt")ms"
}

engines=("sqlite $work/demo.db")
if [ -n "$pg" ]; then engines+=("postgres $pg"); fi

echo "== serve --demo start-up on an empty database: median of $runs (wall clock, process start to ready)"
for e in "${engines[@]}"; do
  set -- $e
  measure "$1" "$2" quiet
  busy=()
  for _ in 1 2; do nice -n 0 sh -c 'while :; do :; done' & busy+=($!); done
  measure "$1" "$2" loaded
  for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done
  busy=()
done

if [ "${BENCH_SKIP_LOAD:-}" = 1 ]; then exit 0; fi
echo "== serve's peak resident memory under the load driver, on the demo database"
for e in "${engines[@]}"; do
  set -- $e
  for bin in old new; do
    empty "$2"
    "$work/$bin" demo --db "$2" --log-level warn > /dev/null
    token=$("$work/$bin" token create --db "$2" --user analyst@nyp.example --scopes read --purpose "Load benchmark" --log-level warn 2>/dev/null)
    "$work/$bin" serve --db "$2" --addr 127.0.0.1:$port --log-level warn > "$work/serve.out" 2>&1 & server=$!
    for _ in $(seq 1 3000); do grep -q 'Alliance is ready' "$work/serve.out" 2>/dev/null && break; sleep 0.02; done
    ( while kill -0 $server 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$server/status 2>/dev/null || true; sleep 0.2; done ) > "$work/rss.txt" &
    sampler=$!
    {
      "$work/new" loadtest --url http://127.0.0.1:$port --duration "$duration" --concurrency 16 \
        --email analyst@nyp.example --password alliance-demo-partnership --paths "/,/areas,/areas/E07000163,/agencies,/reports,/account"
      "$work/new" loadtest --url http://127.0.0.1:$port --duration "$duration" --concurrency 16 --token "$token" \
        --paths "/api/v1/areas,/api/v1/areas?level=ward,/api/v1/reports"
      "$work/new" loadtest --url http://127.0.0.1:$port --duration "$duration" --concurrency 8 --storm-rate 100 \
        --email analyst@nyp.example --password alliance-demo-partnership --paths "/,/areas,/reports"
    } > "$work/load-$bin.txt" 2>&1
    kill $sampler 2>/dev/null || true
    peak=$(sort -n "$work/rss.txt" | tail -n 1)
    hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/$server/status)
    kill -TERM $server; wait $server || true; server=
    printf '%-10s %s: serve peak resident memory during the load %d MiB (sampled every 0.2 s; VmHWM %d MiB); load %s\n' \
      "$1" "$bin" "$(( ${peak:-0} / 1024 ))" "$hwm" "$(cut -d' ' -f1-3 /proc/loadavg)"
    grep -v '^[[:space:]]*$' "$work/load-$bin.txt" | sed 's/^/    /' || true
  done
done
