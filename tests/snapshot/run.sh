#!/bin/sh
# tests/snapshot/run.sh CAMP — the columnar snapshot's refresh: after every
# change to the database the snapshot is refreshed (`camp snapshot --db DB
# snap.camp --check`), and
#   - the refreshed snapshot must be identical, array by array, to one built
#     from scratch (--check builds one and compares: snapshot_compare);
#   - each table must have been refreshed the expected way: reused when
#     unchanged, patched from the rows of its changed leaf pages (with the
#     counts of updated, inserted, deleted rows) whatever made the change
#     and whether or not it set a version column, read again otherwise
#     (with the reason);
#   - `camp plan --engine interp` must give the counts `--engine sql` gives.
# Then changes of every kind made by another process with the next plan
# checked right away (interp and jit against sql), WAL mode, damaged
# snapshot files (the issue's reproductions: warnings, SQL's answers), a
# seeded random walk.  POSIX sh + sqlite3.  Last line: `snapshot: N
# passed, N failed`.
#
# SNAP_LOG=FILE appends every `camp snapshot` output to FILE; SNAP_WALK=N
# sets the number of random batches (default 25).
#
# Fixture: fixture.sql (stores and tags: int version; customers: timestamp
# version; purchases: none), snap.camp (their schemas, rules over every
# column kind, links and collections).

if [ $# -ne 1 ]; then
  echo "usage: sh tests/snapshot/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "snapshot: sqlite3 is not installed" >&2; exit 2; }

base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
TMP=$(mktemp -d "${TMPDIR:-$base}/camp-snap.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
unset CAMP_CACHE_DIR

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$DB" "$1"; }
NOW="2026-03-01 00:00:00"

W=$TMP/w
mkdir -p "$W"
DB=$W/db.sqlite
cp "$HERE/snap.camp" "$W/"
sqlite3 -batch "$DB" < "$HERE/fixture.sql" || exit 2
OUT=$W/out

# A version above every one written so far: a counter in a file (the
# functions run in command substitutions, i.e. subshells).
echo 0 > "$W/v"
tick() { V=$(($(cat "$W/v") + 1)); echo $V > "$W/v"; }
ts() { tick; printf "'2026-04-01 %02d:%02d:00'" $((V / 60)) $((V % 60)); }
rev() { tick; echo $((1000 + V)); }

# expect NAME PATTERN: the last `camp snapshot` output holds PATTERN (grep -E).
expect() {
  if grep -qE -e "$2" "$OUT"; then t_pass; else
    t_fail "$1: no /$2/ in:"
    sed 's/^/    /' "$OUT"
  fi
}

# same_plans NAME [ENGINE]: interp (or ENGINE, over the snapshot) and sql
# give the same counts.
same_plans() {
  e_=${2:-interp}
  camp plan "$W/snap.camp" --db "$DB" --now "$NOW" --engine "$e_" --explain > "$W/p-$e_" 2> "$W/e-$e_"
  r1=$?
  camp plan "$W/snap.camp" --db "$DB" --now "$NOW" --engine sql > "$W/p-sql" 2> /dev/null
  r2=$?
  if [ "$r1$r2" != 00 ]; then
    t_fail "$1: plan exit $r1 ($e_) $r2 (sql)"
    sed -n '1,10s/^/    /p' "$W/e-$e_"
  elif ! grep -q "over the snapshot ($e_)" "$W/e-$e_"; then
    t_fail "$1: plan --engine $e_ did not run over the snapshot"
    grep explain "$W/e-$e_" | sed -n '1,5s/^/    /p'
  elif grep -q 'Sanitizer\|runtime error' "$W/e-$e_"; then
    t_fail "$1: plan --engine $e_: sanitizer report"
    sed -n '1,10s/^/    /p' "$W/e-$e_"
  elif cmp -s "$W/p-sql" "$W/p-$e_"; then t_pass; else
    t_fail "$1: plan --engine $e_ differs from --engine sql"
    t_diff "$W/p-sql" "$W/p-$e_"
  fi
}

# plan_after NAME SQL1 SQL2: another process changes the database (SQL1);
# the very next plan with interp answers as SQL; then a second change of
# the same kind (SQL2) and the next plan with jit.
plan_after() {
  if ! q "$2" > /dev/null; then t_fail "$1: the SQL failed"; return; fi
  same_plans "$1 (interp)" interp
  if ! q "$3" > /dev/null; then t_fail "$1: the second SQL failed"; return; fi
  same_plans "$1 (jit)" jit
}

# refresh NAME [FILE]: camp snapshot --check must exit 0 and match a build.
refresh() {
  camp snapshot --db "$DB" "${2:-$W/snap.camp}" --check > "$OUT" 2>&1
  rc=$?
  [ -n "${SNAP_LOG:-}" ] && { echo "== $1"; cat "$OUT"; } >> "$SNAP_LOG"
  if [ $rc != 0 ]; then
    t_fail "$1: camp snapshot --check exit $rc$(t_signal_name $rc)"
    sed -n '1,20s/^/    /p' "$OUT"
    return 1
  fi
  if grep -q 'Sanitizer\|runtime error:' "$OUT"; then
    t_fail "$1: sanitizer report"
    sed -n '1,20s/^/    /p' "$OUT"
    return 1
  fi
  expect "$1: identical to a full build" '^check: identical to a full build$'
}

# step NAME SQL PATTERN...: change the database, refresh, check patterns and plans.
step() {
  n_=$1 sql_=$2
  shift 2
  if [ -n "$sql_" ] && ! q "$sql_" > /dev/null; then t_fail "$n_: the SQL failed"; return; fi
  refresh "$n_" || return
  for p_ in "$@"; do expect "$n_" "$p_"; done
  same_plans "$n_"
}

reused() { echo "^  $1 .* unchanged: reused"; }
# refreshed TABLE UPDATED INSERTED DELETED
refreshed() { echo "^  $1 .* refreshed: [0-9]+ rows read \\($2 updated, $3 inserted, $4 deleted,"; }
again() { echo "^  $1 .* read again: .*$2"; }

# ------------------------------------------------------------------ basics
step "first build" "" '^snapshot .*: built in'
step "no change" "" 'fresh, reused'

step "updates, numbers only" \
  "UPDATE customers SET loyalty = loyalty + 1, score = 0.25, updated_at = $(ts) WHERE id IN (2, 40, 8000);" \
  '^snapshot .*: refreshed incrementally in .*, [0-9]+ rows read$' \
  "$(refreshed customers 3 0 0)" "$(reused purchases)" "$(reused stores)" "$(reused tags)"

step "a version bump alone" "UPDATE customers SET updated_at = $(ts) WHERE id = 4;" \
  "$(refreshed customers 1 0 0)"

# A coarse clock: the row is written again within the same second, after
# the snapshot, with the same version: its page changed, it is read.
T=$(ts)
step "a write at the latest version" "UPDATE customers SET loyalty = 1, updated_at = $T WHERE id = 100;" \
  "$(refreshed customers 1 0 0)"
step "written again within the same tick" "UPDATE customers SET loyalty = 2, updated_at = $T WHERE id = 100;" \
  "$(refreshed customers 1 0 0)"
step "another row within the same tick" "UPDATE customers SET loyalty = 3, updated_at = $T WHERE id = 102;" \
  "$(refreshed customers 1 0 0)"

step "text to strings already in the dictionaries" \
  "UPDATE customers SET country = 'DK', tier = 'gold', updated_at = $(ts) WHERE id IN (10, 12);" \
  "$(refreshed customers 2 0 0)"

step "a new dictionary string, between others" \
  "UPDATE customers SET country = 'EE', updated_at = $(ts) WHERE id = 14;" \
  "$(refreshed customers 1 0 0)"

step "the last use of a string goes" \
  "UPDATE customers SET country = 'SE', updated_at = $(ts) WHERE id = 14;" \
  "$(refreshed customers 1 0 0)"

step "plain text column: new, changed and NULL values" \
  "UPDATE customers SET email = 'zz-new@example.se', updated_at = $(ts) WHERE id = 20;
   UPDATE customers SET email = NULL, updated_at = $(ts) WHERE id = 22;
   UPDATE customers SET email = 'back@example.se', updated_at = $(ts) WHERE id = 194;" \
  "$(refreshed customers 3 0 0)"

step "dates, bools, NULL link, link to another store" \
  "UPDATE customers SET birthdate = '1960-02-29', vip = 1 - vip, store_id = NULL, updated_at = $(ts) WHERE id = 30;
   UPDATE customers SET store_id = 5, updated_at = $(ts) WHERE id = 32;
   UPDATE customers SET store_id = 9, updated_at = $(ts) WHERE id = 34;" \
  "$(refreshed customers 3 0 0)"

step "inserts after the last key" \
  "INSERT INTO customers VALUES (20000, 'n1@x.se', 'SE', 'gold', 999, 0.99, '1970-01-01', 1, 2, $(ts)),
     (20002, NULL, 'IS', 'bronze', 5, NULL, NULL, 0, NULL, $(ts));" \
  "$(refreshed customers 0 2 0)" "$(reused purchases)"

step "an insert between keys, a purchase of it" \
  "INSERT INTO customers VALUES (7, 'seven@x.se', 'NO', 'silver', 700, 0.7, '1980-07-07', 0, 3, $(ts));
   INSERT INTO purchases VALUES (90001, 7, 500.5, '2026-02-20 10:00:00');" \
  "$(refreshed customers 0 1 0)" "$(refreshed purchases 0 1 0)"

step "deletes (their purchases and tags now dangle)" \
  "DELETE FROM customers WHERE id IN (2, 100, 5000);" \
  "$(refreshed customers 0 0 3)" "$(reused purchases)" "$(reused tags)"

step "update, insert and delete at once" \
  "UPDATE customers SET loyalty = 1, updated_at = $(ts) WHERE id = 6;
   INSERT INTO customers VALUES (9, 'nine@x.se', 'FI', 'gold', 9, 0.9, '1999-09-09', 1, 1, $(ts));
   DELETE FROM customers WHERE id = 8;" \
  "$(refreshed customers 1 1 1)"

N=$(q "SELECT count(*) FROM purchases WHERE id % 100 = 1")
step "a table without a version column changes" \
  "UPDATE purchases SET amount = amount + 1 WHERE id % 100 = 1;" \
  "$(refreshed purchases "$N" 0 0)" "$(reused customers)"

step "int version: a store renamed and one added" \
  "UPDATE stores SET city = 'Oslo', rev = $(rev) WHERE id = 5;
   INSERT INTO stores VALUES (4, 'Göteborg', $(rev));" \
  "$(refreshed stores 1 1 0)" "$(reused customers)"

step "customers now link to the new store" \
  "UPDATE customers SET store_id = 4, updated_at = $(ts) WHERE id IN (40, 42, 44);" \
  "$(refreshed customers 3 0 0)"

step "child table with a version: tags changed, added, deleted" \
  "UPDATE tags SET label = 'vip', changed = $(rev) WHERE id IN (1, 2, 3);
   INSERT INTO tags VALUES (5000, 12, 'brand-new', $(rev));
   DELETE FROM tags WHERE id = 10;" \
  "$(refreshed tags 3 1 1)" "$(reused customers)"

# --------------------------- what no version column shows: the pages do
# The issue's reproduction: rows changed without a new version.
N=$(q "SELECT count(*) FROM customers WHERE id <= 2000 AND country IS NOT 'DE'")
step "rows changed without touching their version" \
  "UPDATE customers SET country = 'DE' WHERE id <= 2000;" "$(refreshed customers "$N" 0 0)"
step "a NULL version" "UPDATE customers SET updated_at = NULL WHERE id = 50;" \
  "$(refreshed customers 1 0 0)"
step "a version goes backwards" \
  "UPDATE customers SET loyalty = 0, updated_at = '2020-01-01 00:00:00' WHERE id = 54;" \
  "$(refreshed customers 1 0 0)"
step "an inserted row below the latest version" \
  "INSERT INTO customers VALUES (11, 'e@x.se', 'SE', 'gold', 1, 0.1, NULL, 0, 1, '2026-01-01 00:00:00');" \
  "$(refreshed customers 0 1 0)"
step "INSERT OR REPLACE of an existing key" \
  "INSERT OR REPLACE INTO customers VALUES (12, 'r@x.se', 'NO', 'gold', 12, 0.12, NULL, 1, 2, NULL);" \
  "$(refreshed customers 1 0 0)"
step "a key changed in place" "UPDATE customers SET id = 13 WHERE id = 16;" \
  "$(refreshed customers 0 1 1)"
step "a version that is not a timestamp arrives through a refresh" \
  "UPDATE customers SET updated_at = 'soon' WHERE id = 58;" "$(refreshed customers 1 0 0)"
step "the column is bad now: read again" "UPDATE customers SET updated_at = NULL WHERE id = 58;" \
  "$(again customers 'column updated_at held values outside its type')"
step "refreshed again" "UPDATE customers SET loyalty = 4 WHERE id = 60;" \
  "$(refreshed customers 1 0 0)"

step "a value outside its type arrives through a refresh" \
  "UPDATE customers SET loyalty = 'lots' WHERE id = 62;" \
  "$(refreshed customers 1 0 0)"
step "the column is bad now: read again" \
  "UPDATE customers SET loyalty = 62 WHERE id = 62;" \
  "$(again customers 'column loyalty held values outside its type')"

step "a decimal stored as an integer arrives through a refresh" \
  "UPDATE customers SET score = 1 WHERE id = 64;" \
  "$(refreshed customers 1 0 0)"
step "then the table changes: read again" \
  "UPDATE customers SET score = 0.5 WHERE id = 64;" \
  "$(again customers 'decimal column score holds integers')"
step "VACUUM moves every page" "VACUUM;" \
  "^  customers .* (refreshed: [0-9]+ rows read \(0 updated, 0 inserted, 0 deleted|unchanged: reused)"
step "an index added: the table's pages did not change" \
  "CREATE INDEX customers_country ON customers(country);" "$(reused customers)"
N=$(q "SELECT count(*) FROM customers")
step "a column added to the table (not to the schema): its CREATE changed" \
  "ALTER TABLE customers ADD COLUMN note TEXT DEFAULT 'n';" \
  "^  customers .* refreshed: $N rows read \(0 updated, 0 inserted, 0 deleted, $N unchanged"
step "a table dropped and made again, other rows" \
  "CREATE TABLE stores2 AS SELECT * FROM stores; DROP TABLE stores;
   CREATE TABLE stores(id INTEGER PRIMARY KEY, city TEXT, rev INTEGER);
   INSERT INTO stores SELECT id, CASE id WHEN 2 THEN 'Malmö' ELSE city END, rev FROM stores2;
   DROP TABLE stores2;" "^  stores .* refreshed: [0-9]+ rows read \(1 updated, 0 inserted, 0 deleted"

step "int version: NULL, text, not an int" \
  "UPDATE stores SET rev = NULL WHERE id = 1; UPDATE stores SET rev = 'x' WHERE id = 2;" \
  "$(refreshed stores 2 0 0)"

# ------------------------------- the next plan after another process's change
# No `camp snapshot` in between: the plan finds the snapshot stale itself.
plan_after "plan after an update without version" \
  "UPDATE customers SET loyalty = loyalty + 300 WHERE id % 7 = 0;" \
  "UPDATE customers SET country = 'NO' WHERE id % 11 = 0;"
plan_after "plan after deletes" "DELETE FROM customers WHERE id % 13 = 0;" \
  "DELETE FROM purchases WHERE amount > 150 AND id % 3 = 0;"
plan_after "plan after inserts" \
  "INSERT INTO customers SELECT id + 1, email, 'SE', tier, 900, score, birthdate, vip, store_id, updated_at, note
     FROM customers WHERE id % 17 = 0 AND id + 1 NOT IN (SELECT id FROM customers);" \
  "INSERT INTO purchases SELECT id + 100000, customer_id, 999, at FROM purchases WHERE id % 19 = 0;"
plan_after "plan after INSERT OR REPLACE" \
  "INSERT OR REPLACE INTO customers SELECT id, email, 'DK', tier, 1, score, birthdate, vip, store_id, updated_at, note
     FROM customers WHERE id % 23 = 0;" \
  "INSERT OR REPLACE INTO tags SELECT id, customer_id, 'vip', changed FROM tags WHERE id % 5 = 0;"
plan_after "plan after VACUUM and a schema change" "VACUUM;" \
  "ALTER TABLE purchases ADD COLUMN extra INTEGER DEFAULT 7; UPDATE purchases SET amount = 1 WHERE id % 29 = 0;"

# ------------------------------------------------------- schema changes
sed 's/^  vip bool$//; s/where vip and birthdate/where birthdate/' "$W/snap.camp" > "$W/novip.camp"
refresh "another schema for customers" "$W/novip.camp"
expect "another schema: customers read again" "$(again customers 'its schema changed')"
expect "another schema: purchases reused" "$(reused purchases)"
step "the first schema again" "" "$(again customers 'its schema changed')" "$(reused purchases)"

# ------------------------------------------------------------------- WAL
# In WAL mode a commit leaves the pages in the WAL until a checkpoint; the
# refresh checkpoints (PASSIVE, from its own connection) and reads pages
# from the file when every frame got there, else a table with pages in
# the WAL is read again.  A connection keeping the WAL alive meanwhile:
q "PRAGMA journal_mode=WAL;" > /dev/null
# The holders below keep their connection until release: (no fixed sleeps:
# a loaded machine only makes them wait longer)
held_until_release() { while [ ! -f "$W/release" ]; do sleep 0.1; done; }
release() { touch "$W/release"; wait "$@"; rm -f "$W/release"; }
# waits (up to a minute) until FILE has output
wait_output() { k=0; while [ ! -s "$1" ] && [ $k -lt 600 ]; do sleep 0.1; k=$((k + 1)); done; }
# wal_hold SQL: commits SQL in WAL mode and keeps the connection open.
wal_hold() {
  rm -f "$W/held"
  { printf 'PRAGMA wal_autocheckpoint=0;\n%s\nSELECT 1;\n' "$1"; held_until_release; } |
    sqlite3 -batch "$DB" > "$W/held" &
  HOLD=$!
  wait_output "$W/held"
}
# reader_hold: a read transaction open from before the next write: no
# checkpoint can get the WAL's later frames into the file meanwhile.
reader_hold() {
  rm -f "$W/reader"
  { printf 'BEGIN;\nSELECT count(*) FROM customers;\n'; held_until_release; printf 'COMMIT;\n'; } |
    sqlite3 -batch "$DB" > "$W/reader" &
  READER=$!
  wait_output "$W/reader"
}
# backdate: the file and WAL last modified a minute ago, so that the next
# fingerprint is not "racy" (modified within two seconds of being taken)
backdate() { touch -d '1 minute ago' "$DB"; [ -f "$DB-wal" ] && touch -d '1 minute ago' "$DB-wal"; }

wal_hold "UPDATE customers SET loyalty = 77 WHERE id IN (70, 72);"
if [ -s "$DB-wal" ]; then t_pass; else t_fail "WAL: no WAL file while a connection holds it"; fi
step "WAL: checkpointed by the refresh, customers patched, purchases reused" "" \
  "$(refreshed customers 2 0 0)" "$(reused purchases)"
release $HOLD
reader_hold
wal_hold "UPDATE purchases SET amount = 1.5 WHERE id = 3;"
step "WAL: a reader keeps purchases' pages in the WAL: read again" "" \
  "$(again purchases 'in the WAL')" "$(reused customers)"
same_plans "WAL: a reader keeps purchases' pages in the WAL (jit)" jit
release $HOLD $READER
# the last connection checkpointed the WAL into the file and deleted it
# (purchases was read with pages in the WAL: no page hashes to compare with)
step "WAL: checkpointed by the last connection" "" '^snapshot .*: refreshed incrementally' \
  "$(reused customers)" "$(again purchases 'no page hashes')"
backdate
step "WAL: made fresh again" "" '^snapshot .*: refreshed incrementally' "$(reused customers)"
step "WAL: no change" "" 'fresh, reused'
# an update through the WAL into the file with no WAL left: neither the
# WAL nor the header's change counter tell it apart, the file's time does
step "WAL: a change checkpointed before the next look" \
  "UPDATE customers SET loyalty = 78 WHERE id = 74;" \
  "$(refreshed customers 1 0 0)" "$(reused purchases)"
step "WAL: a table without version, checkpointed" "UPDATE purchases SET amount = 3.5 WHERE id = 4;" \
  "$(refreshed purchases 1 0 0)" "$(reused customers)"
plan_after "WAL: plan after updates" "UPDATE customers SET loyalty = 5 WHERE id % 9 = 0;" \
  "DELETE FROM tags WHERE id % 4 = 0;"
q "PRAGMA journal_mode=DELETE;" > /dev/null

# --------------------------------------------------- plan refreshes it too
q "UPDATE customers SET loyalty = 999, updated_at = $(ts) WHERE id IN (80, 82);
   DELETE FROM customers WHERE id = 84;"
same_plans "plan over a stale snapshot"
refresh "after the plan: fresh and identical"
expect "after the plan: fresh" 'fresh, reused'

# ------------------------------------------------- damaged snapshot files
SD=$DB.camp-snapshot

# flip FILE N SEED: N seeded random bit flips.
flip() {
  size_=$(wc -c < "$1")
  awk -v n="$2" -v seed="$3" -v size="$size_" \
    'BEGIN { srand(seed); for (i = 0; i < n; i++) printf "%d %d\n", int(rand() * size), int(rand() * 8) }' |
    while read -r off_ bit_; do
      b_=$(od -An -tu1 -j "$off_" -N1 "$1" | tr -d ' ')
      printf "$(printf '\\%03o' $((b_ ^ (1 << bit_))))" | dd of="$1" bs=1 seek="$off_" conv=notrunc 2> /dev/null
    done
}
# zero FILE BLOCK [COUNT]: COUNT (default 1) 4 KiB blocks zeroed from block BLOCK.
zero() { dd if=/dev/zero of="$1" bs=4096 seek="$2" count="${3:-1}" conv=notrunc 2> /dev/null; }

# damaged_plan NAME ENGINE WARN: the plan over the damaged snapshot exits 0
# with SQL's answer (a damaged column declines: SQL answers, the table is
# read again); WARN=1: it warns, naming the segment file.
damaged_plan() {
  camp plan "$W/snap.camp" --db "$DB" --now "$NOW" --engine "$2" --explain > "$W/p-$2" 2> "$W/e-$2"
  r1=$?
  camp plan "$W/snap.camp" --db "$DB" --now "$NOW" --engine sql > "$W/p-sql" 2> /dev/null
  if [ "$r1" != 0 ] || grep -q 'Sanitizer\|runtime error' "$W/e-$2"; then
    t_fail "$1: plan --engine $2 exit $r1$(t_signal_name "$r1")"
    sed -n '1,10s/^/    /p' "$W/e-$2"
  elif ! cmp -s "$W/p-sql" "$W/p-$2"; then
    t_fail "$1: plan --engine $2 differs from --engine sql"
    t_diff "$W/p-sql" "$W/p-$2"
  elif [ "$3" = 1 ] && ! grep -q "^camp: warning: snapshot file .*/seg-[0-9a-f]*\.bin is damaged (.*): table .* is read again" "$W/e-$2"; then
    t_fail "$1: no warning naming the damaged segment"
    sed -n '1,10s/^/    /p' "$W/e-$2"
  else t_pass; fi
}

# The issue's reproductions, each on a copy of a fresh snapshot (one segment).
rm -rf "$SD"
refresh "damage: a fresh build" && expect "damage: a fresh build" '^snapshot .*: built in'
cp -r "$SD" "$W/pristine"
SEG=$(ls "$SD"/seg-*.bin)
NB=$(($(wc -c < "$SEG") / 4096))
for e_ in interp jit; do
  # (2,000 flips and every other kind: tests/snapshot/damage_test.c)
  rm -rf "$SD"; cp -r "$W/pristine" "$SD"
  flip "$SEG" 20 7
  damaged_plan "damage: 20 bit flips in a segment" "$e_" 0
  rm -rf "$SD"; cp -r "$W/pristine" "$SD"
  zero "$SEG" $((NB / 2))
  damaged_plan "damage: a zeroed 4 KiB block in the middle of a segment" "$e_" 0
  rm -rf "$SD"; cp -r "$W/pristine" "$SD"
  zero "$SEG" 1 $((NB - 1))
  damaged_plan "damage: a segment zeroed after its first block" "$e_" 1
  # the damaged tables were read again: the next plan runs over the
  # snapshot, without a warning
  same_plans "damage: repaired by the plan before" "$e_"
  if grep -q warning "$W/e-$e_"; then t_fail "damage: a warning after the repair"; sed 's/^/    /' "$W/e-$e_"; else t_pass; fi
done
rm -rf "$SD"; cp -r "$W/pristine" "$SD"
zero "$SEG" 1 $((NB - 1))
refresh "damage: camp snapshot reads the damaged tables again" &&
  expect "damage: camp snapshot warns" "^camp: warning: snapshot file .*/seg-.* is damaged" &&
  expect "damage: camp snapshot reads them again" "read again: .*damaged|^snapshot .*: built in"
q "UPDATE customers SET loyalty = 5, updated_at = $(ts) WHERE id = 86;"
for seg in "$SD"/seg-*.bin; do : > "$seg"; done
step "segments truncated: built again" "" '^snapshot .*: built in'
rm -f "$SD"/seg-*.bin
step "segments gone: built again" "" '^snapshot .*: built in'
head -c 100 "$SD/snapshot.bin" > "$W/head" && cp "$W/head" "$SD/snapshot.bin"
step "manifest cut: built again" "" '^snapshot .*: built in'
printf 'garbage' > "$SD/snapshot.bin"
step "manifest garbage: built again" "" '^snapshot .*: built in'
# Segments no manifest names are removed (once CAMP_SNAPSHOT_GC_AGE
# seconds old, default 60): a full build leaves exactly one.
q "UPDATE customers SET loyalty = 6, updated_at = $(ts) WHERE id = 88;"
CAMP_SNAPSHOT_GC_AGE=0 camp snapshot --db "$DB" "$W/snap.camp" > "$OUT" 2>&1
expect "refresh with immediate collection" "$(refreshed customers 1 0 0)"
n=$(ls "$SD" | grep -c '^seg-')
if [ "$n" = 2 ]; then t_pass; else t_fail "after a build and a refresh: $n segments, want 2"; ls -l "$SD" | sed 's/^/    /'; fi
q "UPDATE purchases SET amount = 2 WHERE id = 5;"
CAMP_SNAPSHOT_GC_AGE=0 camp snapshot --db "$DB" "$W/snap.camp" > "$OUT" 2>&1
n=$(ls "$SD" | grep -c '^seg-')
if [ "$n" -le 3 ]; then t_pass; else t_fail "segments pile up: $n files in $SD"; ls -l "$SD" | sed 's/^/    /'; fi
rm -rf "$SD"
step "no snapshot directory: built" "" '^snapshot .*: built in'
CAMP_SNAPSHOT_GC_AGE=0 camp snapshot --db "$DB" "$W/snap.camp" > "$OUT" 2>&1
for k in 1 2 3; do
  q "UPDATE customers SET loyalty = $k, updated_at = $(ts) WHERE id = 90;"
  CAMP_SNAPSHOT_GC_AGE=0 camp snapshot --db "$DB" "$W/snap.camp" > "$OUT" 2>&1
done
n=$(ls "$SD" | grep -c '^seg-')
if [ "$n" = 2 ]; then t_pass; else t_fail "after 3 refreshes: $n segments, want 2 (the build's, the last one)"; ls -l "$SD" | sed 's/^/    /'; fi
if ls "$SD" | grep -q 'tmp'; then t_fail "temporary files left in $SD"; else t_pass; fi

# ------------------------------------------------------------ random walk
# Seeded batches of updates (bumped versions), inserts, deletes, new and
# old strings, NULLs, over customers, tags, stores and purchases.
i=1
while [ $i -le "${SNAP_WALK:-25}" ]; do
  awk -v seed="$i" -v v0="$(cat "$W/v")" 'BEGIN {
    srand(seed * 7919); v = v0
    split("SE DK NO FI DE IS EE LV", cty, " ")
    split("bronze silver gold", tier, " ")
    split("new loyal churn vip old x", lab, " ")
    n = 1 + int(rand() * 12)
    for (k = 0; k < n; k++) {
      r = rand(); id = 2 * (1 + int(rand() * 6200)) + (rand() < 0.1)
      v++; t = sprintf("2026-05-%02d %02d:%02d:00", 1 + int(v / 1440) % 28, int(v / 60) % 24, v % 60)
      if (r < 0.45) {
        printf "UPDATE customers SET loyalty = %d, country = %s, tier = \047%s\047, email = %s, store_id = %s, updated_at = \047%s\047 WHERE id = %d;\n", \
          int(rand() * 1000), (rand() < 0.1 ? "NULL" : "\047" cty[1 + int(rand() * 8)] "\047"), tier[1 + int(rand() * 3)], \
          (rand() < 0.2 ? "NULL" : "\047w" int(rand() * 50) "@x.se\047"), (rand() < 0.2 ? "NULL" : 1 + int(rand() * 6)), t, id
      } else if (r < 0.6) {
        printf "INSERT OR IGNORE INTO customers(id, email, country, tier, loyalty, score, birthdate, vip, store_id, updated_at) VALUES (%d, \047i%d@x.se\047, \047%s\047, \047gold\047, %d, %.2f, \0471990-01-01\047, %d, %d, \047%s\047);\n", \
          id, id, cty[1 + int(rand() * 8)], int(rand() * 1000), rand(), (rand() < 0.5), 1 + int(rand() * 5), t
      } else if (r < 0.7) {
        printf "DELETE FROM customers WHERE id = %d;\n", id
      } else if (r < 0.85) {
        printf "UPDATE tags SET label = \047%s\047, customer_id = %d, changed = %d WHERE id = %d;\n", \
          lab[1 + int(rand() * 6)], id, 100000 + v, 1 + int(rand() * 3000)
      } else if (r < 0.9) {
        printf "INSERT OR IGNORE INTO tags VALUES (%d, %d, \047%s\047, %d);\n", 6000 + int(rand() * 500), id, lab[1 + int(rand() * 6)], 100000 + v
      } else if (r < 0.95) {
        printf "UPDATE purchases SET customer_id = %d WHERE id = %d;\n", id, 1 + int(rand() * 20000)
      } else {
        printf "UPDATE stores SET city = \047%s\047, rev = %d WHERE id = %d;\n", (rand() < 0.5 ? "Oslo" : "Visby"), 100000 + v, 1 + int(rand() * 5)
      }
    }
    print "-- " v > "/dev/stderr"
  }' > "$W/walk.sql" 2> "$W/walk.v"
  sed -n 's/^-- //p' "$W/walk.v" > "$W/v"
  step "random walk $i" "$(cat "$W/walk.sql")"
  i=$((i + 1))
done

t_summary snapshot
[ "$T_FAIL" = 0 ]
