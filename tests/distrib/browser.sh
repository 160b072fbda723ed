#!/bin/sh
# tests/distrib/browser.sh CAMP — the local page in a real browser: a run
# hands out contacts (fixture.sql, model.camp), `camp serve` runs on a free
# loopback port (stopped by a trap), headless Chromium (browser.py, CDP over
# a pipe) logs in as the manager of store s1 and approves contacts 1 and 3;
# the `camp tick` after the deadline must send to exactly those two (s2's
# and s3's contacts, never decided, are dropped).  Screenshots of every page
# go to build/screenshots/ (BROWSER_SHOTS to change).  Skipped when
# Chromium is missing (`make deps` installs it: DEB_TEST_PKGS).
# Last line: `browser: N passed, N failed[, N skipped]`.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/distrib/browser.sh CAMP_BINARY" >&2
  exit 2
fi
case $1 in
  /*) CAMP=$1 ;;
  *) CAMP=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/../lib.sh"
SHOTS=${BROWSER_SHOTS:-$ROOT/build/screenshots}
if ! command -v chromium > /dev/null 2>&1; then
  t_skip
  echo "browser: chromium is not installed (make deps)"
  t_summary browser
  exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-browser.XXXXXX") || exit 2
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2> /dev/null && wait "$SERVER_PID" 2> /dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
camp() { timeout -k 5 "${T_TIMEOUT:-60}" "$CAMP" "$@"; }
q() { sqlite3 -batch "$1" "$2"; }
check() { if [ "$2" = "$3" ]; then t_pass; else t_fail "$1: expected [$2], got [$3]"; fi; }

DB=$TMP/db
sqlite3 "$DB" < "$HERE/fixture.sql"
camp run "$HERE/model.camp" --db "$DB" --now "2026-03-02 09:00" > /dev/null
CAMP_PASSWORD=browser-pass-m1 camp packages passwd m1 --db "$DB" > /dev/null
"$CAMP" serve --db "$DB" --listen 127.0.0.1:0 --now "2026-03-03 10:00" > "$TMP/serve.log" 2>&1 &
SERVER_PID=$!
PORT=
i=0
while [ $i -lt 100 ]; do
  PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/serve.log")
  [ -n "$PORT" ] && curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break
  i=$((i + 1))
  sleep 0.1
done
check "serve answers" 1 "$([ -n "$PORT" ] && echo 1)"
rm -rf "$SHOTS"
timeout 120 /usr/bin/python3 "$HERE/browser.py" "http://127.0.0.1:$PORT" "$SHOTS" m1 browser-pass-m1 1 ok 1 3 > "$TMP/browser.out" 2>&1
rc=$?
grep -v "^ok " "$TMP/browser.out"
check "browser session" "0 0" "$rc $(grep -c '^FAIL' "$TMP/browser.out")"
T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/browser.out")))
check "screenshots written" 5 "$(ls "$SHOTS"/*.png 2> /dev/null | wc -l)"
check "screenshots are PNG" 5 "$(for f in "$SHOTS"/*.png; do head -c 8 "$f" | od -An -c | grep -c 'P   N   G'; done | grep -c 1)"
check "the page's decisions are in the database" "1:approved 2:pending 3:approved" \
  "$(q "$DB" "SELECT group_concat(recipient_key||':'||state, ' ') FROM (SELECT * FROM camp_distrib_contacts WHERE entity = 's1' ORDER BY recipient_key)")"
kill "$SERVER_PID" 2> /dev/null
wait "$SERVER_PID" 2> /dev/null
SERVER_PID=
camp tick --db "$DB" --now "2026-03-05 09:00" > /dev/null
check "the tick after the deadline sends only to the approved" "1 3" \
  "$(q "$DB" "SELECT recipient_key FROM camp_outbox ORDER BY CAST(recipient_key AS INTEGER)" | tr '\n' ' ' | sed 's/ $//')"
t_summary browser
[ "$T_FAIL" -eq 0 ]
