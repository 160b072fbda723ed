#!/bin/sh
# demo.sh CAMP — the retail example end to end on SQLite (run by `make demo`):
# generate data, check, plan, run three campaigns, advance the clock past
# their waits with `camp resume`, show counts, the outbox and the graph, and
# send the e-mails to a local SMTP server (tests/servers/smtp_sink.py);
# then operate a recurring campaign with an approval over a few ticks of
# simulated time (deploy, test run, start, camp tick, approve).
set -e
CAMP=${1:-bin/camp}
GEN=${GEN:-bin/retail-gen}
N=${CUSTOMERS:-10000}
OUT=build/demo
DB=$OUT/retail.db
EX=examples/retail
rm -rf "$EX/out" "$EX/campaigns/out"   # extraction files land in out/ (see docs/runtime.md)
mkdir -p "$OUT" "$EX/out"

step() { printf '\n== %s\n' "$*"; }

step "generating $N customers into $DB"
rm -f "$DB"
"$GEN" --out "$DB" --customers "$N"

step "camp policy apply: the database's pressure rules (at most 2 e-mails, 3 messages per 7 days)"
"$CAMP" policy apply "$EX/policy.camp" --db "$DB" --now "2026-03-01 00:00"

step "camp check (all campaigns)"
"$CAMP" check "$EX"/campaigns/*.camp && echo "no errors"

step "camp plan spring_sale (a dry run: exact counts, nothing saved)"
"$CAMP" plan "$EX/campaigns/spring_sale.camp" --db "$DB" --now "2026-03-01 00:00"

step "camp run: spring_sale, then winback and uppsala_opening (they read its saved audiences)"
for c in spring_sale winback uppsala_opening; do
  "$CAMP" run "$EX/campaigns/$c.camp" --db "$DB" --now "2026-03-01 00:00"
done

for day in 2026-03-05 2026-03-14 2026-03-20; do
  step "camp resume --now $day (what cron would do)"
  "$CAMP" resume --db "$DB" --now "$day 12:00"
done

step "camp status"
"$CAMP" status --db "$DB"

step "contact policy: recipients taken out per channel step, by reason (docs/policy.md)"
sqlite3 -column -header "$DB" \
  "SELECT r.campaign, p.step, p.channel, p.stage,
          sum(p.reason = 'invalid_address') AS invalid_address,
          sum(p.reason = 'no_consent') AS no_consent,
          sum(p.reason = 'suppressed') AS suppressed,
          sum(p.reason = 'pressure') AS pressure
   FROM camp_policy_removed p JOIN camp_runs r ON r.id = p.run_id
   GROUP BY 1, 2, 3, 4 ORDER BY p.run_id, 2, 4"

step "outbox: messages per step and channel"
sqlite3 -column -header "$DB" \
  "SELECT step, channel, count(*) AS messages FROM camp_outbox GROUP BY step, channel ORDER BY step"

step "the first queued e-mail"
"$CAMP" outbox --db "$DB" --run 1 --format json | jq '.[0] | {step, address, subject}'

step "direct-mail extraction files"
ls -l "$EX"/out/*.csv

step "graph of spring_sale with the counts of run 1"
if command -v dot >/dev/null 2>&1; then
  "$CAMP" graph "$EX/campaigns/spring_sale.camp" --db "$DB" --run 1 --format svg --output "$OUT/spring_sale.svg"
  echo "$OUT/spring_sale.svg"
else
  "$CAMP" graph "$EX/campaigns/spring_sale.camp" --db "$DB" --run 1 --output "$OUT/spring_sale.dot"
  echo "$OUT/spring_sale.dot (install graphviz for SVG)"
fi

step "camp send: the e-mails go to a local SMTP server started for the demo"
# tests/servers/smtp_sink.py (aiosmtpd) on a free loopback port; the
# campaigns' provider (examples/retail/providers.camp) reads its URL from
# RETAIL_SMTP_URL.  SMS, push and direct mail have no provider: they stay queued.
. tests/servers/lib.sh
rm -rf "$OUT/smtp"
srv_init "$OUT/smtp"
srv_smtp demo_sink --log "$OUT/smtp/received.jsonl" --no-data
# the sink stays up for the ticks below: a tick sends what is due
RETAIL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT"
export RETAIL_SMTP_URL
"$CAMP" send --db "$DB" --channel email --now "2026-03-20 12:00"
queued=$(sqlite3 "$DB" "SELECT count(*) FROM camp_outbox WHERE channel = 'email'")
received=$(wc -l < "$OUT/smtp/received.jsonl")
echo "$received of $queued e-mails received by the local SMTP server"

# --- Operations: a recurring campaign with an approval, in simulated time ---
W="$EX/campaigns/weekly_picks.camp"
tick() { step "camp tick --now $1${2:+ ($2)}"; "$CAMP" tick --db "$DB" --now "$1" --as cron; }
last_run() { sqlite3 "$DB" "SELECT run_id FROM camp_launches WHERE campaign = 'weekly_picks' AND state = 'started' ORDER BY launch_at DESC LIMIT 1"; }

step "camp schedule weekly_picks: the next launch times (Europe/Stockholm)"
"$CAMP" schedule "$W" --now "2026-03-01 00:00" --next 4

step "camp deploy weekly_picks (version 1, with its plan)"
"$CAMP" deploy "$W" --db "$DB" --now "2026-03-01 00:00" --as lena --reason "spring programme"

step "camp run --test weekly_picks: counts and rendered previews, nothing queued"
"$CAMP" run "$W" --db "$DB" --test --now "2026-03-01 00:00" --as lena

step "camp start weekly_picks"
"$CAMP" start weekly_picks --db "$DB" --now "2026-03-01 12:00" --as lena --reason "test looked right"

before=$(wc -l < "$OUT/smtp/received.jsonl")
tick "2026-03-02 08:00" "Monday 09:00 in Stockholm: the first launch; its e-mails wait for approval"
run=$(last_run)
step "camp approve $run --as omar (releases the held e-mails: the next tick sends them)"
"$CAMP" approve "$run" --db "$DB" --as omar --now "2026-03-02 08:30"
step "meanwhile 40 members who had not bought for a month buy something (new rows)"
sqlite3 "$DB" "INSERT INTO purchases(customer_id, product_id, amount, at)
  SELECT id, 1, 49.0, '2026-03-04 15:00:00' FROM customers c WHERE email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND p.at >= '2026-02-03')
  ORDER BY id LIMIT 40"
tick "2026-03-05 08:00" "Thursday: Monday's approved e-mails are sent; the audience again; remessage weekly leaves out Monday's recipients"
tick "2026-03-05 12:00" "nobody decided: a reminder is recorded for the approvers"
tick "2026-03-05 20:00" "the 12h deadline passed: the launch is cancelled as declared"

step "camp campaigns"
"$CAMP" campaigns --db "$DB" --now "2026-03-05 20:00"

step "camp status --campaign weekly_picks (the audit)"
"$CAMP" status --db "$DB" --campaign weekly_picks | sed -n '/^audit/,$p'

step "weekly_picks: outbox by status, and the approvers' notifications (e-mailed by the ticks)"
sqlite3 -column -header "$DB" \
  "SELECT o.run_id, o.status, count(*) AS messages FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id
   WHERE r.campaign = 'weekly_picks' GROUP BY 1, 2 ORDER BY 1, 2"
sqlite3 -column -header "$DB" "SELECT kind, recipient, address, status, count(*) AS n FROM camp_notifications GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"
after=$(wc -l < "$OUT/smtp/received.jsonl")
srv_stop demo_sink
notes=$(grep -c '"rcpt_tos": \["\(lena\|omar\)@retail.example"\]' "$OUT/smtp/received.jsonl" || true)
echo "the ticks sent $((after - before - notes)) approved weekly_picks e-mails and $notes notifications to the approvers through the local SMTP server"

# --- Marketing operations (docs/marketing-ops.md): winback's plan/program,
# tasks by date formulas, status codes, budget and cost lines ---
WB="$EX/campaigns/winback.camp"
step "camp deploy winback: stores its program, tasks (due dates from date formulas) and cost lines"
"$CAMP" deploy "$WB" --db "$DB" --now "2026-03-01 00:00" --as lena --reason "spring programme" | tail -1

step "camp tasks --now 2026-03-05: what is due, what is overdue"
"$CAMP" tasks --db "$DB" --now "2026-03-05"
brief=$(sqlite3 "$DB" "SELECT id FROM camp_mops_tasks WHERE campaign = 'winback' AND name = 'brief'")
"$CAMP" tasks --db "$DB" --done "$brief" --as lena --now "2026-03-05 09:00"
step "camp tasks --who omar (his own tasks and those of his team print_shop)"
"$CAMP" tasks --db "$DB" --who omar --now "2026-03-05"

step "camp set-status: planned -> approved -> live (skipping a status is refused)"
"$CAMP" set-status winback live --db "$DB" --as omar || true
"$CAMP" set-status winback approved --db "$DB" --as omar --now "2026-03-05 10:00"
"$CAMP" set-status winback live --db "$DB" --as omar --now "2026-03-05 10:05"
"$CAMP" campaigns --db "$DB" --now "2026-03-05 20:00"

step "camp plan winback: its projected cost against the remaining budget"
"$CAMP" plan "$WB" --db "$DB" --now "2026-03-01 00:00" | sed -n '/^projected cost/,$p'

step "camp budget: plan -> program -> campaign, committed (deployed plan) and actual (sent e-mails)"
"$CAMP" budget --db "$DB"

step "camp stock: the vouchers winback's direct mail used; below 2000 an alert is recorded"
"$CAMP" stock --db "$DB" --now "2026-03-05 20:00"
sqlite3 "$DB" "SELECT kind, subject FROM camp_notifications WHERE kind = 'stock_alert'"
"$CAMP" stock order vouchers 1500 --db "$DB" --as omar --reason "reprint" --now "2026-03-06 09:00"

step "camp segment apply winback.camp: the segment gold_se_club declared in the campaign's file, stored and logged"
"$CAMP" segment apply "$WB" --db "$DB" --as lena --now "2026-03-06 08:00"
"$CAMP" segment apply "$WB" --db "$DB" --as lena --now "2026-03-06 08:30"  # the same criteria and members: no new version

step "camp offers activate winback: the 25% line discount for the high-value members it reached, 10% on boots for gold_se_club"
"$CAMP" offers activate winback --db "$DB" --as lena --now "2026-03-06 09:00"
member=$(sqlite3 "$DB" "SELECT contact FROM camp_offer_prices WHERE campaign = 'winback' ORDER BY CAST(contact AS INTEGER) LIMIT 1")
"$CAMP" offers --db "$DB" --contact "$member" --item ANY --on 2026-03-20

step "camp stats winback: reach, interactions, successes (clicks), cost per success; chart in $OUT/winback_stats.svg"
"$CAMP" stats winback --db "$DB" --output "$OUT/winback_stats.svg"

step "camp segment: a Dynamics 365 segment edited by criteria (add, refine, reduce), each version logged"
SCH="$EX/schemas/retail.camp"
"$CAMP" segment create gold_se "$SCH" --of customers --db "$DB" --as lena --now "2026-03-06 10:00"
"$CAMP" segment add gold_se --where 'tier = gold' --db "$DB" --as lena --now "2026-03-06 10:01"
"$CAMP" segment refine gold_se --where 'country = "SE"' --db "$DB" --as lena --now "2026-03-06 10:02"
"$CAMP" segment reduce gold_se --where 'loyalty < 1000' --db "$DB" --as lena --now "2026-03-06 10:03"
"$CAMP" segment add gold_se --where 'tierr = gold' --db "$DB" --as lena || true  # a typo: --where:1:1 error, nothing changes
"$CAMP" segment log gold_se --db "$DB"
"$CAMP" segment diff gold_se 2 4 --db "$DB" | tail -1

step "camp interactions import: the shops called 20 of the members winback reached; camp stats counts the calls"
{
  echo "contact,template,date,campaign,cost,minutes"
  sqlite3 -csv "$DB" "SELECT DISTINCT o.recipient_key, 'phone_call', '2026-03-07 10:00', 'winback', '', ''
    FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE r.campaign = 'winback' ORDER BY 1 LIMIT 20"
} > "$OUT/calls.csv"
"$CAMP" interactions import "$OUT/calls.csv" --db "$DB" --as lena --now "2026-03-07 18:00"
"$CAMP" stats winback --db "$DB"
