#!/usr/bin/env bash
# Runs the whole test suite: unit tests, every store test on SQLite and on
# PostgreSQL, and the browser tests in Chromium.
#
# PostgreSQL: set ALLIANCE_TEST_POSTGRES_URL, or let this script find a local
# server on 127.0.0.1:5432 that lets the postgres user in without a password
# (it then creates the database alliance_test). Without one, PostgreSQL tests
# are skipped with a message, except under CI=true, where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ALLIANCE_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null 2>&1; then
  if psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3" -qAtc 'select 1' >/dev/null 2>&1; then
    if [ "$(psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qAtc "select 1 from pg_database where datname = 'alliance_test'")" != "1" ]; then
      psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qc 'create database alliance_test' >/dev/null
    fi
    export ALLIANCE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/alliance_test?sslmode=disable"
  fi
fi
if [ -n "${ALLIANCE_TEST_POSTGRES_URL:-}" ]; then
  echo "test.sh: store tests run on SQLite and on PostgreSQL (${ALLIANCE_TEST_POSTGRES_URL%%@*}@…)"
else
  echo "test.sh: no PostgreSQL found: store tests run on SQLite only (set ALLIANCE_TEST_POSTGRES_URL)"
fi

# -p 2: this machine has 2 cores; the browser and PostgreSQL tests share them.
exec go test -count=1 -p 2 -timeout 20m "$@" ./...
