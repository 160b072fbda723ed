# section 10 of tests/pg/run.sh (sourced): the contact policy's later parts
# (tests/policy_ext) on PostgreSQL, each run on both backends from the same
# data and compared: pressure checked again at send time on a hand-built
# history, waits until 08:00 local time in four zones, and an A/B content
# test decided by clicks, with `camp report`'s cells and significance.
# A real SMTP sink receives what camp send sends (loopback, stopped at the
# end).

BIN_DIR=${TEST_BIN_DIR:-build/tests}
if want 10; then
  PX=$TMP/polext
  mkdir -p "$PX"
  cp tests/policy_ext/*.camp "$PX"/
  . tests/servers/lib.sh
  SRV_ON_EXIT='pg_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"'
  srv_init "$PX"
  srv_smtp polsink --log "$PX/sink.jsonl" --no-data
  POL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT"
  export POL_SMTP_URL
  # pq DB SQL: rows of camp's tables on PostgreSQL, `|`-separated, `;` ended
  pq() { pg_psql -d "$1" -At -c "SET search_path = camp, public; $2" | tr '\n' ';'; }
  sq() { sqlite3 "$1" "$2" | tr '\n' ';'; }
  # both NAME SQL: the same query on the SQLite file and on PostgreSQL
  both() { eq "pg policy: $1" "$(sq "$PX/$2.db" "$3")" "$(pq "$2" "$3")"; }
  load_pg() { # NAME CAMPFILE: the SQLite file NAME.db copied into database NAME
    pg_createdb "$1"
    "$BIN_DIR/pg_load" "$PX/$2" "$PX/$1.db" "$(pg_url "$1")" > "$PX/$1.load" 2>&1 ||
      t_fail "pg policy: copying $1: $(head -n 1 "$PX/$1.load")"
  }
  # on NAME ARGS...: a camp command on both backends; outputs must agree
  on() {
    n_=$1
    shift
    (cd "$PX" && camp "$@" --db "$n_.db" > "$PX/out.lite" 2>&1; echo "rc=$?" >> "$PX/out.lite")
    (cd "$PX" && camp "$@" --db "$(pg_url "$n_")" > "$PX/out.pg" 2>&1; echo "rc=$?" >> "$PX/out.pg")
    # (the wall-clock time a policy was installed: the two runs may straddle a second)
    sed -i -e "s#$(pg_url "$n_")#DB#g" -e 's/ in [0-9.]* s ([0-9]* messages\/s)//' \
      -e 's/, [0-9-]* [0-9:]*)$/, TIME)/' "$PX/out.pg"
    sed -i -e "s#$n_.db#DB#g" -e 's/ in [0-9.]* s ([0-9]* messages\/s)//' \
      -e 's/, [0-9-]* [0-9:]*)$/, TIME)/' "$PX/out.lite"
    if cmp -s "$PX/out.lite" "$PX/out.pg"; then t_pass; else
      t_fail "pg policy: camp $1 on $n_ differs between SQLite and PostgreSQL"
      t_diff "$PX/out.lite" "$PX/out.pg"
    fi
  }

  # 1. pressure again at send time (tests/policy_ext section 1's history)
  sqlite3 "$PX/press.db" < tests/policy_ext/press_send_fixture.sql
  load_pg press press_send.camp
  on press policy apply "$PX/press_send_rules.camp" --now "2026-03-10 08:00" # a fixed clock: both print the same install time
  on press run press_send.camp --campaign promo --now "2026-03-10 09:00"
  on press run press_send.camp --campaign vip --now "2026-03-10 09:00"
  sqlite3 "$PX/press.db" < tests/policy_ext/press_send_history.sql
  pg_psql -d press -c "SET search_path = camp, public" -f tests/policy_ext/press_send_history.sql > /dev/null
  on press send --channel email --now "2026-03-10 12:00"
  both "pressure at send: who was sent, who stopped" press \
    "SELECT r.campaign, CAST(o.recipient_key AS TEXT), o.status FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id
     WHERE r.campaign IN ('promo', 'vip') ORDER BY 1, CAST(o.recipient_key AS INTEGER)"
  eq "pg policy: pressure at send, the hand-worked answer" \
    "promo|1|suppressed;promo|2|sent;promo|3|suppressed;promo|4|suppressed;vip|4|sent;" \
    "$(pq press "SELECT r.campaign, o.recipient_key, o.status FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id
                 WHERE r.campaign IN ('promo', 'vip') ORDER BY 1, CAST(o.recipient_key AS INTEGER)")"

  # 2. waits until 08:00 local (Stockholm, New York, Kolkata, Sydney, ...)
  sqlite3 "$PX/local.db" < tests/policy_ext/local_fixture.sql
  load_pg local local.camp
  on local run local.camp --campaign morning --now "2026-03-28 12:30"
  both "local waits: each contact's due time" local \
    "SELECT CAST(recipient_key AS TEXT), policy_due_at FROM camp_outbox ORDER BY CAST(recipient_key AS INTEGER)"
  eq "pg policy: Stockholm's next 08:00 after the clocks change is 06:00 UTC" "2026-03-29 06:00:00" \
    "$(pq local "SELECT policy_due_at FROM camp_outbox WHERE recipient_key = '1'" | tr -d ';')"

  # 3. an A/B test: cells by seeded hash, clicks by hand, the winner to the rest
  sqlite3 "$PX/ab.db" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT);
    CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, at TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO customers SELECT i, 'c' || i, 'c' || i || '@x.se' FROM n;"
  load_pg ab ab.camp
  on ab run ab.camp --campaign offer --now "2026-03-02 09:00"
  both "A/B: the same cells" ab "SELECT cell, count(*) FROM camp_abtest_cells GROUP BY cell ORDER BY cell"
  both "A/B: the same members in cell B" ab \
    "SELECT CAST(recipient_key AS TEXT) FROM camp_abtest_cells WHERE cell = 'B' ORDER BY CAST(recipient_key AS INTEGER)"
  on ab send --now "2026-03-02 09:30"
  # in A the 10 lowest keys click, in B the 25 lowest (keys ordered as numbers on both)
  fb="INSERT INTO camp_feedback(outbox_id, event, at)
    SELECT o.id, 'clicked', '2026-03-02 12:00:00' FROM camp_outbox o JOIN camp_abtest_cells c
    ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key
    WHERE c.cell = 'A' AND CAST(o.recipient_key AS INTEGER) IN (SELECT CAST(recipient_key AS INTEGER) FROM camp_abtest_cells
      WHERE cell = 'A' ORDER BY CAST(recipient_key AS INTEGER) LIMIT 10)
    UNION ALL
    SELECT o.id, 'clicked', '2026-03-02 12:00:00' FROM camp_outbox o JOIN camp_abtest_cells c
    ON c.run_id = o.run_id AND c.step = o.step AND c.recipient_key = o.recipient_key
    WHERE c.cell = 'B' AND CAST(o.recipient_key AS INTEGER) IN (SELECT CAST(recipient_key AS INTEGER) FROM camp_abtest_cells
      WHERE cell = 'B' ORDER BY CAST(recipient_key AS INTEGER) LIMIT 25)"
  sqlite3 "$PX/ab.db" "$fb"
  pg_psql -d ab -c "SET search_path = camp, public; $fb" > /dev/null
  on ab resume --now "2026-03-04 09:00"
  both "A/B: the winner and when" ab "SELECT winner, decided_at FROM camp_abtest"
  eq "pg policy: A/B: B won on PostgreSQL" "B" "$(pq ab "SELECT winner FROM camp_abtest" | tr -d ';')"
  both "A/B: the rest got the winner's subject" ab \
    "SELECT o.subject, count(*) FROM camp_outbox o JOIN camp_abtest_cells c ON c.run_id = o.run_id
     AND c.step = o.step AND c.recipient_key = o.recipient_key WHERE c.cell = 'rest' GROUP BY 1"
  on ab report offer
  on ab report offer --format json
  srv_stop polsink
  eq "pg policy: the sink got every e-mail both backends sent" \
    "$(( $(sqlite3 "$PX/press.db" "SELECT count(*) FROM camp_outbox WHERE status = 'sent' AND run_id < 200")
        + $(sqlite3 "$PX/ab.db" "SELECT count(*) FROM camp_outbox WHERE status = 'sent'")
        + $(pq press "SELECT count(*) FROM camp_outbox WHERE status = 'sent' AND run_id < 200" | tr -d ';')
        + $(pq ab "SELECT count(*) FROM camp_outbox WHERE status = 'sent'" | tr -d ';') ))" \
    "$(wc -l < "$PX/sink.jsonl" | tr -d ' ')"
  srv_stop_all
  trap 'pg_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"' EXIT
fi
