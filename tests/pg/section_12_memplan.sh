# section 12 of tests/pg/run.sh (sourced): the whole plan in memory on
# PostgreSQL.
#
# The retail example's data at 20,000 customers (above the engines' auto
# threshold of 20,000 rows, so the default `auto` picks the memory plan)
# in SQLite and copied into PostgreSQL; spring_sale is run on both (it
# saves the audiences uppsala_opening reads); then every retail campaign is
# planned with --engine sql on SQLite (the reference) and with auto, jit and
# interp on PostgreSQL.  Each PostgreSQL plan must say it ran in memory
# (--explain; winback declines: `combine on (...)` runs in SQL) and give
# SQLite's members (CAMP_PLAN_KEYS) and plan output: consent, addresses and
# suppression (the contact policy on the memory plan's keys), saved
# audiences read back from camp_audience (text keys on PostgreSQL) and the
# seeded samples included.  Fails without exec_mem on PostgreSQL (the plan
# said "step by step (PostgreSQL: no in-memory plan yet)").

if want 12; then
  BIN_DIR=${TEST_BIN_DIR:-build/tests} # sourced before section 2 (glob order)
  GEN=${GEN:-$(dirname "$CAMP")/retail-gen}
  if [ ! -x "$GEN" ] || [ ! -x "$BIN_DIR/pg_load" ]; then
    t_fail "pg memplan: missing $GEN or $BIN_DIR/pg_load (make test-bins)"
  else
    MP=$TMP/memplan
    mkdir -p "$MP"
    EX=$ROOT/examples/retail
    "$GEN" --out "$MP/lite.db" --customers 20000 > /dev/null
    pg_createdb memplan
    MP_URL=$(pg_url memplan)
    if ! "$BIN_DIR/pg_load" "$EX/campaigns/spring_sale.camp" "$MP/lite.db" "$MP_URL" > "$MP/load" 2>&1; then
      t_fail "pg memplan: copying the retail data: $(head -n 1 "$MP/load")"
    else
      now="2026-03-01 00:00"
      for db in "$MP/lite.db" "$MP_URL"; do
        camp run "$EX/campaigns/spring_sale.camp" --db "$db" --now "$now" > "$MP/run.out" 2>&1 ||
          t_fail "pg memplan: spring_sale run on $db: $(tail -n 1 "$MP/run.out")"
      done
      for c in spring_sale weekly_picks uppsala_opening winback; do
        CAMP_PLAN_KEYS=$MP/keys.ref.$c camp plan "$EX/campaigns/$c.camp" --db "$MP/lite.db" --now "$now" \
          --engine sql > "$MP/plan.ref.$c" 2>&1
        for e in auto jit interp; do
          CAMP_PLAN_KEYS=$MP/keys.$e.$c camp plan "$EX/campaigns/$c.camp" --db "$MP_URL" --now "$now" \
            --engine "$e" --explain > "$MP/plan.$e.$c" 2> "$MP/explain.$e.$c"
          how=$(sed -n 's/^explain: plan: //p' "$MP/explain.$e.$c" | head -n 1)
          case $c:$how in
            winback:"step by step (step truly_lapsed: combine on (...) columns runs in SQL)") t_pass ;;
            winback:*) t_fail "pg memplan: $c ($e) should decline the memory plan: $how" ;;
            *:"in memory over the snapshot"*) t_pass ;;
            *) t_fail "pg memplan: $c ($e) did not plan in memory on PostgreSQL: $how" ;;
          esac
          if cmp -s "$MP/keys.ref.$c" "$MP/keys.$e.$c"; then t_pass; else
            t_fail "pg memplan: $c ($e): members differ from SQLite's: $(diff "$MP/keys.ref.$c" "$MP/keys.$e.$c" | grep '^[<>]' | cut -c 1-120 | head -n 2 | tr '\n' ' ')"
          fi
          if cmp -s "$MP/plan.ref.$c" "$MP/plan.$e.$c"; then t_pass; else
            t_fail "pg memplan: $c ($e): plan output differs from SQLite's: $(diff "$MP/plan.ref.$c" "$MP/plan.$e.$c" | head -n 4 | tr '\n' ' ')"
          fi
        done
      done
      # the reference itself is not empty: the campaigns reach people
      n=$(grep -c 'policy: [0-9]* without consent' "$MP/plan.ref.spring_sale")
      if [ "$n" -ge 1 ] && [ "$(wc -l < "$MP/keys.ref.uppsala_opening")" -ge 10 ]; then t_pass; else
        t_fail "pg memplan: the reference plans lack consent removals or steps"
      fi
    fi
  fi
fi
