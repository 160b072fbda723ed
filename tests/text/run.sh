#!/bin/sh
# tests/text/run.sh CAMP — NUL characters in text (issue 12), end to end.
#   - in a .camp string literal (escape or raw byte): an error with its
#     location (also goldens in tests/check/syntax/nul_*.camp; a raw NUL
#     byte makes the file one that is not text: line and column named);
#   - in a database value: the rule engines answer as SQL, which compares
#     the whole value (a column holding one is SQL's alone: the snapshot
#     marks it bad and interp / jit decline rules reading it);
#   - rendered into a message (a column or a JSON section value): rejected,
#     never cut — the step fails naming the recipient, nothing is queued.
# POSIX sh + sqlite3.  Last line: `text: N passed, N failed`.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/text/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "text: sqlite3 is not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-text.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
NOW="2026-03-01 00:00:00"
DB=$TMP/db.sqlite

# ------------------------------------------------------ .camp literals
printf 'schema c { id int key\n  name text }\ncampaign t {\n  a = c where name = "ab\\0cd"\n  save a as "a"\n}\n' > "$TMP/esc.camp"
printf 'schema c { id int key\n  name text }\ncampaign t {\n  a = c where name = "ab\0cd"\n  save a as "a"\n}\n' > "$TMP/raw.camp"
for f in esc raw; do
  camp check "$TMP/$f.camp" > /dev/null 2> "$TMP/err"
  rc=$?
  # an escape is the lexer's error; a raw byte makes the file not text
  # (one error for the whole file, tests/regress section 6)
  if [ $rc = 1 ] && grep -q -e "$f.camp:4:25: error: a NUL character .* cannot be part of a string" \
      -e "$f.camp: error: not a text file: a NUL byte at line 4, column 25" "$TMP/err"; then t_pass; else
    t_fail "NUL in a literal ($f): exit $rc"
    sed 's/^/    /' "$TMP/err"
  fi
done

# ------------------------------------------------------ database values
# 30,000 rows: auto and plans take the columnar engines.
sqlite3 -batch "$DB" "
CREATE TABLE c(id INTEGER PRIMARY KEY, name TEXT, email TEXT, tags TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO c SELECT i, CASE i % 3 WHEN 0 THEN 'ab' WHEN 1 THEN 'abc' ELSE 'x' END,
  'u' || i || '@x.se', NULL FROM n;
UPDATE c SET name = 'ab' || char(0) || 'cd' WHERE id % 1000 = 7;" || exit 2
cat > "$TMP/t.camp" <<'CAMP'
schema c {
  id int key
  name text
  email text address(email)
  tags text
}
campaign t {
  eq = c where name = "ab"
  pre = c where name starts with "ab" and id < 20000
  len = c where length(name) > 2
  save eq as "eq"
  save pre as "pre"
  save len as "len"
}
CAMP
camp plan "$TMP/t.camp" --db "$DB" --now "$NOW" --engine sql > "$TMP/p-sql" 2> "$TMP/e-sql" || t_fail "plan sql"
for e in interp jit auto; do
  camp plan "$TMP/t.camp" --db "$DB" --now "$NOW" --engine $e > "$TMP/p-$e" 2> "$TMP/e-$e"
  rc=$?
  if [ $rc = 0 ] && cmp -s "$TMP/p-sql" "$TMP/p-$e"; then t_pass; else
    t_fail "NUL in a database value: plan --engine $e (exit $rc) differs from sql"
    t_diff "$TMP/p-sql" "$TMP/p-$e"
    sed 's/^/    /' "$TMP/e-$e"
  fi
done
# (the SQL's own count, independently: 'ab' || NUL || 'cd' is not 'ab')
want=$(sqlite3 -batch "$DB" "SELECT count(*) FROM c WHERE name = 'ab'")
if grep -q "eq .* $want\$\|eq *select *$want" "$TMP/p-sql" || grep -q " $want$" "$TMP/p-sql"; then t_pass; else
  t_fail "plan sql: no count $want for eq"; sed 's/^/    /' "$TMP/p-sql"
fi

# rendering: a placeholder whose value holds a NUL
cat > "$TMP/m.camp" <<'CAMP'
schema c {
  id int key
  name text
  email text address(email)
  tags text
}
campaign m {
  few = c where id in [6, 7, 8]
  email few { subject "hi {{name}}"; body "x" }
}
CAMP
camp run "$TMP/m.camp" --db "$DB" --now "$NOW" > "$TMP/out" 2> "$TMP/err"
rc=$?
if [ $rc != 0 ] && grep -q "recipient 7: the value of \`name\` holds a NUL character" "$TMP/out" "$TMP/err"; then t_pass; else
  t_fail "NUL in a rendered value: exit $rc, want an error naming recipient 7"
  sed 's/^/    /' "$TMP/out" "$TMP/err"
fi
n=$(sqlite3 -batch "$DB" "SELECT count(*) FROM camp_outbox" 2> /dev/null || echo 0)
if [ "$n" = 0 ]; then t_pass; else t_fail "NUL in a rendered value: $n messages queued, want 0"; fi
# the same row without the NUL renders (ids 6 and 7: "ab")
sqlite3 -batch "$DB" "UPDATE c SET name = 'ab' WHERE id = 7; DELETE FROM camp_runs; DELETE FROM camp_steps;" 2> /dev/null
camp run "$TMP/m.camp" --db "$DB" --now "$NOW" > "$TMP/out" 2> "$TMP/err"
rc=$?
n=$(sqlite3 -batch "$DB" "SELECT count(*) FROM camp_outbox WHERE subject = 'hi ab'")
if [ $rc = 0 ] && [ "$n" = 2 ]; then t_pass; else
  t_fail "without the NUL: exit $rc, $n messages 'hi ab'"; sed 's/^/    /' "$TMP/out" "$TMP/err"
fi

t_summary text
[ "$T_FAIL" = 0 ]
