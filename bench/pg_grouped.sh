#!/bin/sh
# pg_grouped.sh CAMP PG_LOAD DB.sqlite — correlated vs grouped aggregates on
# one PostgreSQL server (compiler/sql/sql_group.c; figures go to
# bench/RESULTS.md by hand).  The retail data of DB.sqlite (retail-gen) is
# copied into a throw-away PostgreSQL 15 (tests/pg/lib.sh, stopped at the
# end); then three one-step campaigns are planned with --engine sql, each
# with CAMP_PG_GROUPED=none (a correlated subquery per customer, what camp
# writes for plain tables) and =all (a grouped join), twice, alternating:
#   r2   R1 and sum(purchases.amount where at > now() - 90d) > 100
#   sel  id < 2000 and the same sum (a selective population)
#   all  the sum alone (every customer)
# Counts must be equal across the two forms; prints wall times and the
# load average (the VM is shared).
set -e
CAMP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PG_LOAD=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
DB=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. tests/pg/lib.sh
. bench/campaigns.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-bench-grouped.XXXXXX") || exit 2
trap 'pg_stop; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
ms() { date +%s%3N; }
export NO_COLOR=1
PG_SERVER_OPTS="-c shared_buffers=512MB -c work_mem=64MB -c max_parallel_workers_per_gather=2 -c jit=off"
pg_start "$TMP"
pg_createdb bench
URL=$(pg_url bench)
bench_campaigns "$TMP/c"
rule() { bench_rule "$TMP/c" "$1" "  $1 = customers where $2"; }
SUM='sum(purchases.amount where at > now() - 90d) > 100'
rule r2 "loyalty >= 500 and country in [\"SE\", \"NO\"] and store_id > 3 and email like \"%@example.se\" and $SUM"
rule sel "id < 2000 and $SUM"
rule all "$SUM"
t0=$(ms)
"$PG_LOAD" "$TMP/c/campaigns/spring_sale.camp" "$DB" "$URL" > /dev/null
echo "load into PostgreSQL: $(( $(ms) - t0 )) ms"
pg_psql -d bench -c "ALTER DATABASE bench SET search_path = public" > /dev/null
for r in r2 sel all; do
  for round in 1 2; do
    for form in none all; do
      t0=$(ms)
      CAMP_PG_GROUPED=$form "$CAMP" plan "$TMP/c/$r.camp" --db "$URL" --now "2026-03-01 00:00" --engine sql > "$TMP/out" 2>&1
      t=$(( $(ms) - t0 ))
      n=$(sed -n "s/^  $r  *select  *\([0-9]*\).*/\1/p" "$TMP/out")
      [ -n "$n" ] || { cat "$TMP/out"; exit 1; }
      [ -f "$TMP/n.$r" ] || echo "$n" > "$TMP/n.$r"
      [ "$(cat "$TMP/n.$r")" = "$n" ] || { echo "$r: counts differ ($n, $(cat "$TMP/n.$r"))"; exit 1; }
      label=correlated; [ $form = all ] && label=grouped
      printf '  %-4s %-10s %8d ms  %8s members  load %s\n' "$r" "$label" "$t" "$n" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
