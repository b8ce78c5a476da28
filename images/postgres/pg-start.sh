#!/usr/bin/env bash
# Starts PostgreSQL 15 on 127.0.0.1:$PG_PORT. On first start: a cluster in $PG_DATA, a login
# role $PG_USER with password $PG_PASSWORD (from the environment, through a file, never on a
# command line) owning database $PG_DATABASE.
# $PG_PASSWORD_FILE, when set, holds the password instead (keeps it out of `docker inspect`).
set -euo pipefail
if [ -n "${PG_PASSWORD_FILE:-}" ]; then PG_PASSWORD=$(cat "$PG_PASSWORD_FILE"); fi
bin=/usr/lib/postgresql/15/bin
mkdir -p "$PG_DATA" /var/run/postgresql
chown postgres:postgres "$PG_DATA" /var/run/postgresql
if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start >/dev/null
  sql=$(mktemp)
  chmod 0644 "$sql"
  PW=$PG_PASSWORD python3 - "$PG_USER" "$PG_DATABASE" >"$sql" <<'PY'
import os, sys
q = lambda s: "'" + s.replace("'", "''") + "'"
user, db = sys.argv[1], sys.argv[2]
print('CREATE ROLE "%s" LOGIN PASSWORD %s;' % (user, q(os.environ["PW"])))
print('CREATE DATABASE "%s" OWNER "%s";' % (db, user))
PY
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -d postgres -f "$sql" >/dev/null
  rm -f "$sql"
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -w stop >/dev/null
fi
exec runuser -u postgres -- "$bin/postgres" -D "$PG_DATA" -c listen_addresses=127.0.0.1 \
  -c port="$PG_PORT" -c unix_socket_directories=/var/run/postgresql
