#!/bin/sh
# tests/mops3/run.sh CAMP — marketing operations, third part
# (docs/marketing-ops.md): a declared priority for `on_shortage limit`
# (`order by ...` on a stock item) and D365 segments declared in .camp
# files (`camp segment apply`).  Every expectation is computed by hand in
# the comment next to it.  POSIX sh + sqlite3.  Last line:
# `mops3: N passed, N failed`; exit 1 if anything failed.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/mops3/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "mops3: sqlite3 is not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-mops3.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
export USER=mops3test  # the default --as
camp() { timeout -k 5 60 "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
eq() {
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi
}
has() {
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: [$3] not in output:"; sed 's/^/    /' "$2" | head -20; fi
}
hasnt() {
  if grep -qF -- "$3" "$2"; then t_fail "$1: [$3] unexpectedly in output"; else t_pass; fi
}

# ------------------------------------------- on_shortage limit: order by
# customers (id, city, loyalty): 1 x 100, 2 y NULL, 3 z 500, 4 w 100, 5 v 900
customers() {
  q "$1" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT, loyalty INTEGER);
INSERT INTO customers VALUES (4, 'd', 'w', 100), (2, 'b', 'y', NULL), (1, 'a', 'x', 100), (5, 'e', 'v', 900),
(3, 'c', 'z', 500);"
}
# prio_case QUANTITY ORDER [ENGINE] -> the keys the run queued, comma-separated
prio_case() {
  sed -e "s/quantity 3/quantity $1/" -e "s/order by loyalty desc/order by $2/" "$HERE/prio.camp" > "$TMP/prio.camp"
  rm -f "$TMP/prio.db"
  customers "$TMP/prio.db"
  camp deploy "$TMP/prio.camp" --db "$TMP/prio.db" --now 2026-03-01 > /dev/null 2>&1
  camp run "$TMP/prio.camp" --db "$TMP/prio.db" --now 2026-03-01 ${3:+--engine $3} > "$TMP/out" 2>&1
  q "$TMP/prio.db" "SELECT group_concat(recipient_key, ',') FROM (SELECT recipient_key FROM camp_outbox ORDER BY recipient_key)"
}
# loyalty desc, NULLs last, ties by key: 5 (900), 3 (500), 1 (100; 4 ties, higher key)
eq "prio: loyalty desc, 3" "1,3,5" "$(prio_case 3 'loyalty desc')"
has "prio: run note" "$TMP/out" "3 of 5 recipients kept, 2 left out (level 3, 1 per recipient; by loyalty desc, then lowest keys)"
eq "prio: the note in camp_warnings" 1 "$(q "$TMP/prio.db" "SELECT count(*) FROM camp_warnings WHERE message LIKE '%by loyalty desc, then lowest keys%'")"
# 4 kept: 5, 3, 1, 4 — customer 2 (NULL loyalty) is last even in descending order
eq "prio: NULLs last in desc" "1,3,4,5" "$(prio_case 4 'loyalty desc')"
# ascending: 1 (100), 4 (100), 3 (500), 5 (900); 2 kept: 1, 4
eq "prio: loyalty asc, 2" "1,4" "$(prio_case 2 'loyalty')"
# an enriched column: tag = city || "!": v! (5), w! (4), x! (1), y! (2), z! (3)
eq "prio: enriched text column" "1,4,5" "$(prio_case 3 'tag')"
# two keys: city desc first: z (3), y (2)
eq "prio: two terms" "2,3" "$(prio_case 2 'loyalty is null desc, city desc')"
# the same cut with every engine (the in-memory plan declines limited campaigns)
for e in sql interp jit; do
  eq "prio: engine $e" "1,3,5" "$(prio_case 3 'loyalty desc' $e)"
done
# the plan cuts what the run cuts
prio_case 3 'loyalty desc' > /dev/null
camp plan "$TMP/prio.camp" --db "$TMP/prio.db" --now 2026-03-02 --engine interp > "$TMP/out" 2>&1
has "prio: a plan after the run: level 0" "$TMP/out" "0 of 5 recipients kept, 5 left out (level 0, 1 per recipient; by loyalty desc, then lowest keys)"
# without order by: the lowest keys, as before
sed -e 's/; order by loyalty desc//' "$HERE/prio.camp" > "$TMP/prio.camp"
rm -f "$TMP/prio.db"; customers "$TMP/prio.db"
camp deploy "$TMP/prio.camp" --db "$TMP/prio.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/prio.camp" --db "$TMP/prio.db" --now 2026-03-01 > "$TMP/out" 2>&1
has "prio: none: lowest keys first" "$TMP/out" "(level 3, 1 per recipient; lowest keys first)"
eq "prio: none: keys 1-3" "1,2,3" "$(q "$TMP/prio.db" "SELECT group_concat(recipient_key, ',') FROM (SELECT recipient_key FROM camp_outbox ORDER BY recipient_key)")"

# the formatter writes it back and keeps it
cp "$HERE/prio.camp" "$TMP/fmt.camp"
camp fmt "$TMP/fmt.camp" > /dev/null 2>&1
has "prio: fmt" "$TMP/fmt.camp" "  order by loyalty desc"
camp fmt --check "$TMP/fmt.camp" > /dev/null 2>&1
eq "prio: fmt idempotent" 0 $?

# compile errors, at their place
sed -e 's/order by loyalty desc/order by loyality desc/' "$HERE/prio.camp" > "$TMP/bad1.camp"
camp check "$TMP/bad1.camp" > "$TMP/out" 2>&1
eq "prio: unknown column fails" 1 $?
has "prio: unknown column" "$TMP/out" "bad1.camp:8:84: error: unknown column \`loyality\`"
has "prio: where it is consumed" "$TMP/out" "bad1.camp:13:11: note: stock \`leaflets\` is consumed here by step \`letters\` (recipients of schema \`customers\`)"
sed -e 's/order by loyalty desc/order by loyalty + city/' "$HERE/prio.camp" > "$TMP/bad2.camp"
camp check "$TMP/bad2.camp" > "$TMP/out" 2>&1
has "prio: wrong type" "$TMP/out" "bad2.camp:8:84: error:"
sed -e 's/on_shortage limit; //' "$HERE/prio.camp" > "$TMP/bad3.camp"
camp check "$TMP/bad3.camp" > "$TMP/out" 2>&1
has "prio: needs limit" "$TMP/out" "bad3.camp:8:56: error: \`order by\` says who keeps a short stock: it needs \`on_shortage limit\`"

t_summary mops3
[ "$T_FAIL" -eq 0 ]
