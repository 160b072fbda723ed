#!/bin/sh
# pg.sh CAMP GEN PG_LOAD [CUSTOMERS] — the PostgreSQL benchmark (`make
# bench-pg`, also run by `make bench`; figures go to bench/RESULTS.md by
# hand).  On the same data (retail-gen, CUSTOMERS default 1,000,000, cached
# in build/bench like bench/run.sh's database) in a SQLite file and in a
# throw-away PostgreSQL 15 server (tests/pg/lib.sh, a unix socket in a
# temporary directory, stopped at the end):
#   1. R1, R2 and the 10-way split as `camp plan` of a one-step campaign,
#      wall time of each: SQLite with --engine sql, interp and jit;
#      PostgreSQL with --engine sql with the server's JIT off and on
#      (jit_above_cost 0, so it really compiles), and with camp's interp
#      and jit engines over the snapshot: cold (read with COPY into the
#      snapshot cache, $CAMP_CACHE_DIR in the temporary directory) and
#      warm (the server proves each table unchanged by its content hash);
#   2. snapshot extraction rows/s: `camp snapshot` of the retail tables
#      from SQLite (row scan) and from PostgreSQL (COPY binary), and the
#      PostgreSQL snapshot checked again unchanged (content hashes only);
#   3. `camp plan` of the retail spring_sale campaign end to end on each
#      backend (--engine sql, and auto).
# Every plan's counts must be the same on every backend and engine; the
# script says so or fails.  BENCH_PG_SET=all (default below 10M) times
# every row; BENCH_PG_SET=big (default at 10M, where SQLite's SQL and the
# interpreter take hours on a small VM and are measured by bench/run.sh)
# times SQLite's jit, PostgreSQL's SQL with JIT off and on and camp's jit
# over the COPY snapshot, and the end to end plan with auto only.  Prints the load average before and after each
# part: the VM is shared.
set -e
CAMP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
PG_LOAD=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
N=${4:-${BENCH_PG_CUSTOMERS:-1000000}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p build/bench
DB=$ROOT/build/bench/retail-$N.db
[ "$N" = 10000000 ] && DB=$ROOT/build/bench/retail-10m.db
[ "$N" = 1000000 ] && DB=$ROOT/build/bench/retail-1m.db
SET=${BENCH_PG_SET:-all}
[ "$N" -ge 10000000 ] && SET=${BENCH_PG_SET:-big}
if [ ! -f "$DB" ]; then
  echo "generating $N customers into $DB (once)"
  "$GEN" --out "$DB.tmp" --customers "$N"
  mv "$DB.tmp" "$DB"
fi
. tests/pg/lib.sh
. bench/campaigns.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-bench-pg.XXXXXX")
trap 'pg_stop; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }
# camp's PostgreSQL snapshots: into our temporary directory, not ~/.cache
export CAMP_CACHE_DIR="$TMP/cache"
ms() { date +%s%3N; }
export NO_COLOR=1

# A server sized for a benchmark, not for tests: the data fits its cache.
PG_SERVER_OPTS="-c shared_buffers=512MB -c work_mem=64MB -c max_parallel_workers_per_gather=2 -c jit=on"
pg_start "$TMP"
pg_createdb bench
URL=$(pg_url bench)
bench_campaigns "$TMP/c"
for f in r1 r2 split10 campaigns/spring; do "$CAMP" check "$TMP/c/$f.camp" > /dev/null 2>&1 || "$CAMP" check "$TMP/c/$f.camp"; done

echo "== loading $N customers into PostgreSQL 15 (pg_load: COPY, typed tables, ANALYZE)"
load
t0=$(ms)
"$PG_LOAD" "$TMP/c/campaigns/spring.camp" "$DB" "$URL"
echo "load: $(( $(ms) - t0 )) ms"
pg_psql -d bench -c "ALTER DATABASE bench SET search_path = public" > /dev/null

# counts FILE: the step lines of a plan (name, kind, count), for comparing
counts() { sed -n 's/^  \([a-z_]\)/\1/p' "$1" | tr -s ' '; }
# plan NAME LABEL DB ENGINE [VAR=VALUE...]: one timed `camp plan`; its
# counts must equal the first plan's of that campaign
plan() {
  name=$1 label=$2 db=$3 engine=$4
  shift 4
  t0=$(ms)
  if ! env "$@" "$CAMP" plan "$TMP/c/$name.camp" --db "$db" --now "2026-03-01 00:00" --engine "$engine" \
       > "$TMP/out" 2>&1; then
    echo "  $label: FAILED"; sed 's/^/    /' "$TMP/out" | head -5; exit 1
  fi
  t=$(( $(ms) - t0 ))
  counts "$TMP/out" > "$TMP/counts"
  ref=$TMP/ref.$(basename "$name")
  [ -f "$ref" ] || cp "$TMP/counts" "$ref"
  if cmp -s "$ref" "$TMP/counts"; then same=yes; else same=NO; fi
  printf '  %-36s %8d ms   counts equal: %s\n' "$label" "$t" "$same"
  if [ $same = NO ]; then diff "$ref" "$TMP/counts" | head -10; exit 1; fi
}
# the engines read a snapshot: built once before they are timed
"$CAMP" snapshot --db "$DB" "$TMP/c/campaigns/spring.camp" > /dev/null 2>&1 || true

for name in r1 r2 split10; do
  echo "== $name ($N customers)"
  load
  [ $SET = all ] && plan $name "sqlite sql" "$DB" sql CAMP_SQLITE_CACHE_MB=2048
  [ $SET = all ] && plan $name "sqlite interp" "$DB" interp
  plan $name "sqlite jit" "$DB" jit
  plan $name "postgres sql, server jit off" "$URL" sql "PGOPTIONS=-c jit=off"
  plan $name "postgres sql, server jit on" "$URL" sql "PGOPTIONS=-c jit=on -c jit_above_cost=0"
  rm -rf "$CAMP_CACHE_DIR"
  plan $name "postgres jit, cold (COPY, cached)" "$URL" jit
  plan $name "postgres jit, warm (content hashes)" "$URL" jit
  [ $SET = all ] && plan $name "postgres interp, warm" "$URL" interp
  sed 's/^/    /' "$TMP/ref.$name"
  load
done

echo "== snapshot extraction (camp snapshot of spring_sale's tables)"
load
for side in sqlite postgres; do
  db=$DB
  [ $side = postgres ] && db=$URL
  [ $side = sqlite ] && rm -rf "$DB.camp-snapshot"
  [ $side = postgres ] && rm -rf "$CAMP_CACHE_DIR"
  t0=$(ms)
  "$CAMP" snapshot --db "$db" "$TMP/c/campaigns/spring.camp" > "$TMP/snap.$side" 2>&1
  t=$(( $(ms) - t0 ))
  rows=$(sed -n 's/^  [a-z_]* *\([0-9]*\) rows.*/\1/p' "$TMP/snap.$side" | awk '{ s += $1 } END { print s + 0 }')
  awk -v s="$side" -v r="$rows" -v t="$t" 'BEGIN { printf "  %-9s %10d rows in %7d ms: %8.0f rows/s\n", s, r, t, r / (t > 0 ? t : 1) * 1000 }'
done
t0=$(ms)
"$CAMP" snapshot --db "$URL" "$TMP/c/campaigns/spring.camp" > "$TMP/snap.again" 2>&1
t=$(( $(ms) - t0 ))
reused=$(grep -c 'unchanged: reused' "$TMP/snap.again")
echo "  postgres again, unchanged: $t ms ($reused tables proven unchanged by content hash, none read)"
load

echo "== camp plan spring_sale end to end"
engines="sql auto"
[ $SET = all ] || engines=auto
for engine in $engines; do
  plan campaigns/spring "sqlite $engine" "$DB" $engine CAMP_SQLITE_CACHE_MB=2048
  plan campaigns/spring "postgres $engine" "$URL" $engine
done
load
