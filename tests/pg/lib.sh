# lib.sh — a throw-away PostgreSQL 15 server for tests (source it:
# `. tests/pg/lib.sh`).  POSIX sh; no bashisms.
#
#   pg_start DIR   initdb a cluster in DIR/pgdata and start it, listening on
#                  a unix socket in DIR/pgsock only (listen_addresses=''),
#                  no TCP at all.  Waits until it answers a query.  Exports
#                  PGHOST PGPORT PGUSER PGDATABASE (libpq reads them) and
#                  sets PG_URL (postgresql://...?host=DIR/pgsock) and
#                  PG_SERVER_LOG.  Returns non-zero with a message on stderr
#                  when the server cannot be started.
#   pg_stop_dir DIR  stops the server whose cluster is DIR/pgdata (for
#                  scripts that run several servers: examples/sharded).
#   pg_stop        stops the server started by pg_start (fast shutdown, then
#                  immediate); safe to call twice or when none runs.  Call it
#                  from the caller's EXIT trap so a failing test stops it too:
#                    trap 'pg_stop; rm -rf "$TMP"' EXIT
#   pg_createdb NAME   a fresh empty database (dropped first if it exists).
#   pg_url NAME    prints the URL of database NAME on this server.
#   pg_psql ...    psql on this server (-X -q -v ON_ERROR_STOP=1), arguments
#                  passed on.
#
# PostgreSQL refuses to run as root.  Under root the cluster is owned by and
# runs as the `postgres` user (Debian's package creates it), else `nobody`;
# DIR is handed to that user.  Otherwise it runs as the calling user.
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), PG_SERVER_OPTS
# (extra `-c name=value` settings, e.g. for benchmarks).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_RUNNING_DIR=""

# Runs a command as the cluster's owner.
pg_as_owner() {
  if [ -n "$PG_OWNER" ]; then
    runuser -u "$PG_OWNER" -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  dir=$1
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "pg_start: PostgreSQL 15 is not installed ($PG_BIN/initdb missing): run make deps" >&2
    return 1
  fi
  PG_OWNER=""
  if [ "$(id -u)" = 0 ]; then
    if getent passwd postgres > /dev/null 2>&1; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
    command -v runuser > /dev/null || { echo "pg_start: runuser not found" >&2; return 1; }
  fi
  mkdir -p "$dir/pgsock" || return 1
  if [ -n "$PG_OWNER" ]; then
    # the owner must reach its directories through the caller's temp dir
    chmod 755 "$dir" && chown "$PG_OWNER" "$dir/pgsock" || return 1
    mkdir -p "$dir/pgdata" && chown "$PG_OWNER" "$dir/pgdata" || return 1
  fi
  PG_SERVER_LOG=$dir/pgsock/server.log
  if ! pg_as_owner "$PG_BIN/initdb" -D "$dir/pgdata" -A trust -U postgres -E UTF8 \
      --locale=C.UTF-8 --no-sync > "$dir/pgsock/initdb.log" 2>&1; then
    echo "pg_start: initdb failed:" >&2
    sed -n '1,20s/^/    /p' "$dir/pgsock/initdb.log" >&2
    return 1
  fi
  # The port only names the socket file (.s.PGSQL.PORT); a per-process number
  # keeps SysV shared-memory keys of parallel test servers apart.
  PGPORT=$((20000 + $$ % 20000))
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$PG_SERVER_LOG" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/pgsock' -p $PGPORT \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
          -c max_connections=40 -c shared_buffers=32MB -c client_min_messages=warning ${PG_SERVER_OPTS:-}" \
      start > "$dir/pgsock/pg_ctl.log" 2>&1; then
    echo "pg_start: the server did not start:" >&2
    sed -n '1,30s/^/    /p' "$PG_SERVER_LOG" "$dir/pgsock/pg_ctl.log" >&2
    PG_RUNNING_DIR=$dir
    pg_stop
    return 1
  fi
  PG_RUNNING_DIR=$dir
  PGHOST=$dir/pgsock
  PGUSER=postgres
  PGDATABASE=postgres
  export PGHOST PGPORT PGUSER PGDATABASE
  unset PGPASSWORD PGSERVICE PGSERVICEFILE PGHOSTADDR PGOPTIONS 2> /dev/null || true
  # pg_ctl -w waits for the postmaster; a query proves it answers.
  i=0
  until "$PG_BIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" && pg_psql -c 'SELECT 1' > /dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
      echo "pg_start: the server does not answer" >&2
      pg_stop
      return 1
    fi
    sleep 0.1
  done
  PG_URL=$(pg_url postgres)
  return 0
}

pg_stop() {
  [ -n "$PG_RUNNING_DIR" ] || return 0
  d_=$PG_RUNNING_DIR
  PG_RUNNING_DIR=""
  [ -f "$d_/pgdata/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$d_/pgdata" -m fast -w -t 20 stop > /dev/null 2>&1 ||
    pg_as_owner "$PG_BIN/pg_ctl" -D "$d_/pgdata" -m immediate -w -t 20 stop > /dev/null 2>&1
  return 0
}

pg_stop_dir() {
  [ -f "$1/pgdata/postmaster.pid" ] || return 0
  PG_OWNER=""
  if [ "$(id -u)" = 0 ]; then
    if getent passwd postgres > /dev/null 2>&1; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
  fi
  pg_as_owner "$PG_BIN/pg_ctl" -D "$1/pgdata" -m fast -w -t 20 stop > /dev/null 2>&1 ||
    pg_as_owner "$PG_BIN/pg_ctl" -D "$1/pgdata" -m immediate -w -t 20 stop > /dev/null 2>&1
  return 0
}

pg_psql() {
  psql -X -q -v ON_ERROR_STOP=1 "$@"
}

pg_url() {
  printf 'postgresql://postgres@/%s?host=%s&port=%s\n' "$1" "$PGHOST" "$PGPORT"
}

pg_createdb() {
  pg_psql -d postgres -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" > /dev/null
}
