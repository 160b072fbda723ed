# section 9 of tests/pg/run.sh (sourced): marketing operations on
# PostgreSQL (docs/marketing-ops.md) — the same cases and hand-computed
# expectations as tests/mops, tests/mops2 and tests/mops3 on SQLite: task
# due dates, budgets, stock (warn/block, limit, limit with `order by`),
# offers (per step and per saved segment), statistics with imported calls
# and meetings, segments made with the CLI and declared in .camp files.

if want 9; then
  M=$ROOT/tests/mops
  M2=$ROOT/tests/mops2
  MT=$TMP/mops
  mkdir -p "$MT"
  cp "$M"/*.camp "$M2"/*.camp "$M2"/*.csv "$MT/"
  # pq DB SQL: a query on camp's tables (schema camp) and the data (public)
  pq() { pg_psql -d "$1" -At -c "SET search_path TO camp, public" -c "$2"; }
  mdb() { pg_createdb "$1"; pg_url "$1"; }
  has7() { if grep -qF -- "$3" "$2"; then t_pass; else t_fail "$1: [$3] not in output:"; sed 's/^/    /' "$2" | head -20; fi; }

  # ---- tasks and date formulas
  U=$(mdb mops_ops)
  pg_psql -d mops_ops -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT)" > /dev/null
  camp deploy "$MT/ops.camp" --db "$U" --campaign spring_sale --now "2026-03-01 09:00" --as ana > "$TMP/out" 2>&1
  eq "pg mops: deploy" 0 $?
  eq "pg mops: due dates" "brief|2026-03-08 print|2026-04-01 proofs|2026-03-18 review|2026-05-31 wrapup|2026-03-09" \
    "$(pq mops_ops "SELECT name, due_date FROM camp_mops_tasks WHERE campaign = 'spring_sale' ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"
  camp tasks --db "$U" --who lena --now 2026-03-10 > "$TMP/out" 2>&1
  eq "pg mops: tasks --who" "brief proofs" "$(awk 'NR > 1 {printf "%s%s", s, $3; s = " "}' "$TMP/out")"
  camp tasks --db "$U" --now 2026-03-10 > "$TMP/out" 2>&1
  eq "pg mops: tasks without filters" 0 $?
  camp set-status spring_sale approved --db "$U" --as omar > /dev/null 2>&1
  eq "pg mops: set-status" "approved" "$(pq mops_ops "SELECT code FROM camp_mops_status WHERE campaign = 'spring_sale'")"

  # ---- budgets (tests/mops: promo 14.3575 planned of 100)
  U=$(mdb mops_budget)
  pg_psql -d mops_budget -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, city TEXT);
INSERT INTO customers VALUES (1,'a@x.se','+461','Lund'),(2,'b@x.se',NULL,'Malmo'),(3,NULL,'+463','Ystad'),
(4,NULL,NULL,'Umea'),(5,'e@x.se','+465','Kiruna');" > /dev/null
  camp plan "$MT/budget.camp" --db "$U" --campaign promo --now 2026-03-01 > "$TMP/out" 2>&1
  has7 "pg mops: projected total" "$TMP/out" "total                   14.36"
  for c in promo tight loose; do camp deploy "$MT/budget.camp" --db "$U" --campaign $c --now 2026-03-01 > /dev/null 2>&1; done
  camp budget --db "$U" > "$TMP/out" 2>&1
  row7() { awk -v n="$1" '$1 == n {$1 = $1; print}' "$TMP/out"; }
  eq "pg mops: plan row" "p2026 plan Lena 1000.00 15.86 0.00 984.14" "$(row7 p2026)"
  eq "pg mops: over row" "tight campaign - 1.00 1.50 0.00 -0.50 OVER" "$(row7 tight)"
  camp run "$MT/budget.camp" --db "$U" --campaign tight --now 2026-03-01 > "$TMP/out" 2>&1
  eq "pg mops: blocked run" 1 $?
  camp run "$MT/budget.camp" --db "$U" --campaign promo --now 2026-03-01 > /dev/null 2>&1
  pq mops_budget "UPDATE camp_outbox SET status = 'sent' WHERE run_id = (SELECT id FROM camp_runs WHERE campaign = 'promo')
AND (step = '_sms_all' OR id IN (SELECT min(id) FROM camp_outbox WHERE step = 'letters')
OR id IN (SELECT id FROM camp_outbox WHERE step = '_email_e' ORDER BY id LIMIT 2));" > /dev/null
  camp budget --db "$U" > "$TMP/out" 2>&1
  eq "pg mops: actual after sends" "promo campaign - 100.00 14.36 13.50 85.64" "$(row7 promo)"

  # ---- stock: warn/block (flyers 5, pens 3) and limit
  U=$(mdb mops_stock)
  pg_psql -d mops_stock -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT);
INSERT INTO customers VALUES (1, 'a', 'x'), (2, 'b', 'y');" > /dev/null
  camp deploy "$MT/stock.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp run "$MT/stock.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp run "$MT/stock.camp" --db "$U" --now 2026-03-02 --new-run > /dev/null 2>&1
  camp run "$MT/stock.camp" --db "$U" --now 2026-03-03 --new-run > "$TMP/out" 2>&1
  eq "pg mops: blocked by stock" 1 $?
  lv7() { python3 -c 'import json,sys; print(" ".join("%s=%d/%s" % (r["item"], r["level"], r["state"]) for r in json.load(sys.stdin)))'; }
  eq "pg mops: levels" "flyers=1/low pens=-5/out" "$(camp stock --db "$U" --format json | lv7)"
  eq "pg mops: alerts" 2 "$(pq mops_stock "SELECT count(*) FROM camp_notifications WHERE kind = 'stock_alert'")"
  U=$(mdb mops_limit)
  pg_psql -d mops_limit -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT);
INSERT INTO customers VALUES (4, 'd', 'w'), (1, 'a', 'x'), (3, 'c', 'z'), (2, 'b', 'y');" > /dev/null
  camp deploy "$MT/limit.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp run "$MT/limit.camp" --db "$U" --now 2026-03-01 > "$TMP/out" 2>&1
  has7 "pg mops: limit note" "$TMP/out" "stock leaflets (on_shortage limit): 3 of 4 recipients kept, 1 left out"
  eq "pg mops: limit keeps the lowest keys" "1,2,3" \
    "$(pq mops_limit "SELECT string_agg(CAST(recipient_key AS TEXT), ',' ORDER BY recipient_key) FROM camp_outbox")"
  eq "pg mops: limit level 0" "leaflets=0/out" "$(camp stock --db "$U" --format json | lv7)"
  camp run "$MT/limit.camp" --db "$U" --now 2026-03-02 --new-run > "$TMP/out" 2>&1
  has7 "pg mops: limit at zero" "$TMP/out" "0 of 4 recipients kept, 4 left out"

  # ---- offers per step (tests/mops: vip = 1, 2; messaged 1)
  U=$(mdb mops_offers)
  pg_psql -d mops_offers -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold'), (2, NULL, 'gold'), (3, 'c@x', 'silver');" > /dev/null
  camp deploy "$MT/offers.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp run "$MT/offers.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp offers activate spring --db "$U" --now 2026-03-02 > "$TMP/out" 2>&1
  eq "pg mops: activated" "spring: offer all_boots active for 3 contacts (run 1)
spring: offer vip_boots active for 1 contacts (run 1)
spring: offer vip_tent active for 2 contacts (run 1)" "$(cat "$TMP/out")"
  look7() { camp offers --db "$U" --contact "$1" --item "$2" --on "$3" --format json |
    python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["best_price"], r["best_discount_percent"], len(r["offers"]))'; }
  eq "pg mops: best discount" "None 15.00 2" "$(look7 1 BOOTS 2026-03-20)"
  eq "pg mops: after the end" "None None 0" "$(look7 1 TENT-2 2026-04-01)"
  eq "pg mops: view" "149|1" "$(pq mops_offers "SELECT CAST(price AS INTEGER), count(*) FROM camp_offer_prices WHERE contact = '1' AND item = 'TENT-2' GROUP BY price")"

  # ---- statistics with imported calls and meetings (tests/mops2)
  U=$(mdb mops_stats)
  pg_psql -d mops_stats -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold'), (2, 'b@x', 'gold'), (3, 'c@x', 'silver');" > /dev/null
  camp deploy "$MT/calls.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp run "$MT/calls.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  pq mops_stats "UPDATE camp_outbox SET status = 'sent', sent_at = '2026-03-01 10:00:00'" > /dev/null
  (cd "$MT" && camp interactions import bad_calls.csv --db "$U") > "$TMP/out" 2>&1
  eq "pg mops: bad import refused" 1 $?
  has7 "pg mops: bad import line" "$TMP/out" "bad_calls.csv:5: column \`date\`: \`2026-02-30\` is not a date or time"
  eq "pg mops: nothing imported" 0 "$(pq mops_stats "SELECT count(*) FROM camp_mops_interaction_log")"
  (cd "$MT" && camp interactions import calls.csv --db "$U") > "$TMP/out" 2>&1
  eq "pg mops: import" "4 interactions imported from calls.csv (cost 48.75)" "$(cat "$TMP/out")"
  camp stats news --db "$U" --format csv > "$TMP/out" 2>&1
  eq "pg mops: stats" "step,channel,reach,interactions,minutes,successes,success_rate,cost,cost_per_success
m1,email,3,3,0,0,0.0%,0.03,-
phone,call,3,3,30,0,0.0%,8.75,-
visit,meeting,1,1,90,1,100.0%,40.00,40.00
total,,4,7,120,1,25.0%,58.78,58.78" "$(tr -d '\r' < "$TMP/out")"

  # ---- segments (tests/mops2)
  U=$(mdb mops_seg)
  pg_psql -d mops_seg -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT, spend INT);
INSERT INTO customers VALUES (1, 'a@x', 'gold', 100), (2, 'b@x', 'gold', 20), (3, 'c@x', 'silver', 300),
(4, 'd@x', 'silver', 5), (5, 'e@x', 'bronze', 50), (10, 'f@x', 'gold', 1000);" > /dev/null
  mem7() { camp segment show vip ${1:-} --db "$U" --format json | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["members"]))'; }
  camp segment create vip "$MT/schema.camp" --of customers --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp segment add vip --where 'tier = "gold"' --db "$U" > /dev/null 2>&1
  camp segment add vip --where 'spend > 200' --db "$U" > /dev/null 2>&1
  camp segment reduce vip --where 'spend < 50' --db "$U" > /dev/null 2>&1
  camp segment refine vip --where 'tier <> "silver"' --db "$U" > "$TMP/out" 2>&1
  eq "pg mops: segment refine" "segment vip version 5 (refine): 2 members, +0 -1" "$(cat "$TMP/out")"
  eq "pg mops: segment members" "1,10" "$(mem7)"
  eq "pg mops: segment version 3" "1,2,3,10" "$(mem7 3)"
  camp segment add vip --where 'spend > "x"' --db "$U" > "$TMP/out" 2>&1
  has7 "pg mops: bad rule" "$TMP/out" "--where:1:1: error: cannot compare int with text"
  pg_psql -d mops_seg -c "UPDATE customers SET tier = 'gold' WHERE id = 5; UPDATE customers SET spend = 10 WHERE id = 10" > /dev/null
  camp segment reapply vip --db "$U" > "$TMP/out" 2>&1
  eq "pg mops: reapply" "segment vip version 6 (reapply): 2 members, +1 -1" "$(cat "$TMP/out")"
  camp segment diff vip 5 6 --db "$U" > "$TMP/out" 2>&1
  eq "pg mops: diff" "segment vip: version 5 -> 6
+ 5
- 10
1 added, 1 removed" "$(cat "$TMP/out")"
  camp deploy "$MT/promo.camp" --db "$U" --now 2026-03-06 > /dev/null 2>&1
  camp run "$MT/promo.camp" --db "$U" --now 2026-03-06 > /dev/null 2>&1
  camp offers activate promo --db "$U" --now 2026-03-06 > "$TMP/out" 2>&1
  eq "pg mops: offers per saved segment" "promo: offer seg_all active for 2 contacts (segment vip)
promo: offer seg_targets active for 1 contacts (run 1)" "$(cat "$TMP/out")"
  # ---- on_shortage limit with `order by` (tests/mops3): the same cut as SQLite
  M3=$ROOT/tests/mops3
  prio9() { # N QUANTITY ORDER [ENGINE] -> the keys queued
    sed -e "s/quantity 3/quantity $2/" -e "s/order by loyalty desc/order by $3/" "$M3/prio.camp" > "$MT/prio.camp"
    U=$(mdb "mops_prio$1")
    pg_psql -d "mops_prio$1" -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, city TEXT, loyalty INTEGER);
INSERT INTO customers VALUES (4, 'd', 'w', 100), (2, 'b', 'y', NULL), (1, 'a', 'x', 100), (5, 'e', 'v', 900),
(3, 'c', 'z', 500);" > /dev/null
    camp deploy "$MT/prio.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
    camp run "$MT/prio.camp" --db "$U" --now 2026-03-01 ${4:+--engine $4} > "$TMP/out" 2>&1
    pq "mops_prio$1" "SELECT string_agg(CAST(recipient_key AS TEXT), ',' ORDER BY recipient_key) FROM camp_outbox"
  }
  # PostgreSQL sorts NULLs first in DESC: camp says NULLS LAST on both
  eq "pg mops: prio loyalty desc" "1,3,5" "$(prio9 1 3 'loyalty desc')"
  has7 "pg mops: prio note" "$TMP/out" "(level 3, 1 per recipient; by loyalty desc, then lowest keys)"
  eq "pg mops: prio NULLs last" "1,3,4,5" "$(prio9 2 4 'loyalty desc')"
  eq "pg mops: prio asc" "1,4" "$(prio9 3 2 'loyalty')"
  eq "pg mops: prio enriched text" "1,4,5" "$(prio9 4 3 'tag')"
  eq "pg mops: prio interp" "1,3,5" "$(prio9 5 3 'loyalty desc' interp)"

  # ---- declared segments (tests/mops3)
  U=$(mdb mops_dseg)
  pg_psql -d mops_dseg -c "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, tier TEXT, spend INT, country TEXT);
INSERT INTO customers VALUES (1, 'a@x', 'gold', 100, 'SE'), (2, NULL, 'gold', 20, 'SE'),
(3, 'c@x', 'silver', 300, 'NO'), (4, 'd@x', 'silver', 5, 'DK'), (5, 'e@x', 'bronze', 250, 'DK'),
(10, 'f@x', 'gold', 1000, 'NO');" > /dev/null
  cp "$M3/seg.camp" "$MT/seg.camp"
  mem9() { camp segment show vip --db "$U" --format json | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["members"]))'; }
  camp segment apply "$MT/seg.camp" --db "$U" --now 2026-03-01 > "$TMP/out" 2>&1
  eq "pg mops: segment apply" "segment vip version 1 (apply): 2 members, +2 -0" "$(cat "$TMP/out")"
  eq "pg mops: declared members" "1,5" "$(mem9)"
  camp segment apply "$MT/seg.camp" --db "$U" --now 2026-03-02 > "$TMP/out" 2>&1
  eq "pg mops: apply again" "segment vip version 1: unchanged, 2 members" "$(cat "$TMP/out")"
  pg_psql -d mops_dseg -c "UPDATE customers SET spend = 300 WHERE id = 4" > /dev/null
  camp segment apply "$MT/seg.camp" --db "$U" --now 2026-03-03 > "$TMP/out" 2>&1
  eq "pg mops: apply after a change" "segment vip version 2 (apply): 3 members, +1 -0" "$(cat "$TMP/out")"
  camp segment add vip --where 'spend > 0' --db "$U" > "$TMP/out" 2>&1
  eq "pg mops: CLI edit of a declared segment" 1 $?
  camp deploy "$MT/seg.camp" --db "$U" --now 2026-03-01 > /dev/null 2>&1
  camp offers activate promo --db "$U" --now 2026-03-04 > "$TMP/out" 2>&1
  has7 "pg mops: offer for a declared segment" "$TMP/out" "offer caps active for 3 contacts (segment vip)"
fi
