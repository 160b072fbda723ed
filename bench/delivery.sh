#!/bin/sh
# delivery.sh CAMP — the delivery benchmark (`make bench-delivery`, also run
# by `make bench`; figures go to bench/RESULTS.md by hand):
#   1. e-mails/s from `camp send` into the local SMTP sink (aiosmtpd),
#      with connection reuse, at BENCH_EMAILS messages (default 100,000);
#   2. HTTP messages/s into the provider stand-in at BENCH_HTTP (100,000);
#   3. the servers alone: the HTTP stand-in under `wrk` (keep-alive), and
#      the CPU seconds the SMTP sink and the stand-in spent per message
#      while camp sent (a Python server on one core cannot take more than
#      1 / that), to show which side is the limit;
#   4. peak RSS of `camp send` draining BENCH_QUEUED (1,000,000) queued
#      messages (through the file provider: a full drain without a network
#      peer's limit) and of sending BENCH_EMAILS of 1,000,000 queued e-mails.
# Prints the load average before and after each part: the VM is shared.
set -e
CAMP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
EMAILS=${BENCH_EMAILS:-100000}
HTTP=${BENCH_HTTP:-100000}
QUEUED=${BENCH_QUEUED:-1000000}
. tests/servers/lib.sh
DIR=$(mktemp -d "${TMPDIR:-/tmp}/camp-bench-delivery.XXXXXX")
SRV_ON_EXIT='rm -rf "$DIR"'
srv_init "$DIR"
PY=$SRV_PYTHON
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }
now="2026-03-01 09:00"

# cpu PID — user+system CPU seconds of a running process.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

# measure OUTFILE CMD... — runs CMD, prints its wall time and peak RSS.
cat > "$DIR/measure.py" <<'EOF'
import resource, subprocess, sys, time
out = open(sys.argv[1], "w")
t = time.time()
rc = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
el = time.time() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f %.1f %d %.2f" % (el, ru.ru_maxrss / 1024, rc, ru.ru_utime + ru.ru_stime))
EOF

db() { # NAME COUNT — a database with COUNT customers
  DB=$DIR/$1.sqlite
  sqlite3 "$DB" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, first_name TEXT, city TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
    INSERT INTO customers SELECT i, 'c' || i || '@example.com', '+46' || i, 'N' || i, 'City' || (i % 17) FROM n;"
}

campaign() { # FILE PROVIDER-BLOCK STEP
  cat > "$1" <<EOF
schema customers {
  id int key
  email text address(email)
  phone text address(sms)
  first_name text
  city text
}

$2

campaign bench {
  all = customers
  $3
}
EOF
}

echo "== delivery benchmark ($(nproc) cores)"
lscpu | grep -E 'Model name|^CPU\(s\)' || true

# ------------------------------------------------------------- 1. SMTP
echo
echo "== 1. e-mail into the SMTP sink: $EMAILS messages"
srv_smtp sink --log "$DIR/sink.jsonl" --no-data
SINKPID=$(cat "$DIR/servers/sink.pid")
campaign "$DIR/smtp.camp" "provider mailer {
  kind smtp
  url \"smtp://127.0.0.1:$SRV_PORT\"
  from \"Shop <news@shop.example>\"
  list_unsubscribe \"https://t.shop.example/u/{{message_id}}\"
  max_connections 4
  messages_per_connection 1000
}" 'email all { subject "{{first_name}}, spring is here"; body "<p>Hello {{first_name}}</p><p>Offers in {{city}}: <a href=\"https://shop.example/s\">shop</a></p>" }'
db smtp "$EMAILS"
"$CAMP" run "$DIR/smtp.camp" --db "$DB" --now "$now" > /dev/null
load
c0=$(cpu "$SINKPID")
set -- $("$PY" "$DIR/measure.py" "$DIR/smtp.out" "$CAMP" send --db "$DB" --now "$now")
c1=$(cpu "$SINKPID")
got=$(wc -l < "$DIR/sink.jsonl")
load
cat "$DIR/smtp.out"
awk -v n="$got" -v t="$1" -v rss="$2" -v cc="$4" -v c0="$c0" -v c1="$c1" 'BEGIN { c = c1 - c0
  printf "SMTP: %d received in %.1f s = %.0f e-mails/s (target 1000); camp send peak RSS %.1f MB, %.2f CPU s\n", n, t, n / t, rss, cc
  printf "SMTP sink alone: %.2f CPU s for %d messages = %.3f ms each -> at most %.0f messages/s on one core\n", c, n, 1000 * c / n, n / c }'
srv_stop sink

# ------------------------------------------------------------- 2. HTTP
echo
echo "== 2. SMS into the HTTP stand-in: $HTTP messages"
srv_http gw --log "$DIR/gw.jsonl"
GWPID=$(cat "$DIR/servers/gw.pid")
GWPORT=$SRV_PORT
campaign "$DIR/http.camp" "provider gw {
  kind http
  url \"http://127.0.0.1:$GWPORT/v1/sms\"
  header \"Authorization\" \"Bearer bench\"
  body \"{\\\"to\\\": \\\"{{address}}\\\", \\\"text\\\": \\\"{{body}}\\\", \\\"ref\\\": \\\"{{message_id}}\\\"}\"
  id_field \"id\"
  concurrency 16
}" 'sms all "Spring sale in {{city}}, {{first_name}}: 20% off"'
db http "$HTTP"
"$CAMP" run "$DIR/http.camp" --db "$DB" --now "$now" > /dev/null
load
c0=$(cpu "$GWPID")
set -- $("$PY" "$DIR/measure.py" "$DIR/http.out" "$CAMP" send --db "$DB" --now "$now")
c1=$(cpu "$GWPID")
got=$(wc -l < "$DIR/gw.jsonl")
load
cat "$DIR/http.out"
awk -v n="$got" -v t="$1" -v rss="$2" -v cc="$4" -v c0="$c0" -v c1="$c1" 'BEGIN { c = c1 - c0
  printf "HTTP: %d received in %.1f s = %.0f messages/s (target 5000); camp send peak RSS %.1f MB, %.2f CPU s\n", n, t, n / t, rss, cc
  printf "HTTP stand-in alone: %.2f CPU s for %d requests = %.3f ms each -> at most %.0f requests/s\n", c, n, 1000 * c / n, n / c }'
if command -v wrk > /dev/null; then
  # the same POST over 16 keep-alive connections, from wrk (C) instead of camp
  printf 'wrk.method = "POST"\nwrk.body = "{\\"to\\": \\"+46\\", \\"text\\": \\"bench\\"}"\n' > "$DIR/post.lua"
  printf 'wrk.headers["Content-Type"] = "application/json"\n' >> "$DIR/post.lua"
  wrk -t1 -c16 -d10s -s "$DIR/post.lua" "http://127.0.0.1:$GWPORT/v1/sms" 2>/dev/null |
    awk '/Requests\/sec/ { print "HTTP stand-in alone under wrk -c 16 (10 s): " $2 " requests/s" }'
fi
srv_stop gw

# ------------------------------------------------------------- 3. 1M queued
echo
echo "== 3. $QUEUED queued: peak RSS"
mkdir -p "$DIR/drop"
campaign "$DIR/file.camp" "provider printer {
  kind file
  directory \"drop\"
}" 'mail all { extract "all.csv"; columns (first_name, city) }'
db queued "$QUEUED"
"$CAMP" run "$DIR/file.camp" --db "$DB" --now "$now" > /dev/null
load
set -- $("$PY" "$DIR/measure.py" "$DIR/file.out" "$CAMP" send --db "$DB" --now "$now")
load
cat "$DIR/file.out"
rows=$(cat "$DIR"/drop/*.manifest.json | awk -F': ' '/"rows"/ { s += $2 } END { print s + 0 }')
awk -v n="$rows" -v q="$QUEUED" -v t="$1" -v rss="$2" 'BEGIN {
  printf "file provider: %d of %d queued sent in %.1f s = %.0f/s; camp send peak RSS %.1f MB (target < 200 MB)\n", n, q, t, n / t, rss }'
rm -rf "$DIR/drop"
# e-mail: BENCH_EMAILS of 1M queued through the sink (the sink's rate)
srv_smtp sink3 --log "$DIR/sink3.jsonl" --no-data
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$SRV_PORT/" "$DIR/smtp.camp" > "$DIR/smtp3.camp"
rm -f "$DIR/smtp.sqlite"
db smtp3 "$QUEUED"
"$CAMP" run "$DIR/smtp3.camp" --db "$DB" --now "$now" > /dev/null
set -- $("$PY" "$DIR/measure.py" "$DIR/smtp3.out" "$CAMP" send --db "$DB" --now "$now" --limit "$EMAILS")
cat "$DIR/smtp3.out"
echo "SMTP with $QUEUED queued: $EMAILS sent in $1 s, camp send peak RSS $2 MB"
load
srv_stop sink3
