#!/bin/sh
# validate.sh CAMP — proves that every tests/sql/*.camp golden is valid SQL.  POSIX sh.
#
#   sh tests/sql/validate.sh bin/camp
#
# For each tests/sql/**/X.camp this builds an empty SQLite database holding
#   - one table per `schema` of X.camp (columns read from `camp fmt` output,
#     whose canonical layout puts one column per line),
#   - camp's runtime tables the script reads (camp_outbox, camp_feedback,
#     camp_audience; columns as in runtime/db/store.h),
#   - one camp_import_<step> table per reconcile step (`_line` plus every
#     i."column" that step's SQL reads),
# then runs X.camp.sql (the blessed golden, so the check covers exactly what
# the sql suite compares) through `sqlite3 -bail :memory:`.  camp_hash and
# camp_to_timezone are functions camp registers on its own connections; the
# sqlite3 CLI lacks them, so calls are renamed to coalesce(...) (same arity, any types) — every other
# name, quote and literal is checked as written.  After the script, every
# user table must still exist (no quoted text escaped into a DROP).
# Last line: `sqlvalid: N passed, N failed`; exit 1 if any failed.

if [ $# -ne 1 ]; then
  echo "usage: sh tests/sql/validate.sh CAMP_BINARY" >&2
  exit 2
fi
CAMP=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
command -v sqlite3 > /dev/null || { echo "validate.sh: sqlite3 CLI not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-sqlvalid.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

# schema_ddl FILE — CREATE TABLE statements for the schemas of FILE.
schema_ddl() {
  "$CAMP" fmt --output - "$1" | awk '
    function unq(s) { gsub(/`/, "", s); return s }
    /^schema / { name = unq($2); cols = ""; inside = 1; next }
    inside && /^}/ { printf "CREATE TABLE \"%s\"(%s);\n", name, cols; inside = 0; next }
    inside && NF > 0 && $1 !~ /^\/\// {
      c = unq($1); cols = cols (cols == "" ? "" : ", ") "\"" c "\""
    }'
}

# import_ddl SQLFILE — CREATE TABLE camp_import_<step>(_line, columns read).
import_ddl() {
  awk '
    function flush(   c, cols) {
      if (tbl == "") return
      cols = "\"_line\""
      for (c in seen) if (c != "_line") cols = cols ", \"" c "\""
      printf "CREATE TABLE \"%s\"(%s);\n", tbl, cols
      tbl = ""; split("", seen)
    }
    /^-- step / { flush() }
    {
      line = $0
      if (tbl == "" && match(line, /"camp_import_[A-Za-z0-9_]+"/))
        tbl = substr(line, RSTART + 1, RLENGTH - 2)
      while (match(line, /i\."[A-Za-z0-9_]+"/)) {
        seen[substr(line, RSTART + 3, RLENGTH - 4)] = 1
        line = substr(line, RSTART + RLENGTH)
      }
    }
    END { flush() }' "$1"
}

RUNTIME_DDL='CREATE TABLE camp_outbox(id INTEGER PRIMARY KEY, run_id, step, recipient_key, channel, address, subject, body, status, queued_at, sent_at);
CREATE TABLE camp_feedback(id INTEGER PRIMARY KEY, outbox_id, event, at);
CREATE TABLE camp_audience(name, dimension, key, run_id, saved_at);'

find tests/sql -name '*.camp' -type f | LC_ALL=C sort > "$TMP/list"
while IFS= read -r f; do
  if [ ! -f "$f.sql" ]; then
    echo "FAIL $f: no golden $f.sql (bless first)"
    FAIL=$((FAIL + 1))
    continue
  fi
  schema_ddl "$f" > "$TMP/schema.sql" || { echo "FAIL $f: camp fmt failed"; FAIL=$((FAIL + 1)); continue; }
  {
    cat "$TMP/schema.sql"
    echo "$RUNTIME_DDL"
    import_ddl "$f.sql"
    sed 's/camp_hash(/coalesce(/g; s/camp_to_timezone(/coalesce(/g' "$f.sql"
    echo "SELECT 'tables-left', count(*) FROM sqlite_master WHERE type = 'table';"
  } > "$TMP/script.sql"
  want=$(($(grep -c '^CREATE TABLE' "$TMP/schema.sql") + 3 + $(import_ddl "$f.sql" | grep -c .)))
  if ! sqlite3 -bail :memory: < "$TMP/script.sql" > "$TMP/out" 2> "$TMP/err"; then
    echo "FAIL $f: sqlite3 rejects the script"
    sed -n '1,10s/^/    /p' "$TMP/err"
    FAIL=$((FAIL + 1))
    continue
  fi
  got=$(sed -n 's/^tables-left|//p' "$TMP/out")
  if [ -s "$TMP/err" ] || [ "$got" != "$want" ]; then
    echo "FAIL $f: $got of $want tables left after the script, or stderr output:"
    sed -n '1,10s/^/    /p' "$TMP/err"
    FAIL=$((FAIL + 1))
    continue
  fi
  PASS=$((PASS + 1))
done < "$TMP/list"

echo "sqlvalid: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
