#!/bin/sh
# tests/policy/run.sh CAMP — the contact policy (docs/policy.md): consent
# declared in the schema, the suppression list, address validity, the
# `transactional` opt-out; enforced in plan and run by every engine, and by
# `camp send` against a real SMTP server (tests/servers/smtp_sink.py) that
# this script starts on loopback and always stops (trap).
# POSIX sh + sqlite3 + jq.  Last line: `policy: N passed, N failed`.
#
# Expected answers are worked out by hand from fixture.sql:
#
#   id name email         phone          consent email  consent sms
#   1  ann  a@x.se        +46701234567   yes            yes
#   2  bo   b@x.se        0701234567     no (granted 0) yes
#   3  cy   not an email  +4670          yes            (no row)
#   4  di   d@x.se        NULL           yes            (no row)
#   5  ed   NULL          +12125551234   (no row)       yes
#   6  fay  F@X.SE        +1             yes            (no row)
#   7  gus  g@x.se        +46709999999   yes            yes      (e-mail suppressed by hand: "G@x.se ")
#   8  hal  h@x.se        +46708888888   yes            no (granted 0)
#
#   email: 8 in; 5 without address; 3 invalid; 2 without consent; 7 suppressed
#          (stays, queued as suppressed) -> recipients 1 4 6 7 8
#   sms:   8 in; 4 without address; 2 (no +) and 6 (+1: one digit) invalid;
#          3 and 8 without consent -> recipients 1 5 7
#   receipt (transactional): consent not required -> email 1 2 4 6 7 8, sms 1 3 5 7 8

if [ $# -ne 1 ]; then
  echo "usage: sh tests/policy/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/../lib.sh"
for tool in sqlite3 jq; do
  command -v "$tool" > /dev/null || { echo "policy: $tool is not installed (make deps)" >&2; exit 2; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-policy.XXXXXX") || exit 2
SRV_ON_EXIT='rm -rf "$TMP"'
. "$ROOT/tests/servers/lib.sh"
srv_init "$TMP/srv"

NOW="2026-03-01 10:00"
has() { # has NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$2 lacks [$3]"; sed 's/^/    /' "$2" | head -20; fi
}
q() { sqlite3 "$1" "$2" | tr '\n' ';'; }

cp "$HERE"/*.camp "$TMP/"
D=$TMP/crm.db
sqlite3 "$D" < "$HERE/fixture.sql"

# --- 1. checking the declarations -------------------------------------------
"$CAMP" check "$TMP/news.camp" > "$TMP/out" 2>&1
eq "check: the consent declarations check" 0 $?
"$CAMP" fmt --check "$TMP/schema.camp" > /dev/null 2>&1
eq "fmt: consent declarations keep their layout" 0 $?
cat > "$TMP/bad1.camp" << 'X'
import "schema"
consent push on nosuch = true
X
"$CAMP" check "$TMP/bad1.camp" > "$TMP/out" 2>&1
eq "check: consent on an unknown schema fails" 1 $?
has "check: names the schema" "$TMP/out" "nosuch"
cat > "$TMP/bad2.camp" << 'X'
import "schema"
consent push on customers = name
X
"$CAMP" check "$TMP/bad2.camp" > "$TMP/out" 2>&1
eq "check: a consent rule that is not a condition fails" 1 $?
cat > "$TMP/bad3.camp" << 'X'
import "schema"
agree email on customers = true
X
"$CAMP" check "$TMP/bad3.camp" > "$TMP/out" 2>&1
eq "check: another word than consent is a syntax error" 1 $?
has "check: says which word" "$TMP/out" "unexpected name \`agree\`"
cat > "$TMP/bad4.camp" << 'X'
import "schema"
campaign t {
  transactional 3
  a = customers
  email a { subject "x"; body "y" }
}
X
"$CAMP" check "$TMP/bad4.camp" > "$TMP/out" 2>&1
eq "check: transactional takes a boolean" 1 $?
has "check: transactional message" "$TMP/out" "\`transactional\` must be true or false"

# --- 2. camp suppress ----------------------------------------------------------
"$CAMP" suppress add "G@x.se " --db "$D" --channel email --now "$NOW" > "$TMP/out" 2>&1
eq "suppress add: exit" 0 $?
has "suppress add: summary" "$TMP/out" "1 address added to the email suppression list (0 already listed)"
"$CAMP" suppress add g@x.se zz@x.se --db "$D" --channel email --reason "asked by phone" --now "$NOW" > "$TMP/out" 2>&1
has "suppress add: an address already listed is kept" "$TMP/out" "1 address added to the email suppression list (1 already listed)"
eq "suppress: normalized, reasons and source" "email|g@x.se|manual|camp suppress;email|zz@x.se|asked by phone|camp suppress;" \
  "$(q "$D" "SELECT channel, address, reason, source FROM camp_suppression ORDER BY address")"
"$CAMP" suppress remove ZZ@x.se --db "$D" --channel email > "$TMP/out" 2>&1
has "suppress remove" "$TMP/out" "1 address removed from the email suppression list"
"$CAMP" suppress list --db "$D" --format csv > "$TMP/out" 2>&1
eq "suppress list --format csv" "channel,address,reason,at,source;email,g@x.se,manual,2026-03-01 10:00:00,camp suppress;" \
  "$(tr -d '\r' < "$TMP/out" | tr '\n' ';')"
"$CAMP" suppress add x --db "$D" > /dev/null 2>&1
eq "suppress add without --channel is a usage error" 2 $?
"$CAMP" suppress add x --db "$D" --channel fax > /dev/null 2>&1
eq "suppress: an unknown channel is a usage error" 2 $?

# --- 3. plan: the same answer by every engine ----------------------------------
for e in sql interp jit; do
  CAMP_PLAN_KEYS="$TMP/keys.$e" "$CAMP" plan "$TMP/news.camp" --db "$D" --now "$NOW" --engine $e --format json > "$TMP/plan.$e.json" 2> "$TMP/err.$e"
  eq "plan --engine $e: exit" 0 $?
  eq "plan --engine $e: email policy" '{"invalid_address":1,"no_consent":1,"suppressed":1,"pressure":0,"holdout":0}' \
    "$(jq -c '.steps[] | select(.step == "_email_all") | .policy' "$TMP/plan.$e.json")"
  eq "plan --engine $e: email reach" '5 8 1' \
    "$(jq -r '.steps[] | select(.step == "_email_all") | "\(.counts._email_all) \(.reach.input) \(.reach.without_address)"' "$TMP/plan.$e.json")"
  eq "plan --engine $e: sms policy" '{"invalid_address":2,"no_consent":2,"suppressed":0,"pressure":0,"holdout":0}' \
    "$(jq -c '.steps[] | select(.step == "_sms_all") | .policy' "$TMP/plan.$e.json")"
  eq "plan --engine $e: sms reach" '3 8 1' \
    "$(jq -r '.steps[] | select(.step == "_sms_all") | "\(.counts._sms_all) \(.reach.input) \(.reach.without_address)"' "$TMP/plan.$e.json")"
  eq "plan --engine $e: email recipients" "_email_all: 1 4 6 7 8" "$(grep '^_email_all:' "$TMP/keys.$e")"
  eq "plan --engine $e: sms recipients" "_sms_all: 1 5 7" "$(grep '^_sms_all:' "$TMP/keys.$e")"
done
"$CAMP" plan "$TMP/news.camp" --db "$D" --now "$NOW" > "$TMP/plan.txt" 2>&1
has "plan text: the email step's count" "$TMP/plan.txt" "5 of 8 — 1 without an email address"
has "plan text: the email step's reasons" "$TMP/plan.txt" "policy: 1 invalid address, 1 without consent, 1 suppressed (queued as suppressed, never sent)"
has "plan text: the sms step's reasons" "$TMP/plan.txt" "policy: 2 invalid address, 2 without consent"
eq "plan queues and records nothing" "0|0" "$(sqlite3 "$D" "SELECT (SELECT count(*) FROM camp_outbox), (SELECT count(*) FROM camp_policy_removed)")"

# transactional: consent is not asked, the rest still applies
"$CAMP" plan "$TMP/receipt.camp" --db "$D" --now "$NOW" > "$TMP/plan.txt" 2>&1
has "plan: the transactional flag is shown" "$TMP/plan.txt" "transactional: consent is not required (campaign flag \`transactional true\`)"
CAMP_PLAN_KEYS="$TMP/keys.r" "$CAMP" plan "$TMP/receipt.camp" --db "$D" --now "$NOW" --engine interp --format json > "$TMP/plan.r.json" 2>&1
eq "transactional: email recipients" "_email_all: 1 2 4 6 7 8" "$(grep '^_email_all:' "$TMP/keys.r")"
eq "transactional: sms recipients" "_sms_all: 1 3 5 7 8" "$(grep '^_sms_all:' "$TMP/keys.r")"
eq "transactional: email policy" '{"invalid_address":1,"no_consent":0,"suppressed":1,"pressure":0,"holdout":0}' \
  "$(jq -c '.steps[] | select(.step == "_email_all") | .policy' "$TMP/plan.r.json")"

# --- 4. run: recorded per run and step ----------------------------------------
"$CAMP" run "$TMP/news.camp" --db "$D" --now "$NOW" > "$TMP/run.txt" 2>&1
eq "run: exit" 0 $?
eq "run: the outbox" "_email_all|1|queued;_email_all|4|queued;_email_all|6|queued;_email_all|7|suppressed;_email_all|8|queued;_sms_all|1|queued;_sms_all|5|queued;_sms_all|7|queued;" \
  "$(q "$D" "SELECT step, recipient_key, status FROM camp_outbox ORDER BY step, CAST(recipient_key AS INTEGER)")"
eq "run: removals recorded with reasons" "_email_all|2|no_consent|render;_email_all|3|invalid_address|render;_email_all|7|suppressed|render;_sms_all|2|invalid_address|render;_sms_all|3|no_consent|render;_sms_all|6|invalid_address|render;_sms_all|8|no_consent|render;" \
  "$(q "$D" "SELECT step, recipient_key, reason, stage FROM camp_policy_removed WHERE run_id = 1 ORDER BY step, CAST(recipient_key AS INTEGER)")"
eq "run: the step counts are the recipients" "_email_all|5;_sms_all|3;" \
  "$(q "$D" "SELECT step, count FROM camp_counts WHERE run_id = 1 AND step LIKE '\_%' ESCAPE '\' ORDER BY step")"
eq "run: the policy of each step is recorded for camp send" "_email_all|email|customers|email|1|0;_sms_all|sms|customers|phone|1|0;" \
  "$(q "$D" "SELECT step, channel, dimension, address_column, consent_sql IS NOT NULL, transactional FROM camp_policy_steps WHERE run_id = 1 ORDER BY step")"

# --- 5. camp send: enforced again at send time, through a real SMTP server -------
# After the run, di (4) withdraws her e-mail consent and hal's (8) address is
# suppressed by hand: of the queued e-mails (1 4 6 8) only ann's and fay's leave.
sqlite3 "$D" "UPDATE consents SET granted = 0 WHERE customer_id = 4 AND channel = 'email'"
"$CAMP" suppress add H@X.SE --db "$D" --channel email --now "$NOW" > /dev/null 2>&1
srv_smtp sink --log "$TMP/sink.jsonl"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$D" --channel email --now "2026-03-01 11:00" > "$TMP/send.txt" 2>&1
eq "send: exit" 0 $?
has "send: summary" "$TMP/send.txt" "sent 2, deferred 0, failed 0, bounced 0"
has "send: the policy's stops are counted" "$TMP/send.txt" "2 messages stopped by the contact policy"
srv_stop sink
eq "send: the SMTP server received only ann's and fay's" "F@X.SE;a@x.se;" \
  "$(jq -r '.rcpt_tos[]' "$TMP/sink.jsonl" | sort | tr '\n' ';')"
eq "send: statuses and reasons" "1|sent|;4|suppressed|policy: no_consent;6|sent|;7|suppressed|;8|suppressed|policy: suppressed;" \
  "$(q "$D" "SELECT recipient_key, status, coalesce(last_error, '') FROM camp_outbox WHERE channel = 'email' ORDER BY CAST(recipient_key AS INTEGER)")"
eq "send: removals at send time recorded" "4|no_consent|send;8|suppressed|send;" \
  "$(q "$D" "SELECT recipient_key, reason, stage FROM camp_policy_removed WHERE stage = 'send' ORDER BY 1")"
eq "send: the sms messages (no provider) are untouched" "queued|3;" \
  "$(q "$D" "SELECT status, count(*) FROM camp_outbox WHERE channel = 'sms' GROUP BY status")"
POL_SMTP_URL="smtp://127.0.0.1:1" "$CAMP" send --db "$D" --channel email --now "2026-03-01 12:00" > "$TMP/send2.txt" 2>&1
eq "send again: nothing left, nothing stopped twice" 0 "$(grep -c 'stopped by the contact policy' "$TMP/send2.txt")"

# --- 6. camp status shows the reasons per channel step -------------------------
"$CAMP" status 1 --db "$D" > "$TMP/status.txt" 2>&1
has "status: the section" "$TMP/status.txt" "contact policy (recipients taken out)"
eq "status: rows" "_email_all render 1 1 1 0 0;_email_all send 0 1 1 0 0;_sms_all render 2 2 0 0 0;" \
  "$(sed -n '/^contact policy/,/^$/p' "$TMP/status.txt" | awk 'NR > 2 && NF == 7 {print $1, $2, $3, $4, $5, $6, $7}' | tr '\n' ';')"
"$CAMP" status 1 --db "$D" --format json > "$TMP/status.json" 2>&1
# (step, stage, reason) groups: email render 3, email send 2, sms render 2
eq "status json: policy counts" "7" "$(jq '.run.policy | length' "$TMP/status.json" 2>/dev/null || echo none)"

"$CAMP" graph "$TMP/news.camp" --db "$D" --run 1 > "$TMP/graph.dot" 2>&1
has "graph: the email step's drop by reason" "$TMP/graph.dot" "5 of 8 — 1 without an email address, 2 by the contact policy"
has "graph: the sms step's drop by reason" "$TMP/graph.dot" "3 of 8 — 1 without a phone number, 4 by the contact policy"

# --- 7. pressure rules on a hand-built history ----------------------------------
# press_history.sql; rules: email max 3 per 7d, all channels max 3 per 7d;
# now 2026-03-10 12:00 (window from 2026-03-03 12:00).  For a campaign of
# weight W a recipient counts: e-mails (or any messages) sent in the window,
# plus messages not yet sent of weight >= W; transactional ones never.
#   promo (W 5):  1: email e1 + e2 sent, e3 planned (9) = 3 -> out (email rule)
#                 2: e1 sent before the window, e4 weight 1 -> 0, stays
#                 3: email e2 + e3 = 2 stays; all: e2 + s1 + e3 = 3 -> out (all rule)
#                 4: t1 transactional, e4 weight 1; all: s1 = 1, stays
#                 -> recipients 2 4, pressure 2
#   vip (W 10):   e3 (9) no longer counts: 1 has 2, 3 has 2 (all) -> 1 2 3 4
#   low (W 0):    e4 counts too: 1: 4 out; 3: e2 + e3 + e4 = 3 out; 2: 1; 4: all s1 + e4 = 2
#                 -> 2 4
#   triple (W 5, three e-mail steps): ea like promo -> 2 4; eb: ea's recipients
#                 count as planned: 2: 1, 4: all s1 + ea = 2 -> 2 4; ec: 4: all
#                 s1 + ea + eb = 3 -> out -> 2
P=$TMP/press.db
sqlite3 "$P" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT)"
"$CAMP" policy show --db "$P" > "$TMP/out" 2>&1
has "policy show: none yet" "$TMP/out" "no pressure rules installed"
sqlite3 "$P" < "$HERE/press_history.sql"
eq "history loaded" 14 "$(sqlite3 "$P" "SELECT count(*) FROM camp_outbox")"
"$CAMP" policy apply "$TMP/press_rules.camp" --db "$P" --now "2026-03-10 11:00" > "$TMP/out" 2>&1
eq "policy apply: exit" 0 $?
has "policy apply: the email rule" "$TMP/out" "pressure email max 3 per 7d"
has "policy apply: the all-channel rule" "$TMP/out" "pressure all max 3 per 7d"
eq "policy apply: stored" "email|3|604800|7d;all|3|604800|7d;" \
  "$(q "$P" "SELECT coalesce(channel, 'all'), max_messages, period_seconds, period FROM camp_policy_rules ORDER BY id")"
printf 'pressure email max 3 per 7d\npressure email max 2 per 1d\n' > "$TMP/dup.camp"
"$CAMP" policy apply "$TMP/dup.camp" --db "$P" > "$TMP/out" 2>&1
eq "policy apply: two rules for one channel are refused" 1 $?
has "policy apply: says why" "$TMP/out" "pressure for email is declared twice"
eq "policy apply: a refused file changes nothing" 2 "$(sqlite3 "$P" "SELECT count(*) FROM camp_policy_rules")"
PN="2026-03-10 12:00"
for e in sql interp; do
  for c in promo:"2 4" vip:"1 2 3 4" low:"2 4"; do
    name=${c%%:*}; want=${c#*:}
    CAMP_PLAN_KEYS="$TMP/k" "$CAMP" plan "$TMP/press.camp" --campaign "$name" --db "$P" --now "$PN" --engine $e --format json > "$TMP/pj" 2>&1
    eq "pressure $name --engine $e: recipients" "_email_all: $want" "$(grep '^_email_all:' "$TMP/k")"
  done
  CAMP_PLAN_KEYS="$TMP/k" "$CAMP" plan "$TMP/press.camp" --campaign triple --db "$P" --now "$PN" --engine $e > "$TMP/pt" 2>&1
  eq "pressure triple --engine $e: recipients per step" "ea: 2 4;eb: 2 4;ec: 2;" "$(grep '^e[abc]:' "$TMP/k" | tr '\n' ';')"
done
"$CAMP" plan "$TMP/press.camp" --campaign promo --db "$P" --now "$PN" > "$TMP/pp" 2>&1
has "plan: pressure count" "$TMP/pp" "policy: 2 over pressure"
has "plan: which messages counted" "$TMP/pp" "pressure counted email max 3 per 7d: 1 planned by big/e3, 1 sent by old/e1, 1 sent by old2/e2; all max 3 per 7d: 1 planned by big/e3, 1 sent by old2/e2, 1 sent by sms1/s1"
"$CAMP" plan "$TMP/press.camp" --campaign promo --db "$P" --now "$PN" --format json > "$TMP/pj" 2>&1
eq "plan json: pressure" 2 "$(jq '.steps[] | select(.step == "_email_all") | .policy.pressure' "$TMP/pj")"
"$CAMP" plan "$TMP/press.camp" --campaign triple --db "$P" --now "$PN" > "$TMP/pt" 2>&1
# ec takes out 3 (email rule) and 3, 4 (all rule: 3 by e2, s1, e3; 4 by s1, ea, eb)
has "plan triple: the third step names the plan's own messages" "$TMP/pt" "all max 3 per 7d: 2 sent by sms1/s1, 1 planned by big/e3, 1 sent by old2/e2, 1 planned by this plan/ea, ..."
# the run gives the plan's answer and records why
"$CAMP" run "$TMP/press.camp" --campaign triple --db "$P" --now "$PN" > "$TMP/rt" 2>&1
eq "run triple: exit" 0 $?
eq "run triple: the outbox" "ea|2;ea|4;eb|2;eb|4;ec|2;" \
  "$(q "$P" "SELECT step, recipient_key FROM camp_outbox WHERE run_id = (SELECT max(id) FROM camp_runs) ORDER BY 1, 2")"
eq "run triple: removals with the rule" "ea|1|pressure|email max 3 per 7d: 3 counted;ea|3|pressure|all max 3 per 7d: 3 counted;eb|1|pressure|email max 3 per 7d: 3 counted;eb|3|pressure|all max 3 per 7d: 3 counted;ec|1|pressure|email max 3 per 7d: 3 counted;ec|3|pressure|all max 3 per 7d: 3 counted;ec|4|pressure|all max 3 per 7d: 3 counted;" \
  "$(q "$P" "SELECT step, recipient_key, reason, detail FROM camp_policy_removed WHERE run_id = (SELECT max(id) FROM camp_runs) ORDER BY 1, 2")"
eq "run triple: weight recorded" "ea|5;eb|5;ec|5;" \
  "$(q "$P" "SELECT step, weight FROM camp_policy_steps WHERE run_id = (SELECT max(id) FROM camp_runs) ORDER BY 1")"
# now triple's run is history: promo (weight 5) sees its queued weight-5 messages
#   2: ea + eb + ec queued = 3 -> out; 4: ea + eb = 2 email; all: s1 + 2 = 3 -> out
CAMP_PLAN_KEYS="$TMP/k" "$CAMP" plan "$TMP/press.camp" --campaign promo --db "$P" --now "$PN" > /dev/null 2>&1
eq "pressure after triple's run: promo reaches nobody" "_email_all:" "$(grep '^_email_all:' "$TMP/k")"
#   vip (weight 10): triple's weight-5 messages do not count against it -> 1 2 3 4
CAMP_PLAN_KEYS="$TMP/k" "$CAMP" plan "$TMP/press.camp" --campaign vip --db "$P" --now "$PN" > /dev/null 2>&1
eq "pressure after triple's run: vip (higher weight) reaches all" "_email_all: 1 2 3 4" "$(grep '^_email_all:' "$TMP/k")"
cat > "$TMP/badw.camp" << 'X'
import "press_schema"
campaign w {
  weight -1
  a = customers
  email a { subject "x"; body "y" }
}
X
"$CAMP" check "$TMP/badw.camp" > "$TMP/out" 2>&1
eq "check: a negative weight is an error" 1 $?

# --- 8. control group (holdout 10%) and camp report --------------------------------
# Which members are held out depends on the seeded hash, so the expectations
# are properties: the same members in every step and every run of the
# campaign, never messaged, by every engine, about 10%; the report's counts
# are recomputed here by independent SQL and its statistics with awk.
H=$TMP/hold.db
sqlite3 "$H" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT);
  CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, at TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se' FROM n;
  INSERT INTO purchases(customer_id, amount, at) SELECT id, 10, '2026-03-05 10:00:00' FROM customers WHERE id % 3 = 0;
  INSERT INTO purchases(customer_id, amount, at) SELECT id, 10, '2026-03-20 10:00:00' FROM customers WHERE id % 7 = 0;"
HN="2026-03-01 09:00"
for e in sql interp jit; do
  CAMP_PLAN_KEYS="$TMP/hk.$e" "$CAMP" plan "$TMP/holdout.camp" --db "$H" --now "$HN" --engine $e > "$TMP/hp.$e" 2>&1
  eq "holdout plan --engine $e: exit" 0 $?
done
eq "holdout: interp plans the sql plan's recipients" "$(grep '^_email' "$TMP/hk.sql")" "$(grep '^_email' "$TMP/hk.interp")"
eq "holdout: jit plans the sql plan's recipients" "$(grep '^_email' "$TMP/hk.sql")" "$(grep '^_email' "$TMP/hk.jit")"
has "holdout: plan says so" "$TMP/hp.sql" "holdout: 10% of each channel step's recipients form the control group (not messaged)"
"$CAMP" run "$TMP/holdout.camp" --db "$H" --now "$HN" > /dev/null 2>&1
"$CAMP" resume --db "$H" --now "2026-03-04 09:00" > /dev/null 2>&1
held=$(sqlite3 "$H" "SELECT count(*) FROM camp_policy_removed WHERE run_id = 1 AND step = '_email_all' AND reason = 'holdout'")
if [ "$held" -ge 60 ] && [ "$held" -le 140 ]; then t_pass; else t_fail "holdout: about 10% of 1000 held out, got $held"; fi
eq "holdout: held out + messaged = everyone" 1000 "$(sqlite3 "$H" "SELECT $held + count(*) FROM camp_outbox WHERE run_id = 1 AND step = '_email_all'")"
eq "holdout: nobody held out is messaged" 0 "$(sqlite3 "$H" "SELECT count(*) FROM camp_outbox o JOIN camp_policy_removed p
  ON p.recipient_key = CAST(o.recipient_key AS TEXT) AND p.reason = 'holdout' WHERE o.run_id = 1")"
eq "holdout: the same members in both steps" 0 "$(sqlite3 "$H" "SELECT count(*) FROM (SELECT recipient_key FROM camp_policy_removed
  WHERE run_id = 1 AND step = '_email_all' EXCEPT SELECT recipient_key FROM camp_policy_removed WHERE run_id = 1 AND step = '_email_later')")"
eq "holdout: the run messages the plan's recipients" "$(grep '^_email_all:' "$TMP/hk.sql" | cut -d' ' -f2- | tr ' ' '\n' | sort -n | tr '\n' ' ')" \
  "$(sqlite3 "$H" "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND step = '_email_all' ORDER BY 1" | tr '\n' ' ')"
"$CAMP" run "$TMP/holdout.camp" --db "$H" --now "2026-03-10 09:00" --new-run > /dev/null 2>&1
eq "holdout: stable across runs of the campaign" "0 $held" "$(sqlite3 "$H" "SELECT (SELECT count(*) FROM (SELECT recipient_key FROM camp_policy_removed
  WHERE run_id = 1 AND step = '_email_all' EXCEPT SELECT recipient_key FROM camp_policy_removed WHERE run_id = 2 AND step = '_email_all'))
  || ' ' || (SELECT count(*) FROM camp_policy_removed WHERE run_id = 2 AND step = '_email_all')")"
# the report of run 1, counted independently: converted = a purchase in [start, start + 14d)
conv="EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = k AND p.at >= '2026-03-01 09:00:00' AND p.at < '2026-03-15 09:00:00')"
nt=$(sqlite3 "$H" "SELECT count(DISTINCT recipient_key) FROM camp_outbox WHERE run_id = 1")
ct=$(sqlite3 "$H" "SELECT count(*) FROM (SELECT DISTINCT recipient_key AS k FROM camp_outbox WHERE run_id = 1) WHERE $conv")
nc=$(sqlite3 "$H" "SELECT count(DISTINCT recipient_key) FROM camp_policy_removed WHERE run_id = 1 AND reason = 'holdout'")
cc=$(sqlite3 "$H" "SELECT count(*) FROM (SELECT DISTINCT CAST(recipient_key AS INTEGER) AS k FROM camp_policy_removed WHERE run_id = 1 AND reason = 'holdout') WHERE $conv")
"$CAMP" report spring --db "$H" --run 1 --format json > "$TMP/rep.json" 2> "$TMP/rep.err"
eq "report: exit" 0 $?
eq "report: group counts" "$nt $ct $nc $cc" "$(jq -r '"\(.treated.recipients) \(.treated.converted) \(.control.recipients) \(.control.converted)"' "$TMP/rep.json")"
want=$(awk -v nt="$nt" -v ct="$ct" -v nc="$nc" -v cc="$cc" 'BEGIN { pt = ct / nt; pc = cc / nc; d = pt - pc;
  se = sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc); printf "%.4f %.4f %.4f %.4f %.4f", pt, pc, d, d - 1.96 * se, d + 1.96 * se }')
eq "report: rates, uplift and 95% interval" "$want" \
  "$(jq -r '[.treated.rate, .control.rate, .uplift, .ci95[0], .ci95[1]] | map(. * 10000 | round / 10000 | tostring) | join(" ")' "$TMP/rep.json" |
     awk '{ printf "%.4f %.4f %.4f %.4f %.4f", $1, $2, $3, $4, $5 }')"
eq "report: relative uplift" "$(awk -v nt="$nt" -v ct="$ct" -v nc="$nc" -v cc="$cc" 'BEGIN { printf "%.4f", (ct / nt - cc / nc) / (cc / nc) }')" \
  "$(jq -r '.relative_uplift' "$TMP/rep.json" | awk '{ printf "%.4f", $1 }')"
"$CAMP" report spring --db "$H" --run 1 > "$TMP/rep.txt" 2>&1
has "report: text" "$TMP/rep.txt" "treated  $nt recipients, $ct converted"
"$CAMP" report spring --db "$H" --run 1 --format svg --output "$TMP/rep.svg" > /dev/null 2>&1
eq "report: the SVG parses" ok "$(/usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1]); print("ok")' "$TMP/rep.svg" 2>&1)"
has "report: the SVG names both groups" "$TMP/rep.svg" "control (n = $nc)"
"$CAMP" report nosuch --db "$H" > "$TMP/out" 2>&1
eq "report: an unknown campaign fails" 1 $?
"$CAMP" report triple --db "$P" > "$TMP/out" 2>&1
eq "report: a campaign without conversion fails" 1 $?
has "report: says so" "$TMP/out" "declares no \`conversion \"filter\"\` metric"
printf 'import "holdout"\ncampaign h2 {\n  holdout 100%%\n  a = customers\n  email a { subject "x"; body "y" }\n}\n' > "$TMP/h2.camp"
"$CAMP" check "$TMP/h2.camp" > "$TMP/out" 2>&1
eq "check: holdout 100% is an error" 1 $?

# --- 9. send windows in the contact's time zone (weekdays 09:00-18:00) -----------
# Due times in UTC worked out by hand from the zones' rules (dates of 2026):
# Stockholm CET/CEST (DST 29 March - 25 October), New York EST/EDT (8 March -
# 1 November), Kolkata IST (+5:30, no DST), Sydney AEDT/AEST (DST until 5 April,
# from 4 October).  Customer 5's zone is not a zone, 6 has none: the default
# (Europe/Stockholm).  "now" = due at once (no due time recorded).
W=$TMP/win.db
sqlite3 "$W" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, tz TEXT);
  INSERT INTO customers VALUES (1, 'sto', 's@x.se', 'Europe/Stockholm'), (2, 'nyc', 'n@x.se', 'America/New_York'),
  (3, 'kol', 'k@x.se', 'Asia/Kolkata'), (4, 'syd', 'y@x.se', 'Australia/Sydney'), (5, 'mars', 'm@x.se', 'Mars/Olympus'),
  (6, 'none', 'o@x.se', NULL);"
due() { q "$W" "SELECT recipient_key || '=' || coalesce(policy_due_at, 'now') FROM camp_outbox WHERE run_id = $1 ORDER BY recipient_key"; }
run_at() { "$CAMP" run "$TMP/window.camp" --db "$W" --now "$1" --new-run > "$TMP/wr" 2>&1 || { t_fail "run at $1"; cat "$TMP/wr"; }; }
# Friday 27 March 12:00 UTC: Stockholm 13:00, New York 08:00 (EDT), Kolkata 17:30, Sydney 23:00 (AEDT)
run_at "2026-03-27 12:00"
eq "window: Friday noon UTC" "1=now;2=2026-03-27 13:00:00;3=now;4=2026-03-29 22:00:00;5=now;6=now;" "$(due 1)"
has "window: the run says how many wait" "$TMP/wr" "window weekdays 09:00-18:00 in the contact's zone (column tz, default Europe/Stockholm): 2 held, the first until 2026-03-27 13:00:00 UTC"
"$CAMP" plan "$TMP/window.camp" --db "$W" --now "2026-03-27 12:00" > "$TMP/wp" 2>&1
has "window: plan shows the window" "$TMP/wp" "window weekdays 09:00-18:00 in the contact's zone (column tz, default Europe/Stockholm)"
# Saturday 28 March: next Monday 09:00 local; Stockholm is on CEST (+2) by then
run_at "2026-03-28 12:00"
eq "window: over the Stockholm DST change" "1=2026-03-30 07:00:00;2=2026-03-30 13:00:00;3=2026-03-30 03:30:00;4=2026-03-29 22:00:00;5=2026-03-30 07:00:00;6=2026-03-30 07:00:00;" "$(due 2)"
# Saturday 4 April: Sydney leaves DST on 5 April: Monday 09:00 AEST (+10)
run_at "2026-04-04 12:00"
eq "window: over the Sydney DST change" "1=2026-04-06 07:00:00;2=2026-04-06 13:00:00;3=2026-04-06 03:30:00;4=2026-04-05 23:00:00;5=2026-04-06 07:00:00;6=2026-04-06 07:00:00;" "$(due 3)"
# Saturday 31 October: New York falls back on 1 November (EST, -5); Stockholm is on CET; Sydney on AEDT
run_at "2026-10-31 12:00"
eq "window: over the New York DST change" "1=2026-11-02 08:00:00;2=2026-11-02 14:00:00;3=2026-11-02 03:30:00;4=2026-11-01 22:00:00;5=2026-11-02 08:00:00;6=2026-11-02 08:00:00;" "$(due 4)"
# camp send releases run 1's messages at their time (a real SMTP server)
srv_smtp wsink --log "$TMP/wsink.jsonl"
sent() { sqlite3 "$W" "SELECT group_concat(recipient_key, ' ') FROM (SELECT recipient_key FROM camp_outbox WHERE run_id = 1 AND status = 'sent' ORDER BY 1)"; }
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$W" --run 1 --now "2026-03-27 12:30" > /dev/null 2>&1
eq "send 12:30: those inside their window" "1 3 5 6" "$(sent)"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$W" --run 1 --now "2026-03-27 13:00" > /dev/null 2>&1
eq "send 13:00: New York's 09:00" "1 2 3 5 6" "$(sent)"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$W" --run 1 --now "2026-03-29 21:59" > /dev/null 2>&1
eq "send Sunday 21:59 UTC: Sydney's Monday has not begun" "1 2 3 5 6" "$(sent)"
POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$W" --run 1 --now "2026-03-29 22:00" > /dev/null 2>&1
eq "send Sunday 22:00 UTC: Monday 09:00 in Sydney" "1 2 3 4 5 6" "$(sent)"
srv_stop wsink
eq "window: the SMTP server got each message once" 6 "$(wc -l < "$TMP/wsink.jsonl")"
printf 'import "window"\ncampaign w2 {\n  a = customers\n  email a { subject "x"; body "y"; window "weekdays 18:00-09:00" }\n}\n' > "$TMP/w2.camp"
"$CAMP" check "$TMP/w2.camp" > "$TMP/out" 2>&1
eq "check: a window that ends before it starts" 1 $?
printf 'import "window"\ncampaign w3 {\n  default_timezone "Mars/Olympus"\n  a = customers\n  email a { subject "x"; body "y"; window "someday 09:00-18:00" }\n}\n' > "$TMP/w3.camp"
"$CAMP" check "$TMP/w3.camp" > "$TMP/out" 2>&1
eq "check: unknown zone and days" 1 $?
has "check: the zone" "$TMP/out" "\`Mars/Olympus\` is not a time zone"
has "check: the days" "$TMP/out" "unknown days \`someday\`"

t_summary policy
