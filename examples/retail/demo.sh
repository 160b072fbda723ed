#!/bin/sh
# demo.sh CAMP — the retail example end to end on SQLite (run by `make demo`):
# generate data, check, plan, run three campaigns, advance the clock past
# their waits with `camp resume`, show counts, the outbox and the graph, and
# send the e-mails to a local SMTP server (tests/servers/smtp_sink.py).
set -e
CAMP=${1:-bin/camp}
GEN=${GEN:-bin/retail-gen}
N=${CUSTOMERS:-10000}
OUT=build/demo
DB=$OUT/retail.db
EX=examples/retail
rm -rf "$EX/out" "$EX/campaigns/out"   # extraction files land in out/ (see docs/runtime.md)
mkdir -p "$OUT" "$EX/out"

step() { printf '\n== %s\n' "$*"; }

step "generating $N customers into $DB"
rm -f "$DB"
"$GEN" --out "$DB" --customers "$N"

step "camp check (all campaigns)"
"$CAMP" check "$EX"/campaigns/*.camp && echo "no errors"

step "camp plan spring_sale (a dry run: exact counts, nothing saved)"
"$CAMP" plan "$EX/campaigns/spring_sale.camp" --db "$DB" --now "2026-03-01 00:00"

step "camp run: spring_sale, then winback and uppsala_opening (they read its saved audiences)"
for c in spring_sale winback uppsala_opening; do
  "$CAMP" run "$EX/campaigns/$c.camp" --db "$DB" --now "2026-03-01 00:00"
done

for day in 2026-03-05 2026-03-14 2026-03-20; do
  step "camp resume --now $day (what cron would do)"
  "$CAMP" resume --db "$DB" --now "$day 12:00"
done

step "camp status"
"$CAMP" status --db "$DB"

step "outbox: messages per step and channel"
sqlite3 -column -header "$DB" \
  "SELECT step, channel, count(*) AS messages FROM camp_outbox GROUP BY step, channel ORDER BY step"

step "the first queued e-mail"
"$CAMP" outbox --db "$DB" --run 1 --format json | jq '.[0] | {step, address, subject}'

step "direct-mail extraction files"
ls -l "$EX"/out/*.csv

step "graph of spring_sale with the counts of run 1"
if command -v dot >/dev/null 2>&1; then
  "$CAMP" graph "$EX/campaigns/spring_sale.camp" --db "$DB" --run 1 --format svg --output "$OUT/spring_sale.svg"
  echo "$OUT/spring_sale.svg"
else
  "$CAMP" graph "$EX/campaigns/spring_sale.camp" --db "$DB" --run 1 --output "$OUT/spring_sale.dot"
  echo "$OUT/spring_sale.dot (install graphviz for SVG)"
fi

step "camp send: the e-mails go to a local SMTP server started for the demo"
# tests/servers/smtp_sink.py (aiosmtpd) on a free loopback port; the
# campaigns' provider (examples/retail/providers.camp) reads its URL from
# RETAIL_SMTP_URL.  SMS, push and direct mail have no provider: they stay queued.
. tests/servers/lib.sh
rm -rf "$OUT/smtp"
srv_init "$OUT/smtp"
srv_smtp demo_sink --log "$OUT/smtp/received.jsonl" --no-data
RETAIL_SMTP_URL="smtp://127.0.0.1:$SRV_PORT" "$CAMP" send --db "$DB" --channel email --now "2026-03-20 12:00"
srv_stop demo_sink
queued=$(sqlite3 "$DB" "SELECT count(*) FROM camp_outbox WHERE channel = 'email'")
received=$(wc -l < "$OUT/smtp/received.jsonl")
echo "$received of $queued e-mails received by the local SMTP server"
