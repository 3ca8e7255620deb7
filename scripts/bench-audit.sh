#!/usr/bin/env bash
# The audit log at scale: generates the demo plus 45 synthetic partnerships
# with BENCH_AUDIT_PER entries each (default 222,223: 10 million in all) into
# a fresh SQLite database, then reports how fast `alliance audit verify`
# walks it and how long the auditor's searches take for their first page.
# Takes about 15 minutes and 10 GB of disk at the default size.
set -euo pipefail
cd "$(dirname "$0")/.."
per=${BENCH_AUDIT_PER:-222223}
work=${BENCH_DIR:-$(mktemp -d)}
db="$work/audit-bench.db"
CGO_ENABLED=0 go build -o "$work/alliance" ./cmd/alliance
rm -f "$db" "$db-wal" "$db-shm"
"$work/alliance" demo --db "$db" --log-level warn
"$work/alliance" generate --db "$db" --users 100 --audit "$per" --log-level warn 2>/dev/null
"$work/alliance" audit verify --db "$db" --log-level warn
ALLIANCE_BENCH_DB="$db" go test -run '^$' -bench AuditSearch -benchtime 20x ./internal/store/ | grep -E '^(Benchmark|ok)'
go test -run '^$' -bench AuditOverhead -benchtime 1x ./internal/app/ | grep -E '^(Benchmark|ok)'
echo "database: $db"
