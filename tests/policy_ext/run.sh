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
SRV_ON_EXIT='rm -rf "$TMP"'
. "$ROOT/tests/servers/lib.sh"
srv_init "$TMP/srv"

eq() { # eq NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: want [$2], got [$3]"; fi
}
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

t_summary policy_ext
