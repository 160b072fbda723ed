#!/bin/sh
# sharded.sh CAMP GEN PG_LOAD [CUSTOMERS] — the sharded PostgreSQL benchmark
# (`make bench-sharded`; `make bench` runs it at 100,000; figures go to
# bench/RESULTS.md by hand).  The set-up of examples/sharded (setup.sh: a
# coordinator and 3 shard servers, customers and purchases hash-partitioned
# into postgres_fdw foreign partitions) beside one plain database on the
# coordinator holding the same data (retail-gen, CUSTOMERS default
# $BENCH_SHARDED_CUSTOMERS or 100,000, cached in build/bench like
# bench/pg.sh's; BENCH_SHARDED_DB names another retail-gen file):
#   1. loading: pg_load into the plain database; its other tables copied to
#      the sharded one (pg_dump); the shards filled through the
#      coordinator (COPY into a local table, INSERT into the partitioned
#      one: postgres_fdw batches) and/or directly (each shard COPYs its own
#      third, picked by satisfies_hash_partition, the 3 in parallel):
#      BENCH_SHARDED_LOAD="fdw direct" (default below 10M; "direct" from
#      10M, where the other would take about 40 min at the 1M rate).  Each
#      load is checked: the shards' counts add up to the plain database's,
#      every row satisfies its shard's partition bound, the coordinator
#      finds customers by id.  Then ANALYZE, of the foreign partitions too
#      (setup.sh: sharded_analyze);
#   2. R1, R2 and the 10-way split (bench/pg.sh's rules) as `camp plan
#      --engine sql` on the plain and on the sharded database (camp writes
#      grouped aggregates for the partitioned tables by itself); the split
#      after part 3 (at 10M it is the longest and matters least);
#   3. snapshot extraction rows/s: `camp snapshot` of spring_sale's tables
#      (COPY binary; through the coordinator, the shards read
#      asynchronously), snapshot cache emptied first;
#   4. `camp plan spring_sale` with --engine sql and the default auto (its
#      snapshot cache emptied first: a cold plan).
# The counts of every sharded plan must equal the plain database's: the
# script says so or fails (exit 1).  Timings are never asserted; each
# measurement is bounded by `timeout` (BENCH_SHARDED_TIMEOUT seconds,
# default 1800; BENCH_SHARDED_PLAN_TIMEOUT for part 4) and a timeout is
# printed as "> N s" (no counts to compare then).  All servers use
# shared_buffers 512MB (shards 256MB), work_mem 64MB, 2 parallel workers,
# the server's JIT off.  Prints the load average before each part: the
# VM is shared.  BENCH_SHARDED_REUSE=DIR: the servers of an earlier run
# still running in DIR (its temporary directory) with the plain database
# loaded; everything after pg_load is done again (for a 10M run whose
# script was stopped after loading; the servers are stopped at the end).
CAMP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
PG_LOAD=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
N=${4:-${BENCH_SHARDED_CUSTOMERS:-100000}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
mkdir -p build/bench
DB=$ROOT/build/bench/retail-$N.db
[ "$N" = 10000000 ] && DB=$ROOT/build/bench/retail-10m.db
[ "$N" = 1000000 ] && DB=$ROOT/build/bench/retail-1m.db
DB=${BENCH_SHARDED_DB:-$DB}
LOADS=${BENCH_SHARDED_LOAD:-fdw direct}
[ "$N" -ge 10000000 ] && LOADS=${BENCH_SHARDED_LOAD:-direct}
TO=${BENCH_SHARDED_TIMEOUT:-1800}
PLAN_TO=${BENCH_SHARDED_PLAN_TIMEOUT:-$TO}
if [ ! -f "$DB" ]; then
  echo "generating $N customers into $DB (once)"
  "$GEN" --out "$DB.tmp" --customers "$N" || exit 1
  mv "$DB.tmp" "$DB"
fi
. tests/pg/lib.sh
. bench/campaigns.sh
. examples/sharded/setup.sh
if [ -n "${BENCH_SHARDED_REUSE:-}" ]; then
  TMP=$BENCH_SHARDED_REUSE
else
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-bench-sharded.XXXXXX") || exit 2
fi
trap 'sharded_stop; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }
fail() { echo "FAILED: $*"; exit 1; }
ms() { date +%s%3N; }
secs() { awk -v t="$1" 'BEGIN { printf "%.1f s", t / 1000 }'; }
export NO_COLOR=1
export CAMP_CACHE_DIR="$TMP/cache"

PG_SERVER_OPTS="-c shared_buffers=512MB -c work_mem=64MB -c max_parallel_workers_per_gather=2 -c jit=off"
SHARD_SERVER_OPTS="-c shared_buffers=256MB"
if [ -n "${BENCH_SHARDED_REUSE:-}" ]; then
  SHARDED_DIR=$TMP
  read -r PGHOST PGPORT < "$TMP/coord/where" || fail "BENCH_SHARDED_REUSE: no servers in $TMP"
  PGUSER=postgres PGDATABASE=postgres
  export PGHOST PGPORT PGUSER PGDATABASE
else
  sharded_start "$TMP" || fail "cannot start the servers"
  pg_createdb single
fi
pg_createdb sharded
SINGLE=$(pg_url single)
SHARDED=$(pg_url sharded)
bench_campaigns "$TMP/c"
for f in r1 r2 split10 campaigns/spring; do
  "$CAMP" check "$TMP/c/$f.camp" > /dev/null 2>&1 || fail "$("$CAMP" check "$TMP/c/$f.camp" 2>&1 | head -3)"
done

# ---- 1. loading -------------------------------------------------------------
echo "== loading $N customers ($DB)"
load
if [ -n "${BENCH_SHARDED_REUSE:-}" ]; then
  echo "  the plain database as loaded in $TMP by an earlier run (BENCH_SHARDED_REUSE)"
else
  t0=$(ms)
  "$PG_LOAD" "$TMP/c/campaigns/spring.camp" "$DB" "$SINGLE" || fail "pg_load"
  echo "  pg_load into the plain database:              $(secs $(( $(ms) - t0 )))"
fi
t0=$(ms)
# the coordinator's own tables (stores, products, consents, camp's schema),
# and customers and purchases empty: setup.sh makes them partitioned
"$PG_BIN/pg_dump" -d single --exclude-table-data=customers --exclude-table-data=purchases |
  pg_psql -d sharded > "$TMP/dump.out" 2>&1 || fail "pg_dump | psql: $(head -3 "$TMP/dump.out")"
sharded_shard_tables sharded > /dev/null || fail "shard tables"
sharded_partition sharded > "$TMP/part.out" 2>&1 || fail "partitioning: $(head -3 "$TMP/part.out")"
echo "  coordinator's other tables (pg_dump | psql), shard DDL: $(secs $(( $(ms) - t0 )))"
# (partitionwise: each shard counts its own rows)
count() { pg_psql -d "$1" -At -c "SET enable_partitionwise_aggregate = on" -c "SELECT count(*) FROM $2"; }
want_c=$(count single customers)
want_p=$(count single purchases)
# check LABEL: the shards hold exactly the plain database's rows, each on
# the shard the coordinator routes it to
check() {
  c_=0 p_=0 per_=""
  for s in $SHARDED_SHARDS; do
    n_=$(sharded_psql "$s" -d shard -At -c "SELECT count(*) FROM customers")
    m_=$(sharded_psql "$s" -d shard -At -c "SELECT count(*) FROM purchases")
    c_=$((c_ + n_)) p_=$((p_ + m_)) per_="$per_ $s $n_/$m_"
  done
  echo "  $1: customers/purchases per shard:$per_"
  [ "$c_/$p_" = "$want_c/$want_p" ] || fail "$1: the shards hold $c_ customers, $p_ purchases; the plain database $want_c, $want_p"
  [ "$(count sharded customers)/$(count sharded purchases)" = "$want_c/$want_p" ] ||
    fail "$1: the coordinator does not see the plain database's counts"
  msg=$(sharded_check_routing sharded) || fail "$1: $msg"
  echo "  $1: counts equal to the plain database's; every row on its hash partition's shard"
}
truncate_shards() {
  for s in $SHARDED_SHARDS; do sharded_psql "$s" -d shard -c "TRUNCATE customers, purchases"; done
}
loaded=no
for how in $LOADS; do
  truncate_shards
  loaded=no
  case $how in
    fdw)
      # the rows into local tables on the coordinator, then through the
      # partitioned tables (postgres_fdw, batch_size 1000)
      t0=$(ms)
      for t in customers purchases; do
        pg_psql -d single -c "COPY $t TO STDOUT" | pg_psql -d sharded -c "COPY ${t}_all FROM STDIN" || fail "COPY $t"
      done
      t1=$(ms)
      if timeout "$TO" sh -c '. tests/pg/lib.sh; pg_psql -d sharded -c "INSERT INTO customers SELECT * FROM customers_all" \
           -c "INSERT INTO purchases SELECT * FROM purchases_all"'; then
        echo "  through the coordinator: COPY into local tables $(secs $((t1 - t0))), INSERT through postgres_fdw $(secs $(( $(ms) - t1 )))"
        check "through the coordinator"
        loaded=yes
      else
        echo "  through the coordinator: COPY into local tables $(secs $((t1 - t0))), INSERT through postgres_fdw > $TO s (timeout)"
        # the server goes on with a statement whose client is gone
        pg_psql -d sharded -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
          WHERE datname = 'sharded' AND query LIKE 'INSERT INTO %' AND pid <> pg_backend_pid()" > /dev/null
        sleep 2
      fi
      pg_psql -d sharded -c "TRUNCATE customers_all, purchases_all"
      ;;
    direct)
      t0=$(ms)
      sharded_load_direct single || fail "direct load"
      echo "  directly, 3 shards in parallel (COPY ... WHERE satisfies_hash_partition): $(secs $(( $(ms) - t0 )))"
      check "directly"
      loaded=yes
      ;;
    *) fail "BENCH_SHARDED_LOAD: fdw or direct, not $how" ;;
  esac
done
if [ $loaded = no ]; then
  truncate_shards
  sharded_load_direct single && check "directly" || fail "direct load"
fi
pg_psql -d sharded -c "DROP TABLE customers_all, purchases_all"
t0=$(ms)
sharded_analyze sharded > "$TMP/analyze.out" 2>&1 || fail "ANALYZE: $(head -3 "$TMP/analyze.out")"
echo "  ANALYZE on the shards, then of the foreign partitions on the coordinator: $(secs $(( $(ms) - t0 )))"
for d in single sharded; do
  pg_psql -d $d -c "ALTER DATABASE $d SET search_path = public" > /dev/null
done
echo "  sizes: plain database $(pg_psql -At -c "SELECT pg_size_pretty(pg_database_size('single'))"), coordinator $(pg_psql -At -c "SELECT pg_size_pretty(pg_database_size('sharded'))"), shards$(for s in $SHARDED_SHARDS; do printf ' %s' "$(sharded_psql $s -At -c "SELECT pg_size_pretty(pg_database_size('shard'))")"; done)"

# counts FILE: the step lines of a plan (name, kind, count), for comparing
counts() { sed -n 's/^  \([a-z_]\)/\1/p' "$1" | tr -s ' '; }
# plan NAME LABEL URL ENGINE SECS: one timed `camp plan`; the plain
# database's (first) plan of NAME is the reference the sharded one must equal
plan() {
  name=$1 label=$2 url=$3 engine=$4 to=$5
  ref=$TMP/ref.$(basename "$name")
  t0=$(ms)
  timeout "$to" "$CAMP" plan "$TMP/c/$name.camp" --db "$url" --now "2026-03-01 00:00" --engine "$engine" > "$TMP/out" 2> "$TMP/err"
  rc=$?
  t=$(( $(ms) - t0 ))
  if [ $rc = 124 ]; then
    printf '  %-28s > %d s (timeout)   load %s\n' "$label" "$to" "$(cut -d' ' -f1 /proc/loadavg)"
    [ "$label" = "${label#sharded}" ] && rm -f "$ref"
    return 0
  fi
  [ $rc = 0 ] || { sed 's/^/    /' "$TMP/err" "$TMP/out" | head -5; fail "$label: camp plan exit $rc"; }
  counts "$TMP/out" > "$TMP/counts"
  if [ "$label" = "${label#sharded}" ]; then
    cp "$TMP/counts" "$ref"
    same="(reference)"
  elif [ ! -f "$ref" ]; then
    same="not compared (the plain database's plan timed out)"
  elif cmp -s "$ref" "$TMP/counts"; then
    same="equal to the plain database's"
  else
    printf '  %-28s %8s\n' "$label" "$(secs $t)"
    diff "$ref" "$TMP/counts" | head -10
    fail "$label: counts differ from the plain database's"
  fi
  printf '  %-28s %8s   load %-5s counts %s\n' "$label" "$(secs $t)" "$(cut -d' ' -f1 /proc/loadavg)" "$same"
}

# ---- 2. R1, R2, the 10-way split (the split after part 3: at 10M it is the
# longest and matters least) ------------------------------------------------
rules() {
  for name in "$@"; do
    echo "== $name, --engine sql ($N customers)"
    load
    plan $name "plain database" "$SINGLE" sql "$TO"
    plan $name "sharded" "$SHARDED" sql "$TO"
    [ -f "$TMP/ref.$name" ] && sed 's/^/    /' "$TMP/ref.$name"
  done
}

rules r1 r2

# ---- 3. snapshot extraction ------------------------------------------------
echo "== snapshot extraction (camp snapshot of spring_sale's tables, COPY binary)"
load
for side in plain sharded; do
  url=$SINGLE
  [ $side = sharded ] && url=$SHARDED
  rm -rf "$CAMP_CACHE_DIR"
  t0=$(ms)
  timeout "$TO" "$CAMP" snapshot --db "$url" "$TMP/c/campaigns/spring.camp" > "$TMP/snap.$side" 2>&1
  rc=$?
  t=$(( $(ms) - t0 ))
  if [ $rc = 124 ]; then
    printf '  %-8s > %d s (timeout)\n' $side "$TO"
    continue
  fi
  [ $rc = 0 ] || { head -5 "$TMP/snap.$side"; fail "camp snapshot on $side: exit $rc"; }
  sed -n 's/^  \([a-z_]*\) *\([0-9]*\) rows.*/\1 \2/p' "$TMP/snap.$side" > "$TMP/rows.$side"
  rows=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/rows.$side")
  awk -v s="$side" -v r="$rows" -v t="$t" 'BEGIN { printf "  %-8s %10d rows in %8.1f s: %8.0f rows/s\n", s, r, t / 1000, r / (t > 0 ? t : 1) * 1000 }'
  if [ $side = sharded ] && [ -f "$TMP/rows.plain" ]; then
    cmp -s "$TMP/rows.plain" "$TMP/rows.sharded" || fail "the snapshots' row counts differ: $(paste -d' ' "$TMP/rows.plain" "$TMP/rows.sharded" | tr '\n' ';')"
    echo "  row counts per table equal"
  fi
done

rules split10

# ---- 4. the retail campaign end to end ---------------------------------------
echo "== camp plan spring_sale (snapshot cache emptied before each)"
for engine in sql auto; do
  load
  rm -rf "$CAMP_CACHE_DIR"
  plan campaigns/spring "plain database, $engine" "$SINGLE" $engine "$PLAN_TO"
  rm -rf "$CAMP_CACHE_DIR"
  plan campaigns/spring "sharded, $engine" "$SHARDED" $engine "$PLAN_TO"
done
load
