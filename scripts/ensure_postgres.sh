#!/usr/bin/env bash
# Make sure a PostgreSQL server with PostGIS answers on $QMON_PG_HOST:$QMON_PG_PORT.
# Installs the Debian packages when they are missing (needs root), starts the local
# cluster when it is down; otherwise stops with a message saying what to install.
set -euo pipefail

HOST=${QMON_PG_HOST:-127.0.0.1}
PORT=${QMON_PG_PORT:-5432}
PGUSER=${QMON_PG_USER:-postgres}
PG_MAJOR=${QMON_PG_MAJOR:-15}
POSTGIS_PKG="postgresql-${PG_MAJOR}-postgis-3"

say() { echo "ensure_postgres: $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
  else return 1; fi
}

apt_install() {
  say "installing $* (Debian packages)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    as_root apt-get update -qq >/dev/null 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || {
      say "could not install $*; install them yourself: sudo apt-get install $*"
      exit 1
    }
  fi
}

if ! command -v psql >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql postgresql-client
fi
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  apt_install "$POSTGIS_PKG"
fi

if ! pg_isready -q -h "$HOST" -p "$PORT"; then
  say "PostgreSQL is not answering on $HOST:$PORT; starting the local cluster"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    say "no PostgreSQL cluster found; create one: sudo pg_createcluster $PG_MAJOR main --start"
    exit 1
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || {
    say "could not start PostgreSQL $version; start it: sudo pg_ctlcluster $version main start"
    exit 1
  }
  for _ in $(seq 1 30); do pg_isready -q -h "$HOST" -p "$PORT" && break; sleep 1; done
fi
pg_isready -q -h "$HOST" -p "$PORT" || { say "PostgreSQL still not answering on $HOST:$PORT"; exit 1; }

if ! psql -h "$HOST" -p "$PORT" -U "$PGUSER" -d postgres -tAc "select 1" >/dev/null 2>&1; then
  say "cannot log in as $PGUSER on $HOST:$PORT; allow it (trust or a password in ~/.pgpass)"
  exit 1
fi
available=$(psql -h "$HOST" -p "$PORT" -U "$PGUSER" -d postgres -tAc \
  "select count(*) from pg_available_extensions where name = 'postgis'")
if [ "$available" != "1" ]; then
  server=$(psql -h "$HOST" -p "$PORT" -U "$PGUSER" -d postgres -tAc "show server_version_num" | cut -c1-2)
  say "the server on $HOST:$PORT (PostgreSQL $server) has no PostGIS; install postgresql-${server}-postgis-3"
  apt_install "postgresql-${server}-postgis-3"
fi
echo "PostgreSQL with PostGIS is ready on $HOST:$PORT"
