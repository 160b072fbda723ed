#!/bin/sh
# tests/track/run.sh CAMP — tracking, unsubscribe, feedback import,
# template formatting and preview, against a real `camp track` server that
# this script starts on a free loopback port and always stops (trap).
# POSIX sh + sqlite3 + jq + curl + ab.  Last line: `track: N passed, N failed`.
#
# Expected answers are worked out by hand from fixture.sql and the
# templates (never taken from camp's own output): which messages exist,
# their links, which rows each hit or import adds, the formatted values.
#
# Sections: 1 link rewriting, 2 server (tokens, clicks, opens, unsubscribe,
# limits), 3 suppression and retarget, 4 feedback import, 5 templates,
# 6 preview, 7 load (>= 100,000 hits).  TR_ONLY="1 7" runs only those;
# TRACK_LOAD_HITS sets the load test's hit count (default 100000).

if [ $# -ne 1 ]; then
  echo "usage: sh tests/track/run.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
for tool in sqlite3 jq curl ab; do
  command -v "$tool" > /dev/null || { echo "track: $tool is not installed (make deps)" >&2; exit 2; }
done

# tmpfs when there is one: the load test commits thousands of times.
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
TMP=$(mktemp -d "${TMPDIR:-$base}/camp-track.XXXXXX") || exit 2
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null
    wait "$SERVER_PID" 2> /dev/null
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1
KEY=track-tests-key-0123456789abcdef0123456789
OTHER_KEY=another-key-that-signs-nothing-here-0123456789
export CAMP_TRACK_KEY=$KEY
unset CAMP_TRACK_URL
BASE=http://127.0.0.1:9/t   # what the messages say; the tests talk to the real port

camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
want() { [ -z "${TR_ONLY:-}" ] && return 0; case " $TR_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
has() {
  if grep -qF -e "$3" "$2"; then t_pass; else
    t_fail "$1: no \`$3\` in:"
    sed -n '1,12s/^/    /p' "$2"
  fi
}
hasnt() { if grep -qF -e "$3" "$2"; then t_fail "$1: unexpected \`$3\`"; else t_pass; fi; }
NB=$(printf '\302\240')  # U+00A0, CLDR's space in sv/de numbers

# ws NAME: a fresh workspace with the fixture files and db.sqlite.
ws() {
  d=$TMP/$1
  rm -rf "$d"
  mkdir -p "$d"
  cp "$HERE"/*.camp "$d"/
  cp -R "$HERE/templates" "$d"/
  sqlite3 -batch "$d/db.sqlite" < "$HERE/fixture.sql"
  echo "$d"
}

# start_server DB: camp track on 127.0.0.1, port 0 (the kernel picks a free
# one); sets PORT and URL once it answers.  Fails the test after 10 s.
start_server() {
  "$CAMP" track --db "$1" --listen 127.0.0.1:0 > "$TMP/server.out" 2> "$TMP/server.err" &
  SERVER_PID=$!
  PORT=
  i=0
  while [ $i -lt 100 ]; do
    PORT=$(sed -n 's/^camp track: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/server.out")
    if [ -n "$PORT" ] && curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
      URL=http://127.0.0.1:$PORT/t
      return 0
    fi
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
    i=$((i + 1))
  done
  t_fail "camp track did not start: $(cat "$TMP/server.err")"
  return 1
}

# path DB ID KIND [N]: the /KIND/TOKEN path of message ID's N-th (1-based)
# tracking URL of that kind in its stored body.
path() {
  q "$1" "SELECT body FROM camp_outbox WHERE id = $2" | grep -o "/$3/[A-Za-z0-9_-]*" | sed -n "${4:-1}p"
}
# code URL [curl args]: the HTTP status.
code() { u_=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u_"; }
fb() { q "$1" "SELECT count(*) FROM camp_feedback"; }

# Messages of news.camp (keys in order): 1 anna, 2 Bo, 3 carl, 4 dana, 5 eve.
run_news() { # DIR [NOW]  (--new-run: a later call is a second run of news on purpose)
  (cd "$1" && camp run news.camp --db db.sqlite --now "${2:-2026-03-01}" --track-url "$BASE" --new-run > run.out 2>&1)
}

# ---- 1. link rewriting at queue time ------------------------------------------------
section_links() {
  W=$(ws links)
  D=$W/db.sqlite
  run_news "$W"
  eq "links: run exit" 0 $?
  eq "links: 5 messages" 5 "$(q "$D" "SELECT count(*) FROM camp_outbox")"
  # Two http(s) links per message (mailto, #top and the comment are not links).
  eq "links: 2 links per message" "5|10" "$(q "$D" "SELECT count(DISTINCT outbox_id), count(*) FROM camp_links")"
  eq "links: originals, entities decoded" \
    "0|https://shop.example.com/spring?utm=mail&x=1;1|https://shop.example.com/stores;" \
    "$(q "$D" "SELECT idx || '|' || url || ';' FROM camp_links WHERE outbox_id = 3 ORDER BY idx" | tr -d '\n')"
  q "$D" "SELECT body FROM camp_outbox WHERE id = 1" > "$W/body1.html"
  hasnt "links: no original link left" "$W/body1.html" 'href="https://shop'
  has "links: mailto kept" "$W/body1.html" 'href="mailto:help@example.com"'
  has "links: anchor kept" "$W/body1.html" 'href="#top"'
  has "links: comment kept byte for byte" "$W/body1.html" '<!-- <a href="https://hidden.example.com/">not a link</a> -->'
  eq "links: 2 click URLs" 2 "$(grep -o "$BASE/c/[A-Za-z0-9_-]*" "$W/body1.html" | sort -u | wc -l | tr -d ' ')"
  eq "links: 1 unsubscribe URL" 1 "$(grep -c "href=\"$BASE/u/" "$W/body1.html")"
  eq "links: open pixel before </body>" 1 "$(grep -c "<img src=\"$BASE/o/[A-Za-z0-9_-]*\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\"></body>" "$W/body1.html")"
  # The key never reaches the database or the output.
  eq "links: key not stored" 0 "$(sqlite3 "$D" .dump | grep -c "$KEY")"
  eq "links: key not printed" 0 "$(grep -c "$KEY" "$W/run.out")"
  # Without CAMP_TRACK_URL nothing is rewritten.
  W2=$(ws plain)
  (cd "$W2" && camp run news.camp --db db.sqlite --now 2026-03-01 > /dev/null 2>&1)
  eq "links: untracked run keeps links" "0|5" \
    "$(q "$W2/db.sqlite" "SELECT (SELECT count(*) FROM camp_links), count(*) FROM camp_outbox WHERE body LIKE '%href=\"https://shop.example.com/spring?utm=mail&amp;x=1\"%'")"
  # A tracking URL without a key is refused before anything is queued.
  W3=$(ws nokey)
  (cd "$W3" && CAMP_TRACK_KEY= camp run news.camp --db db.sqlite --now 2026-03-01 --track-url "$BASE" > out.txt 2>&1)
  eq "links: no key -> error" "1|0" "$?|$(q "$W3/db.sqlite" "SELECT count(*) FROM camp_outbox")"
  has "links: no key message" "$W3/out.txt" "CAMP_TRACK_KEY is not set"
  (cd "$W3" && camp run news.camp --db db.sqlite --now 2026-03-01 --track-url 'ftp://x' > out.txt 2>&1)
  eq "links: bad URL -> error" "1|0" "$?|$(q "$W3/db.sqlite" "SELECT count(*) FROM camp_outbox")"
  # A run started by a camp without the tracking tables: resume adds them
  # before its channel steps queue (they read camp_suppression).
  O=$(ws old)
  (cd "$O" && camp run nudge.camp --db db.sqlite --now 2026-03-01 > /dev/null 2>&1)
  q "$O/db.sqlite" "DROP TABLE camp_links; DROP TABLE camp_suppression;
                    DELETE FROM camp_meta WHERE key = 'track_schema_version'"
  (cd "$O" && camp resume --db db.sqlite --now 2026-03-05 > out.txt 2>&1)
  eq "links: resume of an older database" "0|done|1" \
    "$?|$(q "$O/db.sqlite" "SELECT state FROM camp_runs")|$(q "$O/db.sqlite" "SELECT count(*) FROM sqlite_master WHERE name = 'camp_suppression'")"
}

# ---- 2. the server ---------------------------------------------------------------------
section_server() {
  W=$(ws server)
  D=$W/db.sqlite
  run_news "$W"
  # Tokens of other databases: the same messages signed with another key,
  # and message 9 (which this database lacks) signed with the right key.
  F=$(ws forged)
  (cd "$F" && CAMP_TRACK_KEY=$OTHER_KEY camp run news.camp --db db.sqlite --now 2026-03-01 --track-url "$BASE" > /dev/null 2>&1)
  G=$(ws ghost)
  q "$G/db.sqlite" "INSERT INTO customers(id, email) SELECT 100 + value, 'x' || value || '@example.com' FROM generate_series(1, 4)" 2> /dev/null ||
    q "$G/db.sqlite" "INSERT INTO customers(id, email) VALUES (101,'x1@e.com'),(102,'x2@e.com'),(103,'x3@e.com'),(104,'x4@e.com')"
  run_news "$G"
  start_server "$D" || return
  C1=$(path "$D" 1 c 1)
  eq "server: click -> 302" 302 "$(code "$URL$C1")"
  eq "server: click goes to the original URL" "https://shop.example.com/spring?utm=mail&x=1" \
    "$(curl -s -o /dev/null -w '%{redirect_url}' "$URL$C1")"
  eq "server: second link" "https://shop.example.com/stores" \
    "$(curl -s -o /dev/null -w '%{redirect_url}' "$URL$(path "$D" 4 c 2)")"
  eq "server: clicks recorded with their link" "1|0|2;4|1|1;" \
    "$(q "$D" "SELECT outbox_id || '|' || link || '|' || count(*) || ';' FROM camp_feedback WHERE event = 'clicked' GROUP BY outbox_id, link ORDER BY outbox_id" | tr -d '\n')"
  # A proxy prefix is not needed: /c/TOKEN works as well as /t/c/TOKEN.
  eq "server: without the base path" 302 "$(code "http://127.0.0.1:$PORT$C1")"
  n0=$(fb "$D")
  # Tampering: every character of the token changed in turn (a sample).
  tok=${C1#/c/}
  bad=0
  for i in 1 5 10 20 30 39 40; do
    ch=$(printf '%s' "$tok" | cut -c"$i")
    rep=A
    [ "$ch" = A ] && rep=B
    t2=$(printf '%s' "$tok" | sed "s/./$rep/$i")
    c_=$(code "$URL/c/$t2")
    [ "$c_" = 403 ] || bad=$((bad + 1))
  done
  eq "server: tampered tokens -> 403" 0 "$bad"
  eq "server: truncated token -> 403" 403 "$(code "$URL/c/${tok%?}")"
  eq "server: extended token -> 403" 403 "$(code "$URL/c/${tok}A")"
  eq "server: token of another key -> 403" 403 "$(code "$URL$(path "$F/db.sqlite" 1 c 1)")"
  eq "server: open token used as click -> 403" 403 "$(code "$URL/c/$(path "$D" 1 o | sed 's|/o/||')")"
  eq "server: click token used as unsubscribe -> 403" 403 "$(code "$URL/u/$tok" -X POST -d 'List-Unsubscribe=One-Click')"
  eq "server: garbage -> 403" 403 "$(code "$URL/c/..%2f..%2fetc%2fpasswd")"
  eq "server: unknown message (valid signature) -> 404" 404 "$(code "$URL$(path "$G/db.sqlite" 9 c 1)")"
  eq "server: nothing recorded for rejected hits" "$n0" "$(fb "$D")"
  # Open pixel.
  O2=$(path "$D" 2 o)
  curl -s -D "$TMP/h" -o "$TMP/pix.gif" "$URL$O2"
  has "server: pixel is a GIF" "$TMP/h" "Content-Type: image/gif"
  has "server: pixel not cached" "$TMP/h" "Cache-Control: no-store"
  eq "server: pixel is 43 bytes, GIF89a" "43 GIF89a" "$(wc -c < "$TMP/pix.gif" | tr -d ' ') $(head -c 6 "$TMP/pix.gif")"
  code "$URL$O2" > /dev/null
  eq "server: two opens recorded" 2 "$(q "$D" "SELECT count(*) FROM camp_feedback WHERE event = 'opened' AND outbox_id = 2")"
  eq "server: HEAD records nothing" "200|2" "$(code "$URL$O2" -I)|$(q "$D" "SELECT count(*) FROM camp_feedback WHERE event = 'opened'")"
  eq "server: other methods -> 405" 405 "$(code "$URL$O2" -X DELETE)"
  # Unsubscribe: the page on GET records nothing.
  U1=$(path "$D" 1 u)
  curl -s -o "$TMP/page.html" "$URL$U1"
  has "server: unsubscribe page has a form" "$TMP/page.html" '<form method="post">'
  has "server: the form posts one-click" "$TMP/page.html" 'name="List-Unsubscribe" value="One-Click"'
  eq "server: GET unsubscribes nobody" "0|0" \
    "$(q "$D" "SELECT (SELECT count(*) FROM camp_feedback WHERE event = 'unsubscribed'), count(*) FROM camp_suppression")"
  eq "server: POST without one-click -> 400" 400 "$(code "$URL$U1" -X POST -d 'x=1')"
  head -c 5000 /dev/zero | tr '\0' 'a' > "$TMP/big"
  eq "server: POST body over 1 KiB -> 413" 413 "$(code "$URL$U1" -X POST --data-binary @"$TMP/big")"
  eq "server: nothing recorded yet" "0|0" \
    "$(q "$D" "SELECT (SELECT count(*) FROM camp_feedback WHERE event = 'unsubscribed'), count(*) FROM camp_suppression")"
  eq "server: one-click POST -> 200" 200 "$(code "$URL$U1" -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d 'List-Unsubscribe=One-Click')"
  eq "server: POST again -> 200" 200 "$(code "$URL$U1" -X POST -d 'List-Unsubscribe=One-Click')"
  eq "server: unsubscribed once" "1|1" "$(q "$D" "SELECT count(*), max(outbox_id) FROM camp_feedback WHERE event = 'unsubscribed'")"
  eq "server: opt-out recorded" "email|anna@example.com|unsubscribed|track|1" \
    "$(q "$D" "SELECT channel, address, reason, source, outbox_id FROM camp_suppression")"
  # Bo's address is mixed case: the opt-out is stored lower-case.
  code "$URL$(path "$D" 2 u)" -X POST -d 'List-Unsubscribe=One-Click' > /dev/null
  eq "server: address normalized" "anna@example.com;bo@example.com;" \
    "$(q "$D" "SELECT address || ';' FROM camp_suppression ORDER BY 1" | tr -d '\n')"
  # Oversized headers are refused by the connection memory limit.
  long=$(head -c 20000 /dev/zero | tr '\0' 'b')
  c_=$(code "$URL$O2" -H "X-Long: $long")
  case $c_ in 413 | 431 | 400 | 414 | 000) t_pass ;; *) t_fail "server: oversized header: got $c_" ;; esac
  # A clean stop on SIGTERM: exit 0 and a summary that counts the events.
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID"
  eq "server: SIGTERM exit" 0 $?
  SERVER_PID=
  has "server: stop summary" "$TMP/server.out" "camp track: stopped (SIGTERM)"
  has "server: events counted" "$TMP/server.out" "$(q "$D" "SELECT count(*) FROM camp_feedback") events recorded"
  eq "server: key never printed" 0 "$(cat "$TMP/server.out" "$TMP/server.err" | grep -c "$KEY")"
  # Refusals before serving.
  CAMP_TRACK_KEY= camp track --db "$D" --listen 127.0.0.1:0 > /dev/null 2> "$TMP/e"
  eq "server: no key -> exit 2" 2 $?
  camp track --db "$D" --listen nonsense > /dev/null 2> "$TMP/e"
  eq "server: bad --listen -> exit 1" 1 $?
  has "server: bad --listen message" "$TMP/e" "expected HOST:PORT"
}

# ---- 3. suppression of later sends, retarget on tracked opens ----------------------------
section_suppress() {
  W=$(ws supp)
  D=$W/db.sqlite
  run_news "$W"
  start_server "$D" || return
  code "$URL$(path "$D" 3 u)" -X POST -d 'List-Unsubscribe=One-Click' > /dev/null
  stop_server
  # The next run queues carl's message as suppressed, the others as queued.
  run_news "$W" 2026-03-05
  eq "suppress: statuses of run 2" "queued|4;suppressed|1;" \
    "$(q "$D" "SELECT status || '|' || count(*) || ';' FROM camp_outbox WHERE run_id = 2 GROUP BY status ORDER BY 1" | tr -d '\n')"
  eq "suppress: carl is the suppressed one" 3 "$(q "$D" "SELECT recipient_key FROM camp_outbox WHERE run_id = 2 AND status = 'suppressed'")"
  eq "suppress: a suppressed message has no tracked links" 0 \
    "$(q "$D" "SELECT count(*) FROM camp_links l JOIN camp_outbox o ON o.id = l.outbox_id WHERE o.status = 'suppressed'")"
  eq "suppress: warning recorded" "1 message suppressed: the address opted out or bounced (camp_suppression)|1" \
    "$(q "$D" "SELECT message || '|' || count FROM camp_warnings WHERE run_id = 2 AND message LIKE '%suppressed%'")"
  # retarget reads the tracked opens: nudge.camp at the real clock.
  N=$(ws nudge)
  ND=$N/db.sqlite
  now=$(date -u '+%Y-%m-%d %H:%M:%S')
  later=$(date -u -d '+2 days' '+%Y-%m-%d %H:%M:%S')
  (cd "$N" && camp run nudge.camp --db db.sqlite --now "$now" --track-url "$BASE" > /dev/null 2>&1)
  start_server "$ND" || return
  code "$URL$(path "$ND" 1 o)" > /dev/null   # anna opens
  code "$URL$(path "$ND" 5 o)" > /dev/null   # eve opens
  code "$URL$(path "$ND" 2 c 1)" > /dev/null # Bo clicks only
  stop_server
  (cd "$N" && camp resume --db db.sqlite --now "$later" > /dev/null 2>&1)
  eq "retarget: opened within 1d -> sms to anna and eve" "1|+46701;5|+46705;" \
    "$(q "$ND" "SELECT recipient_key || '|' || address || ';' FROM camp_outbox WHERE channel = 'sms' ORDER BY 1" | tr -d '\n')"
}

# ---- 4. feedback import -------------------------------------------------------------------
section_feedback() {
  W=$(ws fb)
  D=$W/db.sqlite
  (cd "$W" && camp run news.camp --db db.sqlite --now 2026-03-01 > /dev/null 2>&1)
  cat > "$W/events.csv" << 'CSV'
event,type,outbox_id,at,reason
delivered,,1,2026-03-01 08:00:00,
bounced,hard,2,2026-03-01T08:01:02Z,550 5.1.1 user unknown
bounced,soft,3,2026-03-01 08:02,452 mailbox full
complaint,,4,1772352000,
delivered,,5,2026-03-01 08:05:00.250+00:00,
CSV
  camp feedback import "$W/events.csv" --db "$D" > "$W/out" 2> "$W/err"
  eq "feedback: CSV import exit" 0 $?
  has "feedback: summary" "$W/out" "imported 5 events from $W/events.csv: 2 delivered, 1 hard bounces, 1 soft bounces, 1 complaints; 0 already present; 2 addresses suppressed"
  # 1772352000 = 2026-03-01 08:00:00 UTC (20513 days * 86400 + 8 h).
  eq "feedback: rows" "1|delivered|2026-03-01 08:00:00|;2|bounced|2026-03-01 08:01:02|hard: 550 5.1.1 user unknown;3|bounced|2026-03-01 08:02:00|soft: 452 mailbox full;4|complained|2026-03-01 08:00:00|;5|delivered|2026-03-01 08:05:00|;" \
    "$(q "$D" "SELECT outbox_id || '|' || event || '|' || at || '|' || coalesce(detail, '') || ';' FROM camp_feedback ORDER BY outbox_id" | tr -d '\n')"
  eq "feedback: suppressed (hard bounce, complaint)" "email|bo@example.com|bounced_hard;email|dana@example.com|complaint;" \
    "$(q "$D" "SELECT channel || '|' || address || '|' || reason || ';' FROM camp_suppression ORDER BY address" | tr -d '\n')"
  camp feedback import "$W/events.csv" --db "$D" > "$W/out" 2> "$W/err"
  has "feedback: a second import adds nothing" "$W/out" "imported 0 events from $W/events.csv: 0 delivered, 0 hard bounces, 0 soft bounces, 0 complaints; 5 already present; 0 addresses suppressed"
  eq "feedback: still 5 rows" 5 "$(fb "$D")"
  # JSON lines, matched by the provider's message id (which camp send
  # stores in camp_outbox.provider_message_id; set here by hand).
  q "$D" "UPDATE camp_outbox SET provider_message_id = 'esp-' || id"
  printf '%s\n' '{"event":"bounced","type":"soft","provider_id":"esp-1","at":"2026-03-02 10:00:00","reason":"421 try later"}' \
    '' '{"event":"delivered","provider_id":"esp-3","at":1772445600}' > "$W/events.jsonl"
  camp feedback import "$W/events.jsonl" --db "$D" > "$W/out" 2> "$W/err"
  eq "feedback: JSON lines exit" 0 $?
  eq "feedback: JSON rows" "1|bounced|2026-03-02 10:00:00|soft: 421 try later;3|delivered|2026-03-02 10:00:00|;" \
    "$(q "$D" "SELECT outbox_id || '|' || event || '|' || at || '|' || coalesce(detail, '') || ';' FROM camp_feedback WHERE at >= '2026-03-02' ORDER BY outbox_id" | tr -d '\n')"
  # Bad rows: every one reported with its line, nothing imported.
  cat > "$W/bad.csv" << 'CSV'
event,type,outbox_id,provider_id,at
delivered,,1,,2026-03-03 00:00:00
opened,,2,,
bounced,,2,,
delivered,,999,,
delivered,,,esp-nope,
delivered,,1,,yesterday
delivered,,,,
CSV
  n0=$(fb "$D")
  s0=$(q "$D" "SELECT count(*) FROM camp_suppression")
  camp feedback import "$W/bad.csv" --db "$D" > "$W/out" 2> "$W/err"
  eq "feedback: bad file exit" 1 $?
  has "feedback: line 3" "$W/err" "bad.csv:3: event \`opened\` is not delivered, bounced or complaint"
  has "feedback: line 4" "$W/err" "bad.csv:4: a bounce needs \`type\` hard or soft"
  has "feedback: line 5" "$W/err" "bad.csv:5: no message with outbox_id 999"
  has "feedback: line 6" "$W/err" "bad.csv:6: no message with provider_id \`esp-nope\`"
  has "feedback: line 7" "$W/err" "bad.csv:7: \`at\` value \`yesterday\` is not a time"
  has "feedback: line 8" "$W/err" "bad.csv:8: no message named"
  has "feedback: total" "$W/err" "6 bad rows in $W/bad.csv: nothing imported"
  eq "feedback: nothing partially imported" "$n0|$s0" "$(fb "$D")|$(q "$D" "SELECT count(*) FROM camp_suppression")"
  printf '{"event":"delivered","outbox_id":1}\n{"event": broken\n' > "$W/bad.jsonl"
  camp feedback import "$W/bad.jsonl" --db "$D" > /dev/null 2> "$W/err"
  eq "feedback: bad JSON exit" 1 $?
  has "feedback: bad JSON line" "$W/err" "bad.jsonl:2: bad JSON"
  eq "feedback: bad JSON imports nothing" "$n0" "$(fb "$D")"
  camp feedback import "$W/missing.csv" --db "$D" > /dev/null 2> "$W/err"
  eq "feedback: missing file exit" 1 $?
  # The hard bounce and the complaint suppress the next run's messages.
  (cd "$W" && camp run news.camp --db db.sqlite --now 2026-03-05 --new-run > /dev/null 2>&1)
  eq "feedback: next run suppresses Bo and dana" "2;4;" \
    "$(q "$D" "SELECT recipient_key || ';' FROM camp_outbox WHERE run_id = 2 AND status = 'suppressed' ORDER BY 1" | tr -d '\n')"
}

# ---- 5. template formatting and variants -----------------------------------------------
section_templates() {
  W=$(ws tmpl)
  D=$W/db.sqlite
  (cd "$W" && camp run formats.camp --db db.sqlite --now 2026-03-01 > run.out 2>&1)
  eq "templates: run exit" 0 $?
  sub() { q "$D" "SELECT subject FROM camp_outbox WHERE channel = 'email' AND recipient_key = $1"; }
  bod() { q "$D" "SELECT body FROM camp_outbox WHERE channel = '$2' AND recipient_key = $1"; }
  # anna, sv: the sv variants; SEK/EUR in Swedish (NBSP groups, comma decimals).
  eq "templates: sv subject" "Din sammanfattning: 1${NB}573,10${NB}kr" "$(sub 1)"
  eq "templates: sv body" "<p>Hej Anna: 1${NB}573,10${NB}€ handlat, 25,0${NB}% online, medlem sedan 18 mars 2024.</p>" "$(bod 1 email)"
  # Bo, sv-SE: falls back to sv; 99.995 rounds half up to 100,00 (decimal, not binary).
  eq "templates: sv-SE falls back to sv" "Din sammanfattning: 100,00${NB}kr" "$(sub 2)"
  eq "templates: half-up rounding" "<p>Hej Bo: 100,00${NB}€ handlat, 50,0${NB}% online, medlem sedan 1 december 2025.</p>" "$(bod 2 email)"
  # carl, de: no de variant -> the default texts, in German formats.
  eq "templates: de subject (fallback text, de format)" "Your 1.234.567,89${NB}€ summary" "$(sub 3)"
  eq "templates: de body" "<p>Hello Carl: 1.234.567,89${NB}€ spent, 13${NB}% of it online, member since 4 Juli 2023.</p>" "$(bod 3 email)"
  # dana, en; first name NULL -> the default.
  eq "templates: en subject" "Your €0.00 summary" "$(sub 4)"
  eq "templates: en body + default" "<p>Hello friend: €0.00 spent, 100% of it online, member since 1 January 2020.</p>" "$(bod 4 email)"
  # eve: no language -> en; NULL values render empty (counted), default fills the subject.
  eq "templates: default for a missing value" "Your new summary" "$(sub 5)"
  eq "templates: missing values" "<p>Hello Eve:  spent,  of it online, member since .</p>" "$(bod 5 email)"
  # one warning per placeholder, naming it and how many recipients got it empty
  eq "templates: empty placeholders counted" "{{spent}} rendered empty for 1 recipient|{{share}} rendered empty for 1 recipient|{{joined}} rendered empty for 1 recipient" \
    "$(q "$D" "SELECT message FROM camp_warnings WHERE step = 'm' ORDER BY rowid" | tr '\n' '|' | sed 's/|$//')"
  # SMS: text, no HTML escaping; dates in UTC; explicit "de" locale.
  eq "templates: sms sv" "Anna: 1${NB}573 (2026-02-20 10:05), Freitag 20 Feb." "$(bod 1 sms)"
  eq "templates: sms missing" "Eve:  (), " "$(bod 5 sms)"
  # Compile-time errors, each with its location.
  cat > "$W/bad.camp" << 'CAMP'
import "schema"
campaign bad {
  a = customers where true
  email a { subject "{{spent | currency \"EURO\"}}"; body "{{first_name | currency \"EUR\"}}" }
  email a { subject "{{joined | number}} {{spent | date \"d MMMM\"}}"; body "{{spent | frobnicate}}" }
  email a { subject "{{spent | number \"xx-YY-zz\"}}"; body "{{last_at | date \"d qqqqq ppp\"}}"; subject_sv "x" }
  sms a { body "spent &euro;{{spent | number 2}}"; language "spent"; body_de "{{first_name | default}}" }
}
CAMP
  camp check "$W/bad.camp" > /dev/null 2> "$W/err"
  eq "templates: bad filters -> exit 1" 1 $?
  has "templates: unknown currency" "$W/err" "bad.camp:4:13: error: subject: \`{{spent}}\`: \`currency\`: \"EURO\" is not an ISO 4217 currency code"
  has "templates: currency on text" "$W/err" "bad.camp:4:54: error: body: \`{{first_name | currency}}\` needs a number (int or decimal) value, but \`first_name\` is text"
  has "templates: number on a date" "$W/err" "\`{{joined | number}}\` needs a number (int or decimal) value, but \`joined\` is date"
  has "templates: date on a number" "$W/err" "\`{{spent | date}}\` needs a date or timestamp value, but \`spent\` is decimal"
  has "templates: unknown filter" "$W/err" "body: unknown filter \`frobnicate\`"
  has "templates: unknown locale" "$W/err" "\`number\`: unknown locale \"xx-YY-zz\""
  has "templates: bad date pattern" "$W/err" "\`date\`: \`p\` is no date pattern letter"
  has "templates: variant without language" "$W/err" "\`subject_sv\` is a language variant, but the step names no \`language\` column"
  has "templates: language column type" "$W/err" "language: \`spent\` is decimal"
  has "templates: default needs text" "$W/err" "\`default\` takes one string"
  has "templates: entity in a text message" "$W/err" "bad.camp:7:11: warning: body: \`&euro;\` is an HTML entity, but this text is not HTML"
  # The HTML body keeps its entity (correct HTML), and its text rendition
  # decodes it: the `spent &euro;1573.1` of a real outbox is gone.
  (cd "$W" && camp preview news.camp --db db.sqlite --step m --recipient 1 --format text > p.txt 2>&1)
  has "templates: text rendition decodes &euro;" "$W/p.txt" "Hi Anna, you spent €1,573.10."
  (cd "$W" && camp preview news.camp --db db.sqlite --step m --recipient 1 --format html > p.html 2>&1)
  has "templates: html keeps the entity" "$W/p.html" "Hi Anna, you spent &euro;1,573.10."
}

# ---- 6. preview ------------------------------------------------------------------------------
section_preview() {
  W=$(ws prev)
  D=$W/db.sqlite
  (cd "$W" && camp preview formats.camp --db db.sqlite --step m --format json > p.json 2> err)
  eq "preview: exit" 0 $?
  eq "preview: 5 messages in key order" "1 2 3 4 5" "$(jq -r '[.[].recipient] | map(tostring) | join(" ")' "$W/p.json")"
  eq "preview: same text as a run" "Din sammanfattning: 1${NB}573,10${NB}kr" "$(jq -r '.[0].subject' "$W/p.json")"
  eq "preview: queues nothing, creates nothing" 0 "$(q "$D" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'camp_%'")"
  (cd "$W" && camp preview formats.camp --db db.sqlite --step _sms_everyone --recipient 5 > p.txt 2> err)
  eq "preview: text format" "== recipient 5 <+46705>||Eve:  (), " "$(tr '\n' '|' < "$W/p.txt" | sed 's/|$//')"
  (cd "$W" && camp preview formats.camp --db db.sqlite --step nope > /dev/null 2> err)
  eq "preview: unknown step -> 2" 2 $?
  has "preview: names the channel steps" "$W/err" "its channel steps: m _sms_everyone"
  (cd "$W" && camp preview formats.camp --db db.sqlite --step m --recipient 42 > /dev/null 2> err)
  eq "preview: unknown recipient -> 1" 1 $?
  (cd "$W" && camp preview formats.camp --db db.sqlite --step m --format eml > /dev/null 2> err)
  eq "preview: eml without a provider -> 2" 2 $?
  has "preview: eml says why" "$W/err" "--format eml needs an e-mail step with a provider (step m has no provider)"
  # eml: the MIME message camp send would build, parsed back by Python's
  # e-mail parser (an independent reader), one message and an mbox of all.
  cat > "$W/eml.camp" << 'CAMP'
import "schema"
provider shop { kind smtp url "smtp://127.0.0.1:1" from "Shop <news@shop.example>" }
campaign eml {
  everyone = customers where true
  m = email everyone via shop { subject "Hej {{first_name}} åäö" body "<p>Hi {{first_name}}</p>" }
}
CAMP
  (cd "$W" && camp preview eml.camp --db db.sqlite --step m --recipient 1 --format eml --now "2026-03-02 10:00" > one.eml 2> err)
  eq "preview eml: exit" 0 $?
  eq "preview eml: parsed back" "Shop <news@shop.example>|$(q "$D" "SELECT email FROM customers WHERE id = 1")|Hej Anna åäö|multipart/alternative|Mon, 02 Mar 2026 10:00:00 +0000|<preview-m-1@shop.example>|Hi Anna" \
    "$(/usr/bin/python3 -c 'import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("|".join([str(m["From"]), str(m["To"]), str(m["Subject"]), m.get_content_type(), str(m["Date"]), str(m["Message-ID"]), m.get_body(("plain",)).get_content().strip()]))' "$W/one.eml")"
  (cd "$W" && camp preview eml.camp --db db.sqlite --step m --format eml --now "2026-03-02 10:00" > all.mbox 2> err)
  eq "preview eml: mbox exit" 0 $?
  eq "preview eml: mbox holds every recipient's message" "$(q "$D" "SELECT count(*) FROM customers WHERE email IS NOT NULL")" \
    "$(/usr/bin/python3 -c 'import sys, mailbox; print(len(mailbox.mbox(sys.argv[1])))' "$W/all.mbox")"
}

# ---- 7. load: >= 100,000 hits, none lost ---------------------------------------------------------
section_load() {
  W=$(ws load)
  D=$W/db.sqlite
  run_news "$W"
  [ -n "${TRACK_LOAD_WAL:-}" ] && q "$D" "PRAGMA journal_mode=WAL" > /dev/null
  start_server "$D" || return
  hits=${TRACK_LOAD_HITS:-100000}
  half=$((hits / 2))
  t0=$(date +%s)
  # Opens and clicks at once, 64 + 64 keep-alive connections, bounded in time.
  timeout 300 ab -q -k -n "$half" -c 64 "$URL$(path "$D" 1 o)" > "$TMP/ab1" 2>&1 &
  ab1=$!
  timeout 300 ab -q -k -n "$((hits - half))" -c 64 "$URL$(path "$D" 3 c 2)" > "$TMP/ab2" 2>&1
  r2=$?
  wait $ab1
  r1=$?
  t1=$(date +%s)
  stop_server
  eq "load: ab runs finished" "0|0" "$r1|$r2"
  eq "load: no failed requests" "0|0" "$(sed -n 's/^Failed requests: *//p' "$TMP/ab1")|$(sed -n 's/^Failed requests: *//p' "$TMP/ab2")"
  eq "load: all opens answered 200" "" "$(grep 'Non-2xx' "$TMP/ab1")"
  eq "load: every open recorded" "$half" "$(q "$D" "SELECT count(*) FROM camp_feedback WHERE event = 'opened' AND outbox_id = 1")"
  eq "load: every click recorded" "$((hits - half))" "$(q "$D" "SELECT count(*) FROM camp_feedback WHERE event = 'clicked' AND outbox_id = 3 AND link = 1")"
  has "load: server counted them" "$TMP/server.out" "$hits events recorded"
  el=$((t1 - t0))
  [ "$el" -gt 0 ] || el=1
  echo "load: $hits hits in ${el} s (~$((hits / el)) hits/s), $(sed -n 's/.*, \([0-9]*\) transactions/\1/p' "$TMP/server.out") transactions"
}

want 1 && section_links
want 2 && section_server
want 3 && section_suppress
want 4 && section_feedback
want 5 && section_templates
want 6 && section_preview
want 7 && section_load
stop_server
t_summary track
[ "$T_FAIL" = 0 ]
