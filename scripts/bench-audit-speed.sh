#!/usr/bin/env bash
# Issue 15, the audit rows: `alliance audit verify` over a log of 1,000,556
# entries in 46 chains (the demo plus 45 generated partnerships of
# BENCH_AUDIT_PER entries), beside the bare read of the same rows in chain
# order, with peak memory; then the Go benchmarks: verify of the whole log
# and of one chain beside the ordered read, and the write of one read's
# entry (single reader, 8 and 32 concurrent readers) beside a bare
# INSERT+COMMIT. SQLite always; PostgreSQL too when ALLIANCE_BENCH_POSTGRES_URL
# names a database (a schema bench_audit_speed is made in it). Set
# OLD_COMMIT (e.g. 29849bb) to time that commit's `audit verify` on the same
# databases. BENCH_DIR keeps the databases between runs (BENCH_REUSE=1 reuses
# them). Takes 5-15 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
per=${BENCH_AUDIT_PER:-22223}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
pg=${ALLIANCE_BENCH_POSTGRES_URL:-}
CGO_ENABLED=0 go build -o "$work/alliance" ./cmd/alliance
bins=("$work/alliance")
if [ -n "${OLD_COMMIT:-}" ]; then
	old="$work/old-src"
	[ -d "$old" ] || git worktree add --detach "$old" "$OLD_COMMIT" >/dev/null
	(cd "$old" && CGO_ENABLED=0 go build -o "$work/alliance-old" ./cmd/alliance)
	bins+=("$work/alliance-old")
fi
cols="seq, at_us, actor_id, actor_name, agency_id, agency_name, operation, record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash"
uptime

# verify_with DB LABEL FLOOR_SECONDS: runs each binary's verify under
# /usr/bin/time and prints its rate, ratio to the floor and peak RSS.
verify_with() {
	local db=$1 label=$2 floor=$3
	for bin in "${bins[@]}"; do
		/usr/bin/time -f "%e %M" -o "$work/time.txt" nice -n 5 "$bin" audit verify --db "$db" --log-level warn >"$work/verify.txt"
		read -r secs rss <"$work/time.txt"
		grep -E '^Checked' "$work/verify.txt"
		awk -v l="$label" -v b="$(basename "$bin")" -v s="$secs" -v f="$floor" -v r="$rss" -v n="$(grep -oE '^Checked [0-9]+' "$work/verify.txt" | grep -oE '[0-9]+')" \
			'BEGIN { printf "%s %s: verify %.2f s (%.0f entries/s, whole command), ordered read %.2f s: %.2fx the floor; peak RSS %.0f MB\n", l, b, s, n/s, f, s/f, r/1024 }'
	done
}

sq="$work/audit-speed.db"
if [ "${BENCH_REUSE:-}" != 1 ] || [ ! -f "$sq" ]; then
	rm -f "$sq" "$sq-wal" "$sq-shm" "$sq.key"
	"$work/alliance" demo --db "$sq" --log-level warn
	"$work/alliance" generate --db "$sq" --users 100 --audit "$per" --log-level warn 2>/dev/null
fi
/usr/bin/time -f "%e" -o "$work/floor.txt" sqlite3 "$sq" "SELECT $cols FROM audit_event ORDER BY partnership_id, seq" >/dev/null
verify_with "$sq" sqlite "$(cat "$work/floor.txt")"

if [ -n "$pg" ]; then
	sep='?'; case "$pg" in *\?*) sep='&' ;; esac
	pgdb="$pg${sep}search_path=bench_audit_speed"
	export ALLIANCE_SECRET_KEY_FILE="$work/pg.key"
	[ -f "$ALLIANCE_SECRET_KEY_FILE" ] || openssl rand -hex 32 >"$ALLIANCE_SECRET_KEY_FILE"
	if [ "${BENCH_REUSE:-}" != 1 ] || ! psql "$pg" -Atc "SELECT 1 FROM bench_audit_speed.audit_head LIMIT 1" >/dev/null 2>&1; then
		psql -q "$pg" -c "DROP SCHEMA IF EXISTS bench_audit_speed CASCADE" -c "CREATE SCHEMA bench_audit_speed"
		"$work/alliance" demo --db "$pgdb" --log-level warn
		"$work/alliance" generate --db "$pgdb" --users 100 --audit "$per" --log-level warn 2>/dev/null
	fi
	/usr/bin/time -f "%e" -o "$work/floor.txt" psql -q "$pg" -c "\\copy (SELECT $cols FROM bench_audit_speed.audit_event ORDER BY partnership_id, seq) TO /dev/null"
	verify_with "$pgdb" postgres "$(cat "$work/floor.txt")"
fi

uptime
ALLIANCE_BENCH_DB="$sq" nice -n 5 go test -run '^$' -bench 'VerifyLog$' -benchtime 1x ./internal/audit/ | grep -E '^(Benchmark|ok)'
if [ -n "$pg" ]; then
	ALLIANCE_BENCH_KEY_FILE="$work/pg.key" ALLIANCE_BENCH_DB="$pgdb" nice -n 5 go test -run '^$' -bench 'VerifyLog$' -benchtime 1x ./internal/audit/ |
		grep -E '^(Benchmark|ok)'
	export ALLIANCE_TEST_POSTGRES_URL="$pg"
fi
nice -n 5 go test -run '^$' -bench 'Verify$' -benchtime 2x ./internal/audit/ | grep -E '^(Benchmark|ok)'
nice -n 5 go test -run '^$' -bench 'AppendTransaction' -benchtime 400x ./internal/audit/ | grep -E '^(Benchmark|ok)'
nice -n 5 go test -run '^$' -bench 'AuditOverhead' -benchtime 1x ./internal/app/ | grep -E '^(Benchmark|ok)'
uptime
echo "databases: $work"
