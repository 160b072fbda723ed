# section 6 of tests/pg/run.sh (sourced): examples/sharded/run.sh — a
# coordinator and 3 shards with postgres_fdw, plans identical to one
# database, R1/R2 filters and R2's sum pushed to the shards.  It starts its own 4
# servers; PG_SHARDED_CUSTOMERS sets the size (default 1000).

if want 6; then
  GEN=${GEN:-$(dirname "$CAMP")/retail-gen} sh examples/sharded/run.sh "$CAMP" "${PG_SHARDED_CUSTOMERS:-1000}" > "$TMP/sharded.out" 2>&1
  grep -e '^FAIL' -e '^plan --engine' -e '^R2:' -e '^customers per shard' "$TMP/sharded.out"
  counts=$(t_parse_summary "$TMP/sharded.out")
  if [ -z "$counts" ]; then
    t_fail "pg sharded: no summary line"
    tail -n 5 "$TMP/sharded.out"
  else
    set -- $counts
    T_PASS=$((T_PASS + $1))
    T_FAIL=$((T_FAIL + $2))
  fi
fi
