#!/bin/sh
# tests/mops2/run.sh CAMP — marketing operations, second part
# (docs/marketing-ops.md): `on_shortage limit` (a consuming step cut to the
# stock that is left), the CSV import of calls and meetings as
# interactions, and D365-style logged segments.  Every expectation is
# computed by hand in the comment next to it.  POSIX sh + sqlite3.  Last
# line: `mops2: N passed, N failed`; exit 1 if anything failed.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/mops2/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "mops2: sqlite3 is not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-mops2.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
export USER=mops2test  # the default --as
camp() { timeout -k 5 60 "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
has() {
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: [$3] not in output:"; sed 's/^/    /' "$2" | head -20; fi
}
hasnt() {
  if grep -qF -- "$3" "$2"; then t_fail "$1: [$3] unexpectedly in output"; else t_pass; fi
}

# ------------------------------------------------------ stock: limit
# customers 1..4 (inserted out of order); one letter each uses 1 leaflet
customers() {
  q "$1" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT);
INSERT INTO customers VALUES (4, 'd', 'w'), (1, 'a', 'x'), (3, 'c', 'z'), (2, 'b', 'y');"
}
limit_case() { # QUANTITY PER -> $TMP/lim.camp and a fresh $TMP/lim.db
  sed -e "s/quantity 3/quantity $1/" -e "s/per_recipient 1/per_recipient $2/" "$HERE/limit.camp" > "$TMP/lim.camp"
  rm -f "$TMP/lim.db"
  customers "$TMP/lim.db"
}
keys() { q "$1" "SELECT group_concat(recipient_key, ',') FROM (SELECT recipient_key FROM camp_outbox WHERE run_id = $2 ORDER BY recipient_key)"; }

# `limit` is a keyword elsewhere: the formatter writes it as a plain word
cp "$HERE/limit.camp" "$TMP/fmt.camp"
camp fmt "$TMP/fmt.camp" > /dev/null 2>&1
has "fmt keeps limit" "$TMP/fmt.camp" "  on_shortage limit"
camp fmt --check "$TMP/fmt.camp" > /dev/null 2>&1
eq "fmt idempotent" 0 $?
cp "$HERE/limit.camp" "$TMP/bad_limit.camp"
sed -i 's/on_shortage limit/on_shortage cut/' "$TMP/bad_limit.camp"
camp check "$TMP/bad_limit.camp" > "$TMP/out" 2>&1
has "bad on_shortage" "$TMP/out" "bad_limit.camp:6:56: error: \`on_shortage\` is \`warn\` (the default), \`block\` or \`limit\`"

# exactly enough: 4 leaflets for 4 letters, nothing cut
limit_case 4 1
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
has "equal: plan keeps 4" "$TMP/out" "letters  mail             4"
hasnt "equal: no cut" "$TMP/out" "left out"
has "equal: projection" "$TMP/out" "stock leaflets: letters uses 4 (4 x 1), level 4 -> 0 (alert at 1)"
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "equal: run" 0 $?
eq "equal: all four queued" "1,2,3,4" "$(keys "$TMP/lim.db" 1)"
eq "equal: no warning" 0 "$(q "$TMP/lim.db" "SELECT count(*) FROM camp_warnings")"

# one less: 3 leaflets, the lowest keys 1, 2, 3 get a letter, 4 is left out
limit_case 3 1
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
has "one less: plan" "$TMP/out" "letters  mail             3"
has "one less: plan note" "$TMP/out" "stock leaflets (on_shortage limit): 3 of 4 recipients kept, 1 left out (level 3, 1 per recipient; lowest keys first)"
has "one less: projection" "$TMP/out" "stock leaflets: letters uses 3 (3 x 1), level 3 -> 0 (alert at 1)"
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "one less: run" 0 $?
hasnt "one less: no shortage warning" "$TMP/out" "uses more stock than is left"
eq "one less: keys 1-3" "1,2,3" "$(keys "$TMP/lim.db" 1)"
eq "one less: extract has 3 rows" "city
x
y
z" "$(tr -d '\r' < "$TMP/letters.csv")"
eq "one less: warning recorded" "letters|1" "$(q "$TMP/lim.db" "SELECT step, count FROM camp_warnings")"
eq "one less: consumption" "leaflets|3|0" \
  "$(camp stock --db "$TMP/lim.db" --format json | python3 -c 'import json,sys; r = json.load(sys.stdin)[0]; print("%s|%d|%d" % (r["item"], r["used"], r["level"]))')"
eq "one less: alert at 0 <= 1" "stock leaflets is out: 0 left (alert at 1)" "$(q "$TMP/lim.db" "SELECT subject FROM camp_notifications")"
# zero left: the next run messages no one
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-02 --new-run > "$TMP/out" 2>&1
eq "zero: run" 0 $?
has "zero: note" "$TMP/out" "0 of 4 recipients kept, 4 left out (level 0, 1 per recipient"
eq "zero: nothing queued" "" "$(keys "$TMP/lim.db" 2)"
# an order of 2 lets the next run reach keys 1 and 2
camp stock order leaflets 2 --db "$TMP/lim.db" --now 2026-03-03 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-03 --new-run > /dev/null 2>&1
eq "after order: keys 1-2" "1,2" "$(keys "$TMP/lim.db" 3)"

# 5 leaflets, 2 per letter: floor(5 / 2) = 2 letters (keys 1, 2), 1 leaflet stays
limit_case 5 2
camp deploy "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 > "$TMP/out" 2>&1
eq "per 2: keys 1-2" "1,2" "$(keys "$TMP/lim.db" 1)"
eq "per 2: level 1" 1 \
  "$(camp stock --db "$TMP/lim.db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["level"])')"
# a plan in memory is not used for a limited campaign: the same counts with --engine interp
camp plan "$TMP/lim.camp" --db "$TMP/lim.db" --now 2026-03-01 --engine interp > "$TMP/out" 2>&1
has "interp plan: 1 leaflet, 0 letters" "$TMP/out" "letters  mail             0"

# ----------------------------------------------------------- segments
GD=$TMP/g.db
cp "$HERE/schema.camp" "$TMP/schema.camp"
q "$GD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT, spend INT);
INSERT INTO customers VALUES (1, 'a@x', 'gold', 100), (2, 'b@x', 'gold', 20), (3, 'c@x', 'silver', 300),
(4, 'd@x', 'silver', 5), (5, 'e@x', 'bronze', 50), (10, 'f@x', 'gold', 1000);"
members() { camp segment show vip ${2:-} --db "$1" --format json | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["members"]))'; }
camp segment create vip "$TMP/schema.camp" --of customers --db "$GD" --as lena --now 2026-03-01 > "$TMP/out" 2>&1
eq "create" "segment vip version 1 (create): 0 members, +0 -0" "$(cat "$TMP/out")"
camp segment create vip "$TMP/schema.camp" --of customers --db "$GD" > "$TMP/out" 2>&1
eq "create twice" 1 $?
camp segment create other "$TMP/schema.camp" --of clients --db "$GD" > "$TMP/out" 2>&1
eq "unknown dimension" 1 $?
has "unknown dimension message" "$TMP/out" "declares no schema \`clients\`"
# gold: 1, 2, 10
camp segment add vip --where 'tier = "gold"' --db "$GD" --now 2026-03-02 > "$TMP/out" 2>&1
eq "add" "segment vip version 2 (add): 3 members, +3 -0" "$(cat "$TMP/out")"
# spend > 200: 3, 10 -> 1, 2, 3, 10
camp segment add vip --where 'spend > 200' --db "$GD" --now 2026-03-03 > /dev/null 2>&1
eq "add again" "1,2,3,10" "$(members "$GD")"
# reduce spend < 50: takes 2 (20) out; 4 (5) is not a member -> 1, 3, 10
camp segment reduce vip --where 'spend < 50' --db "$GD" --now 2026-03-04 > "$TMP/out" 2>&1
eq "reduce" "segment vip version 4 (reduce): 3 members, +0 -1" "$(cat "$TMP/out")"
# refine tier <> "silver": keeps 1, 10
camp segment refine vip --where 'tier <> "silver"' --db "$GD" --now 2026-03-05 > /dev/null 2>&1
eq "refine" "1,10" "$(members "$GD")"
eq "version 3 kept" "1,2,3,10" "$(members "$GD" 3)"
eq "version 1 empty" "" "$(members "$GD" 1)"
camp segment log vip --db "$GD" --format json > "$TMP/log.json"
eq "log" "1 create None 0 0 0 lena|2 add tier = \"gold\" 3 3 0 mops2test|3 add spend > 200 4 1 0 mops2test|4 reduce spend < 50 3 0 1 mops2test|5 refine tier <> \"silver\" 2 0 1 mops2test" \
  "$(python3 -c 'import json,sys; print("|".join("%d %s %s %d %d %d %s" % (v["version"], v["op"], v["rule"], v["members"], v["added"], v["removed"], v["who"]) for v in json.load(open(sys.argv[1]))))' "$TMP/log.json")"
camp segment diff vip 2 5 --db "$GD" > "$TMP/out" 2>&1
eq "diff 2 -> 5" "segment vip: version 2 -> 5
- 2
0 added, 1 removed" "$(cat "$TMP/out")"
camp segment diff vip 1 3 --db "$GD" > "$TMP/out" 2>&1
eq "diff 1 -> 3: numeric order" "segment vip: version 1 -> 3
+ 1
+ 2
+ 3
+ 10
4 added, 0 removed" "$(cat "$TMP/out")"
camp segment diff vip 1 9 --db "$GD" > "$TMP/out" 2>&1
eq "diff unknown version" 1 $?
# a bad rule: an error at its column, nothing changes
camp segment add vip --where 'tier = "gold" and spend > "x"' --db "$GD" > "$TMP/out" 2>&1
eq "bad rule refused" 1 $?
has "bad rule located" "$TMP/out" "--where:1:19: error: cannot compare int with text"
hasnt "no warning about the generated step" "$TMP/out" "never used"
camp segment add vip --where 'tierr = "gold"' --db "$GD" > "$TMP/out" 2>&1
has "unknown column" "$TMP/out" "--where:1:1: error: unknown column \`tierr\` in customers"
camp segment add vip --where 'spend > 1 }' --db "$GD" > "$TMP/out" 2>&1
eq "brace refused" 1 $?
eq "still 5 versions" 5 "$(q "$GD" "SELECT version FROM camp_mops_segments WHERE name = 'vip'")"
eq "criteria saved" "1|add|tier = \"gold\"
2|add|spend > 200
3|reduce|spend < 50
4|refine|tier <> \"silver\"" "$(q "$GD" "SELECT seq, op, rule FROM camp_mops_segment_criteria ORDER BY seq")"
# reapply on changed data: 5 turns gold, 10 drops to 10 spend (still gold)
q "$GD" "UPDATE customers SET tier = 'gold' WHERE id = 5; UPDATE customers SET spend = 10 WHERE id = 10"
# gold {1,2,5,10} + spend>200 {3} - spend<50 {2,4,10} refine not silver -> {1,5}
camp segment reapply vip --db "$GD" --now 2026-03-06 > "$TMP/out" 2>&1
eq "reapply" "segment vip version 6 (reapply): 2 members, +1 -1" "$(cat "$TMP/out")"
eq "reapplied members" "1,5" "$(members "$GD")"
camp segment add nope --where 'spend > 1' --db "$GD" > "$TMP/out" 2>&1
eq "unknown segment" 1 $?
camp segment frob vip --db "$GD" > "$TMP/out" 2>&1
eq "unknown verb" 2 $?
eq "audited" 6 "$(q "$GD" "SELECT count(*) FROM camp_audit WHERE action = 'segment'")"

# offers for a saved segment: vip = {1, 5} (version 6)
cp "$HERE/promo.camp" "$HERE/flyer.camp" "$HERE/badseg.camp" "$TMP/"
camp check "$TMP/badseg.camp" > "$TMP/out" 2>&1
eq "badseg fails" 1 $?
has "segment and saved_segment" "$TMP/out" "badseg.camp:6:45: error: an offer has a \`segment\` or a \`saved_segment\`, not both"
has "saved_segment not a name" "$TMP/out" "badseg.camp:7:46: error: \`saved_segment\` names a segment"
camp deploy "$TMP/flyer.camp" --db "$GD" --now 2026-03-06 > /dev/null 2>&1
# no run needed for a whole saved segment
camp offers activate flyer --db "$GD" --now 2026-03-06 > "$TMP/out" 2>&1
eq "saved segment without a run" "flyer: offer seg_only active for 2 contacts (segment vip)" "$(cat "$TMP/out")"
camp deploy "$TMP/promo.camp" --db "$GD" --now 2026-03-06 > /dev/null 2>&1
camp offers activate promo --db "$GD" --now 2026-03-06 > "$TMP/out" 2>&1
eq "targets need a run" 1 $?
has "no run yet" "$TMP/out" "has no run yet"
# spend > 60: 1 (100), 3 (300) are messaged; vip {1, 5}: targets = {1}
camp run "$TMP/promo.camp" --db "$GD" --now 2026-03-06 > /dev/null 2>&1
camp offers activate promo --db "$GD" --now 2026-03-06 > "$TMP/out" 2>&1
eq "activate per saved segment" "promo: offer seg_all active for 2 contacts (segment vip)
promo: offer seg_targets active for 1 contacts (run 1)" "$(cat "$TMP/out")"
look() { camp offers --db "$GD" --contact "$1" --item "$2" --on "$3" --format json |
  python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["best_price"], r["best_discount_percent"], len(r["offers"]))'; }
eq "member 5: price" "99.00 None 1" "$(look 5 TENT 2026-03-15)"
eq "member 5: not a target" "None None 0" "$(look 5 BOOTS 2026-03-15)"
eq "member 1: target discount" "None 20.00 1" "$(look 1 BOOTS 2026-03-15)"
eq "not a member" "None None 0" "$(look 3 TENT 2026-03-15)"
eq "after the end date" "None None 0" "$(look 5 TENT 2026-04-01)"
# the segment changes: activation follows the current version
camp segment add vip --where 'id = 3' --db "$GD" --now 2026-03-07 > /dev/null 2>&1
camp offers activate promo --db "$GD" --now 2026-03-07 > "$TMP/out" 2>&1
eq "re-activation" "promo: offer seg_all active for 3 contacts (segment vip)
promo: offer seg_targets active for 2 contacts (run 1)" "$(cat "$TMP/out")"
# ------------------------------------------- interactions: CSV import
ID=$TMP/i.db
cp "$HERE/calls.camp" "$HERE/calls.csv" "$HERE/bad_calls.csv" "$HERE/bad_int.csv" "$TMP/"
q "$ID" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold'), (2, 'b@x', 'gold'), (3, 'c@x', 'silver');"
camp deploy "$TMP/calls.camp" --db "$ID" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/calls.camp" --db "$ID" --now 2026-03-01 > /dev/null 2>&1
q "$ID" "UPDATE camp_outbox SET status = 'sent', sent_at = '2026-03-01 10:00:00'"
(cd "$TMP" && camp interactions import bad_calls.csv --db "$ID") > "$TMP/out" 2>&1
eq "bad file refused" 1 $?
has "empty contact" "$TMP/out" "bad_calls.csv:3: column \`contact\`: empty"
has "unknown template" "$TMP/out" "bad_calls.csv:4: column \`template\`: no interaction template \`fax\` is deployed"
has "bad date" "$TMP/out" "bad_calls.csv:5: column \`date\`: \`2026-02-30\` is not a date or time"
has "unknown campaign" "$TMP/out" "bad_calls.csv:6: column \`campaign\`: no deployed campaign \`nope\`"
has "5 decimals" "$TMP/out" "bad_calls.csv:7: column \`cost\`: \`1.23456\` is not an amount"
has "negative minutes" "$TMP/out" "bad_calls.csv:8: column \`minutes\`: -5 is below 0"
has "duplicate line" "$TMP/out" "bad_calls.csv:9: contact 1, template phone, campaign news at 2026-03-02 00:00:00 is already logged"
has "summary" "$TMP/out" "7 bad records in bad_calls.csv: nothing imported"
eq "line 2 (good) not stored either" 0 "$(q "$ID" "SELECT count(*) FROM camp_mops_interaction_log")"
(cd "$TMP" && camp interactions import bad_int.csv --db "$ID") > "$TMP/out" 2>&1
eq "bad int refused" 1 $?
has "bad int" "$TMP/out" "bad_int.csv:2: column \`minutes\`: \`abc\` is not a valid int"
camp interactions import "$TMP/nope.csv" --db "$ID" > "$TMP/out" 2>&1
eq "missing file" 1 $?
# 2.50 + 3.75 (override) + 40.00 + 2.50 = 48.75
(cd "$TMP" && camp interactions import calls.csv --db "$ID" --as lena --now 2026-03-06) > "$TMP/out" 2>&1
eq "import" "4 interactions imported from calls.csv (cost 48.75)" "$(cat "$TMP/out")"
eq "audited" "lena|interactions import|4 imported" "$(q "$ID" "SELECT who, action, to_state FROM camp_audit WHERE action = 'interactions import'")"
eq "log rows" "1|call|2026-03-02 00:00:00|25000|10|calls.csv:2
2|call|2026-03-02 10:30:00|37500|10|calls.csv:3
2|meeting|2026-03-05 00:00:00|400000|90|calls.csv:4
4|call|2026-03-03 00:00:00|25000|10|calls.csv:5" \
  "$(q "$ID" "SELECT contact, type, at, cost, minutes, source FROM camp_mops_interaction_log ORDER BY id")"
(cd "$TMP" && camp interactions import calls.csv --db "$ID") > "$TMP/out" 2>&1
eq "second import refused" 1 $?
eq "still 4" 4 "$(q "$ID" "SELECT count(*) FROM camp_mops_interaction_log")"
eq "in the view" "call|3
meeting|1
sent|3" "$(q "$ID" "SELECT type, count(*) FROM camp_interactions WHERE campaign = 'news' GROUP BY type ORDER BY type")"
camp stats news --db "$ID" --format csv > "$TMP/out" 2>&1
# m1: 3 sent x 0.01 = 0.03.  phone: contacts 1, 2, 4; 2.50 + 3.75 + 2.50 = 8.75, 3 x 10 min.
# visit: contact 2, 40.00, 90 min (override), a success (success "meeting").
# total: reach {1,2,3} messaged + {1,2,4} called/met = 4; 3 + 3 + 1 = 7 interactions;
#   1 success = 25.0%; cost 10 (fixed) + 0.03 + 8.75 + 40 = 58.78; 30 + 90 = 120 min
eq "stats with imports" "step,channel,reach,interactions,minutes,successes,success_rate,cost,cost_per_success
m1,email,3,3,0,0,0.0%,0.03,-
phone,call,3,3,30,0,0.0%,8.75,-
visit,meeting,1,1,90,1,100.0%,40.00,40.00
total,,4,7,120,1,25.0%,58.78,58.78" "$(tr -d '\r' < "$TMP/out")"

t_summary mops2
[ "$T_FAIL" -eq 0 ]
