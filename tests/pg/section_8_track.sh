# section 8 of tests/pg/run.sh (sourced): the tracking server on
# PostgreSQL.  tests/track's fixture is copied into PostgreSQL, its news
# campaign run with tracked links, and a real `camp track --db URL` server
# (loopback, a free port, stopped at the end) gets a click, an open, a
# forged token and a one-click unsubscribe; the events land in PostgreSQL's
# camp_feedback and camp_suppression exactly as on SQLite (tests/track), and
# the next run of the campaign leaves the unsubscribed address out.

if want 8; then
  TR=$TMP/track
  mkdir -p "$TR"
  cp tests/track/*.camp "$TR"/
  cp -R tests/track/templates "$TR"/
  sqlite3 -batch "$TR/db.sqlite" < tests/track/fixture.sql
  pg_createdb track
  TR_URL=$(pg_url track)
  tq() { pg_psql -d track -At -c "SET search_path = camp, public; $1" | tail -n +1; }
  if ! "$BIN_DIR/pg_load" "$TR/news.camp" "$TR/db.sqlite" "$TR_URL" > "$TR/load" 2>&1; then
    t_fail "pg track: copying the fixture: $(head -n 1 "$TR/load")"
  else
    export CAMP_TRACK_KEY=pg-track-tests-key-0123456789abcdef0123
    base=http://127.0.0.1:9/t
    (cd "$TR" && camp run news.camp --db "$TR_URL" --now 2026-03-01 --track-url "$base" > run.out 2>&1)
    eq "pg track: run exit" 0 $?
    eq "pg track: 5 messages, 10 links" "5|10" "$(tq "SELECT (SELECT count(*) FROM camp_outbox) || '|' || count(*) FROM camp_links")"
    "$CAMP" track --db "$TR_URL" --listen 127.0.0.1:0 > "$TR/server.out" 2> "$TR/server.err" &
    tr_pid=$!
    port= i=0
    while [ $i -lt 100 ]; do
      port=$(sed -n 's/^camp track: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TR/server.out")
      [ -n "$port" ] && curl -s -o /dev/null "http://127.0.0.1:$port/" && break
      kill -0 "$tr_pid" 2> /dev/null || break
      sleep 0.1
      i=$((i + 1))
    done
    if [ -z "$port" ]; then
      t_fail "pg track: camp track did not start: $(cat "$TR/server.err")"
    else
      u=http://127.0.0.1:$port/t
      tpath() { tq "SELECT body FROM camp_outbox WHERE id = $1" | grep -o "/$2/[A-Za-z0-9_-]*" | sed -n "${3:-1}p"; }
      code() { u_=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u_"; }
      c1=$(tpath 1 c 1)
      eq "pg track: click goes to the original URL" "302 https://shop.example.com/spring?utm=mail&x=1" \
        "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$u$c1")"
      eq "pg track: the second link of message 4" "https://shop.example.com/stores" \
        "$(curl -s -o /dev/null -w '%{redirect_url}' "$u$(tpath 4 c 2)")"
      tok=${c1#/c/}
      eq "pg track: truncated token -> 403" 403 "$(code "$u/c/${tok%?}")"
      eq "pg track: click token used as unsubscribe -> 403" 403 "$(code "$u/u/$tok" -X POST -d 'List-Unsubscribe=One-Click')"
      eq "pg track: open pixel" 200 "$(code "$u$(tpath 2 o)")"
      eq "pg track: one-click unsubscribe" 200 "$(code "$u$(tpath 2 u)" -X POST -d 'List-Unsubscribe=One-Click')"
      eq "pg track: events recorded" "clicked|1|0;clicked|4|1;opened|2|;unsubscribed|2|;" \
        "$(tq "SELECT event || '|' || outbox_id || '|' || coalesce(CAST(link AS TEXT), '') || ';' FROM camp_feedback
               ORDER BY event, outbox_id" | tr -d '\n')"
      eq "pg track: the opt-out, lower-cased" "email|bo@example.com|unsubscribed|track|2" \
        "$(tq "SELECT channel || '|' || address || '|' || reason || '|' || source || '|' || outbox_id FROM camp_suppression")"
    fi
    kill -TERM "$tr_pid" 2> /dev/null
    wait "$tr_pid"
    eq "pg track: SIGTERM stops the server cleanly" 0 $?
    (cd "$TR" && camp run news.camp --db "$TR_URL" --now 2026-03-02 --track-url "$base" --new-run > run2.out 2>&1)
    eq "pg track: the next run leaves Bo out" "queued|4;suppressed|1;" \
      "$(tq "SELECT status || '|' || count(*) || ';' FROM camp_outbox WHERE run_id = 2 GROUP BY status ORDER BY status" | tr -d '\n')"
    unset CAMP_TRACK_KEY
  fi
fi
