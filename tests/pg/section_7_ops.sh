# section 7 of tests/pg/run.sh (sourced): operating campaigns on
# PostgreSQL gives SQLite's answers, command by command.
#
# The retail example's data (2,000 customers from retail-gen) is loaded into
# SQLite and copied into PostgreSQL; then the operations of the demo run on
# each backend: pressure rules (camp policy apply), three campaigns run and
# resumed, camp send into a local SMTP sink, suppressions, deploy, a test
# run, start, ticks with an approval, its reminder and deadline, campaigns,
# the audit, tasks with date formulas, status codes, the projected cost,
# budget, stock, offers and statistics.  Every command's output (timings and
# sizes left out) must be identical on the two backends, and the SMTP sink
# must receive the same number of messages from each.  Found this way:
# INTEGER PRIMARY KEY in camp's module tables, `? IS NULL` parameters,
# `CASE WHEN ?`, `SELECT changes()`, SQLite's datetime() for approval
# deadlines, sum(bigint) read as numeric, keys compared across types, a
# test run's shadow tables read from sqlite_master.

if want 7; then
  GEN=${GEN:-$(dirname "$CAMP")/retail-gen}
  if [ ! -x "$GEN" ] || [ ! -x "$BIN_DIR/pg_load" ]; then
    t_fail "pg ops: missing $GEN or $BIN_DIR/pg_load (make test-bins)"
  else
    OPS=$TMP/ops
    mkdir -p "$OPS"
    EX=$ROOT/examples/retail
    "$GEN" --out "$OPS/lite.db" --customers 2000 > /dev/null
    pg_createdb ops
    OPS_URL=$(pg_url ops)
    if ! "$BIN_DIR/pg_load" "$EX/campaigns/weekly_picks.camp" "$OPS/lite.db" "$OPS_URL" > "$OPS/load" 2>&1; then
      t_fail "pg ops: copying the retail data: $(head -n 1 "$OPS/load")"
    else
      . tests/servers/lib.sh
      SRV_ON_EXIT='pg_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"'
      srv_init "$OPS"
      # q DB SQL: one value from camp's tables on either backend
      q() {
        case $1 in
          postgresql*) pg_psql -d ops -At -c "SET search_path = camp, public; $2" | tail -n 1 ;;
          *) sqlite3 "$1" "$2" ;;
        esac
      }
      # o ARGS...: one camp command; its output, exit code and nothing that
      # depends on the machine (rates, durations, sizes)
      o() {
        ops_n=$((ops_n + 1))
        { echo "\$ $*"; camp "$@" 2>&1; echo "rc=$?"; } |
          sed -e "s#$ops_db#DB#g" -e 's/ in [0-9.]* s ([0-9]* messages\/s)//' -e '/^space: /d' \
          > "$(printf '%s/%02d.txt' "$ops_out" "$ops_n")"
      }
      ops_flow() {
        ops_db=$1 ops_out=$2 ops_n=0
        mkdir -p "$ops_out"
        o policy apply "$EX/policy.camp" --db "$ops_db" --now "2026-03-01 00:00"
        for c in spring_sale winback uppsala_opening; do
          o run "$EX/campaigns/$c.camp" --db "$ops_db" --now "2026-03-01 00:00"
        done
        for day in 2026-03-05 2026-03-14 2026-03-20; do o resume --db "$ops_db" --now "$day 12:00"; done
        o status --db "$ops_db"
        o outbox --db "$ops_db" --run 1 --format csv
        o send --db "$ops_db" --channel email --now "2026-03-20 12:00"
        o suppress add someone@example.com --channel email --db "$ops_db" --reason manual --now "2026-03-20 12:00"
        o suppress list --db "$ops_db"
        wp=$EX/campaigns/weekly_picks.camp
        o deploy "$wp" --db "$ops_db" --now "2026-03-01 00:00" --as lena --reason "spring programme"
        o run "$wp" --db "$ops_db" --test --now "2026-03-01 00:00" --as lena
        o start weekly_picks --db "$ops_db" --now "2026-03-01 12:00" --as lena --reason "test looked right"
        o tick --db "$ops_db" --now "2026-03-02 08:00" --as cron
        run=$(q "$ops_db" "SELECT run_id FROM camp_launches WHERE campaign = 'weekly_picks' AND state = 'started'
                           ORDER BY launch_at DESC LIMIT 1")
        o approve "$run" --db "$ops_db" --as omar --now "2026-03-02 08:30"
        o tick --db "$ops_db" --now "2026-03-05 08:00" --as cron
        o tick --db "$ops_db" --now "2026-03-05 12:00" --as cron
        o tick --db "$ops_db" --now "2026-03-05 20:00" --as cron
        o campaigns --db "$ops_db" --now "2026-03-05 20:00"
        o status --db "$ops_db" --campaign weekly_picks
        wb=$EX/campaigns/winback.camp
        o deploy "$wb" --db "$ops_db" --now "2026-03-01 00:00" --as lena --reason "spring programme"
        o tasks --db "$ops_db" --now "2026-03-05"
        brief=$(q "$ops_db" "SELECT id FROM camp_mops_tasks WHERE campaign = 'winback' AND name = 'brief'")
        o tasks --db "$ops_db" --done "$brief" --as lena --now "2026-03-05 09:00"
        o tasks --db "$ops_db" --who omar --now "2026-03-05"
        o set-status winback live --db "$ops_db" --as omar
        o set-status winback approved --db "$ops_db" --as omar --now "2026-03-05 10:00"
        o set-status winback live --db "$ops_db" --as omar --now "2026-03-05 10:05"
        o campaigns --db "$ops_db" --now "2026-03-05 20:00"
        o plan "$wb" --db "$ops_db" --now "2026-03-01 00:00"
        o budget --db "$ops_db"
        o stock --db "$ops_db" --now "2026-03-05 20:00"
        o stock order vouchers 1500 --db "$ops_db" --as omar --reason "reprint" --now "2026-03-06 09:00"
        o segment apply "$wb" --db "$ops_db" --as lena --now "2026-03-06 08:00"
        o offers activate winback --db "$ops_db" --as lena --now "2026-03-06 09:00"
        member=$(q "$ops_db" "SELECT contact FROM camp_offer_prices WHERE campaign = 'winback'
                              ORDER BY CAST(contact AS INTEGER) LIMIT 1")
        o offers --db "$ops_db" --contact "$member" --item ANY --on 2026-03-20
        o stats winback --db "$ops_db" --format csv
        o status --db "$ops_db"
      }
      for side in lite pg; do
        srv_smtp "sink_$side" --log "$OPS/$side.jsonl" --no-data
        RETAIL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT"
        export RETAIL_SMTP_URL
        if [ $side = lite ]; then (cd "$OPS" && ops_flow lite.db "$OPS/out.lite"); else (cd "$OPS" && ops_flow "$OPS_URL" "$OPS/out.pg"); fi
        srv_stop "sink_$side"
      done
      for f in "$OPS"/out.lite/*.txt; do
        b=$(basename "$f")
        if cmp -s "$f" "$OPS/out.pg/$b"; then
          t_pass
        else
          t_fail "pg ops: $(head -n 1 "$f" | cut -c 1-90) differs between SQLite and PostgreSQL"
          t_diff "$f" "$OPS/out.pg/$b"
        fi
      done
      eq "pg ops: every command of the flow ran" 39 "$(ls "$OPS"/out.pg | wc -l | tr -d ' ')"
      # the flow did what the demo says, on PostgreSQL (numbers from its tables)
      eq "pg ops: only the skipped status change failed" "1" "$(grep -l '^rc=[^0]' "$OPS"/out.pg/*.txt | wc -l | tr -d ' ')"
      sent=$(pg_psql -d ops -At -c "SELECT (SELECT count(*) FROM camp.camp_outbox WHERE status = 'sent' AND channel = 'email')
                                         + (SELECT count(*) FROM camp.camp_notifications WHERE status = 'sent')")
      eq "pg ops: the sink received every sent e-mail and notification" "$sent" "$(wc -l < "$OPS/pg.jsonl" | tr -d ' ')"
      eq "pg ops: both backends sent as many" "$(wc -l < "$OPS/lite.jsonl" | tr -d ' ')" "$(wc -l < "$OPS/pg.jsonl" | tr -d ' ')"
      eq "pg ops: the approval was decided by omar" "approved omar" \
        "$(pg_psql -d ops -At -F ' ' -c "SELECT state, decided_by FROM camp.camp_approvals ORDER BY run_id LIMIT 1")"
      eq "pg ops: pressure took recipients out (as on SQLite)" \
        "$(q "$OPS/lite.db" "SELECT count(*) FROM camp_policy_removed WHERE reason = 'pressure'")" \
        "$(q "$OPS_URL" "SELECT count(*) FROM camp_policy_removed WHERE reason = 'pressure'")"
      [ "$(q "$OPS_URL" "SELECT count(*) FROM camp_policy_removed WHERE reason = 'pressure'")" -gt 0 ] &&
        t_pass || t_fail "pg ops: the pressure rules removed nobody (the flow no longer exercises them)"
      used=$(q "$OPS_URL" "SELECT count(*) FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id
                           WHERE r.campaign = 'winback' AND o.step = 'high_post'")
      eq "pg ops: camp stock counts one voucher per direct-mail message" "vouchers 2500 0 $used $((2500 - used))" \
        "$(grep -h '^vouchers' "$(grep -l '^\$ stock --db' "$OPS"/out.pg/*.txt)" | awk '{print $1, $2, $3, $4, $5}')"
      srv_stop_all
      trap 'pg_stop; [ -n "${PG_KEEP:-}" ] || rm -rf "$TMP"' EXIT
    fi
  fi
fi
