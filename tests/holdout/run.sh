#!/bin/sh
# tests/holdout/run.sh CAMP — control groups on one step (docs/policy.md):
# the audience step `treated = holdout 20% of scored` and a channel step's
# `holdout 10%`.  Which members are held out is worked out here by
# tests/holdout/hold.py, an independent implementation of the documented
# hash (FNV-1a over the tagged values, splitmix64 finalizer), and compared
# with what camp plans (--engine sql, interp, jit and the default) and runs
# (default and --engine jit): the same members in every engine and run,
# never messaged, recorded; `camp report --holdout` recomputed with SQL over
# the expected groups and awk; checker errors with locations; `camp fmt`.
# POSIX sh + sqlite3 + jq + /usr/bin/python3.  Last line: `holdout: N passed, N failed`.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/holdout/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
for tool in sqlite3 jq /usr/bin/python3; do
  command -v "$tool" > /dev/null || { echo "holdout: $tool is not installed (make deps)" >&2; exit 2; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-holdout.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

has() { # has NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: $2 lacks [$3]"; sed 's/^/    /' "$2" | head -20; fi
}
hold() { /usr/bin/python3 "$HERE/hold.py" "$@"; }
# minus "A" "B": the words of A not in B (both sorted numerically)
minus() { printf '%s\n' $1 | grep -vxF -f "$(printf '%s\n' $2 > "$TMP/m.$$"; echo "$TMP/m.$$")" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
keys() { sqlite3 "$1" "$2" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
line() { grep "^$2:" "$1" | cut -d: -f2- | sed 's/^ //'; }

cp "$HERE/hold.camp" "$TMP/"
D=$TMP/crm.db
sqlite3 "$D" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, score INT);
  CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, at TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se', i % 50 FROM n;
  INSERT INTO purchases(customer_id, at) SELECT id, '2026-03-05 10:00:00' FROM customers WHERE id % 3 = 0;
  INSERT INTO purchases(customer_id, at) SELECT id, '2026-03-25 10:00:00' FROM customers WHERE id % 5 = 0;
  INSERT INTO purchases(customer_id, at) SELECT id, '2026-03-02 10:00:00' FROM customers WHERE id % 7 = 0 AND id % 2 = 1;"
cp "$D" "$TMP/fresh.db"
NOW="2026-03-01 09:00"

# --- the expected groups, from the hash definition --------------------------
ALL=$(keys "$D" "SELECT id FROM customers")
S=$(keys "$D" "SELECT id FROM customers WHERE score > 10")
C_AUD=$(hold 7 holdout:spring:treated 2000 "$S")
T=$(minus "$S" "$C_AUD")
C_EM=$(hold 7 holdout:spring:_email_treated 1000 "$T")
R_EM=$(minus "$T" "$C_EM")
C_ALL=$(hold 7 holdout:spring:_email_all 250 "$ALL")
R_ALL=$(minus "$ALL" "$C_ALL")
n() { echo "$1" | wc -w | tr -d ' '; }
# sanity of the fixture: each group is about its share
for g in "C_AUD $(n "$C_AUD") $(n "$S") 20" "C_EM $(n "$C_EM") $(n "$T") 10" "C_ALL $(n "$C_ALL") 1000 2.5"; do
  set -- $g
  awk -v h="$2" -v all="$3" -v p="$4" 'BEGIN { exit !(h > all * p / 100 * 0.5 && h < all * p / 100 * 1.5) }' \
    && t_pass || t_fail "fixture: $1 holds $2 of $3, not about $4%"
done

# --- 1. plan by every engine: the same members as worked out ---------------
for e in sql interp jit auto; do
  CAMP_PLAN_KEYS="$TMP/k.$e" "$CAMP" plan "$TMP/hold.camp" --campaign spring --db "$D" --now "$NOW" --engine $e > "$TMP/p.$e" 2>&1
  eq "plan --engine $e: exit" 0 $?
  eq "plan --engine $e: treated = scored less the control group" "$T" "$(line "$TMP/k.$e" treated)"
  eq "plan --engine $e: the email step less its own holdout" "$R_EM" "$(line "$TMP/k.$e" _email_treated)"
  eq "plan --engine $e: the wait passes only treated members" "$T" "$(line "$TMP/k.$e" later)"
  eq "plan --engine $e: email all less 2.5%" "$R_ALL" "$(line "$TMP/k.$e" _email_all)"
done
has "plan: the audience step's count line" "$TMP/p.sql" "policy: $(n "$C_AUD") held out (control group)"
has "plan: the channel step's count line" "$TMP/p.sql" "policy: $(n "$C_EM") held out (control group)"
CAMP_PLAN_KEYS="$TMP/k.def" "$CAMP" plan "$TMP/hold.camp" --campaign spring --db "$D" --now "$NOW" > "$TMP/p.def" 2>&1
eq "plan (default engine): treated" "$T" "$(line "$TMP/k.def" treated)"
eq "plan (default engine): email" "$R_EM" "$(line "$TMP/k.def" _email_treated)"
eq "plan --format json: the step's holdout count" "$(n "$C_AUD")" \
  "$("$CAMP" plan "$TMP/hold.camp" --campaign spring --db "$D" --now "$NOW" --format json | jq '.steps[] | select(.step == "treated") | .policy.holdout')"

# --- 2. runs: recorded, never messaged, stable across runs and engines ------
"$CAMP" run "$TMP/hold.camp" --campaign spring --db "$D" --now "$NOW" > "$TMP/r1" 2>&1
eq "run: exit" 0 $?
"$CAMP" resume --db "$D" --now "2026-03-04 09:00" > /dev/null 2>&1
eq "run: control group of treated recorded" "$C_AUD" \
  "$(keys "$D" "SELECT recipient_key FROM camp_policy_removed WHERE run_id = 1 AND step = 'treated' AND reason = 'holdout'")"
eq "run: the detail names the holdout" "holdout 20% of treated" \
  "$(sqlite3 "$D" "SELECT DISTINCT detail FROM camp_policy_removed WHERE run_id = 1 AND step = 'treated'")"
eq "run: treated members recorded" "$T" "$(keys "$D" "SELECT recipient_key FROM camp_holdout_treated WHERE run_id = 1 AND step = 'treated'")"
eq "run: the email step's messages" "$R_EM" "$(keys "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND step = '_email_treated'")"
eq "run: the email step's held out" "$C_EM" \
  "$(keys "$D" "SELECT recipient_key FROM camp_policy_removed WHERE run_id = 1 AND step = '_email_treated' AND reason = 'holdout'")"
eq "run: the reminder after the wait reaches treated members only" "$T" \
  "$(keys "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND step = '_email_later'")"
eq "run: email all" "$R_ALL" "$(keys "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND step = '_email_all'")"
eq "run: no control member of treated is messaged after it" 0 "$(sqlite3 "$D" "SELECT count(*) FROM camp_outbox o
  JOIN camp_policy_removed p ON p.recipient_key = CAST(o.recipient_key AS TEXT) AND p.step = 'treated'
  WHERE o.run_id = 1 AND p.run_id = 1 AND o.step <> '_email_all'")"
"$CAMP" status 1 --db "$D" > "$TMP/st" 2>&1
has "status: the audience holdout's count" "$TMP/st" "treated         render  0                0                0           0         $(n "$C_AUD")"
"$CAMP" run "$TMP/hold.camp" --campaign spring --db "$D" --now "2026-03-10 09:00" --new-run > /dev/null 2>&1
eq "second run: the same control group" "$C_AUD" \
  "$(keys "$D" "SELECT recipient_key FROM camp_policy_removed WHERE run_id = 2 AND step = 'treated'")"
eq "second run: the same email recipients" "$R_EM" "$(keys "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = 2 AND step = '_email_treated'")"
J=$TMP/jit.db
cp "$TMP/fresh.db" "$J"
"$CAMP" run "$TMP/hold.camp" --campaign spring --db "$J" --now "$NOW" --engine jit > /dev/null 2>&1
eq "run --engine jit: control group" "$C_AUD" "$(keys "$J" "SELECT recipient_key FROM camp_policy_removed WHERE step = 'treated'")"
eq "run --engine jit: email recipients" "$R_EM" "$(keys "$J" "SELECT recipient_key FROM camp_outbox WHERE step = '_email_treated'")"
eq "run --engine jit: email all" "$R_ALL" "$(keys "$J" "SELECT recipient_key FROM camp_outbox WHERE step = '_email_all'")"

# --- 3. a step holdout under the campaign's holdout -------------------------
"$CAMP" run "$TMP/hold.camp" --campaign both --db "$D" --now "$NOW" > /dev/null 2>&1
eq "both: run exit" 0 $?
BR=$(sqlite3 "$D" "SELECT max(id) FROM camp_runs WHERE campaign = 'both'")
CB=$(hold campaign both 5 "$ALL")
RB=$(minus "$ALL" "$CB")
CS=$(hold 11 holdout:both:_email_all 1000 "$RB")
eq "both: the campaign's control group first" "$CB" \
  "$(keys "$D" "SELECT recipient_key FROM camp_policy_removed WHERE run_id = $BR AND reason = 'holdout' AND detail IS NULL")"
eq "both: then the step's own, drawn from the rest" "$CS" \
  "$(keys "$D" "SELECT recipient_key FROM camp_policy_removed WHERE run_id = $BR AND reason = 'holdout' AND detail IS NOT NULL")"
eq "both: recipients" "$(minus "$RB" "$CS")" "$(keys "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = $BR")"

# --- 4. camp report --holdout -------------------------------------------------
conv() { # conv KEYS: how many of them converted (a purchase in [start, start + 14d))
  [ -z "$1" ] && { echo 0; return; }
  sqlite3 "$D" "SELECT count(*) FROM customers c WHERE c.id IN ($(echo "$1" | tr ' ' ',')) AND EXISTS (SELECT 1 FROM purchases p
    WHERE p.customer_id = c.id AND p.at >= '2026-03-01 09:00:00' AND p.at < '2026-03-15 09:00:00')"
}
stats() { # stats NT CT NC CC -> rates, uplift, interval (4 decimals)
  awk -v nt="$1" -v ct="$2" -v nc="$3" -v cc="$4" 'BEGIN { pt = ct / nt; pc = cc / nc; d = pt - pc;
    se = sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc); printf "%.4f %.4f %.4f %.4f %.4f", pt, pc, d, d - 1.96 * se, d + 1.96 * se }'
}
jstats() { jq -r '[.treated.rate, .control.rate, .uplift, .ci95[0], .ci95[1]] | map(tostring) | join(" ")' "$1" |
  awk '{ printf "%.4f %.4f %.4f %.4f %.4f", $1, $2, $3, $4, $5 }'; }
"$CAMP" report spring --db "$D" --run 1 > "$TMP/rep.none" 2>&1
eq "report: several holdouts need --holdout" 1 $?
has "report: lists them" "$TMP/rep.none" "has 3 holdouts; choose one with --holdout LABEL"
has "report: lists the audience holdout" "$TMP/rep.none" "treated              holdout 20% of scored"
# audience holdout: treated members against the control group
"$CAMP" report spring --db "$D" --run 1 --holdout treated --format json > "$TMP/rep.aud" 2> "$TMP/err"
eq "report --holdout treated: exit" 0 $?
a="$(n "$T") $(conv "$T") $(n "$C_AUD") $(conv "$C_AUD")"
eq "report --holdout treated: counts" "$a" \
  "$(jq -r '"\(.treated.recipients) \(.treated.converted) \(.control.recipients) \(.control.converted)"' "$TMP/rep.aud")"
eq "report --holdout treated: statistics" "$(stats $a)" "$(jstats "$TMP/rep.aud")"
eq "report --holdout treated: kind" "treated audience" "$(jq -r '"\(.holdout) \(.holdout_kind)"' "$TMP/rep.aud")"
# channel step holdout: its recipients against its held out
"$CAMP" report spring --db "$D" --run 1 --holdout _email_treated --format json > "$TMP/rep.step" 2> "$TMP/err"
a="$(n "$R_EM") $(conv "$R_EM") $(n "$C_EM") $(conv "$C_EM")"
eq "report --holdout _email_treated: counts" "$a" \
  "$(jq -r '"\(.treated.recipients) \(.treated.converted) \(.control.recipients) \(.control.converted)"' "$TMP/rep.step")"
eq "report --holdout _email_treated: statistics" "$(stats $a)" "$(jstats "$TMP/rep.step")"
"$CAMP" report spring --db "$D" --run 1 --holdout treated > "$TMP/rep.txt" 2>&1
has "report text: names the holdout" "$TMP/rep.txt" "holdout  treated: holdout 20% of scored"
has "report text: treated" "$TMP/rep.txt" "treated  $(n "$T") recipients, $(conv "$T") converted"
"$CAMP" report spring --db "$D" --run 1 --holdout treated --format svg --output "$TMP/rep.svg" > /dev/null 2>&1
eq "report svg parses" ok "$(/usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1]); print("ok")' "$TMP/rep.svg" 2>&1)"
has "report svg: control n" "$TMP/rep.svg" "control (n = $(n "$C_AUD"))"
"$CAMP" report spring --db "$D" --run 1 --holdout nosuch > "$TMP/out" 2>&1
eq "report --holdout unknown: exit" 1 $?
has "report --holdout unknown: says so" "$TMP/out" "has no holdout \`nosuch\`"
# the campaign holdout of `both` against its step holdout
"$CAMP" report both --db "$D" --holdout campaign --format json > "$TMP/rep.c" 2>/dev/null
a="$(n "$(minus "$RB" "$CS")") $(conv "$(minus "$RB" "$CS")") $(n "$CB") $(conv "$CB")"
eq "report both --holdout campaign: the step's held out are not the campaign's control" "$a" \
  "$(jq -r '"\(.treated.recipients) \(.treated.converted) \(.control.recipients) \(.control.converted)"' "$TMP/rep.c")"

# --- 5. the checker ------------------------------------------------------------
cat > "$TMP/bad.camp" <<'X'
schema customers {
  id int key
  email text address(email)
}
campaign b {
  all = customers
  t, c = holdout 5% of all
  u = holdout 0% of all
  v = holdout 100% of all
  w = holdout 2.555% of all
  email u { subject "x"; body "y"; holdout 0% }
  email v { subject "x"; body "y"; holdout "5%" }
  email w { subject "x"; body "y"; holdout 150% }
  email t { subject "x"; body "y" }
}
X
"$CAMP" check "$TMP/bad.camp" > "$TMP/out" 2>&1
eq "check: bad holdouts fail" 1 $?
has "check: control group as an output" "$TMP/out" "bad.camp:7:6: error: \`holdout\` has one output, the treated members; the control group is not an output"
has "check: 0%" "$TMP/out" "bad.camp:8:15: error: a holdout is a percentage above 0 and below 100 with at most two decimals, not \`0%\`"
has "check: 100%" "$TMP/out" "bad.camp:9:15: error: a holdout is a percentage above 0 and below 100"
has "check: three decimals" "$TMP/out" "bad.camp:10:15: error: a holdout is a percentage above 0 and below 100 with at most two decimals, not \`2.555%\`"
has "check: 0% in a step" "$TMP/out" "bad.camp:11:36: error: a holdout is a percentage"
has "check: a string" "$TMP/out" "bad.camp:12:36: error: \`holdout\` takes a percentage"
has "check: 150% in a step" "$TMP/out" "bad.camp:13:36: error: a holdout is a percentage"
printf 'schema s {\n  id int key\n}\ncampaign k {\n  a = s\n  b = hold 5%% of a\n}\n' > "$TMP/word.camp"
"$CAMP" check "$TMP/word.camp" > "$TMP/out" 2>&1
has "check: another word is a syntax error" "$TMP/out" "word.camp:6:7: error: syntax error: unexpected name \`hold\`"
"$CAMP" check "$TMP/hold.camp" > "$TMP/out" 2>&1
eq "check: the suite's campaigns check" 0 $?

# --- 6. camp fmt and camp sql --------------------------------------------------
"$CAMP" fmt --check "$TMP/hold.camp" > "$TMP/out" 2>&1
eq "fmt: the suite's file is formatted" 0 $?
printf 'schema s {\n  id int key\n  email text address(email)\n}\ncampaign k {\n  a = s\n  b =   holdout   2.50%%   of   a\n  email b { subject "x"; body "y";   holdout  5%%  }\n}\n' > "$TMP/f.camp"
"$CAMP" fmt --output - "$TMP/f.camp" > "$TMP/f.out" 2>&1
has "fmt: the audience step" "$TMP/f.out" "  b = holdout 2.50% of a"
has "fmt: the step setting" "$TMP/f.out" "    holdout 5%"
"$CAMP" fmt --check "$TMP/f.out" > /dev/null 2>&1
eq "fmt: its output is formatted" 0 $?
"$CAMP" sql "$TMP/hold.camp" --campaign spring > "$TMP/s.sql" 2>&1
has "sql: the audience holdout in SQL" "$TMP/s.sql" ") % 10000 >= 2000;"
has "sql: its salt" "$TMP/s.sql" "'holdout:spring:treated'"
has "sql: a channel step's holdout stated" "$TMP/s.sql" "-- holdout 10%: the runtime takes out"
"$CAMP" graph "$TMP/hold.camp" --campaign spring > "$TMP/g.dot" 2>&1
has "graph: the audience step" "$TMP/g.dot" '"treated" [label="treated\nholdout\nholdout 20% of scored"'
has "graph: the channel step's setting" "$TMP/g.dot" 'holdout: 10%"'

t_summary holdout
