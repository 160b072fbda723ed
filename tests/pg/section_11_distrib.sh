# section 11 of tests/pg/run.sh (sourced): distributed marketing on
# PostgreSQL.  examples/franchise's story (24 stores, a manual and an
# automatic package, a by-target-approval campaign where stores remove
# contacts before the deadline) is played on a SQLite file and on
# PostgreSQL with the same commands; every command's output and the stored
# answers (orders, hand-outs, contact decisions, notifications, the outbox,
# the cost shares) must agree, and PostgreSQL must send the 91 e-mails
# worked out by hand in examples/franchise/run.sh.

BIN_DIR=${TEST_BIN_DIR:-build/tests}
if want 11; then
  FX=$TMP/franchise
  mkdir -p "$FX"
  cp examples/franchise/*.camp "$FX"/
  sqlite3 "$FX/fr.db" < examples/franchise/data.sql
  pg_createdb fr
  FR_URL=$(pg_url fr)
  if ! "$BIN_DIR/pg_load" "$FX/campaigns.camp" "$FX/fr.db" "$FR_URL" > "$FX/load" 2>&1; then
    t_fail "pg distrib: copying the franchise data: $(head -n 1 "$FX/load")"
  else
    fq() { pg_psql -d fr -At -c "SET search_path = camp, public; $1" | tr '\n' ';'; }
    fs() { sqlite3 "$FX/fr.db" "$1" | tr '\n' ';'; }
    same() { eq "pg distrib: $1" "$(fs "$2")" "$(fq "$2")"; }
    # fr ARGS...: a camp command on both backends, outputs compared
    fr() {
      (cd "$FX" && camp "$@" --db fr.db > out.lite 2>&1; echo "rc=$?" >> out.lite)
      (cd "$FX" && camp "$@" --db "$FR_URL" > out.pg 2>&1; echo "rc=$?" >> out.pg)
      # a send's duration and rate depend on the machine
      sed -i -e "s#$FR_URL#DB#g" -e 's/ in [0-9.]* s ([0-9]* messages\/s)//' "$FX/out.pg"
      sed -i -e "s#fr\.db#DB#g" -e 's/ in [0-9.]* s ([0-9]* messages\/s)//' "$FX/out.lite"
      if cmp -s "$FX/out.lite" "$FX/out.pg"; then t_pass; else
        t_fail "pg distrib: camp $1 $2 differs between SQLite and PostgreSQL"
        t_diff "$FX/out.lite" "$FX/out.pg"
      fi
    }
    fr packages sync campaigns.camp --now "2026-03-01 08:00"
    for k in 1 2 3 4 5 6 7 8; do
      fr packages order spring_kit --as m0$k --params "{\"discount\": $((10 + k))}" --now "2026-03-02 10:00"
    done
    fr packages order spring_kit --as m06 --params '{"discount": 40}' --now "2026-03-02 10:00"
    for k in 1 2 3 4 5 6 7; do
      fr packages approve spring_kit --entity s0$k --as hq_lena --now "2026-03-02 11:00"
    done
    fr packages reject spring_kit --entity s08 --as hq_lena --now "2026-03-02 11:00"
    fr packages unsubscribe loyalty_push --as m20 --now "2026-03-02 10:00"
    fr packages order loyalty_push --as m14 --params '{"discount": 12}' --now "2026-03-02 10:00"
    same "orders" "SELECT package, entity, state FROM camp_distrib_orders ORDER BY 1, 2"
    fr run campaigns.camp --campaign spring_target --now "2026-03-02 09:00"
    same "hand-outs" "SELECT entity, contacts FROM camp_distrib_requests ORDER BY 1"
    fr tick --now "2026-03-03 09:30"
    for k in 1 2 3 4 5 6; do
      keys=$(sqlite3 "$FX/fr.db" "SELECT group_concat(id) FROM customers WHERE store_id = $k AND loyalty = 0 AND email IS NOT NULL")
      fr packages remove-contacts 1 --step ok --keys "$keys" --as m0$k --now "2026-03-04 10:00"
    done
    fr packages remove-contacts 1 --step ok --all --as m07 --now "2026-03-04 10:00"
    fr packages approve-contacts 1 --step ok --all --as m02 --now "2026-03-04 11:00"
    fr packages approve-contacts 1 --step ok --all --as m08 --now "2026-03-04 10:00"
    same "contact decisions" "SELECT state, count(*) FROM camp_distrib_contacts GROUP BY state ORDER BY state"
    fr tick --now "2026-03-05 09:00"
    same "the outbox" "SELECT CAST(recipient_key AS TEXT), subject FROM camp_outbox WHERE run_id = 1
                       ORDER BY CAST(recipient_key AS INTEGER)"
    same "notifications" "SELECT kind, count(*) FROM camp_notifications GROUP BY kind ORDER BY kind"
    eq "pg distrib: the 91 e-mails worked out by hand" 91 "$(fq "SELECT count(*) FROM camp_outbox WHERE run_id = 1" | tr -d ';')"
    fr packages costs spring_kit
    fr status 1
  fi
fi
