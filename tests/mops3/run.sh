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

# ------------------------------------------------------ declared segments
# customers (id, email, tier, spend, country):
#   1 a@x gold 100 SE, 2 - gold 20 SE, 3 c@x silver 300 NO, 4 d@x silver 5 DK,
#   5 e@x bronze 250 DK, 10 f@x gold 1000 NO
# vip: add gold {1,2,10}; add spend > 200 {3,5,10} -> {1,2,3,5,10};
#      reduce NO {3,10} -> {1,2,5}; refine email not null -> {1,5}
GD=$TMP/g.db
cp "$HERE/seg.camp" "$TMP/seg.camp"
q "$GD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT, spend INT, country TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold', 100, 'SE'), (2, NULL, 'gold', 20, 'SE'),
(3, 'c@x', 'silver', 300, 'NO'), (4, 'd@x', 'silver', 5, 'DK'), (5, 'e@x', 'bronze', 250, 'DK'),
(10, 'f@x', 'gold', 1000, 'NO');"
members() { camp segment show "${2:-vip}" ${3:-} --db "$1" --format json | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["members"]))'; }
camp segment apply "$TMP/seg.camp" --db "$GD" --as lena --now 2026-03-01 > "$TMP/out" 2>&1
eq "seg: apply" "segment vip version 1 (apply): 2 members, +2 -0" "$(cat "$TMP/out")"
eq "seg: members" "1,5" "$(members "$GD")"
eq "seg: criteria stored in order" 'add|tier = "gold"
add|spend > 200
reduce|country = "NO"
refine|email is not null' "$(q "$GD" "SELECT op, rule FROM camp_mops_segment_criteria WHERE segment = 'vip' ORDER BY seq")"
eq "seg: declared" "1|lena" "$(q "$GD" "SELECT declared, created_by FROM camp_mops_segments WHERE name = 'vip'")"
eq "seg: audited" "lena|segment|apply|version 1" "$(q "$GD" "SELECT who, action, from_state, to_state FROM camp_audit WHERE step = 'vip'")"
# again on the same data: no new version
camp segment apply "$TMP/seg.camp" --db "$GD" --now 2026-03-02 > "$TMP/out" 2>&1
eq "seg: re-apply is idempotent" "segment vip version 1: unchanged, 2 members" "$(cat "$TMP/out")"
eq "seg: still one version" 1 "$(q "$GD" "SELECT count(*) FROM camp_mops_segment_versions WHERE segment = 'vip'")"
# the same criteria laid out differently (camp fmt, comments, spacing): unchanged
sed -e 's/add where spend > 200 .*/add   where spend>200/' "$HERE/seg.camp" > "$TMP/seg2.camp"
camp fmt "$TMP/seg2.camp" > /dev/null 2>&1
camp segment apply "$TMP/seg2.camp" --db "$GD" --now 2026-03-02 > "$TMP/out" 2>&1
eq "seg: layout is not a change" "segment vip version 1: unchanged, 2 members" "$(cat "$TMP/out")"
# the data changes: 4 spends 300 (silver, DK, an address) -> {1,4,5}
q "$GD" "UPDATE customers SET spend = 300 WHERE id = 4"
camp segment apply "$TMP/seg.camp" --db "$GD" --now 2026-03-03 > "$TMP/out" 2>&1
eq "seg: members changed" "segment vip version 2 (apply): 3 members, +1 -0" "$(cat "$TMP/out")"
eq "seg: version 2 members" "1,4,5" "$(members "$GD")"
# the criteria change: without `refine`, 2 (no e-mail) is back -> {1,2,4,5}
grep -v 'refine where' "$HERE/seg.camp" > "$TMP/seg3.camp"
camp segment apply "$TMP/seg3.camp" --db "$GD" --now 2026-03-04 > "$TMP/out" 2>&1
eq "seg: criteria changed" "segment vip version 3 (apply): 4 members, +1 -0" "$(cat "$TMP/out")"
eq "seg: three criteria now" 3 "$(q "$GD" "SELECT count(*) FROM camp_mops_segment_criteria WHERE segment = 'vip'")"
camp segment diff vip 2 3 --db "$GD" > "$TMP/out" 2>&1
eq "seg: diff" "segment vip: version 2 -> 3
+ 2
1 added, 0 removed" "$(cat "$TMP/out")"
# criteria that change without changing the members still log a version
sed -e 's/reduce where country = "NO"/reduce where country = "NO" or country = "FI"/' "$TMP/seg3.camp" > "$TMP/seg4.camp"
camp segment apply "$TMP/seg4.camp" --db "$GD" --now 2026-03-05 > "$TMP/out" 2>&1
eq "seg: new criteria, same members" "segment vip version 4 (apply): 4 members, +0 -0" "$(cat "$TMP/out")"
camp segment log vip --db "$GD" --format json > "$TMP/log.json"
eq "seg: log" "1 apply 2,2,0|2 apply 3,1,0|3 apply 4,1,0|4 apply 4,0,0" \
  "$(python3 -c 'import json,sys; print("|".join("%d %s %d,%d,%d" % (v["version"], v["op"], v["members"], v["added"], v["removed"]) for v in json.load(open(sys.argv[1]))))' "$TMP/log.json")"
# the CLI does not edit a declared segment; reapply (its saved criteria) is fine
camp segment add vip --where 'spend > 0' --db "$GD" > "$TMP/out" 2>&1
eq "seg: CLI edit refused" 1 $?
has "seg: CLI edit message" "$TMP/out" "segment \`vip\` is declared in $TMP/seg4.camp: change the declaration there and run \`camp segment apply $TMP/seg4.camp\`"
camp segment reapply vip --db "$GD" --now 2026-03-06 > "$TMP/out" 2>&1
eq "seg: reapply a declared one" "segment vip version 5 (reapply): 4 members, +0 -0" "$(cat "$TMP/out")"
# a declaration does not take over a segment made with the CLI: nothing changes
camp segment create gold "$TMP/seg.camp" --of customers --db "$GD" --now 2026-03-01 > /dev/null 2>&1
sed -e 's/^segment vip on/segment gold on/' -e 's/saved_segment vip/saved_segment gold/' "$HERE/seg.camp" > "$TMP/gold.camp"
camp segment apply "$TMP/gold.camp" --db "$GD" --now 2026-03-07 > "$TMP/out" 2>&1
eq "seg: CLI name refused" 1 $?
has "seg: CLI name message" "$TMP/out" "camp segment: segment \`gold\` exists already, made with \`camp segment create\` (version 1): a declaration does not replace it; rename the declared segment"
eq "seg: CLI segment untouched" "1|0|0" "$(q "$GD" "SELECT version, declared, (SELECT count(*) FROM camp_mops_segment_criteria WHERE segment = 'gold') FROM camp_mops_segments WHERE name = 'gold'")"
# a bad declaration is a compile error and stores nothing
sed -e 's/spend > 200/spend > "x"/' "$HERE/seg.camp" > "$TMP/bad.camp"
camp segment apply "$TMP/bad.camp" --db "$GD" --now 2026-03-08 > "$TMP/out" 2>&1
eq "seg: bad declaration" 1 $?
has "seg: bad declaration at its place" "$TMP/out" "bad.camp:11:13: error: cannot compare int with text"
eq "seg: nothing stored" 5 "$(q "$GD" "SELECT version FROM camp_mops_segments WHERE name = 'vip'")"
# an offer activated for the declared segment: its current members 1, 2, 4, 5
camp deploy "$TMP/seg4.camp" --db "$GD" --now 2026-03-01 > /dev/null 2>&1
camp offers activate promo --db "$GD" --now 2026-03-09 > "$TMP/out" 2>&1
has "seg: offer for a declared segment" "$TMP/out" "offer caps active for 4 contacts (segment vip)"
eq "seg: offer contacts" "1,2,4,5" "$(q "$GD" "SELECT group_concat(contact, ',') FROM (SELECT contact FROM camp_mops_offers ORDER BY CAST(contact AS INTEGER))")"

# a file without segments, a database without the dimension's table
camp segment apply "$HERE/prio.camp" --db "$GD" > "$TMP/out" 2>&1
eq "seg: no segment declared" 1 $?
has "seg: no segment message" "$TMP/out" "prio.camp declares no segment (segment NAME on SCHEMA { add where RULE ... })"
q "$TMP/empty.db" "CREATE TABLE other(a INT)"
camp segment apply "$HERE/seg.camp" --db "$TMP/empty.db" > "$TMP/out" 2>&1
eq "seg: no table" 1 $?
has "seg: no table message" "$TMP/out" "camp segment: the segment's criteria could not be evaluated: no such table: customers"
eq "seg: no table: nothing stored" 0 "$(q "$TMP/empty.db" "SELECT count(*) FROM camp_mops_segments")"

# the formatter keeps a segment's criteria and is idempotent on them
cp "$HERE/seg.camp" "$TMP/fmt_seg.camp"
camp fmt "$TMP/fmt_seg.camp" > /dev/null 2>&1
has "seg: fmt header" "$TMP/fmt_seg.camp" "segment vip on customers {"
has "seg: fmt criterion" "$TMP/fmt_seg.camp" '  reduce where country = "NO"    // 3, 10'
camp fmt --check "$TMP/fmt_seg.camp" > /dev/null 2>&1
eq "seg: fmt idempotent" 0 $?

t_summary mops3
[ "$T_FAIL" -eq 0 ]
