#!/usr/bin/env bash
# Run every check against a throwaway PostGIS database that is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${QMON_PG_HOST:-127.0.0.1}
PORT=${QMON_PG_PORT:-5432}
PGUSER=${QMON_PG_USER:-postgres}

bash scripts/ensure_postgres.sh
bash scripts/ensure_browser.sh
bash scripts/ensure_gis.sh

db="qmon_test_$$_$(date +%s)"
psql -q -h "$HOST" -p "$PORT" -U "$PGUSER" -d postgres -c "CREATE DATABASE $db"
trap 'psql -q -h "$HOST" -p "$PORT" -U "$PGUSER" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
psql -q -h "$HOST" -p "$PORT" -U "$PGUSER" -d "$db" -c "CREATE EXTENSION postgis"
export QMON_TEST_PG="postgresql://$PGUSER@$HOST:$PORT/$db"
export QMON_REAL_DATA=${QMON_REAL_DATA:-$(cd .. && pwd)/shared/data}
echo "test database: $QMON_TEST_PG; real data: $QMON_REAL_DATA"

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== import layers (geo <- indicators <- monitoring <- cli)"
"$VENV/bin/lint-imports"
echo "== mypy (core packages)"
"$VENV/bin/mypy" geo indicators monitoring
echo "== pytest"
# one worker per core (QMON_TEST_WORKERS=0 runs in this process, e.g. to debug); the browser
# tests after them, one at a time: a browser and its app server each want a core of their own
"$VENV/bin/pytest" -n "${QMON_TEST_WORKERS:-auto}" -m "not browser" "$@"
echo "== pytest (browser tests)"
"$VENV/bin/pytest" -m browser tests/browser "$@"
