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
eq() { # eq NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi
}
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
  eq "plan --engine $e: email policy" '{"invalid_address":1,"no_consent":1,"suppressed":1}' \
    "$(jq -c '.steps[] | select(.step == "_email_all") | .policy' "$TMP/plan.$e.json")"
  eq "plan --engine $e: email reach" '5 8 1' \
    "$(jq -r '.steps[] | select(.step == "_email_all") | "\(.counts._email_all) \(.reach.input) \(.reach.without_address)"' "$TMP/plan.$e.json")"
  eq "plan --engine $e: sms policy" '{"invalid_address":2,"no_consent":2,"suppressed":0}' \
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
eq "transactional: email policy" '{"invalid_address":1,"no_consent":0,"suppressed":1}' \
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
eq "status: rows" "_email_all render 1 1 1;_email_all send 0 1 1;_sms_all render 2 2 0;" \
  "$(sed -n '/^contact policy/,/^$/p' "$TMP/status.txt" | awk 'NR > 2 && NF == 5 {print $1, $2, $3, $4, $5}' | tr '\n' ';')"
"$CAMP" status 1 --db "$D" --format json > "$TMP/status.json" 2>&1
# (step, stage, reason) groups: email render 3, email send 2, sms render 2
eq "status json: policy counts" "7" "$(jq '.run.policy | length' "$TMP/status.json" 2>/dev/null || echo none)"

t_summary policy
