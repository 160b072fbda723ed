#!/bin/sh
# run.sh CAMP — tests of `camp schema --from-db`.  Each cases/NAME.sql is
# loaded into a fresh SQLite file with the sqlite3 CLI; the import must match
# cases/NAME.expected, pass `camp check` and `camp fmt --check`.  Each
# ddl/NAME.sql is imported with `camp schema --from-ddl` and must match
# ddl/NAME.expected the same way.  Then the error cases.
# BLESS=1 rewrites the .expected files from the current output.
# Ends with `schema: N passed, N failed`; exit 1 on failures.
set -u
CAMP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL schema: $*"
}

# expect_fail NAME CODE PATTERN CMD... : exits CODE, stderr matches PATTERN.
expect_fail() {
  name=$1 code=$2 pattern=$3
  shift 3
  (cd "$TMP" && "$@") >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ "$rc" != "$code" ]; then
    bad "$name: exit $rc, expected $code"; cat "$TMP/err"
  elif ! grep -q "$pattern" "$TMP/err"; then
    bad "$name: stderr lacks \"$pattern\":"; cat "$TMP/err"
  elif [ -s "$TMP/out" ]; then
    bad "$name: wrote to stdout on failure"
  else
    ok
  fi
}

for sql in "$HERE"/cases/*.sql; do
  name=$(basename "$sql" .sql)
  db="$name.sqlite"
  if ! sqlite3 "$TMP/$db" <"$sql"; then
    bad "$name: sqlite3 could not load the fixture"; continue
  fi
  # Run from the fixture's directory so the header names a relative path.
  if ! (cd "$TMP" && "$CAMP" schema --from-db "$db" >"$name.camp" 2>"$name.err"); then
    bad "$name: camp schema failed:"; cat "$TMP/$name.err"; continue
  fi
  if [ "${BLESS:-}" = 1 ]; then
    cp "$TMP/$name.camp" "$HERE/cases/$name.expected"
  fi
  if diff -u "$HERE/cases/$name.expected" "$TMP/$name.camp"; then ok; else bad "$name: output differs"; fi
  if "$CAMP" check "$TMP/$name.camp" 2>"$TMP/check.err"; then ok; else
    bad "$name: generated schema does not pass camp check:"; cat "$TMP/check.err"
  fi
  # Generated files are already in `camp fmt`'s canonical layout.
  if "$CAMP" fmt --check "$TMP/$name.camp" 2>"$TMP/fmt.err"; then ok; else
    bad "$name: generated schema is not fmt-clean:"; cat "$TMP/fmt.err"
  fi
  # --output writes the same text to a file.
  (cd "$TMP" && "$CAMP" schema --from-db "$db" --output "$name.out.camp")
  if cmp -s "$TMP/$name.camp" "$TMP/$name.out.camp"; then ok; else bad "$name: --output differs from stdout"; fi
  # The `sqlite:` prefix is accepted.
  (cd "$TMP" && "$CAMP" schema --from-db "sqlite:$db" | tail -n +2 >"$name.prefixed")
  if tail -n +2 "$TMP/$name.camp" | cmp -s - "$TMP/$name.prefixed"; then ok; else
    bad "$name: sqlite: prefix gives different output"
  fi
done

for sql in "$HERE"/ddl/*.sql; do
  name=$(basename "$sql" .sql)
  cp "$sql" "$TMP/$name.ddl.sql"
  if ! (cd "$TMP" && "$CAMP" schema --from-ddl "$name.ddl.sql" >"$name.ddl.camp" 2>"$name.err"); then
    bad "ddl $name: camp schema --from-ddl failed:"; cat "$TMP/$name.err"; continue
  fi
  if [ "${BLESS:-}" = 1 ]; then
    cp "$TMP/$name.ddl.camp" "$HERE/ddl/$name.expected"
  fi
  if diff -u "$HERE/ddl/$name.expected" "$TMP/$name.ddl.camp"; then ok; else bad "ddl $name: output differs"; fi
  if "$CAMP" check "$TMP/$name.ddl.camp" 2>"$TMP/check.err"; then ok; else
    bad "ddl $name: generated schema does not pass camp check:"; cat "$TMP/check.err"
  fi
  if "$CAMP" fmt --check "$TMP/$name.ddl.camp" 2>"$TMP/fmt.err"; then ok; else
    bad "ddl $name: generated schema is not fmt-clean:"; cat "$TMP/fmt.err"
  fi
  # The same statements loaded into a database give the same schemas.
  sqlite3 "$TMP/$name.ddl.sqlite" <"$sql"
  (cd "$TMP" && "$CAMP" schema --from-db "$name.ddl.sqlite" | tail -n +2 >"$name.viadb")
  if tail -n +2 "$TMP/$name.ddl.camp" | cmp -s - "$TMP/$name.viadb"; then ok; else
    bad "ddl $name: --from-ddl and --from-db of the same statements differ"
  fi
done

# Error cases: clear message on stderr, nothing on stdout, exit 1 (usage: 2).
echo "just some text, not a database, long enough to fill a header page" >"$TMP/notes.txt"
: >"$TMP/empty.sqlite"                       # SQLite reads a 0-byte file as empty
sqlite3 "$TMP/internal.sqlite" "CREATE TABLE camp_runs (id INTEGER PRIMARY KEY);"
mkdir "$TMP/adir"
expect_fail missing 1 "cannot open database .nope.sqlite.: No such file" \
  "$CAMP" schema --from-db nope.sqlite
expect_fail not-a-db 1 "notes.txt. is not a SQLite database" "$CAMP" schema --from-db notes.txt
expect_fail empty 1 "empty.sqlite. has no tables" "$CAMP" schema --from-db empty.sqlite
expect_fail only-camp-tables 1 "has no tables" "$CAMP" schema --from-db internal.sqlite
expect_fail directory 1 "is a directory" "$CAMP" schema --from-db adir
expect_fail no-from-db 2 "usage: camp schema" "$CAMP" schema
expect_fail bad-flag 2 "unknown option .--campaign." "$CAMP" schema --from-db x --campaign c
expect_fail stray-file 2 "usage: camp schema" "$CAMP" schema --from-db x extra.camp
expect_fail no-value 2 "needs a value" "$CAMP" schema --from-db
printf 'CREATE TABLE ok (id INTEGER PRIMARY KEY);\nCREATE TABLE broken (id INTEGER,;\n' >"$TMP/bad.sql"
expect_fail ddl-syntax 1 "bad.sql: near \";\": syntax error" "$CAMP" schema --from-ddl bad.sql
expect_fail ddl-missing 1 "cannot read .nope.sql.: No such file" "$CAMP" schema --from-ddl nope.sql
expect_fail ddl-directory 1 "adir. is a directory" "$CAMP" schema --from-ddl adir
: >"$TMP/blank.sql"
expect_fail ddl-empty 1 "blank.sql. has no tables" "$CAMP" schema --from-ddl blank.sql
expect_fail both-sources 2 "usage: camp schema" "$CAMP" schema --from-db x --from-ddl y.sql
# A failed import must not create (or truncate) the --output file.
echo keep >"$TMP/keep.camp"
expect_fail output-kept 1 "has no tables" \
  "$CAMP" schema --from-db empty.sqlite --output keep.camp
if [ "$(cat "$TMP/keep.camp")" = keep ]; then ok; else bad "output-kept: --output file was changed"; fi
# Importing only reads: the database file is unchanged afterwards.
sum_before=$(cksum <"$TMP/shop.sqlite")
(cd "$TMP" && "$CAMP" schema --from-db shop.sqlite >/dev/null)
if [ "$(cksum <"$TMP/shop.sqlite")" = "$sum_before" ]; then ok; else bad "read-only: database changed"; fi

echo "schema: $pass passed, $fail failed"
[ "$fail" = 0 ]
