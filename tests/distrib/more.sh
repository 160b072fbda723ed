#!/bin/sh
# tests/distrib/more.sh CAMP — distributed marketing, second part (called by
# tests/distrib/run.sh): the login rate limit of `camp serve`, participation
# (stores that did not order are left out), operator groups, cost sharing
# and the collaborative variant *by campaign*.  Expectations are worked out
# by hand from fixture.sql (customers 1-3 store 1, 4-7 store 2, 8, 9, 12
# store 3, 10 store 9, 11 without an e-mail).  Last line:
# `distrib-more: N passed, N failed`.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/distrib/more.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
PY=/usr/bin/python3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-distrib-more.XXXXXX") || exit 2
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null
    wait "$SERVER_PID" 2> /dev/null
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
unset CAMP_PASSWORD

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
check() {
  if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: expected [$2], got [$3]"; fi
}
newdb() { rm -f "$1"; sqlite3 "$1" < "$HERE/fixture.sql"; }
# start_server DB ARGS... — camp serve on a free loopback port; sets BASE
start_server() {
  sdb=$1
  shift
  stop_server
  : > "$TMP/serve.log"
  "$CAMP" serve --db "$sdb" --listen 127.0.0.1:0 "$@" > "$TMP/serve.log" 2>&1 &
  SERVER_PID=$!
  PORT=
  i=0
  while [ $i -lt 100 ]; do
    PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/serve.log")
    [ -n "$PORT" ] && curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break
    i=$((i + 1))
    sleep 0.1
  done
  BASE=http://127.0.0.1:$PORT
}
h() { jar=$TMP/jar.$1; shift; timeout 20 $PY "$HERE/webclient.py" "$BASE" "$jar" "$@"; }
sorted() { tr '\n' ' ' | sed 's/ $//'; }

# ------------------------------------------------- login rate limit
# --login-limit 3 --login-window 600: three failed logins from 127.0.0.1
# within 10 minutes refuse every further login (right password or not, any
# account from that address) with 429 until the third failure is 10 minutes
# old.  The clock is the server's --now, so no test sleeps.
DB=$TMP/limit.db
newdb "$DB"
camp packages sync "$HERE/model.camp" --db "$DB" --now "2026-03-01 08:00" > /dev/null
for u in m1:pass-word-m1 m2:pass-word-m2; do
  CAMP_PASSWORD=${u#*:} camp packages passwd "${u%%:*}" --db "$DB" > /dev/null
done
camp serve --db "$DB" --listen 127.0.0.1:0 --login-limit x > /dev/null 2> "$TMP/e"
check "a bad --login-limit is a usage error" "2 1" "$? $(grep -c 'login-limit' "$TMP/e")"
start_server "$DB" --now "2026-03-03 10:00:00" --login-limit 3 --login-window 600
check "1st wrong password" 403 "$(h a login m1 wrong-1)"
check "2nd wrong password" 403 "$(h a login m1 wrong-2)"
check "3rd wrong password (unknown account counts too)" 403 "$(h a login nobody wrong-3)"
check "4th try, right password: 429" 429 "$(h a login m1 pass-word-m1)"
check "another account from the same address: 429" 429 "$(h b login m2 pass-word-m2)"
h c get /login > /dev/null
check "the 429 page says until when" 1 \
  "$(timeout 20 $PY - "$BASE" <<'PYEOF' | grep -c 'try again after 2026-03-03 10:10:00 UTC'
import sys, urllib.request, urllib.parse, urllib.error, http.cookiejar, re
j = http.cookiejar.CookieJar()
o = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(j))
b = o.open(sys.argv[1] + "/login").read().decode()
t = re.search(r'name="csrf" value="([0-9a-f]{64})"', b).group(1)
try:
    o.open(sys.argv[1] + "/login", urllib.parse.urlencode({"csrf": t, "login": "m1", "password": "x"}).encode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PYEOF
)"
check "no session was opened by a refused login" 0 "$(q "$DB" "SELECT count(*) FROM camp_distrib_sessions WHERE login <> ''")"
check "failures recorded per account and address, no password" "ip:127.0.0.1:3 login:m1:2 login:nobody:1" \
  "$(q "$DB" "SELECT who||':'||count(*) FROM camp_distrib_login_failures GROUP BY who ORDER BY who" | sorted)"
check "no password in the database" 0 "$(grep -a -c 'wrong-\|pass-word-' "$DB")"
# a restart keeps the count: 5 minutes later still refused
start_server "$DB" --now "2026-03-03 10:05:00" --login-limit 3 --login-window 600
check "still refused 5 minutes later, after a restart" 429 "$(h d login m1 pass-word-m1)"
# the window passed: the third failure (10:00:00) is 600 s old at 10:10:00
start_server "$DB" --now "2026-03-03 10:10:00" --login-limit 3 --login-window 600
check "allowed again when the window has passed" 303 "$(h e login m1 pass-word-m1)"
check "a successful login forgets the account's failures" 0 "$(q "$DB" "SELECT count(*) FROM camp_distrib_login_failures WHERE who = 'login:m1'")"
start_server "$DB" --now "2026-03-03 10:20:00" --login-limit 0
for k in 1 2 3 4; do h f login m2 "bad-$k" > /dev/null; done
check "--login-limit 0: no limit" 303 "$(h f login m2 pass-word-m2)"
stop_server

# ------------------------------------------------------- participation
# local_spring is published by spring_kit (manual; nobody ordered it here)
# and summer_push (automatic: s1 and s2 registered by the sync, s3 not
# offered).  So s3 does not take part: its customers 8, 9, 12 are left out
# at the hand-out.  s2 unsubscribes after the hand-out, having approved its
# contacts: at the deadline they are left out too.  Sent: s1's approved 1.
DB=$TMP/part.db
newdb "$DB"
camp run "$HERE/model.camp" --db "$DB" --now "2026-03-02 09:00" > /dev/null
c() { q "$DB" "SELECT group_concat(recipient_key||':'||COALESCE(entity,'-')||':'||state, ' ') FROM (SELECT * FROM camp_distrib_contacts WHERE run_id = $1 ORDER BY CAST(recipient_key AS INTEGER))"; }
check "a store without a standing order is left out at the hand-out" \
  "1:s1:pending 2:s1:pending 3:s1:pending 4:s2:pending 5:s2:pending 6:s2:pending 7:s2:over_limit 8:s3:not_participating 9:s3:not_participating 10:-:unassigned 12:s3:not_participating" "$(c 1)"
check "requests only for the participants" "s1 s2" "$(q "$DB" "SELECT entity FROM camp_distrib_requests ORDER BY 1" | sorted)"
check "no notification for a store left out" 0 "$(q "$DB" "SELECT count(*) FROM camp_notifications WHERE recipient = 'm3'")"
camp packages approve-contacts 1 --step ok --all --as m3 --db "$DB" --now "2026-03-03 10:00" > /dev/null 2>&1
check "a store left out decides nothing" 1 $?
camp packages approve-contacts 1 --step ok --keys 1 --as m1 --db "$DB" --now "2026-03-03 10:00" > /dev/null
camp packages approve-contacts 1 --step ok --all --as m2 --db "$DB" --now "2026-03-03 10:00" > /dev/null
camp packages unsubscribe summer_push --as m2 --db "$DB" --now "2026-03-03 11:00" > /dev/null
camp tick --db "$DB" --now "2026-03-05 09:00" > /dev/null
check "unsubscribed before the deadline: its approvals no longer count" \
  "1:s1:approved 2:s1:expired 3:s1:expired 4:s2:not_participating 5:s2:not_participating 6:s2:not_participating 7:s2:not_participating 8:s3:not_participating 9:s3:not_participating 10:-:unassigned 12:s3:not_participating" "$(c 1)"
check "sent only to the participants' approved contacts" 1 \
  "$(q "$DB" "SELECT group_concat(recipient_key, ' ') FROM camp_outbox WHERE run_id = 1")"
# a campaign no package publishes: every entity takes part (default.camp)
camp run "$HERE/default.camp" --db "$DB" --now "2026-03-06 09:00" > /dev/null
check "no package: nobody left out" 0 "$(q "$DB" "SELECT count(*) FROM camp_distrib_contacts WHERE run_id = 2 AND state = 'not_participating'")"

# ------------------------------------------------------ operator groups
# groups.camp: values 1 and 2 go to group north_team (m1 and hq_anna),
# 3 to south_team (m3).  Contacts 1-7 are north_team's, 8, 9, 12
# south_team's, 10 unassigned.  m2 (store 2's manager, not a member) and
# v2 may not touch them.
printf 'import "%s/entities"\ngroup g1 {\n  members "v2", "zz"\n}\ngroup s1 {\n  members "m1"\n}\ncampaign c {\n  a = customers\n  b = approval local a {\n    field store_id\n    assign group\n    1 -> s2\n  }\n  save b as "x"\n}\n' "$HERE" > "$TMP/g.camp"
camp check "$TMP/g.camp" 2> "$TMP/g.err"
check "group errors: viewer member, unknown operator, name of an entity, unknown group" "1 1 1 1 1" \
  "$? $(grep -c '3:11: error: operator `v2` is a viewer' "$TMP/g.err") $(grep -c "3:17: error: unknown operator \`zz\`" "$TMP/g.err") $(grep -c '5:7: error: `s1` is already an entity' "$TMP/g.err") $(grep -c "13:10: error: unknown operator group \`s2\`" "$TMP/g.err")"
DB=$TMP/groups.db
newdb "$DB"
camp packages sync "$HERE/groups.camp" --db "$DB" --now "2026-03-01 08:00" > /dev/null
check "groups and members stored" "north_team:hq_anna north_team:m1 south_team:m3" \
  "$(q "$DB" "SELECT grp||':'||login FROM camp_distrib_members ORDER BY 1" | sorted)"
camp run "$HERE/groups.camp" --db "$DB" --now "2026-03-02 09:00" > /dev/null
check "hand-out to the groups" \
  "1:north_team:pending 2:north_team:pending 3:north_team:pending 4:north_team:pending 5:north_team:pending 6:north_team:pending 7:north_team:pending 8:south_team:pending 9:south_team:pending 10:-:unassigned 12:south_team:pending" "$(c 1)"
check "one request per group" "north_team:7 south_team:3" "$(q "$DB" "SELECT entity||':'||contacts FROM camp_distrib_requests ORDER BY 1" | sorted)"
check "the members are notified (the central member too), not m2" "hq_anna m1 m3" \
  "$(q "$DB" "SELECT recipient FROM camp_notifications WHERE kind = 'local-request' ORDER BY 1" | sorted)"
camp tick --db "$DB" --now "2026-03-03 09:30" > /dev/null
check "reminders to the members" "hq_anna m1 m3" \
  "$(q "$DB" "SELECT recipient FROM camp_notifications WHERE kind = 'local-reminder' ORDER BY 1" | sorted)"
d() { camp packages "$@" --db "$DB" --now "2026-03-03 10:00" > /dev/null 2>&1; }
d approve-contacts 1 --step ok --entity north_team --keys 1,4 --as m1
check "a member approves for the group" 0 $?
S0=$(c 1)
d approve-contacts 1 --step ok --entity north_team --keys 2 --as m2
check "a non-member cannot (even for its own store's customers)" "1 $S0" "$? $(c 1)"
d approve-contacts 1 --step ok --keys 2 --as m1
check "the member's own entity has no request" "1 $S0" "$? $(c 1)"
d approve-contacts 1 --step ok --entity south_team --keys 4 --as m3
check "another group's contact through one's own group" "1 $S0" "$? $(c 1)"
d approve-contacts 1 --step ok --entity s1 --keys 2 --as m3
check "an entity's name instead of a group" "1 $S0" "$? $(c 1)"
for u in m1:pass-word-m1 m2:pass-word-m2 m3:pass-word-m3 v2:pass-word-v2 hq_anna:pass-word-anna; do
  CAMP_PASSWORD=${u#*:} camp packages passwd "${u%%:*}" --db "$DB" > /dev/null
done
start_server "$DB" --now "2026-03-03 11:00"
for u in m1:pass-word-m1 m2:pass-word-m2 m3:pass-word-m3 v2:pass-word-v2 hq:pass-word-anna; do
  l=${u%%:*}; [ "$l" = hq ] && l=hq_anna
  h "g${u%%:*}" login "$l" "${u#*:}" > /dev/null
done
check "m1's home lists the group's approval" 1 "$(h gm1 get / | grep -c 'approval?run=1&amp;step=ok&amp;for=north_team')"
check "the central member's home lists it too" 1 "$(h ghq get / | grep -c 'approval?run=1&amp;step=ok&amp;for=north_team')"
check "m2's home does not" 0 "$(h gm2 get / | grep -c 'for=north_team')"
h gm1 get '/approval?run=1&step=ok&for=north_team' > "$TMP/ga"
check "a member sees the group's 7 contacts" "200 7" "$(head -1 "$TMP/ga") $(grep -o 'class="key">[0-9]*' "$TMP/ga" | wc -l)"
check "non-member: the group's page" 403 "$(h gm2 get '/approval?run=1&step=ok&for=north_team' | head -1)"
check "non-member: a POST for the group" 403 "$(h gm2 post /approval auto run=1 step=ok for=north_team action=approve key=2)"
check "viewer: the group's page" 403 "$(h gv2 get '/approval?run=1&step=ok&for=north_team' | head -1)"
check "member of another group: a POST for this one" 403 "$(h gm3 post /approval auto run=1 step=ok for=north_team action=approve_all)"
check "member, another group's contact" 403 "$(h gm3 post /approval auto run=1 step=ok for=south_team action=approve key=5)"
check "member, another session's CSRF token" 403 "$(h gm1 post /approval "$(h gm3 csrf)" run=1 step=ok for=north_team action=approve key=2)"
check "nothing changed by refused requests" "$S0" "$(c 1)"
check "the central member removes a contact for the group" 303 "$(h ghq post /approval auto run=1 step=ok for=north_team action=remove key=5)"
check "m3 approves all of south_team" 303 "$(h gm3 post /approval auto run=1 step=ok for=south_team action=approve_all)"
stop_server
check "decisions recorded with who decided" "1:approved:m1 4:approved:m1 5:removed:hq_anna 8:approved:m3 9:approved:m3 12:approved:m3" \
  "$(q "$DB" "SELECT recipient_key||':'||state||':'||decided_by FROM camp_distrib_contacts WHERE decided_by IS NOT NULL ORDER BY CAST(recipient_key AS INTEGER)" | sorted)"
camp tick --db "$DB" --now "2026-03-04 09:00" > /dev/null
check "after the deadline: the groups' approved contacts are sent" "1 4 8 9 12" \
  "$(q "$DB" "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 ORDER BY CAST(recipient_key AS INTEGER)" | sorted)"

# ------------------------------------------------------------ cost sharing
# costs.camp: s1 and s3 order kit (approved), s2 does not (left out).  Sent
# (status 'sent'): 1, 2, 3 of s1, 8 of s3; 9 and 12 of s3 stay queued.
# kit: 1000, centre 40% = 400.00; 600 shared by messages sent (4):
#   s1 600 x 3/4 = 450.00 + 3 x 0.50 = 1.50 -> 451.50
#   s3 600 x 1/4 = 150.00 + 1 x 0.50 = 0.50 -> 150.50;  total 1002.00
# kit2: 300, centre 10% = 30.00; 270 equally between s1 and s3 (whose
#   contacts were sent to, though they ordered kit only): 135.00 each
DB=$TMP/costs.db
newdb "$DB"
camp packages sync "$HERE/costs.camp" --db "$DB" --now "2026-03-01 08:00" > /dev/null
for k in 1 3; do
  camp packages order kit --db "$DB" --as m$k --now "2026-03-01 09:00" > /dev/null
  camp packages approve kit --entity s$k --db "$DB" --as hq_anna --now "2026-03-01 10:00" > /dev/null
done
camp run "$HERE/costs.camp" --db "$DB" --now "2026-03-02 09:00" > /dev/null
camp tick --db "$DB" --now "2026-03-03 09:00" > /dev/null
check "queued: the participants' contacts" "1 2 3 8 9 12" \
  "$(q "$DB" "SELECT recipient_key FROM camp_outbox ORDER BY CAST(recipient_key AS INTEGER)" | sorted)"
q "$DB" "UPDATE camp_outbox SET status = 'sent' WHERE recipient_key IN (1, 2, 3, 8)"
camp packages costs kit --db "$DB" > "$TMP/costs.out"
check "costs: exit 0" 0 $?
row() { awk -v e="$1" '$1 == e { $1 = ""; sub(/^ /, ""); print }' "$TMP/costs.out"; }
check "kit: s1 sent 3, share 450.00, messages 1.50, total 451.50" "3 450.00 1.50 451.50" "$(row s1)"
check "kit: s3 sent 1, share 150.00, messages 0.50, total 150.50" "1 150.00 0.50 150.50" "$(row s3)"
check "kit: the centre pays 400.00" "400.00 400.00" "$(row central)"
check "kit: total 1002.00 for 4 messages" "4 1002.00" "$(row total)"
check "kit: s2 did not take part" "" "$(row s2)"
check "kit: the header says how it is shared" 1 "$(grep -c '^package kit (campaign cost_spring): cost 1000.00, central pays 40%, shared by messages sent, 0.5000 per message sent$' "$TMP/costs.out")"
camp packages costs kit2 --db "$DB" > "$TMP/costs.out"
check "kit2: equally 135.00 each, the centre 30.00" "3 135.00 0.00 135.00|1 135.00 0.00 135.00|30.00 30.00|4 300.00" \
  "$(row s1)|$(row s3)|$(row central)|$(row total)"
camp packages costs kit --entity s3 --db "$DB" > "$TMP/costs.out"
check "costs --entity: that entity only" "1 150.00 0.50 150.50||" "$(row s3)|$(row s1)|$(row central)"
camp packages costs nope --db "$DB" > /dev/null 2> "$TMP/e"
check "unknown package" "1 1" "$? $(grep -c 'no package `nope`' "$TMP/e")"
printf 'import "%s/entities"\npackage p {\n  campaign c\n  offer s1\n  central_pays 120\n  cost_per_message -1\n}\ncampaign c {\n  a = customers\n  save a as "x"\n}\n' "$HERE" > "$TMP/c.camp"
camp check "$TMP/c.camp" 2> "$TMP/c.err"
check "cost settings checked" "1 1 1" "$? $(grep -c '5:16: error: `central_pays` takes a percentage' "$TMP/c.err") $(grep -c '6:20: error: `cost_per_message` takes a number' "$TMP/c.err")"
# each store sees its own share on its page, not the others'
for u in m1:pass-word-m1 m3:pass-word-m3; do
  CAMP_PASSWORD=${u#*:} camp packages passwd "${u%%:*}" --db "$DB" > /dev/null
done
start_server "$DB" --now "2026-03-03 12:00"
h cm1 login m1 pass-word-m1 > /dev/null
h cm3 login m3 pass-word-m3 > /dev/null
costrow() { h "$1" get / | sed -n 's/.*<table id="costs">\(.*\)/\1/p' | sed 's/<\/table>.*//; s/<tr>/\n/g' | grep "<td>$2</td>" | sed 's/<[^>]*>/ /g; s/  */ /g; s/^ //; s/ $//'; }
check "m1's page: its share of kit" "kit 3 450.00 1.50 451.50" "$(costrow cm1 kit)"
check "m3's page: its share of kit2" "kit2 1 135.00 0.00 135.00" "$(costrow cm3 kit2)"
check "m1's page shows no other entity's share" 2 "$(h cm1 get / | sed -n 's/.*<table id="costs">\(.*\)/\1/p' | sed 's/<\/table>.*//' | grep -o '<td class="total">' | wc -l)"
stop_server

# ------------------------------------------------------------ by campaign
# bycamp.camp: local_kit (automatic, variant campaign) registers s1, s2, s3;
# s3 unsubscribes, s1 sets its discount to 20.  The run hands out 1-3 (s1)
# and 4-7 (s2) and creates one child campaign each, by_store@s1 and
# by_store@s2; s2 edits its child's discount to 15, s1 to 22 on the page;
# s1 removes contact 2.  At the deadline the parent's tick sends 1, 3 with
# "22% off" and 4-7 with "15% off".
DB=$TMP/bycamp.db
newdb "$DB"
camp packages sync "$HERE/bycamp.camp" --db "$DB" --now "2026-03-01 08:00" > /dev/null
camp packages unsubscribe local_kit --db "$DB" --as m3 --now "2026-03-01 09:00" > /dev/null
camp packages order local_kit --db "$DB" --as m1 --params '{"discount": 20}' --now "2026-03-01 09:00" > /dev/null
camp run "$HERE/bycamp.camp" --db "$DB" --now "2026-03-02 09:00" > /dev/null
child() { camp packages children --db "$DB" --run "$1" > "$TMP/ch.out"; awk -v c="$2" '$3 == c { $1 = $2 = $3 = ""; sub(/^ */, ""); print }' "$TMP/ch.out"; }
check "one child campaign per participating store, in step with the run" "waiting 3 0 0 0 0 {\"discount\":20}|waiting 4 0 0 0 0 -|" \
  "$(child 1 by_store@s1)|$(child 1 by_store@s2)|$(child 1 by_store@s3)"
e() { camp packages edit-child local_kit --run 1 --db "$DB" --now "2026-03-03 10:00" "$@" > /dev/null 2>&1; }
e --as m2 --params '{"discount": 15}'
check "a store edits its child's declared parameter" "0 {\"discount\":15}" "$? $(q "$DB" "SELECT params FROM camp_distrib_children WHERE entity = 's2'")"
e --as m2 --params '{"discount": 30}'
check "outside the package's limits: refused" "1 {\"discount\":15}" "$? $(q "$DB" "SELECT params FROM camp_distrib_children WHERE entity = 's2'")"
e --as m2 --params '{"subject": "Free!"}'
check "a parameter the package does not declare: refused" 1 $?
e --as m3 --params '{"discount": 12}'
check "a store without a child (unsubscribed): refused" 1 $?
e --as v2 --params '{"discount": 12}'
check "a viewer: refused" 1 $?
e --as hq_anna --params '{"discount": 12}'
check "the centre: refused" 1 $?
camp packages edit-child local_kit --db "$DB" --as m1 --params '{}' > /dev/null 2>&1
check "edit-child needs --run" 2 $?
camp packages remove-contacts 1 --step ok --keys 2 --as m1 --db "$DB" --now "2026-03-03 10:00" > /dev/null
for u in m1:pass-word-m1 m3:pass-word-m3 v2:pass-word-v2 hq_anna:pass-word-anna; do
  CAMP_PASSWORD=${u#*:} camp packages passwd "${u%%:*}" --db "$DB" > /dev/null
done
start_server "$DB" --now "2026-03-03 12:00"
for u in m1:pass-word-m1 m3:pass-word-m3 v2:pass-word-v2 hq_anna:pass-word-anna; do
  h "b${u%%:*}" login "${u%%:*}" "${u#*:}" > /dev/null
done
h bm1 get / > "$TMP/bh"
check "m1's page: its own child campaign only, with its form" "1 0 1" \
  "$(grep -c 'by_store@s1' "$TMP/bh") $(grep -c 'by_store@s2' "$TMP/bh") $(grep -c 'action="/child"' "$TMP/bh")"
check "the centre's page: every child campaign" "2 1" "$(h bhq_anna get / | grep -o 'by_store@s[12]' | sort -u | wc -l) $(h bhq_anna get / | grep -c 'id="children"')"
S0=$(q "$DB" "SELECT group_concat(entity||params, ' ') FROM camp_distrib_children")
check "POST /child: another run (no child of m1 there)" 403 "$(h bm1 post /child auto run=2 package=local_kit p_discount=12)"
check "POST /child: a store without a child" 403 "$(h bm3 post /child auto run=1 package=local_kit p_discount=12)"
check "POST /child: a viewer" 403 "$(h bv2 post /child auto run=1 package=local_kit p_discount=12)"
check "POST /child: the centre" 403 "$(h bhq_anna post /child auto run=1 package=local_kit p_discount=12)"
check "POST /child: no CSRF token" 403 "$(h bm1 post /child none run=1 package=local_kit p_discount=12)"
check "POST /child: another session's CSRF token" 403 "$(h bm1 post /child "$(h bm3 csrf)" run=1 package=local_kit p_discount=12)"
check "POST /child: outside the limits" 400 "$(h bm1 post /child auto run=1 package=local_kit p_discount=99)"
check "nothing changed by refused requests" "$S0" "$(q "$DB" "SELECT group_concat(entity||params, ' ') FROM camp_distrib_children")"
check "POST /child: m1 sets 22" 303 "$(h bm1 post /child auto run=1 package=local_kit p_discount=22)"
stop_server
camp tick --db "$DB" --now "2026-03-04 09:00" > /dev/null
check "the parent's tick runs the children: each with its own values" "1:22% off 3:22% off 4:15% off 5:15% off 6:15% off 7:15% off" \
  "$(q "$DB" "SELECT group_concat(recipient_key||':'||body, ' ') FROM (SELECT * FROM camp_outbox WHERE run_id = 1 ORDER BY CAST(recipient_key AS INTEGER))")"
q "$DB" "UPDATE camp_outbox SET status = 'sent' WHERE recipient_key IN (1, 4)"
check "each child's counts" "done 3 2 1 2 1 {\"discount\":22}|done 4 4 0 4 1 {\"discount\":15}" \
  "$(child 1 by_store@s1)|$(child 1 by_store@s2)"
camp packages children --db "$DB" --entity s2 > "$TMP/ch.out"
check "children --entity: that entity's only" "0 1" "$(grep -c by_store@s1 "$TMP/ch.out") $(grep -c by_store@s2 "$TMP/ch.out")"
camp packages edit-child local_kit --run 1 --db "$DB" --as m2 --params '{"discount": 5}' --now "2026-03-04 10:00" > /dev/null 2>&1
check "no edit after the deadline" "1 {\"discount\":15}" "$? $(q "$DB" "SELECT params FROM camp_distrib_children WHERE entity = 's2'")"
camp run "$HERE/bycamp.camp" --db "$DB" --now "2026-03-05 09:00" --new-run > /dev/null
check "a new run: new children, with the orders' values again" "waiting 3 0 0 0 0 {\"discount\":20}|waiting 4 0 0 0 0 -" \
  "$(child 2 by_store@s1)|$(child 2 by_store@s2)"

t_summary distrib-more
[ "$T_FAIL" -eq 0 ]
