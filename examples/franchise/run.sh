#!/bin/sh
# examples/franchise/run.sh CAMP — the franchise end to end on SQLite: a
# brand, 2 regions, 24 stores (entities.camp); 480 customers, 20 per store
# (customer i belongs to store ((i - 1) % 24) + 1; every tenth has no
# e-mail; loyalty = i % 7); a manual package ordered by eight northern stores
# (seven approved by the centre, one rejected), an automatic package pushed
# to the twelve southern stores (one unsubscribes, one changes its
# discount), and the by-target-approval campaign spring_target, published by
# the manual package, where the participating stores remove contacts before
# the deadline.  Prints `franchise: N passed, N
# failed`.  Expectations are worked out by hand (see the comments).
if [ $# -lt 1 ]; then
  echo "usage: sh examples/franchise/run.sh CAMP_BINARY" >&2
  exit 2
fi
CAMP=$1
case $CAMP in /*) ;; *) CAMP=$(pwd)/$CAMP ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-franchise.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/franchise.db
PASS=0
FAIL=0
check() {
  if [ "$2" = "$3" ]; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); echo "FAIL $1: expected [$2], got [$3]"; fi
}
q() { sqlite3 -batch "$DB" "$1"; }
camp() { timeout -k 5 60 "$CAMP" "$@"; }

sqlite3 "$DB" < "$HERE/data.sql"

camp packages sync "$HERE/campaigns.camp" --db "$DB" --now "2026-03-01 08:00" > "$TMP/sync"
check "model stored" "stored 27 entities, 26 operators, 2 packages" "$(cat "$TMP/sync")"

# manual package: s01..s08 order with discounts 11..18; the centre approves
# s01..s07 and rejects s08; s06 then asks for 40% (above the limit of 30),
# refused, so its order of 16 stands; s09..s12 never order
for k in 1 2 3 4 5 6 7 8; do
  camp packages order spring_kit --db "$DB" --as m0$k --params "{\"discount\": $((10 + k))}" --now "2026-03-02 10:00" > /dev/null
done
camp packages order spring_kit --db "$DB" --as m06 --params '{"discount": 40}' --now "2026-03-02 10:00" > /dev/null 2>&1
check "over-limit discount refused" 1 $?
for k in 1 2 3 4 5 6 7; do camp packages approve spring_kit --entity s0$k --db "$DB" --as hq_lena --now "2026-03-02 11:00" > /dev/null; done
camp packages reject spring_kit --entity s08 --db "$DB" --as hq_lena --now "2026-03-02 11:00" > /dev/null
check "manual orders" "s01:approved:11 s02:approved:12 s03:approved:13 s04:approved:14 s05:approved:15 s06:approved:16 s07:approved:17 s08:rejected:18" \
  "$(q "SELECT group_concat(entity||':'||state||':'||json_extract(params, '$.discount'), ' ') FROM (SELECT * FROM camp_distrib_orders WHERE package = 'spring_kit' ORDER BY entity)")"
# automatic package: the 12 southern stores are registered; s20 leaves,
# s14 changes its discount without asking the centre
camp packages unsubscribe loyalty_push --db "$DB" --as m20 --now "2026-03-02 10:00" > /dev/null
camp packages order loyalty_push --db "$DB" --as m14 --params '{"discount": 12}' --now "2026-03-02 10:00" > /dev/null
check "automatic registrations" "11 registered, 1 unsubscribed, s14 discount 12" \
  "$(q "SELECT sum(state = 'registered') || ' registered, ' || sum(state = 'unsubscribed') || ' unsubscribed, s14 discount ' || (SELECT json_extract(params, '$.discount') FROM camp_distrib_orders WHERE package = 'loyalty_push' AND entity = 's14') FROM camp_distrib_orders WHERE package = 'loyalty_push'")"
check "no northern store in the southern package" 0 "$(q "SELECT count(*) FROM camp_distrib_orders WHERE package = 'loyalty_push' AND CAST(substr(entity, 2) AS INTEGER) <= 12")"

# spring_target is published by spring_kit: only the stores whose order
# stands take part, s01..s07 (s08 was rejected, s09..s24 never ordered).
# Their customers with an e-mail: odd stores 20 each, even stores 16 (every
# fifth customer of an even store has an id ending in 0): 4 x 20 + 3 x 16 =
# 128 handed out; the other 432 - 128 = 304 are not_participating.
camp run "$HERE/campaigns.camp" --campaign spring_target --db "$DB" --now "2026-03-02 09:00" > /dev/null
check "handed out to the 7 participating stores" "7 128" "$(q "SELECT count(*) || ' ' || sum(contacts) FROM camp_distrib_requests")"
check "the others' customers left out" 304 "$(q "SELECT count(*) FROM camp_distrib_contacts WHERE state = 'not_participating'")"
check "no request for a store that did not order" 0 "$(q "SELECT count(*) FROM camp_distrib_requests WHERE entity IN ('s08', 's12', 's13')")"
camp tick --db "$DB" --now "2026-03-03 09:30" > /dev/null
check "one reminder per participating store manager" 7 "$(q "SELECT count(*) FROM camp_notifications WHERE kind = 'local-reminder'")"
# stores s01..s06 remove their loyalty-0 customers (17 of them: 49 217 385,
# 98 266 434, 147 315, 28 196 364, 77 245 413, 126 294 462); s07 removes all
# 20 of its contacts; s02 then approves its 13 others; s08 (rejected) has
# nothing to decide; the others do nothing (approved by default)
for k in 1 2 3 4 5 6; do
  keys=$(q "SELECT group_concat(id) FROM customers WHERE store_id = $k AND loyalty = 0 AND email IS NOT NULL")
  camp packages remove-contacts 1 --step ok --keys "$keys" --db "$DB" --as m0$k --now "2026-03-04 10:00" > /dev/null
done
camp packages remove-contacts 1 --step ok --all --db "$DB" --as m07 --now "2026-03-04 10:00" > /dev/null
camp packages approve-contacts 1 --step ok --all --db "$DB" --as m02 --now "2026-03-04 11:00" > /dev/null
camp packages approve-contacts 1 --step ok --all --db "$DB" --as m08 --now "2026-03-04 10:00" > /dev/null 2>&1
check "a store that does not take part decides nothing" 1 $?
check "removed by the stores" 37 "$(q "SELECT count(*) FROM camp_distrib_contacts WHERE state = 'removed'")"
check "approved by s02" 13 "$(q "SELECT count(*) FROM camp_distrib_contacts WHERE state = 'approved'")"
camp tick --db "$DB" --now "2026-03-05 09:00" > /dev/null
# 128 - 17 - 20 = 91 e-mails
check "e-mails queued" 91 "$(q "SELECT count(*) FROM camp_outbox WHERE run_id = 1")"
q "SELECT id FROM customers WHERE email IS NOT NULL AND store_id BETWEEN 1 AND 6 AND loyalty <> 0 ORDER BY id" > "$TMP/want"
q "SELECT recipient_key FROM camp_outbox WHERE run_id = 1 ORDER BY CAST(recipient_key AS INTEGER)" > "$TMP/got"
check "exactly the expected recipients" "" "$(diff "$TMP/want" "$TMP/got")"
# the complement: everyone with an e-mail not sent to, 432 - 91
check "removed and left-out contacts saved as the complement" 341 "$(q "SELECT count(*) FROM camp_audience WHERE name = 'spring_removed'")"
check "personalized with the store's city" "Spring at City 01, C1" "$(q "SELECT subject FROM camp_outbox WHERE recipient_key = 1")"
# by form: each participating store's spring_kit discount (customers 1..6
# are in stores 1..6)
check "each store's discount in its customers' e-mails" "1:11 2:12 3:13 4:14 5:15 6:16" \
  "$(q "SELECT group_concat(recipient_key||':'||substr(body, instr(body, ': ') + 2, 2), ' ') FROM (SELECT * FROM camp_outbox WHERE recipient_key IN (1, 2, 3, 4, 5, 6) ORDER BY recipient_key)")"
# 128 - 37 removed - 13 approved by s02 = 78
check "approved by default recorded" 78 "$(q "SELECT count(*) FROM camp_distrib_contacts WHERE state = 'approved-by-default'")"
echo "franchise: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
