#!/bin/sh
# tests/pg/run.sh CAMP — camp against a real PostgreSQL 15 server that this
# script starts itself (tests/pg/lib.sh: a throw-away cluster in a temporary
# directory, unix socket only, stopped on exit — also when a test fails).
# POSIX sh + psql.  Last line: `pg: N passed, N failed`; exit 1 if anything
# failed.
#
# Sections (PG_ONLY="1 2" runs only those):
#   1 harness: the server answers, listens on no TCP port, is ours
#   2 SQL goldens: every tests/sql/X.camp has X.camp.pg.sql (compared like
#     the SQLite goldens) and that script runs in the server with psql -v
#     ON_ERROR_STOP=1 over empty tables of the file's schemas
#   3 dialect semantics: values computed in PostgreSQL equal SQLite's
#     (camp_hash bit for bit, LIKE, lower(), CAST, NULL order, dates, ...)
#   4 the runtime on both backends (exec cases, the plan differential with
#     every engine and auto, its campaigns run and resumed, end to end)
#   5 errors, store, feedback import;  6 sharding (examples/sharded)
#   7 operations (policy, send, deploy, tick, approvals, marketing ops) on
#     both backends, command by command;  8 the tracking server (camp track)
#  10 the contact policy's later parts (pressure at send time, local waits,
#     an A/B test and its report) on both backends
#  11 distributed marketing: examples/franchise's story on both backends
#   9 marketing operations (tests/mops, tests/mops2 cases on PostgreSQL)
#  12 the whole plan in memory (auto, jit, interp) on PostgreSQL at 20,000
#     customers: SQLite's members and plans
#  13 the engine differential (tests/engines' random worlds and rules) on
#     PostgreSQL: its SQL, interp and jit give SQLite's keys and values
#  14 control groups on one step (audience and channel holdouts) on both
#  15 the index advice of camp plan: plain, partitioned and foreign tables
# Sections live in tests/pg/section_N_*.sh, sourced in order.

if [ $# -ne 1 ]; then
  echo "usage: sh tests/pg/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
. tests/pg/lib.sh
for tool in psql sqlite3; do
  command -v "$tool" > /dev/null || { echo "pg: $tool is not installed (make deps)" >&2; exit 2; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-pg.XXXXXX") || exit 2
trap 'pg_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
# camp's snapshots of PostgreSQL (and any SQLite one) go into our temp dir,
# never into the home directory's cache
export CAMP_CACHE_DIR="$TMP/cache"

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
want() { [ -z "${PG_ONLY:-}" ] && return 0; case " $PG_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

if ! pg_start "$TMP"; then
  t_fail "pg: cannot start a PostgreSQL server"
  t_summary pg
  exit 1
fi

# ---- 1 harness --------------------------------------------------------------
if want 1; then
  eq "harness: the server answers" 1 "$(pg_psql -At -c 'SELECT 1')"
  eq "harness: version 15" 15 "$(pg_psql -At -c "SELECT current_setting('server_version_num')::int / 10000")"
  eq "harness: no TCP listener" "" "$(pg_psql -At -c 'SHOW listen_addresses')"
  eq "harness: socket in our temp dir" "$TMP/pgsock" "$(pg_psql -At -c 'SHOW unix_socket_directories')"
  eq "harness: data directory is ours" "$TMP/pgdata" "$(pg_psql -At -c 'SHOW data_directory')"
  pg_createdb harness_db
  eq "harness: pg_createdb + URL" harness_db "$(psql -X -At "$(pg_url harness_db)" -c 'SELECT current_database()')"
fi

for section in "$HERE"/section_*.sh; do
  [ -f "$section" ] || continue
  . "$section"
done

t_summary pg
[ "$T_FAIL" = 0 ]
