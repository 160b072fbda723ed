#!/bin/sh
# tests/mops/run.sh CAMP — marketing operations (docs/marketing-ops.md):
# plans, programs, status codes, teams and tasks with date formulas.  Due
# dates, allowed status moves and overdue lists are computed by hand in the
# comments next to each expectation.  POSIX sh + sqlite3.  Last line:
# `mops: N passed, N failed`; exit 1 if anything failed.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/mops/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
command -v sqlite3 > /dev/null || { echo "mops: sqlite3 is not installed" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-mops.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
camp() { timeout -k 5 60 "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }

# eq NAME WANT GOT
# has NAME FILE TEXT — FILE contains the line fragment TEXT
has() {
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: [$3] not in output:"; sed 's/^/    /' "$2" | head -20; fi
}

# ------------------------------------------------------------ compile
cp "$HERE/ops.camp" "$TMP/ops.camp"
camp check "$TMP/ops.camp" > "$TMP/out" 2>&1
eq "check ops.camp" 0 $?
eq "no diagnostics" "" "$(cat "$TMP/out")"
camp fmt "$TMP/ops.camp" > /dev/null 2>&1
camp fmt --check "$TMP/ops.camp" > /dev/null 2>&1
eq "fmt is idempotent" 0 $?
camp check "$TMP/ops.camp" > /dev/null 2>&1
eq "formatted file checks" 0 $?

camp check "$HERE/bad.camp" > "$TMP/bad" 2>&1
eq "bad.camp fails" 1 $?
B=$HERE/bad.camp
has "formula caret" "$TMP/bad" "bad.camp:11:28: error: expected \`+\` or \`-\` between the terms of a date formula"
has "unknown unit" "$TMP/bad" "bad.camp:12:37: error: unknown date formula unit"
has "dangling sign" "$TMP/bad" "bad.camp:13:20: error: a date formula ends after a sign"
has "cycle" "$TMP/bad" "error: tasks follow each other in a cycle: x -> z -> y -> x"
has "unknown after" "$TMP/bad" "bad.camp:14:8: error: task \`w\` comes after an unknown task \`nope\`"
has "missing due" "$TMP/bad" "bad.camp:15:8: error: task \`v\` needs \`due\`"
has "formula not a string" "$TMP/bad" "bad.camp:16:16: error: a date formula is a string"
has "unknown task field" "$TMP/bad" "bad.camp:16:20: error: unknown field \`colour\` in a task"
has "unknown item" "$TMP/bad" "bad.camp:17:3: error: unknown campaign item \`tsk\`"
has "did you mean task" "$TMP/bad" "did you mean \`task\`?"
has "unknown program" "$TMP/bad" "bad.camp:9:11: error: unknown program \`sprung\`"
has "unknown plan" "$TMP/bad" "bad.camp:6:9: error: program \`spring\` belongs to an unknown plan \`nope\`"
has "unknown next code" "$TMP/bad" "bad.camp:4:57: error: not a status code of \`flow\`"
has "unknown from code" "$TMP/bad" "bad.camp:5:3: error: \`reviewed\` is not a status code of \`flow\`"
has "unknown team" "$TMP/bad" "bad.camp:18:22: error: unknown team \`ghosts\`"
has "unknown declaration" "$TMP/bad" "bad.camp:7:1: error: unknown declaration \`plam\`"
has "bad date" "$TMP/bad" "bad.camp:7:20: error: invalid date \`2026-13-01\`"

# ------------------------------------------------------------ deploy
DB=$TMP/m.db
q "$DB" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT); INSERT INTO customers VALUES (1, 'a@x.se'), (2, 'b@x.se');"
camp deploy "$TMP/ops.camp" --db "$DB" --campaign spring_sale --now "2026-03-01 09:00" --as ana > "$TMP/out" 2>&1
eq "deploy" 0 $?
camp deploy "$TMP/ops.camp" --db "$DB" --campaign leap --now "2026-03-01 09:00" --as ana > "$TMP/out" 2>&1
eq "deploy leap" 0 $?
# spring_sale starts 2026-03-15 (a Sunday):
#   brief  -1W from 2026-03-15            = 2026-03-08
#   proofs 10D after brief                = 2026-03-18
#   print  CM+1D after proofs: 03-31 + 1  = 2026-04-01
#   review 1M+CM after print: 05-01 -> 05-31 = 2026-05-31
#   wrapup -CW after start: Monday of the week of 03-15 = 2026-03-09
eq "due dates" "brief|2026-03-08
print|2026-04-01
proofs|2026-03-18
review|2026-05-31
wrapup|2026-03-09" "$(q "$DB" "SELECT name, due_date FROM camp_mops_tasks WHERE campaign = 'spring_sale' ORDER BY name")"
# leap starts 2024-02-10:
#   monthend CM          = 2024-02-29 (leap year)
#   nextyear 1Y after monthend: 2025-02-29 does not exist = 2025-02-28
#   back     -1M after monthend: 2024-01-29
#   q        CQ after start = 2024-03-31; qs -CQ = 2024-01-01
eq "leap dates" "back|2024-01-29
monthend|2024-02-29
nextyear|2025-02-28
q|2024-03-31
qs|2024-01-01" "$(q "$DB" "SELECT name, due_date FROM camp_mops_tasks WHERE campaign = 'leap' ORDER BY name")"
eq "hierarchy" "campaign|leap||
campaign|spring_sale|spring|Lena
plan|retail_2026||Lena
program|spring|retail_2026|omar" "$(q "$DB" "SELECT kind, name, coalesce(parent, ''), coalesce(owner, '') FROM camp_mops_nodes ORDER BY kind, name")"
eq "status codes" "planned|1
approved|2
live|3
done|4
cancelled|5" "$(q "$DB" "SELECT code, ord FROM camp_mops_status_codes WHERE set_name = 'flow' ORDER BY ord")"
eq "initial status" "planned" "$(q "$DB" "SELECT code FROM camp_mops_status WHERE campaign = 'spring_sale'")"

# ------------------------------------------------------------ tasks
camp tasks --db "$DB" --campaign spring_sale --now 2026-03-10 --format json > "$TMP/t.json"
eq "tasks json" 0 $?
# on 2026-03-10: brief (03-08) and wrapup (03-09) are overdue, the rest open
eq "overdue states" "brief overdue,wrapup overdue,proofs open,print open,review open" \
  "$(python3 -c 'import json,sys; print(",".join(t["task"]+" "+t["state"] for t in json.load(open(sys.argv[1]))))' "$TMP/t.json")"
# lena owns brief and is a member of team print_shop (proofs)
camp tasks --db "$DB" --who lena --now 2026-03-10 > "$TMP/out"
eq "who lena" "brief proofs" "$(awk 'NR > 1 {printf "%s%s", s, $3; s = " "}' "$TMP/out")"
camp tasks --db "$DB" --who print_shop --now 2026-03-10 > "$TMP/out"
eq "who team" "proofs" "$(awk 'NR > 1 {print $3}' "$TMP/out")"
# due before 2026-03-18, by due date: every task of leap (2024-01-01 ..
# 2025-02-28), then brief (03-08) and wrapup (03-09)
camp tasks --db "$DB" --due-before 2026-03-18 --now 2026-03-10 > "$TMP/out"
eq "due before" "qs back monthend q nextyear brief wrapup" "$(awk 'NR > 1 {printf "%s%s", s, $3; s = " "}' "$TMP/out")"
camp tasks --db "$DB" --due-before 2026-02-30 > "$TMP/out" 2>&1
eq "bad --due-before" 2 $?
ID=$(q "$DB" "SELECT id FROM camp_mops_tasks WHERE campaign = 'spring_sale' AND name = 'brief'")
camp tasks --db "$DB" --done "$ID" --as lena --now "2026-03-10 12:00" > "$TMP/out" 2>&1
eq "done" 0 $?
eq "done stored" "2026-03-10 12:00:00|lena" "$(q "$DB" "SELECT done_at, done_by FROM camp_mops_tasks WHERE id = $ID")"
camp tasks --db "$DB" --done "$ID" > "$TMP/out" 2>&1
eq "done twice refused" 1 $?
has "done twice says when" "$TMP/out" "already done at 2026-03-10 12:00:00 by lena"
camp tasks --db "$DB" --done 999 > "$TMP/out" 2>&1
eq "unknown task" 1 $?
camp tasks --db "$DB" --done x1 > "$TMP/out" 2>&1
eq "bad task id" 2 $?
# camp status lists what is overdue on 2026-03-20: wrapup (03-09), proofs (03-18); brief is done
camp status --db "$DB" --campaign spring_sale --now "2026-03-20 08:00" > "$TMP/out" 2>&1
has "status overdue wrapup" "$TMP/out" "spring_sale / wrapup  due 2026-03-09  (omar)"
has "status overdue proofs" "$TMP/out" "spring_sale / proofs  due 2026-03-18  (print_shop)"
if grep -q "/ brief" "$TMP/out"; then t_fail "done task listed as overdue"; else t_pass; fi

# redeploy with a task removed and one changed: done state survives, ids stay
sed -e '/task wrapup/,/^  }/d' -e 's/due "10D"/due "12D"/' "$TMP/ops.camp" > "$TMP/ops2.camp"
camp deploy "$TMP/ops2.camp" --db "$DB" --campaign spring_sale --now "2026-03-11 09:00" --as ana > "$TMP/out" 2>&1
eq "redeploy" 0 $?
eq "removed task gone" "" "$(q "$DB" "SELECT name FROM camp_mops_tasks WHERE name = 'wrapup'")"
# proofs now 12D after brief (03-08) = 03-20; print CM+1D after 03-20 = 04-01
eq "changed task" "proofs|2026-03-20" "$(q "$DB" "SELECT name, due_date FROM camp_mops_tasks WHERE name = 'proofs'")"
eq "done kept" "lena" "$(q "$DB" "SELECT done_by FROM camp_mops_tasks WHERE id = $ID")"

# ------------------------------------------------------------ status codes
camp set-status spring_sale live --db "$DB" --as omar > "$TMP/out" 2>&1
eq "skip refused" 1 $?
has "refusal names allowed" "$TMP/out" "campaign \`spring_sale\` is \`planned\`: \`live\` may not follow it (allowed next: approved, cancelled)"
camp set-status spring_sale bogus --db "$DB" > "$TMP/out" 2>&1
eq "unknown code refused" 1 $?
has "unknown code" "$TMP/out" "\`bogus\` is not a status code of \`flow\`"
camp set-status spring_sale approved --db "$DB" --as omar --now "2026-03-12 10:00" > "$TMP/out" 2>&1
eq "approved" 0 $?
camp set-status spring_sale live --db "$DB" --as omar --now "2026-03-15 10:00" > "$TMP/out" 2>&1
eq "live" 0 $?
camp set-status spring_sale done --db "$DB" --as omar > "$TMP/out" 2>&1
eq "done" 0 $?
camp set-status spring_sale cancelled --db "$DB" --as omar > "$TMP/out" 2>&1
eq "final code refused" 1 $?
has "final" "$TMP/out" "(allowed next: none, it is final)"
eq "status audit" "planned|approved|omar
approved|live|omar
live|done|omar" "$(q "$DB" "SELECT from_state, to_state, who FROM camp_audit WHERE action = 'status' AND from_state IS NOT NULL ORDER BY id")"
camp campaigns --db "$DB" --now 2026-03-20 > "$TMP/out" 2>&1
has "campaigns header" "$TMP/out" "STATE  STATUS"
eq "campaigns row" "spring_sale draft done" "$(awk '$1 == "spring_sale" {print $1, $3, $4}' "$TMP/out")"
camp set-status nobody approved --db "$DB" > "$TMP/out" 2>&1
eq "no status set" 1 $?

# a database without marketing operations lists no STATUS column
DB2=$TMP/plain.db
q "$DB2" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT);"
cat > "$TMP/plain.camp" <<'CAMP'
schema customers {
  id int key
  email text address(email)
}
campaign plain {
  a = customers
  email a { subject "hi"; body "x" }
}
CAMP
camp deploy "$TMP/plain.camp" --db "$DB2" --now 2026-03-01 > /dev/null 2>&1
camp campaigns --db "$DB2" --now 2026-03-01 > "$TMP/out" 2>&1
if grep -q STATUS "$TMP/out"; then t_fail "STATUS column without status codes"; else t_pass; fi
camp tasks --db "$DB2" > "$TMP/out" 2>&1
eq "no tasks" "no open tasks" "$(cat "$TMP/out")"

# ------------------------------------------------------------ budgets
camp check "$HERE/badcost.camp" > "$TMP/bad" 2>&1
eq "badcost fails" 1 $?
has "budget not amount" "$TMP/bad" "badcost.camp:6:10: error: \`budget\` is an amount"
has "over_budget word" "$TMP/bad" "badcost.camp:7:15: error: \`over_budget\` is \"warn\" (the default) or \"block\""
has "per_piece on email" "$TMP/bad" "badcost.camp:8:28: error: \`per_piece\` counts printed pieces of \`mail\` steps: \`m\` sends email"
has "unknown step" "$TMP/bad" "badcost.camp:9:29: error: \`nope\` is not a channel step of this campaign"
has "two amounts" "$TMP/bad" "badcost.camp:10:22: error: a cost line has one amount"
has "fixed with step" "$TMP/bad" "badcost.camp:11:21: error: a fixed cost does not count messages: leave out \`step\`"
has "5 decimals" "$TMP/bad" "badcost.camp:12:24: error: an amount has at most 4 decimals"
has "negative" "$TMP/bad" "badcost.camp:13:18: error: an amount is a number of at least 0"
has "cost field" "$TMP/bad" "badcost.camp:14:21: error: unknown field \`colour\` in a cost line"
has "no amount" "$TMP/bad" "badcost.camp:15:8: error: cost \`h\` needs an amount"
has "unknown channel" "$TMP/bad" "badcost.camp:16:27: error: unknown channel \`fax\`"

BD=$TMP/b.db
cp "$HERE/budget.camp" "$TMP/budget.camp"
# customers: 1 email+phone, 2 email, 3 phone, 4 neither, 5 email+phone
q "$BD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, city TEXT);
INSERT INTO customers VALUES (1,'a@x.se','+461','Lund'),(2,'b@x.se',NULL,'Malmo'),(3,NULL,'+463','Ystad'),
(4,NULL,NULL,'Umea'),(5,'e@x.se','+465','Kiruna');"
camp plan "$TMP/budget.camp" --db "$BD" --campaign promo --now 2026-03-01 > "$TMP/out" 2>&1
eq "plan promo" 0 $?
# e = 1, 2, 5 (3 e-mails); rest = 3, 4 (2 letters); sms to 1, 3, 5 (3 texts)
# 12.50 + 2 x 0.85 + 3 x 0.0125 + 3 x 0.04 = 12.50 + 1.70 + 0.0375 + 0.12 = 14.3575
has "projected postage" "$TMP/out" "postage                  1.70  2 x 0.85 (step letters)"
has "projected mails" "$TMP/out" "mails                    0.04  3 x 0.0125 (channel email)"
has "projected total" "$TMP/out" "total                   14.36"
has "projected budget" "$TMP/out" "budget 100.00, spent 0.00, remaining 100.00"
for c in promo tight loose; do
  camp deploy "$TMP/budget.camp" --db "$BD" --campaign $c --now 2026-03-01 > /dev/null 2>&1 || t_fail "deploy $c"
done
camp budget --db "$BD" > "$TMP/out" 2>&1
eq "budget" 0 $?
# promo 14.3575 -> remaining 100 - 14.3575 = 85.6425; spring 400 - 14.3575;
# tight 3 x 0.50 = 1.50 > 1 (OVER, -0.50); autumn 50.50 - 1.50 = 49.00;
# the plan p2026: 1000 - (14.3575 + 1.50) = 984.1425
row() { awk -v n="$1" '$1 == n {$1 = $1; print}' "$TMP/out"; }
eq "plan row" "p2026 plan Lena 1000.00 15.86 0.00 984.14" "$(row p2026)"
eq "program row" "spring program - 400.00 14.36 0.00 385.64" "$(row spring)"
eq "campaign row" "promo campaign - 100.00 14.36 0.00 85.64" "$(row promo)"
eq "over row" "tight campaign - 1.00 1.50 0.00 -0.50 OVER" "$(row tight)"
eq "autumn row" "autumn program - 50.50 1.50 0.00 49.00" "$(row autumn)"
eq "no-program campaign" "loose campaign - 1.00 1.50 0.00 -0.50 OVER" "$(row loose)"
eq "line" "postage per_piece - - 1.70 0.00 - 0.85 x 2 planned, 0 sent (step letters)" "$(row postage)"
camp budget --db "$BD" promo --format json > "$TMP/b.json"
eq "budget one campaign" "p2026 spring promo agency mails postage texts" \
  "$(python3 -c 'import json,sys; print(" ".join(r["name"] for r in json.load(open(sys.argv[1]))))' "$TMP/b.json")"
camp budget --db "$BD" nosuch > "$TMP/out" 2>&1
eq "budget unknown campaign" 1 $?

# tight: 1.50 planned > 1.00 remaining, over_budget "block": refused, no run
camp run "$TMP/budget.camp" --db "$BD" --campaign tight --now 2026-03-01 > "$TMP/out" 2>&1
eq "blocked run" 1 $?
has "blocked says why" "$TMP/out" "refused: the planned cost of tight exceeds its remaining budget"
eq "no run of tight" 0 "$(q "$BD" "SELECT count(*) FROM camp_runs WHERE campaign = 'tight'")"
# loose: warn (the default), the run goes on
camp run "$TMP/budget.camp" --db "$BD" --campaign loose --now 2026-03-01 > "$TMP/out" 2>&1
eq "warned run" 0 $?
has "warning" "$TMP/out" "warning: the planned cost of loose exceeds its remaining budget"

camp run "$TMP/budget.camp" --db "$BD" --campaign promo --now 2026-03-01 > "$TMP/out" 2>&1
eq "run promo" 0 $?
# a run exists: the fixed 12.50 is actual; nothing sent yet
eq "actual after run" "promo campaign - 100.00 14.36 12.50 85.64" "$(camp budget --db "$BD" > "$TMP/out"; row promo)"
# two e-mails, one letter and three texts sent (what camp send records):
# 12.50 + 2 x 0.0125 + 1 x 0.85 + 3 x 0.04 = 13.495 -> 13.50
q "$BD" "UPDATE camp_outbox SET status = 'sent' WHERE run_id = (SELECT id FROM camp_runs WHERE campaign = 'promo')
AND (step = '_sms_all' OR id IN (SELECT min(id) FROM camp_outbox WHERE step = 'letters')
OR id IN (SELECT id FROM camp_outbox WHERE step = '_email_e' ORDER BY id LIMIT 2));"
camp budget --db "$BD" > "$TMP/out"
eq "actual after sends" "promo campaign - 100.00 14.36 13.50 85.64" "$(row promo)"
eq "sent line" "mails per_message - - 0.04 0.03 - 0.0125 x 3 planned, 2 sent (channel email)" "$(row mails)"
# a second plan of promo: the fixed line is already committed; remaining = 100 - 13.495 = 86.505 -> 86.51
camp plan "$TMP/budget.camp" --db "$BD" --campaign promo --now 2026-03-02 > "$TMP/out" 2>&1
has "second plan fixed" "$TMP/out" "agency                   0.00  fixed (already committed by an earlier run)"
has "second plan remaining" "$TMP/out" "budget 100.00, spent 13.50, remaining 86.51"

# ------------------------------------------------------------ stock
camp check "$HERE/badstock.camp" > "$TMP/bad" 2>&1
eq "badstock fails" 1 $?
has "no quantity" "$TMP/bad" "badstock.camp:5:7: error: stock \`flyers\` needs \`quantity\`"
has "negative alert" "$TMP/bad" "badstock.camp:5:16: error: \`alert\` takes a whole number of at least 0"
has "stock field" "$TMP/bad" "badstock.camp:5:26: error: unknown field \`colour\` in a stock item"
has "on_shortage" "$TMP/bad" "badstock.camp:5:38: error: \`on_shortage\` is \`warn\` (the default), \`block\` or \`limit\`"
has "unknown stock" "$TMP/bad" "badstock.camp:9:15: error: unknown stock item \`nope\`"
has "consume non-channel" "$TMP/bad" "badstock.camp:10:29: error: \`all\` is not a channel step of this campaign"
has "per_recipient 0" "$TMP/bad" "badstock.camp:10:39: error: \`per_recipient\` takes a whole number of at least 1"
has "consume incomplete" "$TMP/bad" "badstock.camp:11:11: error: consume \`d\` needs \`stock\` and \`step\`"

SD=$TMP/s.db
cp "$HERE/stock.camp" "$TMP/stock.camp"
q "$SD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT); INSERT INTO customers VALUES (1, 'a', 'x'), (2, 'b', 'y');"
# two letters; flyers: 5, 1 each, alert at 2, block; pens: 3, 2 each, alert at 0, warn
camp plan "$TMP/stock.camp" --db "$SD" --now 2026-03-01 > "$TMP/out" 2>&1
has "plan flyers" "$TMP/out" "stock flyers: letters uses 2 (2 x 1), level 5 -> 3 (alert at 2)"
has "plan pens short" "$TMP/out" "stock pens: letters uses 4 (2 x 2), level 3 -> -1 (alert at 0): not enough"
camp deploy "$TMP/stock.camp" --db "$SD" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/stock.camp" --db "$SD" --now 2026-03-01 > "$TMP/out" 2>&1
eq "run with a warned shortage" 0 $?
has "shortage warning" "$TMP/out" "warning: drop uses more stock than is left"
camp stock --db "$SD" --format json > "$TMP/st.json"
lv() { python3 -c 'import json,sys; print(" ".join("%s=%d/%s" % (r["item"], r["level"], r["state"]) for r in json.load(open(sys.argv[1]))))' "$1"; }
# flyers 5 - 2 = 3 (ok); pens 3 - 4 = -1 (out)
eq "levels after run 1" "flyers=3/ok pens=-1/out" "$(lv "$TMP/st.json")"
eq "alert for pens" "stock_alert|stock|stock pens is out: -1 left (alert at 0)" \
  "$(q "$SD" "SELECT kind, recipient, subject FROM camp_notifications ORDER BY id")"
camp status --db "$SD" --now 2026-03-01 > "$TMP/out" 2>&1
has "status stock" "$TMP/out" "pens: -1 left (alert at 0), out of stock"
camp run "$TMP/stock.camp" --db "$SD" --now 2026-03-02 --new-run > "$TMP/out" 2>&1
# flyers 3 - 2 = 1 <= 2: one alert; pens -1 - 4 = -5: still alerted, no second row
eq "alerts after run 2" "2|stock flyers is low: 1 left (alert at 2)" \
  "$(q "$SD" "SELECT (SELECT count(*) FROM camp_notifications), subject FROM camp_notifications ORDER BY id DESC LIMIT 1")"
# a third run needs 2 flyers, 1 left: on_shortage block refuses it
camp run "$TMP/stock.camp" --db "$SD" --now 2026-03-03 --new-run > "$TMP/out" 2>&1
eq "blocked by stock" 1 $?
has "stock refusal" "$TMP/out" "refused: drop would use more stock than is left (on_shortage block)"
eq "no third run" 2 "$(q "$SD" "SELECT count(*) FROM camp_runs")"
camp stock order flyers 10 --db "$SD" --as omar --now 2026-03-03 > "$TMP/out" 2>&1
eq "order" "flyers: +10, level 11" "$(cat "$TMP/out")"
camp stock order nope 1 --db "$SD" > "$TMP/out" 2>&1
eq "order unknown item" 1 $?
camp stock order flyers 0 --db "$SD" > "$TMP/out" 2>&1
eq "order zero" 2 $?
eq "order audited" "omar|flyers|+10" "$(q "$SD" "SELECT who, step, to_state FROM camp_audit WHERE action = 'stock order'")"
eq "re-armed" "0" "$(q "$SD" "SELECT alerted FROM camp_mops_stock WHERE item = 'flyers'")"
camp run "$TMP/stock.camp" --db "$SD" --now 2026-03-04 --new-run > "$TMP/out" 2>&1
eq "run after the order" 0 $?
# flyers 11 - 2 = 9 > 2: no new alert
eq "levels after run 3" "flyers=9/ok pens=-9/out" "$(camp stock --db "$SD" --format json > "$TMP/st.json"; lv "$TMP/st.json")"
eq "no new alert" 2 "$(q "$SD" "SELECT count(*) FROM camp_notifications")"

# ------------------------------------------------------------ offers
camp check "$HERE/badoffer.camp" > "$TMP/bad" 2>&1
eq "badoffer fails" 1 $?
has "price and discount" "$TMP/bad" "badoffer.camp:8:33: error: an offer has a \`price\` or a \`discount\`, not both"
has "discount > 100" "$TMP/bad" "badoffer.camp:9:32: error: a discount is a percentage above 0 and at most 100"
has "unknown segment" "$TMP/bad" "badoffer.camp:10:40: error: \`segment\` names a step of this campaign"
has "bad who" "$TMP/bad" "badoffer.camp:11:49: error: \`who\` is \`all\`"
has "no item" "$TMP/bad" "badoffer.camp:12:9: error: offer \`f\` needs an \`item\`"
has "no price" "$TMP/bad" "badoffer.camp:13:9: error: offer \`g\` needs a \`price\` or a \`discount\`"

OD=$TMP/o.db
cp "$HERE/offers.camp" "$TMP/offers.camp"
# 1 gold with e-mail (a target), 2 gold without (in the segment, not messaged), 3 silver
q "$OD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold'), (2, NULL, 'gold'), (3, 'c@x', 'silver');"
camp deploy "$TMP/offers.camp" --db "$OD" --now 2026-03-01 > /dev/null 2>&1
camp offers activate spring --db "$OD" --now 2026-03-01 > "$TMP/out" 2>&1
eq "activate before a run" 1 $?
has "no run yet" "$TMP/out" "has no run yet"
camp run "$TMP/offers.camp" --db "$OD" --now 2026-03-01 > /dev/null 2>&1
camp offers activate spring --db "$OD" --as lena --now 2026-03-02 > "$TMP/out" 2>&1
eq "activate" 0 $?
# all: 1, 2, 3; vip: 1, 2; messaged: 1
eq "activated counts" "spring: offer all_boots active for 3 contacts (run 1)
spring: offer vip_boots active for 1 contacts (run 1)
spring: offer vip_tent active for 2 contacts (run 1)" "$(cat "$TMP/out")"
look() { camp offers --db "$OD" --contact "$1" --item "$2" --on "$3" --format json |
  python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["best_price"], r["best_discount_percent"], len(r["offers"]))'; }
eq "target: best discount 15" "None 15.00 2" "$(look 1 BOOTS 2026-03-20)"
eq "not a target: 5" "None 5.00 1" "$(look 2 BOOTS 2026-03-20)"
eq "vip price" "149.00 None 1" "$(look 2 TENT-2 2026-03-20)"
eq "last day inclusive" "149.00 None 1" "$(look 1 TENT-2 2026-03-31)"
eq "after the end" "None None 0" "$(look 1 TENT-2 2026-04-01)"
eq "before the start" "None None 0" "$(look 1 TENT-2 2026-03-09)"
eq "not in segment" "None None 0" "$(look 3 TENT-2 2026-03-20)"
camp offers --db "$OD" --contact 1 --item BOOTS --on 2026-03-20 > "$TMP/out"
has "text lookup" "$TMP/out" "best discount 15.00% (spring/vip_boots)"
eq "view" "149.0|0" "$(q "$OD" "SELECT price, discount_percent IS NOT NULL FROM camp_offer_prices WHERE contact = '1' AND item = 'TENT-2'")"
camp offers --db "$OD" --contact 1 --item BOOTS --on 2026-02-30 > "$TMP/out" 2>&1
eq "bad --on" 2 $?
camp offers deactivate spring --db "$OD" --as lena > "$TMP/out" 2>&1
eq "deactivate" 0 $?
eq "after deactivate" "None None 0" "$(look 1 BOOTS 2026-03-20)"
camp offers deactivate spring --db "$OD" > "$TMP/out" 2>&1
eq "deactivate twice" 1 $?
eq "offers audited" "active
inactive" "$(q "$OD" "SELECT to_state FROM camp_audit WHERE action = 'offers' ORDER BY id")"

# ------------------------------------------------------------ statistics
camp check "$HERE/badstats.camp" > "$TMP/bad" 2>&1
eq "badstats fails" 1 $?
has "bad type" "$TMP/bad" "badstats.camp:4:22: error: an interaction type is sent, delivered, opened, clicked"
has "bad unit_cost" "$TMP/bad" "badstats.camp:4:40: error: an amount is a number of at least 0"
has "no type" "$TMP/bad" "badstats.camp:5:13: error: interaction \`b\` needs a \`type\`"
has "bad channel" "$TMP/bad" "badstats.camp:5:25: error: unknown channel"
has "bad minutes" "$TMP/bad" "badstats.camp:5:43: error: \`unit_minutes\` takes a whole number"
has "bad success" "$TMP/bad" "badstats.camp:7:11: error: \`success\` is the event that counts"

TD=$TMP/t.db
cp "$HERE/stats.camp" "$TMP/stats.camp"
q "$TD" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT);
INSERT INTO customers VALUES (1,'a@x','gold'),(2,'b@x','gold'),(3,'c@x','silver'),(4,'d@x','silver'),(5,'e@x','silver');"
camp deploy "$TMP/stats.camp" --db "$TD" --now 2026-03-01 > /dev/null 2>&1
camp run "$TMP/stats.camp" --db "$TD" --now 2026-03-01 > /dev/null 2>&1
# every message sent (the sender's `sent` events are not counted twice); contact 1
# opened and clicked, 3 clicked twice, 4 opened
q "$TD" "UPDATE camp_outbox SET status = 'sent', sent_at = '2026-03-01 10:00:00';
INSERT INTO camp_feedback(outbox_id, event, at) SELECT id, 'sent', '2026-03-01 10:00:00' FROM camp_outbox;
INSERT INTO camp_feedback(outbox_id, event, at) SELECT id, 'opened', '2026-03-02' FROM camp_outbox WHERE recipient_key IN (1, 4);
INSERT INTO camp_feedback(outbox_id, event, at) SELECT id, 'clicked', '2026-03-02' FROM camp_outbox WHERE recipient_key IN (1, 3);
INSERT INTO camp_feedback(outbox_id, event, at) SELECT id, 'clicked', '2026-03-03' FROM camp_outbox WHERE recipient_key = 3;"
camp stats news --db "$TD" --format csv --output "$TMP/news.svg" > "$TMP/out" 2>&1
eq "stats" 0 $?
# m1 (1, 2): reach 2; 2 sent + opened + clicked = 4; success 1 (contact 1), 50%;
#   cost 2 x 0.10 + 2 x 0.01 + 1 x 0.50 = 0.72
# m2 (3, 4, 5): reach 3; 3 sent + 2 clicked + 1 opened = 6; success 1 (3), 33.3%;
#   cost 3 x 0.10 + 3 x 0.01 + 2 x 0.50 = 1.33
# total: reach 5, 10 interactions, 2 successes (40%); cost 10 + 0.72 + 1.33 = 12.05,
#   per success 6.025 -> 6.03
# minutes: 2 per click (template clicks): m1 1 click = 2, m2 2 clicks = 4
eq "stats csv" "step,channel,reach,interactions,minutes,successes,success_rate,cost,cost_per_success
m1,email,2,4,2,1,50.0%,0.72,0.72
m2,email,3,6,4,1,33.3%,1.33,1.33
total,,5,10,6,2,40.0%,12.05,6.03" "$(tr -d '\r' < "$TMP/out")"
if grep -q "<svg" "$TMP/news.svg" && [ "$(grep -c '<rect' "$TMP/news.svg")" -eq 6 ]; then t_pass; else t_fail "svg chart: 2 legend + 4 bars"; fi
/usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$TMP/news.svg" 2>/dev/null
eq "svg is XML" 0 $?
camp stats news --db "$TD" --format json > "$TMP/s.json"
eq "stats json" "clicked 0.4 12.05" "$(python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); t = r["steps"][-1]; print(r["success"], t["success_rate"], t["cost"])' "$TMP/s.json")"
eq "interactions view" "clicked|3
opened|2
sent|5" "$(q "$TD" "SELECT type, count(*) FROM camp_interactions WHERE campaign = 'news' GROUP BY type ORDER BY type")"
camp stats nosuch --db "$TD" > "$TMP/out" 2>&1
eq "stats unknown" 1 $?

t_summary mops
[ "$T_FAIL" -eq 0 ]
