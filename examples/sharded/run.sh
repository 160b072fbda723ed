#!/bin/sh
# examples/sharded/run.sh CAMP [CUSTOMERS] — the retail campaign on
# PostgreSQL's own sharding: a coordinator and 3 shard servers, all started
# here (throw-away clusters in a temporary directory, unix sockets only —
# tests/pg/lib.sh), customers and purchases hash-partitioned by customer key
# into postgres_fdw foreign partitions, the other tables local to the
# coordinator (examples/sharded/setup.sh, shared with bench/sharded.sh).
# The same data also goes into one plain database on the coordinator; the
# shards are filled through the coordinator's partitioned tables, every row
# is checked to be on the shard its partition bound names, and then:
#
#   1. `camp plan spring_sale` on the sharded database equals the plan on
#      the single database, with --engine sql and --engine jit (the jit's
#      snapshot is read with COPY through the foreign partitions);
#   2. EXPLAIN VERBOSE of the generated SQL of R1 (a plain filter) shows the
#      filter inside each shard's Remote SQL, and of R2 (R1 and a sum over
#      the purchases of the last 90 days) the customer filter, and the
#      purchases filter with the sum and its GROUP BY, in each shard's
#      Remote SQL (camp's grouped aggregates, and the
#      enable_partitionwise_aggregate that camp sets for its session and
#      its scripts; nothing is set on the servers; see docs/scale.md);
#   3. the snapshot's COPY of customers and purchases reads the three
#      shards concurrently (EXPLAIN shows an Async Foreign Scan per shard);
#   4. every server is stopped at the end, also on failure.
#
# Needs bin/retail-gen and build/tests/pg_load (make all test-bins
# bin/retail-gen).  Prints `sharded: N passed, N failed`.

if [ $# -lt 1 ]; then
  echo "usage: sh examples/sharded/run.sh CAMP [CUSTOMERS]" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
N=${2:-2000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
. tests/pg/lib.sh
GEN=${GEN:-bin/retail-gen}
LOAD=${TEST_BIN_DIR:-build/tests}/pg_load
for f in "$GEN" "$LOAD"; do
  [ -x "$f" ] || { echo "sharded: $f missing (make all test-bins bin/retail-gen)"; echo "sharded: 0 passed, 1 failed"; exit 1; }
done

. examples/sharded/setup.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-sharded.XXXXXX") || exit 2
trap 'sharded_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1

# the coordinator and the 3 shards (examples/sharded/setup.sh)
if ! sharded_start "$TMP"; then
  t_fail "sharded: cannot start the servers"
  t_summary sharded
  exit 1
fi
psql_on() { sharded_psql "$@"; }

# ---- data: one SQLite file, loaded twice on the coordinator ------------------
"$GEN" --out "$TMP/retail.db" --customers "$N" > "$TMP/gen.out" 2>&1 || { t_fail "sharded: generator"; exit 1; }
camp_file=examples/retail/campaigns/spring_sale.camp
pg_createdb single
pg_createdb sharded
"$LOAD" "$camp_file" "$TMP/retail.db" "$(pg_url single)" > "$TMP/load1" 2>&1 &&
  "$LOAD" "$camp_file" "$TMP/retail.db" "$(pg_url sharded)" > "$TMP/load2" 2>&1 ||
  { t_fail "sharded: loading: $(cat "$TMP/load1" "$TMP/load2" | head -n 2)"; t_summary sharded; exit 1; }

# ---- shards: the same tables, empty, with their indexes; the coordinator's
# customers and purchases become partitioned tables over them, filled
# through postgres_fdw (examples/sharded/setup.sh)
sharded_shard_tables sharded || { t_fail "sharded: shard set-up"; t_summary sharded; exit 1; }
if ! { sharded_partition sharded && pg_psql -d sharded << SQL
INSERT INTO customers SELECT * FROM customers_all;
INSERT INTO purchases SELECT * FROM purchases_all;
DROP TABLE customers_all, purchases_all;
SQL
} > "$TMP/coord.out" 2>&1 || ! sharded_analyze sharded > "$TMP/analyze.out" 2>&1; then
  t_fail "sharded: coordinator set-up"
  sed -n '1,10s/^/    /p' "$TMP/coord.out"
  t_summary sharded
  exit 1
fi
n0=$(psql_on s0 -d shard -At -c "SELECT count(*) FROM customers")
n1=$(psql_on s1 -d shard -At -c "SELECT count(*) FROM customers")
n2=$(psql_on s2 -d shard -At -c "SELECT count(*) FROM customers")
echo "customers per shard: $n0 $n1 $n2 (of $N)"
eq "sharded: every customer on one shard" "$N" "$((n0 + n1 + n2))"
if [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]; then t_pass; else t_fail "sharded: a shard is empty"; fi
# every row on the shard its partition bound names, found by the
# coordinator's routing (examples/sharded/setup.sh)
if msg=$(sharded_check_routing sharded); then t_pass; else t_fail "sharded: routing: $msg"; fi

# ---- 1. the same plan -------------------------------------------------------
now="2026-03-01 00:00:00"
for e in sql jit; do
  t0=$(date +%s)
  "$CAMP" plan "$camp_file" --db "$(pg_url single)" --now "$now" --engine "$e" > "$TMP/single.$e" 2> "$TMP/single.$e.err"
  r1=$?
  t1=$(date +%s)
  "$CAMP" plan "$camp_file" --db "$(pg_url sharded)" --now "$now" --engine "$e" > "$TMP/sharded.$e" 2> "$TMP/sharded.$e.err"
  r2=$?
  echo "plan --engine $e: single database $((t1 - t0)) s, sharded $(($(date +%s) - t1)) s ($N customers)"
  if [ "$r1$r2" = 00 ] && cmp -s "$TMP/single.$e" "$TMP/sharded.$e"; then
    t_pass
  else
    t_fail "sharded: plan --engine $e differs from the single database (exit $r1/$r2)"
    t_diff "$TMP/single.$e" "$TMP/sharded.$e"
    head -n 3 "$TMP/sharded.$e.err"
  fi
done
cat "$TMP/sharded.sql"

# ---- 2. what runs on the shards --------------------------------------------
cat > "$TMP/rules.camp" << 'CAMP'
import "schemas/retail"
campaign bench {
  r1 = customers where loyalty >= 500 and country in ["SE", "NO"] and store_id > 3 and email like "%@example.se"
  r2 = customers where loyalty >= 500 and country in ["SE", "NO"] and store_id > 3 and email like "%@example.se"
    and sum(purchases.amount where at > now() - 90d) > 100
}
CAMP
# the tables whose aggregates camp plan and run write as grouped joins on
# this database (runtime: db_distributed_tables): the partitioned ones
grouped=$(pg_psql -d sharded -At -c "SELECT string_agg(relname, ',') FROM pg_class
  WHERE relkind IN ('p', 'f') AND NOT relispartition AND pg_table_is_visible(oid)")
eq "sharded: customers and purchases are the partitioned tables" "customers,purchases" "$grouped"
cp "$TMP/rules.camp" examples/retail/campaigns/.sharded_rules.camp
"$CAMP" sql --dialect postgres --grouped "$grouped" --now "$now" examples/retail/campaigns/.sharded_rules.camp > "$TMP/rules.sql" 2> "$TMP/rules.err"
rm -f examples/retail/campaigns/.sharded_rules.camp
# the script as is (it creates the tables), then each rule's CREATE ... AS
# SELECT again under EXPLAIN VERBOSE, into another name
awk '
  /^CREATE TEMP TABLE "s_r[12]" AS$/ { inside = 1; name = $4; gsub(/"/, "", name)
    print "EXPLAIN (VERBOSE, COSTS OFF) CREATE TEMP TABLE \"explain_" name "\" AS"; next }
  inside { print; if ($0 ~ /;$/) inside = 0 }' "$TMP/rules.sql" > "$TMP/explain.sql"
cat "$TMP/rules.sql" "$TMP/explain.sql" > "$TMP/explain.run"
pg_psql -d sharded -f "$TMP/explain.run" > "$TMP/explain.out" 2>&1 || { t_fail "sharded: EXPLAIN failed"; sed -n '1,10p' "$TMP/explain.out"; }
# One line per remote query: "<rule> <node> <Remote SQL>", the node being
# the foreign partition it runs on (customers_s0 ...); an aggregate pushed
# down names its partition on the "Relations: Aggregate on (...)" line.
awk '/QUERY PLAN/ { part++; node = "" }
  /Foreign Scan on / { node = $0; sub(/.*Foreign Scan on public\./, "", node); sub(/ .*/, "", node) }
  /Relations: Aggregate on \(public\./ { node = $0; sub(/.*Aggregate on \(public\./, "", node); sub(/ .*/, "", node) }
  /Remote SQL:/ { sql = $0; sub(/.*Remote SQL: /, "", sql); print "r" part, node, sql; node = "" }' \
  "$TMP/explain.out" > "$TMP/remote.txt"
# remote RULE NODE PATTERN... : the Remote SQL of NODE in RULE's plan holds
# every pattern (fixed strings)
remote() {
  r_=$1 n_=$2; shift 2
  grep "^$r_ $n_ " "$TMP/remote.txt" > "$TMP/remote.one" || return 1
  for p_ in "$@"; do grep -F -e "$p_" "$TMP/remote.one" > "$TMP/remote.two" || return 1; mv "$TMP/remote.two" "$TMP/remote.one"; done
}
for s in s0 s1 s2; do
  # R1 and R2: the customers filter, whole, on each shard
  for r in r1 r2; do
    if remote "$r" "customers_$s" "FROM public.customers" "loyalty >= 500" "country = ANY" "store_id > 3" "~~ '%@example.se'"; then
      t_pass
    else
      t_fail "sharded: $r's customer filter is not in shard $s's Remote SQL"
    fi
  done
  # R2: the purchases filter AND the sum, grouped by customer, on each shard
  if remote r2 "purchases_$s" "FROM public.purchases" "at >" "sum(amount" "GROUP BY"; then
    t_pass
  else
    t_fail "sharded: R2's sum over the 90-day purchases is not computed on shard $s (no Remote SQL with the filter, sum( and GROUP BY)"
    grep "^r2 purchases_$s " "$TMP/remote.txt" | sed 's/^/    /'
  fi
done
if [ -n "${SHARDED_SHOW_EXPLAIN:-}" ]; then cat "$TMP/explain.out"; fi
# The engines' snapshot reads a partitioned table with one COPY (SELECT
# ...) (runtime/engine/snapshot_copy.c); with async_capable servers the
# coordinator's Append asks the three shards at once, not one after another.
for t in customers purchases; do
  pg_psql -d sharded -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM $t" > "$TMP/copy_$t.out" 2>&1
  eq "sharded: the snapshot's read of $t scans the 3 shards concurrently (Async Foreign Scan)" 3 \
    "$(grep -c 'Async Foreign Scan' "$TMP/copy_$t.out")"
done

t_summary sharded
[ "$T_FAIL" = 0 ]
