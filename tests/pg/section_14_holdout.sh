# section 14 of tests/pg/run.sh (sourced): control groups on one step
# (tests/holdout, docs/policy.md) on PostgreSQL — the audience step
# `treated = holdout 20% of scored` and a channel step's `holdout 10%`,
# planned and run on both backends from the same data: the same control
# group, treated members and recipients on both, equal to the members
# tests/holdout/hold.py works out from the hash definition, and the same
# `camp report --holdout` answer.

BIN_DIR=${TEST_BIN_DIR:-build/tests}
if want 14; then
  PH=$TMP/hold
  mkdir -p "$PH"
  cp tests/holdout/hold.camp "$PH"/
  hq() { pg_psql -d hold -At -c "SET search_path = camp, public; $1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
  hs() { sqlite3 "$PH/hold.db" "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
  sqlite3 "$PH/hold.db" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, score INT);
    CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, at TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se', i % 50 FROM n;
    INSERT INTO purchases(customer_id, at) SELECT id, '2026-03-05 10:00:00' FROM customers WHERE id % 3 = 0;"
  pg_createdb hold
  "$BIN_DIR/pg_load" "$PH/hold.camp" "$PH/hold.db" "$(pg_url hold)" > "$PH/load" 2>&1 ||
    t_fail "pg holdout: copying hold.db: $(head -n 1 "$PH/load")"
  S=$(hs "SELECT id FROM customers WHERE score > 10")
  C_AUD=$(/usr/bin/python3 tests/holdout/hold.py 7 holdout:spring:treated 2000 "$S")
  for e in sql jit; do
    CAMP_PLAN_KEYS="$PH/k.lite.$e" camp plan "$PH/hold.camp" --campaign spring --db "$PH/hold.db" \
      --now "2026-03-01 09:00" --engine $e > "$PH/plan.lite.$e" 2>&1
    CAMP_PLAN_KEYS="$PH/k.pg.$e" camp plan "$PH/hold.camp" --campaign spring --db "$(pg_url hold)" \
      --now "2026-03-01 09:00" --engine $e > "$PH/plan.pg.$e" 2>&1
    eq "pg holdout: plan --engine $e exit" 0 $?
    eq "pg holdout: plan --engine $e keys agree" "$(cat "$PH/k.lite.$e")" "$(cat "$PH/k.pg.$e")"
    eq "pg holdout: plan --engine $e output agrees" "$(cat "$PH/plan.lite.$e")" "$(cat "$PH/plan.pg.$e")"
  done
  camp run "$PH/hold.camp" --campaign spring --db "$PH/hold.db" --now "2026-03-01 09:00" > "$PH/run.lite" 2>&1
  camp run "$PH/hold.camp" --campaign spring --db "$(pg_url hold)" --now "2026-03-01 09:00" > "$PH/run.pg" 2>&1
  eq "pg holdout: run exit" 0 $?
  eq "pg holdout: run output agrees" "$(cat "$PH/run.lite")" "$(cat "$PH/run.pg")"
  CTL="SELECT recipient_key FROM camp_policy_removed WHERE step = 'treated' AND reason = 'holdout'"
  eq "pg holdout: the control group is the worked-out one" "$C_AUD" "$(hq "$CTL")"
  eq "pg holdout: the same control group on both" "$(hs "$CTL")" "$(hq "$CTL")"
  TRT="SELECT recipient_key FROM camp_holdout_treated WHERE step = 'treated'"
  eq "pg holdout: the same treated members on both" "$(hs "$TRT")" "$(hq "$TRT")"
  for st in _email_treated _email_all _email_later; do
    Q="SELECT CAST(recipient_key AS TEXT) FROM camp_outbox WHERE step = '$st'"
    eq "pg holdout: the same recipients of $st" "$(hs "$Q")" "$(hq "$Q")"
    Q="SELECT recipient_key FROM camp_policy_removed WHERE step = '$st'"
    eq "pg holdout: the same held out of $st" "$(hs "$Q")" "$(hq "$Q")"
  done
  for h in treated _email_treated; do
    camp report spring --db "$PH/hold.db" --holdout $h --format json > "$PH/rep.lite" 2>&1
    camp report spring --db "$(pg_url hold)" --holdout $h --format json > "$PH/rep.pg" 2>&1
    eq "pg holdout: report --holdout $h agrees" "$(cat "$PH/rep.lite")" "$(cat "$PH/rep.pg")"
  done
fi
