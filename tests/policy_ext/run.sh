#!/bin/sh
# tests/policy_ext/run.sh CAMP — the contact policy's later parts
# (docs/policy.md): pressure checked again at send time, waits until a local
# time of day in each contact's zone, and A/B content tests.  Every expected
# answer is worked out by hand in the comments next to it; time comes from
# --now.  A real SMTP server (tests/servers/smtp_sink.py) is started on
# loopback and always stopped (trap).
# POSIX sh + sqlite3 + jq + awk.  Last line: `policy_ext: N passed, N failed`.

if [ $# -ne 1 ]; then
  echo "usage: sh tests/policy_ext/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/../lib.sh"
for tool in sqlite3 jq awk; do
  command -v "$tool" > /dev/null || { echo "policy_ext: $tool is not installed (make deps)" >&2; exit 2; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-policy-ext.XXXXXX") || exit 2
SRV_ON_EXIT='[ -n "$KEEP" ] || rm -rf "$TMP"'
. "$ROOT/tests/servers/lib.sh"
srv_init "$TMP/srv"

has() { # has NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: $2 lacks [$3]"; sed 's/^/    /' "$2" | head -20; fi
}
q() { sqlite3 "$1" "$2" | tr '\n' ';'; }
cp "$HERE"/*.camp "$TMP/"

# --- 1. pressure again at send time ---------------------------------------------
# Rules: email max 2 per 7d, all channels max 3 per 7d.  promo (weight 5, all
# four customers) and vip (weight 9, customer 4) run at 09:00 with no history:
# all queued.  Then other campaigns send (press_send_history.sql) and camp send
# runs at 12:00 (window from 2026-03-03 12:00:00, exclusive).  Messages are
# admitted by weight, then queue order; each admitted one counts for the next:
#   vip  4: email sent 1 (flash 10:30; txn never counts)            -> sent
#   promo 1: email sent 2 (flash 03-09, 03-10)      2 >= 2           -> pressure
#   promo 2: email 1 (the 03-03 12:00 one is on the edge: out; txn no) -> sent
#   promo 3: email 1 < 2; all: 1 email + 2 sms = 3 >= 3              -> pressure
#   promo 4: email 1 sent + vip admitted before it = 2 >= 2          -> pressure
D=$TMP/press.db
sqlite3 "$D" < "$HERE/press_send_fixture.sql"
"$CAMP" policy apply "$TMP/press_send_rules.camp" --db "$D" > "$TMP/out" 2>&1
eq "pressure rules installed" 0 $?
"$CAMP" run "$TMP/press_send.camp" --campaign promo --db "$D" --now "2026-03-10 09:00" > "$TMP/out" 2>&1
eq "promo run" 0 $?
"$CAMP" run "$TMP/press_send.camp" --campaign vip --db "$D" --now "2026-03-10 09:00" > "$TMP/out" 2>&1
eq "vip run" 0 $?
eq "all queued at run time" "promo|1|queued;promo|2|queued;promo|3|queued;promo|4|queued;vip|4|queued;" \
  "$(q "$D" "SELECT r.campaign, o.recipient_key, o.status FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id ORDER BY 1, 2")"
sqlite3 "$D" < "$HERE/press_send_history.sql"
srv_smtp sink --log "$TMP/sink.jsonl"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$D" --channel email --now "2026-03-10 12:00" > "$TMP/send.txt" 2>&1
eq "send: exit" 0 $?
has "send: summary" "$TMP/send.txt" "sent 2, deferred 0, failed 0, bounced 0"
has "send: the stops are counted" "$TMP/send.txt" "3 messages stopped by the contact policy"
srv_stop sink
eq "send: the SMTP server received bo's and di's (vip)" "b@x.se;d@x.se;" \
  "$(jq -r '.rcpt_tos[]' "$TMP/sink.jsonl" | sort | tr '\n' ';')"
eq "send: statuses and reasons" "promo|1|suppressed|policy: pressure;promo|2|sent|;promo|3|suppressed|policy: pressure;promo|4|suppressed|policy: pressure;vip|4|sent|;" \
  "$(q "$D" "SELECT r.campaign, o.recipient_key, o.status, coalesce(o.last_error, '') FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE r.id < 200 ORDER BY 1, 2")"
eq "send: recorded with the rule and the count" "1|pressure|send|email max 2 per 7d: 2 counted at send;3|pressure|send|all max 3 per 7d: 3 counted at send;4|pressure|send|email max 2 per 7d: 2 counted at send;" \
  "$(q "$D" "SELECT recipient_key, reason, stage, detail FROM camp_policy_removed WHERE stage = 'send' ORDER BY 1")"

# --- 2. waits until a local time of day --------------------------------------------
"$CAMP" check "$TMP/local_bad.camp" > "$TMP/out" 2>&1
eq "local wait: bad ones refused" 1 $?
has "local wait: not a time of day" "$TMP/out" "local_bad.camp:8:22: error: \`25:00\` is not a time of day (00:00 to 23:59)"
has "local wait: only local" "$TMP/out" "local_bad.camp:9:28: error: a wait until a time of day is \`until HH:MM local\`"
cp "$TMP/local.camp" "$TMP/local_fmt.camp"
"$CAMP" fmt "$TMP/local_fmt.camp" > /dev/null 2>&1
eq "local wait: fmt keeps it" "" "$(diff "$TMP/local.camp" "$TMP/local_fmt.camp")"
# 2026 DST changes: EU 03-29 and 10-25 (01:00 UTC); New York 03-08 and 11-01;
# Sydney ends 04-05 (03:00 AEDT -> 02:00 AEST), starts 10-04; Kolkata none.
# Contacts: 1 Stockholm, 2 New York, 3 Kolkata, 4 Sydney, 5 no zone and
# 6 `Mars/Base` (both the default, Asia/Kolkata).  The next 08:00 local at or
# after the wait was reached, in UTC (empty: due at once):
#   reached 03-28 12:30 UTC (Sat): 1 13:30 CET -> 03-29 08:00 CEST = 06:00;
#     2 08:30 EDT -> 03-29 08:00 EDT = 12:00; 3 18:00 IST -> 03-29 02:30;
#     4 23:30 AEDT -> 03-29 08:00 AEDT = 03-28 21:00; 5, 6 as 3
#   reached 03-07 20:00 UTC: 1 21:00 CET -> 03-08 07:00; 2 15:00 EST ->
#     03-08 08:00 EDT (after New York's change) = 12:00; 3 01:30 IST 03-08 ->
#     02:30; 4 07:00 AEDT 03-08 -> 03-07 21:00
#   reached 10-24 12:00 UTC: 1 14:00 CEST -> 10-25 08:00 CET = 07:00;
#     2 08:00 EDT exactly -> at once; 3 -> 10-25 02:30; 4 23:00 AEDT -> 21:00
#   reached 04-04 12:00 UTC: 1 14:00 CEST -> 04-05 06:00; 2 08:00 EDT -> at
#     once; 3 -> 04-05 02:30; 4 23:00 AEDT -> 04-05 08:00 AEST = 04-04 22:00
L=$TMP/local.db
sqlite3 "$L" < "$HERE/local_fixture.sql"
"$CAMP" run "$TMP/local.camp" --campaign morning --db "$L" --now "2026-03-28 12:30" > "$TMP/lrun.txt" 2>&1
eq "local wait: run" 0 $?
has "local wait: run says so" "$TMP/lrun.txt" "due at 08:00 (wait later) in the contact's zone (column tz, default Asia/Kolkata): 6 held, the first until 2026-03-28 21:00:00 UTC"
due() { q "$L" "SELECT recipient_key || '=' || coalesce(policy_due_at, 'now') FROM camp_outbox WHERE run_id = $1 ORDER BY recipient_key"; }
eq "local wait: 03-28" "1=2026-03-29 06:00:00;2=2026-03-29 12:00:00;3=2026-03-29 02:30:00;4=2026-03-28 21:00:00;5=2026-03-29 02:30:00;6=2026-03-29 02:30:00;" "$(due 1)"
"$CAMP" run "$TMP/local.camp" --campaign morning --db "$L" --now "2026-03-07 20:00" --new-run > /dev/null 2>&1
eq "local wait: 03-07 (New York's change)" "1=2026-03-08 07:00:00;2=2026-03-08 12:00:00;3=2026-03-08 02:30:00;4=2026-03-07 21:00:00;5=2026-03-08 02:30:00;6=2026-03-08 02:30:00;" "$(due 2)"
"$CAMP" run "$TMP/local.camp" --campaign morning --db "$L" --now "2026-10-24 12:00" --new-run > /dev/null 2>&1
eq "local wait: 10-24 (EU's change)" "1=2026-10-25 07:00:00;2=now;3=2026-10-25 02:30:00;4=2026-10-24 21:00:00;5=2026-10-25 02:30:00;6=2026-10-25 02:30:00;" "$(due 3)"
"$CAMP" run "$TMP/local.camp" --campaign morning --db "$L" --now "2026-04-04 12:00" --new-run > /dev/null 2>&1
eq "local wait: 04-04 (Sydney's change)" "1=2026-04-05 06:00:00;2=now;3=2026-04-05 02:30:00;4=2026-04-04 22:00:00;5=2026-04-05 02:30:00;6=2026-04-05 02:30:00;" "$(due 4)"
# 02:30 Stockholm: on 03-29 it does not exist (02:00 CET -> 03:00 CEST): moved
# forward to 03:30 CEST = 01:30 UTC; on 10-25 it occurs twice: the first, CEST,
# = 00:30 UTC.
"$CAMP" run "$TMP/local.camp" --campaign gap --db "$L" --now "2026-03-28 12:30" > /dev/null 2>&1
"$CAMP" run "$TMP/local.camp" --campaign gap --db "$L" --now "2026-10-24 12:00" --new-run > /dev/null 2>&1
eq "local wait: the gap and the repeated hour" "1=2026-03-29 01:30:00;1=2026-10-25 00:30:00;" \
  "$(q "$L" "SELECT recipient_key || '=' || policy_due_at FROM camp_outbox WHERE run_id IN (5, 6) ORDER BY run_id")"
# then a window: New York, reached Sat 03-07 20:00 UTC (15:00 EST): 06:00 local
# is Sun 03-08 06:00 EDT; weekdays 09:00-18:00 -> Mon 03-09 09:00 EDT = 13:00 UTC
"$CAMP" run "$TMP/local.camp" --campaign windowed --db "$L" --now "2026-03-07 20:00" > "$TMP/lrun.txt" 2>&1
eq "local wait, then a window" "2=2026-03-09 13:00:00;" "$(due 7)"
has "local wait, then a window: run says so" "$TMP/lrun.txt" "due at 06:00 (wait later), then window weekdays 09:00-18:00 in the contact's zone"
# camp send releases run 1's messages at the right local times
srv_smtp lsink --log "$TMP/lsink.jsonl"
for t in "2026-03-28 20:59:59" "2026-03-29 02:30" "2026-03-29 06:00" "2026-03-29 12:00"; do
  POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$L" --run 1 --now "$t" > /dev/null 2>&1
  echo "$t $(sqlite3 "$L" "SELECT group_concat(recipient_key, ' ') FROM (SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND status = 'sent' ORDER BY 1)")" >> "$TMP/released"
done
srv_stop lsink
eq "local wait: camp send releases each at 08:00 local" \
  "2026-03-28 20:59:59 ;2026-03-29 02:30 3 4 5 6;2026-03-29 06:00 1 3 4 5 6;2026-03-29 12:00 1 2 3 4 5 6;" \
  "$(tr '\n' ';' < "$TMP/released")"

# --- 3. A/B content tests -----------------------------------------------------------
"$CAMP" check "$TMP/ab_bad.camp" > "$TMP/out" 2>&1
eq "A/B: bad tests refused" 1 $?
has "A/B: cells too large" "$TMP/out" "ab_bad.camp:13:5: error: test: 2 cells of 60% leave no remainder for the winner"
has "A/B: variant texts checked" "$TMP/out" "ab_bad.camp:18:5: error: subject_B: placeholder \`{{nme}}\` names no column"
has "A/B: unknown metric" "$TMP/out" "ab_bad.camp:19:5: error: test: the metric \`revenue\` is not open_rate, click_rate or a filter"
has "A/B: variants must match" "$TMP/out" "ab_bad.camp:41:5: error: test: \`variants A C\` does not match the step's variants AB"
has "A/B: a success rule takes a timestamp" "$TMP/out" "ab_bad.camp:47:5: error: test: the success rule \`wrong\` must take one timestamp parameter"
has "A/B: one variant only" "$TMP/out" "ab_bad.camp:24:5: error: test: only one variant"
has "A/B: a variant without a test" "$TMP/out" "ab_bad.camp:29:5: error: \`body_C\` is the text of A/B test variant C, but the step has no \`test"
cp "$TMP/ab.camp" "$TMP/ab_fmt.camp"
"$CAMP" fmt "$TMP/ab_fmt.camp" > /dev/null 2>&1
eq "A/B: fmt keeps it" "" "$(diff "$TMP/ab.camp" "$TMP/ab_fmt.camp")"
A=$TMP/ab.db
sqlite3 "$A" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT);
  CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, at TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se' FROM n;"
"$CAMP" plan "$TMP/ab.camp" --campaign offer --db "$A" --now "2026-03-02 09:00" > "$TMP/abplan.txt" 2>&1
has "A/B: plan says so" "$TMP/abplan.txt" "A/B test: cells of 10% for A B, the rest gets the best click_rate"
"$CAMP" run "$TMP/ab.camp" --campaign offer --db "$A" --now "2026-03-02 09:00" > "$TMP/abrun.txt" 2>&1
eq "A/B: run" 0 $?
has "A/B: run says so" "$TMP/abrun.txt" "A/B test: cells of 10% for A B, the rest gets the best click_rate after 2026-03-04 09:00:00 UTC"
cell() { sqlite3 "$A" "SELECT count(*) FROM camp_abtest_cells WHERE run_id = ${2:-1} AND cell = '$1'"; }
NA=$(cell A); NB=$(cell B); NR=$(cell rest)
eq "A/B: every recipient in one cell" 1000 $((NA + NB + NR))
# each cell is 10% of 1000 drawn by a seeded hash: 100 expected, sd 9.5
if [ "$NA" -ge 70 ] && [ "$NA" -le 130 ] && [ "$NB" -ge 70 ] && [ "$NB" -le 130 ]; then t_pass; else t_fail "A/B: cell sizes $NA $NB"; fi
eq "A/B: only the cells are queued, each with its variant" "Spring sale|$NA;Spring sale: 20% off|$NB;" \
  "$(q "$A" "SELECT o.subject, count(*) FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key AND c.cell = CASE o.subject WHEN 'Spring sale' THEN 'A' ELSE 'B' END GROUP BY 1 ORDER BY 1")"
eq "A/B: B's body" "$NB" "$(sqlite3 "$A" "SELECT count(*) FROM camp_outbox WHERE body LIKE '%20\% off</p>%' ESCAPE '\\'")"
eq "A/B: the step waits two days" "waiting|2026-03-04 09:00:00" "$(sqlite3 "$A" "SELECT state, due_at FROM camp_steps WHERE run_id = 1 AND step = '_email_all'")"
srv_smtp absink --log "$TMP/absink.jsonl"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$A" --now "2026-03-02 09:30" > "$TMP/absend.txt" 2>&1
srv_stop absink
has "A/B: the cells are sent" "$TMP/absend.txt" "sent $((NA + NB)), deferred 0"
# feedback by hand: in A the 10 lowest keys clicked (and opened) and 30 more
# opened; in B the 25 lowest keys clicked.  click_rate: A 10/NA, B 25/NB.
sqlite3 "$A" "INSERT INTO camp_feedback(outbox_id, event, at)
  SELECT o.id, e.ev, '2026-03-02 12:00:00' FROM camp_outbox o JOIN camp_abtest_cells c ON c.recipient_key = o.recipient_key
  AND c.run_id = o.run_id, (SELECT 'opened' AS ev UNION ALL SELECT 'clicked') e
  WHERE c.cell = 'A' AND o.recipient_key IN (SELECT recipient_key FROM camp_abtest_cells WHERE cell = 'A' ORDER BY recipient_key LIMIT 10);
  INSERT INTO camp_feedback(outbox_id, event, at)
  SELECT o.id, 'opened', '2026-03-02 12:00:00' FROM camp_outbox o WHERE o.recipient_key IN
  (SELECT recipient_key FROM camp_abtest_cells WHERE cell = 'A' ORDER BY recipient_key LIMIT 30 OFFSET 10);
  INSERT INTO camp_feedback(outbox_id, event, at)
  SELECT o.id, 'clicked', '2026-03-02 12:00:00' FROM camp_outbox o WHERE o.recipient_key IN
  (SELECT recipient_key FROM camp_abtest_cells WHERE cell = 'B' ORDER BY recipient_key LIMIT 25);"
"$CAMP" resume --db "$A" --now "2026-03-04 08:59:59" > /dev/null 2>&1
eq "A/B: before the wait nothing more is queued" "$((NA + NB))" "$(sqlite3 "$A" "SELECT count(*) FROM camp_outbox")"
"$CAMP" resume --db "$A" --now "2026-03-04 09:00" > "$TMP/abres.txt" 2>&1
eq "A/B: resume" 0 $?
has "A/B: resume says who won" "$TMP/abres.txt" "B won (A 10/$NA, B 25/$NB)"
eq "A/B: the winner is B" "B|2026-03-04 09:00:00" "$(sqlite3 "$A" "SELECT winner, decided_at FROM camp_abtest WHERE run_id = 1")"
eq "A/B: the rest got B's texts" "$NR|$NR|$NR" \
  "$(sqlite3 "$A" "SELECT count(*), sum(o.subject = 'Spring sale: 20% off'), sum(o.body LIKE '%, 20\% off</p>' ESCAPE '\\') FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key WHERE c.cell = 'rest'")"
eq "A/B: the step is done" "done" "$(sqlite3 "$A" "SELECT state FROM camp_steps WHERE run_id = 1 AND step = '_email_all'")"
eq "A/B: figures recorded" "A|$NA|40|10|10;B|$NB|0|25|25;" \
  "$(q "$A" "SELECT cell, sent, opened, clicked, hits FROM camp_abtest_results WHERE run_id = 1 ORDER BY cell")"
# the report's numbers against awk: rates, and B vs A: difference, pooled z,
# two-sided p (erfc by the Abramowitz-Stegun 7.1.26 approximation, good to
# 1e-7), unpooled 95% CI
"$CAMP" report offer --db "$A" > "$TMP/report.txt" 2>&1
eq "A/B: report" 0 $?
has "A/B: report header" "$TMP/report.txt" "A/B test of step _email_all, metric click_rate (started 2026-03-02 09:00:00, decided 2026-03-04 09:00:00): winner B"
EXP=$(awk -v x1=25 -v n1="$NB" -v x2=10 -v n2="$NA" 'function erfc(x,  t, y) { t = 1 / (1 + 0.3275911 * x);
  y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return y * exp(-x * x) }
  BEGIN { p1 = x1 / n1; p2 = x2 / n2; p = (x1 + x2) / (n1 + n2);
  z = (p1 - p2) / sqrt(p * (1 - p) * (1 / n1 + 1 / n2)); se = sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
  pv = erfc((z < 0 ? -z : z) / sqrt(2));
  printf "  A %10d %6d %7d %8d %7.2f%%\n", n2, n2, 40, 10, 100 * p2;
  printf "  B %10d %6d %7d %8d %7.2f%%\n", n1, n1, 0, 25, 100 * p1;
  printf "  B vs A: %+.2f points, 95%% CI %+.2f to %+.2f, z %.2f, p %.4f: %s\n", 100 * (p1 - p2),
    100 * (p1 - p2 - 1.959964 * se), 100 * (p1 - p2 + 1.959964 * se), z, pv, pv < 0.05 ? "significant" : "not significant" }')
GOT=$(grep -E '^  (A|B) +[0-9]|^  B vs A' "$TMP/report.txt" | sed 's/^  \([AB]\)     /  \1 /')
eq "A/B: report figures and z-test" "$EXP" "$GOT"
"$CAMP" report offer --db "$A" --format json > "$TMP/report.json" 2>&1
eq "A/B: report json" "B|$NB|25|true" \
  "$(jq -r '.abtests[0] | [.winner, .cells[1].sent, .cells[1].clicked, .comparisons[0].significant] | join("|")' "$TMP/report.json" 2>/dev/null)"
# a second run: the same cells (seeded by campaign, step and key); nothing is
# sent, so both rates are 0/0: a tie, which goes to A (the step's own texts)
"$CAMP" run "$TMP/ab.camp" --campaign offer --db "$A" --now "2026-03-10 09:00" --new-run > /dev/null 2>&1
eq "A/B: the same cells in another run" 0 \
  "$(sqlite3 "$A" "SELECT count(*) FROM camp_abtest_cells a JOIN camp_abtest_cells b ON a.recipient_key = b.recipient_key AND a.run_id = 1 AND b.run_id = 2 WHERE a.cell <> b.cell")"
"$CAMP" tick --db "$A" --now "2026-03-12 09:00" > /dev/null 2>&1
eq "A/B: a tie goes to A" "A" "$(sqlite3 "$A" "SELECT winner FROM camp_abtest WHERE run_id = 2")"
eq "A/B: the rest got A's subject" "$NR" "$(sqlite3 "$A" "SELECT count(*) FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key WHERE o.run_id = 2 AND c.cell = 'rest' AND o.subject = 'Spring sale'")"

# --- 4. an A/B test on a success rule ------------------------------------------------
# offer2 (run 3) starts 2026-04-01 09:00; metric bought = a purchase in
# [start, start + 7d).  By hand: in A the 12 lowest keys buy on 04-02 (count),
# 5 more bought on 03-30 (before the start) and 3 more on 04-09 10:00 (after
# the week): A 12/NA; in B the 6 lowest keys buy on 04-02: B 6/NB.  The
# resume comes late (04-05 10:00, due 04-04 09:00): the rule still reads the
# start, so the 04-09 purchases never count (from 04-05 they would).
"$CAMP" run "$TMP/ab.camp" --campaign offer2 --db "$A" --now "2026-04-01 09:00" > /dev/null 2>&1
eq "success: run" 3 "$(sqlite3 "$A" "SELECT max(run_id) FROM camp_abtest")"
NA2=$(cell A 3); NB2=$(cell B 3)
srv_smtp absink2 --log "$TMP/absink2.jsonl"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$A" --run 3 --now "2026-04-01 09:30" > "$TMP/absend2.txt" 2>&1
srv_stop absink2
has "success: the cells are sent" "$TMP/absend2.txt" "sent $((NA2 + NB2)), deferred 0"
buy() { # buy CELL LIMIT OFFSET AT
  sqlite3 "$A" "INSERT INTO purchases(customer_id, at) SELECT recipient_key, '$4' FROM camp_abtest_cells
    WHERE run_id = 3 AND cell = '$1' ORDER BY recipient_key LIMIT $2 OFFSET $3"
}
buy A 12 0 "2026-04-02 10:00:00"; buy A 5 12 "2026-03-30 10:00:00"; buy A 3 17 "2026-04-09 10:00:00"
buy B 6 0 "2026-04-02 10:00:00"
"$CAMP" resume --db "$A" --now "2026-04-05 10:00" > /dev/null 2>&1
eq "success: the winner is A, decided late" "A|2026-04-05 10:00:00" "$(sqlite3 "$A" "SELECT winner, decided_at FROM camp_abtest WHERE run_id = 3")"
eq "success: hits per cell from the start's week" "A|$NA2|12;B|$NB2|6;" \
  "$(q "$A" "SELECT cell, sent, hits FROM camp_abtest_results WHERE run_id = 3 ORDER BY cell")"
eq "success: the rest got A's subject" "$(cell rest 3)" \
  "$(sqlite3 "$A" "SELECT count(*) FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key WHERE o.run_id = 3 AND c.cell = 'rest' AND o.subject = 'April'")"
"$CAMP" report offer2 --db "$A" > "$TMP/report2.txt" 2>&1
EXP=$(awk -v na="$NA2" -v nb="$NB2" 'BEGIN { printf "  A %10d %6d %7d %8d %8d %7.2f%%\n", na, na, 0, 0, 12, 1200 / na;
  printf "  B %10d %6d %7d %8d %8d %7.2f%%\n", nb, nb, 0, 0, 6, 600 / nb }')
eq "success: report cells" "$EXP" "$(grep -E '^  (A|B) +[0-9]' "$TMP/report2.txt" | sed 's/^  \([AB]\)     /  \1 /')"
has "success: report header" "$TMP/report2.txt" "metric bought (started 2026-04-01 09:00:00, decided 2026-04-05 10:00:00): winner A"

# --- 5. an older database gains the tables and the index -----------------------------
sqlite3 "$D" "DROP TABLE camp_abtest; DROP TABLE camp_abtest_cells; DROP TABLE camp_abtest_results;
  DROP INDEX camp_outbox_key; DELETE FROM camp_meta WHERE key = 'abtest_schema_version';
  UPDATE camp_meta SET value = '3' WHERE key = 'policy_schema_version'"
"$CAMP" resume --db "$D" --now "2026-03-11 12:00" > /dev/null 2>&1
eq "migration: A/B tables and the recipient index" "camp_abtest;camp_abtest_cells;camp_abtest_results;camp_outbox_key;1|4;" \
  "$(q "$D" "SELECT name FROM sqlite_master WHERE name IN ('camp_abtest', 'camp_abtest_cells', 'camp_abtest_results', 'camp_outbox_key') ORDER BY 1;
             SELECT (SELECT value FROM camp_meta WHERE key = 'abtest_schema_version') || '|' || (SELECT value FROM camp_meta WHERE key = 'policy_schema_version')")"

# --- 6. A/B test variants with language variants -------------------------------------
# Expected texts per cell and contact language, worked out by hand from
# ab_lang.camp: a variant's text in the contact's language (de-AT -> de), else
# its plain text, else A's text in that language (B has no body but de's).
#   cell lang   subject                 body
#   A    sv     Vårrea                  Hej
#   A    de-AT  Spring sale             Hello
#   A    en/-   Spring sale             Hello
#   B    sv     Vårrea: 20% rabatt      Hej     (A's Swedish body)
#   B    de-AT  Frühlingsrea: 20%       Hallo
#   B    en/-   Spring sale: 20% off    Hello
L=$TMP/ablang.db
sqlite3 "$L" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, lang TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
  INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se',
    CASE i % 4 WHEN 0 THEN 'sv' WHEN 1 THEN 'de-AT' WHEN 2 THEN 'en' ELSE NULL END FROM n;"
"$CAMP" check "$HERE/ab_lang.camp" > "$TMP/out" 2>&1
eq "ab languages: checks" 0 $?
"$CAMP" run "$HERE/ab_lang.camp" --db "$L" --now "2026-03-02 09:00" > "$TMP/out" 2>&1
eq "ab languages: run" 0 $?
texts() { # the distinct (cell, language, subject, body word) of the queued messages
  q "$L" "SELECT c.cell, coalesce(cu.lang, '-'), o.subject, CASE WHEN o.body LIKE '%Hej c%' THEN 'Hej'
    WHEN o.body LIKE '%Hallo c%' THEN 'Hallo' WHEN o.body LIKE '%Hello c%' THEN 'Hello' ELSE o.body END
    FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key
    JOIN customers cu ON cu.id = o.recipient_key WHERE c.cell IN ($1) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"
}
eq "ab languages: each cell's texts in the contact's language" \
  "A|-|Spring sale|Hello;A|de-AT|Spring sale|Hello;A|en|Spring sale|Hello;A|sv|Vårrea|Hej;B|-|Spring sale: 20% off|Hello;B|de-AT|Frühlingsrea: 20%|Hallo;B|en|Spring sale: 20% off|Hello;B|sv|Vårrea: 20% rabatt|Hej;" \
  "$(texts "'A', 'B'")"
# B wins on clicks; the rest then gets B's texts in each contact's language
sqlite3 "$L" "INSERT INTO camp_feedback(outbox_id, event, at) SELECT o.id, 'clicked', '2026-03-02 12:00:00'
  FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key
  WHERE c.cell = 'B'; UPDATE camp_outbox SET status = 'sent', sent_at = '2026-03-02 09:30:00'"
"$CAMP" resume --db "$L" --now "2026-03-04 09:00" > /dev/null 2>&1
eq "ab languages: B won" B "$(sqlite3 "$L" "SELECT winner FROM camp_abtest")"
eq "ab languages: the rest got B's texts by language" \
  "rest|-|Spring sale: 20% off|Hello;rest|de-AT|Frühlingsrea: 20%|Hallo;rest|en|Spring sale: 20% off|Hello;rest|sv|Vårrea: 20% rabatt|Hej;" \
  "$(texts "'rest'")"
printf 'schema c {\n  id int key\n  email text address(email)\n  lang text\n}\ncampaign k {\n  a = c\n  email a { language "lang"; subject "x"; body "y"; subject_B_sv "z" }\n}\n' > "$TMP/abl_bad.camp"
"$CAMP" check "$TMP/abl_bad.camp" > "$TMP/out" 2>&1
has "ab languages: a variant's language text needs a test" "$TMP/out" "abl_bad.camp:8:53: error: \`subject_B_sv\` is the text of A/B test variant B, but the step has no \`test"

# --- 7. camp sql says that local waits and windows are the runtime's ------------------
"$CAMP" sql "$HERE/local.camp" --campaign morning > "$TMP/local.sql" 2>&1
eq "camp sql local.camp: exit" 0 $?
has "camp sql: the wait says its time is per contact" "$TMP/local.sql" "-- wait until 08:00 local: these rows go on at once;"
has "camp sql: the zone column and default" "$TMP/local.sql" "in the zone of the contact's column 'tz' (unknown or missing: 'Asia/Kolkata')."
has "camp sql: not computed by the script" "$TMP/local.sql" "-- This script does not compute those due times (they need the tz database)"
has "camp sql: the channel step after it" "$TMP/local.sql" "-- due per contact, computed by the runtime (not by this script): at 08:00 local after wait later,"

t_summary policy_ext
