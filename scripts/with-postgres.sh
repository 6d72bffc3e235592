#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a PostgreSQL server.
#
# If DATABASE_URL is already set, that server is used. Otherwise a throwaway
# cluster is made with Debian's postgresql (initdb in a temporary folder,
# trust authentication, a free loopback port), used, then stopped and deleted.
# Tests create and drop their own databases inside it.
#
#   scripts/with-postgres.sh cargo nextest run --workspace
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi
if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "error: PostgreSQL is not installed; run scripts/install-deps.sh (it installs Debian's postgresql), or set DATABASE_URL." >&2
  exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-postgres.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# PostgreSQL refuses to run as root; run the throwaway cluster as the postgres user.
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  as_postgres=(runuser -u postgres --)
  chown postgres "$scratch"
fi
stop() {
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$scratch/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap stop EXIT

"${as_postgres[@]}" "$bin/initdb" -D "$scratch/data" -A trust -U postgres --no-instructions -E UTF8 >"$scratch/initdb.log" 2>&1 ||
  { cat "$scratch/initdb.log" >&2; echo "error: initdb failed (log above)" >&2; exit 1; }
"${as_postgres[@]}" "$bin/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w -t 60 \
  -o "-p $port -k $scratch -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
  { cat "$scratch/server.log" >&2; echo "error: the throwaway PostgreSQL did not start (log above)" >&2; exit 1; }
echo "==> throwaway PostgreSQL on 127.0.0.1:$port (DATABASE_URL set for the tests)"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
"$@"
