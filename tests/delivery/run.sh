#!/bin/sh
# tests/delivery/run.sh CAMP — delivery against real servers started here on
# loopback (tests/servers): the SMTP sink (aiosmtpd) and the HTTP provider
# stand-in.  Checks the received MIME parsed back with Python's email
# package, header injection, retries, bounces, 429 + Retry-After, secrets
# never stored or printed, leases (two workers never send a message twice),
# a kill -9 crash test, the file provider's manifest, dry runs.
# Expected values are computed here from the fixture, not read from camp.
# Ends with `delivery: N passed, N failed`.
if [ $# -ne 1 ]; then
  echo "usage: sh tests/delivery/run.sh CAMP" >&2
  exit 2
fi
case $1 in /*) CAMP=$1 ;; *) CAMP=$(pwd)/$1 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
. tests/servers/lib.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-delivery.XXXXXX") || exit 2
SRV_ON_EXIT='rm -rf "$TMP"'
srv_init "$TMP"
PY=$SRV_PYTHON
T_TIMEOUT=${T_TIMEOUT:-60}
camp() { timeout -k 5 "$T_TIMEOUT" "$CAMP" "$@"; }
q() { sqlite3 "$DB" "$@"; }
NOW="2026-03-01 09:00"

if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  t_fail "python3-aiosmtpd is not installed for $PY (make deps installs it)"
  t_summary delivery
  exit 1
fi

# check NAME COMMAND... — passes when COMMAND succeeds, else prints its output.
check() {
  name_=$1
  shift
  if "$@" > "$TMP/check.out" 2>&1; then t_pass; else
    t_fail "$name_"
    sed -n '1,25s/^/    /p' "$TMP/check.out"
  fi
}

# ---------------------------------------------------------------- fixture
SCHEMA='schema customers {
  id int key
  email text address(email)
  phone text address(sms)
  first_name text
  city text
}'

# new_db NAME — a fresh database with the customers table.
new_db() {
  DB=$TMP/$1.sqlite
  rm -f "$DB"
  sqlite3 "$DB" "CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT,
                 first_name TEXT, city TEXT);"
}

# ============================================ 1. SMTP: MIME parsed back
srv_smtp sink --log "$TMP/sink.jsonl" || { t_fail "smtp sink did not start"; t_summary delivery; exit 1; }
SMTP_PORT=$SRV_PORT
mkdir -p "$TMP/c1/templates"
cat > "$TMP/c1/templates/mail.html" <<'EOF'
<html><body><p>Hej {{first_name}}!</p>
<p>Your store in {{city}} has <a href="https://shop.example/spring?c={{id}}">spring offers</a>.</p>
</body></html>
EOF
cat > "$TMP/c1/c.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$SMTP_PORT"
  from "Shöp Nyheter <news@shop.example>"
  return_path "bounces@shop.example"
  list_unsubscribe "https://t.shop.example/u/{{message_id}}"
  max_connections 2
  messages_per_connection 3
}

campaign spring {
  all = customers
  email all { subject "{{first_name}}, våren är här ✓"; template "templates/mail.html" }
}
EOF
new_db c1
sqlite3 "$DB" "INSERT INTO customers VALUES
  (1, 'asa@example.com', NULL, 'Åsa', 'Malmö'),
  (2, 'bob@example.com', NULL, 'Bob <b>', 'Lund & Co'),
  (3, 'eve@example.com', NULL, 'Eve' || char(13, 10) || 'Bcc: spy@evil.example', 'Ystad'),
  (4, 'dan@example.com', NULL, 'Dan' || char(10) || 'X-Injected: 1', 'Lund'),
  (5, 'long@example.com', NULL, 'Lööööööööööööööööööööööööööööööööööööööööööööööööööööng', 'Umeå'),
  (6, 'nul@example.com', NULL, NULL, NULL),
  (7, 'g@example.com', NULL, 'G', 'H'),
  (8, 'h@example.com', NULL, 'H', 'I');"
camp run "$TMP/c1/c.camp" --db "$DB" --now "$NOW" > "$TMP/run.out" 2>&1 || { t_fail "camp run c1"; cat "$TMP/run.out"; }
camp send --db "$DB" --now "$NOW" > "$TMP/send.out" 2>&1
check "send c1: exit 0, 8 sent" grep -q '^sent 8, deferred 0, failed 0, bounced 0' "$TMP/send.out"
q "SELECT id, first_name, city, email FROM customers ORDER BY id" -json > "$TMP/fixture.json"
q "SELECT recipient_key, message_id, status, attempts FROM camp_outbox ORDER BY id" -json > "$TMP/outbox.json"
cat > "$TMP/mime_check.py" <<'EOF'
import json, sys, email, hashlib, html
from email import policy
log, fixture, outbox = sys.argv[1:4]
msgs = [json.loads(l) for l in open(log)]
people = {r["id"]: r for r in json.load(open(fixture))}
ob = {int(r["recipient_key"]): r for r in json.load(open(outbox))}
errors = []
def err(*a): errors.append(" ".join(str(x) for x in a))
if len(msgs) != len(people): err("received", len(msgs), "messages, want", len(people))
def clean(v):  # a header value: control characters become one space
    out, pend = [], False
    for ch in v:
        if ord(ch) < 32 or ord(ch) == 127: pend = True; continue
        if pend and out: out.append(" ")
        pend = False; out.append(ch)
    return "".join(out)
seen = set()
for m in msgs:
    raw = m["data"]
    for line in raw.split("\r\n"):
        if line == "": break
        if line.lower().startswith(("bcc:", "x-injected:")): err("injected header:", line)
    msg = email.message_from_string(raw, policy=policy.default)
    to = str(msg["To"])
    pid = [k for k, v in people.items() if v["email"] == to]
    if len(pid) != 1: err("unknown To", to); continue
    p = people[pid[0]]; pid = pid[0]
    seen.add(pid)
    if m["rcpt_tos"] != [p["email"]]: err("envelope rcpt", m["rcpt_tos"])
    if m["mail_from"] != "bounces@shop.example": err("envelope from", m["mail_from"])
    if str(msg["From"]) != "Shöp Nyheter <news@shop.example>": err("From", msg["From"])
    want_subject = clean((p["first_name"] or "") + ", våren är här ✓")
    if str(msg["Subject"]) != want_subject: err("Subject", repr(str(msg["Subject"])), "want", repr(want_subject))
    if any(ord(c) > 127 for c in raw.split("\r\n\r\n")[0]): err("8-bit header bytes (RFC 2047 missing)")
    run = 1
    key = "camp-%d-%s" % (run, hashlib.sha256(b"%d\0_email_all\0%d" % (run, pid)).hexdigest()[:24])
    if str(msg["Message-ID"]) != "<%s@shop.example>" % key: err("Message-ID", msg["Message-ID"], "want", key)
    if ob[pid]["message_id"] != str(msg["Message-ID"]): err("outbox message_id", ob[pid]["message_id"])
    if str(msg["List-Unsubscribe"]) != "<https://t.shop.example/u/%s>" % key: err("List-Unsubscribe", msg["List-Unsubscribe"])
    if str(msg["List-Unsubscribe-Post"]) != "List-Unsubscribe=One-Click": err("List-Unsubscribe-Post")
    if msg["Date"] is None or msg["Date"].datetime.strftime("%Y-%m-%d") != "2026-03-01": err("Date", msg["Date"])
    if msg.get_content_type() != "multipart/alternative": err("type", msg.get_content_type()); continue
    parts = list(msg.iter_parts())
    if [x.get_content_type() for x in parts] != ["text/plain", "text/html"]: err("parts", [x.get_content_type() for x in parts])
    text, htm = parts[0].get_content().replace("\r\n", "\n"), parts[1].get_content().replace("\r\n", "\n")
    name = html.escape(p["first_name"] or "", quote=True).replace("&#x27;", "&#39;").replace("\r\n", "\n")
    city = html.escape(p["city"] or "", quote=True).replace("&#x27;", "&#39;")
    if "<p>Hej %s!</p>" % name not in htm: err("html body of", pid, repr(htm[:80]))
    if "Your store in %s has" % city not in htm: err("html city of", pid)
    if 'href="https://shop.example/spring?c=%d"' % pid not in htm: err("html link of", pid)
    if "(https://shop.example/spring?c=%d)" % pid not in text: err("text link of", pid, repr(text))
    want = " ".join(("Your store in %s has spring offers" % (p["city"] or "")).split())
    if want not in " ".join(text.split()): err("text of", pid, repr(text))
if seen != set(people): err("recipients", sorted(seen))
print("\n".join(errors) if errors else "ok")
sys.exit(1 if errors else 0)
EOF
check "c1: received MIME parsed back (headers, RFC 2047, parts, links, Message-ID, unsubscribe)" \
  "$PY" "$TMP/mime_check.py" "$TMP/sink.jsonl" "$TMP/fixture.json" "$TMP/outbox.json"
check "c1: outbox all sent, one attempt each, SMTP answers as feedback" test "$(q "SELECT
  (SELECT count(*) FROM camp_outbox WHERE status = 'sent' AND attempts = 1 AND sent_at = '2026-03-01 09:00:00'),
  (SELECT count(*) FROM camp_feedback WHERE event = 'sent' AND source = 'smtp' AND detail LIKE '250 %')")" = "8|8"
# the rendered subject in the outbox holds no line break either (the run fixed it)
check "c1: no line break in a queued subject" test "$(q "SELECT count(*) FROM camp_outbox
  WHERE subject LIKE '%' || char(10) || '%' OR subject LIKE '%' || char(13) || '%'")" = 0
# messages_per_connection 3 over 2 connections: 8 messages need >= 3 connections
check "c1: a connection carries at most messages_per_connection messages" "$PY" -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["peer"] for l in open(sys.argv[1]))
sys.exit(0 if max(c.values()) <= 3 and len(c) >= 3 else print(c) or 1)' "$TMP/sink.jsonl"
camp send --db "$DB" --now "$NOW" > "$TMP/send2.out" 2>&1
check "c1: a second send sends nothing" grep -q '^sent 0, deferred 0, failed 0, bounced 0' "$TMP/send2.out"
check "c1: the sink still has 8" test "$(wc -l < "$TMP/sink.jsonl")" = 8
srv_stop sink

# ============================================ 2. SMTP: bounces and retries
# 550 bounces; 450 defers until it is answered 250; 421 for the next
# commands defers; a recipient answered 451 forever fails after max_attempts.
echo '{}' > "$TMP/ctl.json"
srv_smtp sink2 --log "$TMP/sink2.jsonl" --control "$TMP/ctl.json" --reply 550:gone@example.com \
  --reply 451:never@example.com || t_fail "sink2 did not start"
P2=$SRV_PORT
mkdir -p "$TMP/c2"
cat > "$TMP/c2/c.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$P2"
  from "news@shop.example"
  max_connections 1
  max_attempts 3
}

campaign retry {
  all = customers
  email all { subject "Hi {{first_name}}"; body "Hello" }
}
EOF
new_db c2
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'ok@example.com', NULL, 'A', NULL),
  (2, 'gone@example.com', NULL, 'B', NULL), (3, 'busy@example.com', NULL, 'C', NULL),
  (4, 'never@example.com', NULL, 'D', NULL), (5, 'late@example.com', NULL, 'E', NULL);"
echo '{"reply": {"busy@example.com": 450}}' > "$TMP/ctl.json"
camp run "$TMP/c2/c.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1 || t_fail "camp run c2"
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2>&1
check "c2 first send: 2 sent (ok, late), 1 bounced, 2 deferred" grep -q '^sent 2, deferred 2, failed 0, bounced 1' "$TMP/s.out"
check "c2: the bounce keeps the server's 550 answer" test "$(q "SELECT status || ':' || substr(last_error, 1, 3)
  FROM camp_outbox o JOIN customers c ON c.id = o.recipient_key WHERE c.email = 'gone@example.com'")" = "bounced:550"
check "c2: bounce feedback row with the answer" test "$(q "SELECT count(*) FROM camp_feedback
  WHERE event = 'bounced' AND detail LIKE '550 5.1.1%' AND source = 'smtp'")" = 1
# the deferred ones wait between 15 and 30 s (30 s backoff, half jitter)
check "c2: deferred with backoff 15..30 s" test "$(q "SELECT count(*) FROM camp_outbox WHERE status = 'deferred'
  AND next_attempt_at BETWEEN '2026-03-01 09:00:15' AND '2026-03-01 09:00:31'")" = 2
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2>&1
check "c2: not due yet: nothing sent" grep -q '^sent 0, deferred 0' "$TMP/s.out"
echo '{"fail_next": [421, 1]}' > "$TMP/ctl.json"   # busy recovers, but the next command gets 421
camp send --db "$DB" --now "2026-03-01 09:01" > "$TMP/s.out" 2>&1
camp send --db "$DB" --now "2026-03-01 09:10" > "$TMP/s2.out" 2>&1
camp send --db "$DB" --now "2026-03-01 10:00" > "$TMP/s3.out" 2>&1
check "c2: after 421 and 450 the busy one is sent" test "$(q "SELECT status FROM camp_outbox o JOIN customers c
  ON c.id = o.recipient_key WHERE c.email = 'busy@example.com'")" = sent
check "c2: 451 forever: failed after max_attempts 3" test "$(q "SELECT status || ':' || attempts || ':' ||
  (last_error LIKE 'gave up after 3 attempts: 451%') FROM camp_outbox o JOIN customers c ON c.id = o.recipient_key
  WHERE c.email = 'never@example.com'")" = "failed:3:1"
check "c2: the sink received ok, late and busy once each" "$PY" -c '
import json, sys, collections
c = collections.Counter(tuple(json.loads(l)["rcpt_tos"]) for l in open(sys.argv[1]))
want = {("ok@example.com",): 1, ("late@example.com",): 1, ("busy@example.com",): 1}
sys.exit(0 if c == want else print(c) or 1)' "$TMP/sink2.jsonl"
DEFERRALS=$(q "SELECT sum(attempts) - 2 FROM camp_outbox o JOIN customers c ON c.id = o.recipient_key
  WHERE c.email IN ('busy@example.com', 'never@example.com')")
check "c2: every attempt is a feedback row" test "$(q "SELECT group_concat(event || '=' || n, ' ') FROM
  (SELECT event, count(*) AS n FROM camp_feedback GROUP BY event ORDER BY event)")" = \
  "bounced=1 deferred=$DEFERRALS failed=1 sent=3"
srv_stop sink2

# ============================================ 3. HTTP provider: JSON, 429, 5xx, 4xx
# (phones are E.164, +46701000001 for recipient 1: the contact policy
# takes invalid numbers out, docs/policy.md.)
# The first request of to-1 gets 429 with Retry-After 2: the provider is
# paused 2 s (all requests), the message deferred.  to-2 gets 500 (deferred),
# to-3 400 (failed).  Later a 429 with Retry-After 3600 stops this
# invocation's requests: the rest is deferred unattempted until then.
echo '{"rules": [{"status": 429, "count": 1, "retry_after": 2, "contains": "+46701000001\""},
  {"status": 500, "count": 1, "contains": "+46701000002\""}, {"status": 400, "contains": "+46701000003\""}]}' > "$TMP/gwctl.json"
srv_http gw --log "$TMP/gw.jsonl" --control "$TMP/gwctl.json" || t_fail "gw did not start"
GW=$SRV_PORT
mkdir -p "$TMP/c3"
cat > "$TMP/c3/c.camp" <<EOF
$SCHEMA

provider gw {
  kind http
  url "http://127.0.0.1:$GW/v1/messages/{{recipient}}"
  header "Authorization" "Bearer " env "CAMP_TEST_SMS_TOKEN"
  body "{\"to\": \"{{address}}\", \"text\": \"{{body}}\", \"meta\": {\"ref\": \"{{message_id}}\", \"n\": 1}}"
  id_field "id"
  concurrency 4
}

campaign sms {
  all = customers
  sms all "Hej {{first_name}} \"{{city}}\" \\\\ {{email}}"
}
EOF
new_db c3
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
  INSERT INTO customers SELECT i, 'p' || i || '@example.com', '+4670' || (1000000 + i), 'Ö' || i, 'C\"ity' || i FROM n;"
camp run "$TMP/c3/c.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1 || t_fail "camp run c3"
CAMP_TEST_SMS_TOKEN=tok-abc camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2>&1
check "c3: 37 sent, 2 deferred (429, 500), 1 failed (400)" grep -q '^sent 37, deferred 2, failed 1, bounced 0' "$TMP/s.out"
check "c3: 400 failed with the answer" test "$(q "SELECT status || ':' || (last_error LIKE 'HTTP 400 %rule answered 400%')
  FROM camp_outbox WHERE recipient_key = 3")" = "failed:1"
check "c3: after the 429 (Retry-After 2) no request for 2 s" "$PY" -c '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
t429 = [r["t"] for r in reqs if r["status"] == 429][0]
# only requests sent before camp read the 429 (concurrency 4; the server
# logs them up to a moment later) arrive before the pause ends, none after
burst = [r for r in reqs if t429 < r["t"] <= t429 + 0.5]
late = [r for r in reqs if t429 + 0.5 < r["t"] < t429 + 1.95]
sys.exit(1 if late or len(burst) > 6 or len(reqs) < 40 else 0)' "$TMP/gw.jsonl"
echo '{"rules": [{"status": 429, "count": 2, "retry_after": 3600}]}' > "$TMP/gwctl.json"
BEFORE=$(wc -l < "$TMP/gw.jsonl")
CAMP_TEST_SMS_TOKEN=tok-abc camp send --db "$DB" --now "2026-03-01 09:30" > "$TMP/s.out" 2> "$TMP/s.err"
TRIED=$(($(wc -l < "$TMP/gw.jsonl") - BEFORE))   # 1, or 2 when both were in flight together
check "c3: Retry-After 3600: both deferred until then, unattempted ones not counted" sh -c "
  grep -q 'provider gw asked to wait 360[01] s' '$TMP/s.err' && [ $TRIED -ge 1 ] && [ $TRIED -le 2 ] &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) || ':' || sum(attempts) FROM camp_outbox WHERE recipient_key IN (1, 2)
  AND status = 'deferred' AND next_attempt_at >= '2026-03-01 10:30:00'\")\" = '2:$((2 + TRIED))' ]"
CAMP_TEST_SMS_TOKEN=tok-abc camp send --db "$DB" --now "2026-03-01 11:00" > "$TMP/s.out" 2>&1
check "c3: retried later: both sent" grep -q '^sent 2, deferred 0, failed 0' "$TMP/s.out"
q "SELECT recipient_key, message_id, provider_message_id, status FROM camp_outbox ORDER BY id" -json > "$TMP/ob3.json"
cat > "$TMP/http_check.py" <<'EOF'
import json, sys, hashlib
reqs = [json.loads(l) for l in open(sys.argv[1])]
ob = {int(r["recipient_key"]): r for r in json.load(open(sys.argv[2]))}
errs, seen = [], {}
for r in reqs:
    b = json.loads(r["body"])
    i = int(r["path"].rsplit("/", 1)[1])
    key = "camp-1-" + hashlib.sha256(b"1\0_sms_all\0%d" % i).hexdigest()[:24]
    text = "Hej \u00d6%d \"C\"ity%d\" \\ p%d@example.com" % (i, i, i)
    if b != {"to": "+4670%d" % (1000000 + i), "text": text, "meta": {"ref": key, "n": 1}}: errs.append("body %r" % b)
    if r["headers"].get("Authorization") != "Bearer tok-abc": errs.append("auth header")
    if r["headers"].get("Idempotency-Key") != key: errs.append("Idempotency-Key of %d" % i)
    if ob[i]["message_id"] != key: errs.append("outbox message_id of %d" % i)
    seen.setdefault(i, []).append(r["status"])
    if r["status"] == 200 and ob[i]["provider_message_id"] != "prov-%d" % r["n"]: errs.append("provider id of %d" % i)
# 1 and 2: the first attempt failed, one of them was refused 429 at 09:30, both sent at 11:00
a1, a2 = seen.get(1), seen.get(2)
if a1[0] != 429 or a2[0] != 500 or a1[-1] != 200 or a2[-1] != 200 or set(a1[1:-1] + a2[1:-1]) != {429} \
        or seen.get(3) != [400]:
    errs.append("attempts %r" % {k: seen.get(k) for k in (1, 2, 3)})
if len(seen) != 40 or any(len(v) != 1 for k, v in seen.items() if k > 3): errs.append("recipients %d" % len(seen))
print("\n".join(errs[:10]) or "ok")
sys.exit(1 if errs else 0)
EOF
check "c3: JSON bodies, headers, Idempotency-Key stable across retries, provider ids stored" \
  "$PY" "$TMP/http_check.py" "$TMP/gw.jsonl" "$TMP/ob3.json"
echo '{"rules": []}' > "$TMP/gwctl.json"

# ============================================ 4. secrets never stored or printed
SECRET="s3cr3t-$(date +%s)-pw"
TOKEN="tok3n-$(date +%s)-xyz"
export CAMP_TEST_SMTP_USER=shopuser CAMP_TEST_SMTP_PASSWORD="$SECRET" CAMP_TEST_API_KEY="$TOKEN"
srv_smtp authsink --log "$TMP/auth.jsonl" --auth shopuser:CAMP_TEST_SMTP_PASSWORD || t_fail "authsink did not start"
AP=$SRV_PORT
mkdir -p "$TMP/c4"
cat > "$TMP/c4/c.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$AP"
  starttls none
  user env "CAMP_TEST_SMTP_USER"
  password env "CAMP_TEST_SMTP_PASSWORD"
  from "news@shop.example"
}

provider gw {
  kind http
  url "http://127.0.0.1:$GW/sms"
  header "X-Api-Key" env "CAMP_TEST_API_KEY"
  body "{\"to\": \"{{to}}\", \"text\": \"{{body}}\"}"
}

campaign secret {
  all = customers
  email all { subject "Hi"; body "Hello {{first_name}}" }
  sms all "Hi {{first_name}}"
}
EOF
new_db c4
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'a@example.com', '+461', 'A', NULL), (2, 'b@example.com', '+462', 'B', NULL);"
camp plan "$TMP/c4/c.camp" --db "$DB" --now "$NOW" --explain > "$TMP/secret.out" 2>&1
camp run "$TMP/c4/c.camp" --db "$DB" --now "$NOW" --explain --send >> "$TMP/secret.out" 2>&1
camp send --db "$DB" --now "$NOW" --dry-run >> "$TMP/secret.out" 2>&1
camp status --db "$DB" 1 >> "$TMP/secret.out" 2>&1
camp outbox --db "$DB" --format json >> "$TMP/secret.out" 2>&1
sqlite3 "$DB" .dump > "$TMP/secret.dump"
check "c4: sent by both providers with the secrets" test "$(q "SELECT count(*) FROM camp_outbox WHERE status = 'sent'")" = 4
check "c4: the SMTP server saw the login" grep -q '"auth_user": "shopuser"' "$TMP/auth.jsonl"
check "c4: the HTTP provider saw the key" grep -q "\"X-Api-Key\": \"$TOKEN\"" "$TMP/gw.jsonl"
check "c4: no secret in the database, outputs or --explain" \
  sh -c "! grep -l -e '$SECRET' -e '$TOKEN' '$TMP/secret.out' '$TMP/secret.dump' '$DB'"
check "c4: the env var names are recorded" grep -q 'CAMP_TEST_SMTP_PASSWORD' "$TMP/secret.dump"
unset CAMP_TEST_SMTP_PASSWORD
camp run "$TMP/c4/c.camp" --db "$DB" --now "$NOW" --new-run > /dev/null 2>&1
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2> "$TMP/s.err"
rc=$?
check "c4: a missing env var: exit 1, the variable named, nothing claimed" sh -c "[ $rc = 1 ] &&
  grep -q 'CAMP_TEST_SMTP_PASSWORD .*is not set' '$TMP/s.err' &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox WHERE run_id = 2 AND status = 'queued'\")\" = 4 ]"
unset CAMP_TEST_SMTP_USER CAMP_TEST_API_KEY
srv_stop authsink

# ============================================ 5. file provider, dry run, no provider
mkdir -p "$TMP/c5/out"
cat > "$TMP/c5/c.camp" <<EOF
$SCHEMA

provider printer {
  kind file
  directory "drop/print"
}

campaign paper {
  all = customers
  mail all { extract "out/all.csv"; columns (first_name, city) }
  email all { subject "no provider for email here"; body "x" }
}
EOF
new_db c5
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'a@e.com', NULL, 'Ann', 'Lund'),
  (2, 'b@e.com', NULL, 'Bo, \"the\" Bear', 'Malmö'), (3, 'c@e.com', NULL, NULL, 'Ystad');"
camp run "$TMP/c5/c.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1 || t_fail "camp run c5"
camp send --db "$DB" --now "$NOW" --dry-run > "$TMP/s.out" 2>&1
check "c5 dry run: 3 built, nothing changed or written" sh -c "grep -q '^dry run: 3 messages built' '$TMP/s.out' &&
  [ ! -d '$TMP/c5/drop/print' ] &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox WHERE status = 'queued' AND attempts = 0\")\" = 6 ]"
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2>&1
check "c5: 3 sent; the email step without a provider stays queued and is reported" sh -c "
  grep -q '^sent 3, deferred 0' '$TMP/s.out' && grep -q '^3 queued messages belong to steps without a provider' '$TMP/s.out'"
cat > "$TMP/file_check.py" <<'EOF'
import json, sys, glob, hashlib, csv, io
d = sys.argv[1]
mans = glob.glob(d + "/*.manifest.json")
assert len(mans) == 1, mans
m = json.load(open(mans[0]))
data = open(d + "/" + m["file"], "rb").read()
assert hashlib.sha256(data).hexdigest() == m["sha256"], "sha256 differs"
rows = list(csv.reader(io.StringIO(data.decode())))
assert rows[0] == ["first_name", "city"], rows[0]
assert rows[1:] == [["Ann", "Lund"], ['Bo, "the" Bear', "Malmö"], ["", "Ystad"]], rows
assert m["rows"] == 3 and m["run"] == 1 and m["step"] == "_mail_all", m
assert not glob.glob(d + "/.*tmp"), "temporary file left"
print("ok")
EOF
check "c5: drop file + manifest (rows, SHA-256) agree with the outbox" "$PY" "$TMP/file_check.py" "$TMP/c5/drop/print"

# ============================================ 6. an unreachable provider
mkdir -p "$TMP/c6"
DEAD=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$TMP/c6/c.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$DEAD"
  from "news@shop.example"
  max_connections 1
}

campaign dead {
  all = customers
  email all { subject "x"; body "y" }
}
EOF
new_db c6
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
  INSERT INTO customers SELECT i, 'u' || i || '@example.com', NULL, 'U', NULL FROM n;"
camp run "$TMP/c6/c.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2> "$TMP/s.err"
rc=$?
check "c6: refused connections: exit 1, provider given up, all deferred, 3 attempts counted" sh -c "
  [ $rc = 1 ] && grep -q 'provider mailer is unavailable' '$TMP/s.err' &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) || ':' || sum(attempts) FROM camp_outbox WHERE status = 'deferred'\")\" = 50:3 ]"

# ============================================ 7. leases
# A live lease of a worker on another host is respected; an expired one and
# one held by a dead local process are reclaimed.
srv_smtp sink7 --log "$TMP/sink7.jsonl" || t_fail "sink7 did not start"
sed "s/127.0.0.1:$DEAD/127.0.0.1:$SRV_PORT/" "$TMP/c6/c.camp" > "$TMP/c6/c7.camp"
new_db c7
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'l1@example.com', NULL, 'A', NULL),
  (2, 'l2@example.com', NULL, 'B', NULL), (3, 'l3@example.com', NULL, 'C', NULL);"
camp run "$TMP/c6/c7.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1
sleep 30 &
DEADPID=$!
kill -9 $DEADPID
wait $DEADPID 2>/dev/null
HOST=$(hostname | tr : _)
q "UPDATE camp_outbox SET status = 'sending', lease_owner = 'otherhost:1:x',
     lease_expires = strftime('%s', 'now') + 3600 WHERE recipient_key = 1;
   UPDATE camp_outbox SET status = 'sending', lease_owner = 'otherhost:2:x',
     lease_expires = strftime('%s', 'now') - 1 WHERE recipient_key = 2;
   UPDATE camp_outbox SET status = 'sending', lease_owner = '$HOST:$DEADPID:x',
     lease_expires = strftime('%s', 'now') + 3600 WHERE recipient_key = 3;"
camp send --db "$DB" --now "$NOW" > "$TMP/s.out" 2>&1
check "c7: live lease kept, expired and dead-owner leases reclaimed and sent" sh -c "
  grep -q '^2 messages of stopped workers reclaimed' '$TMP/s.out' &&
  [ \"\$(sqlite3 '$DB' \"SELECT group_concat(status, ',') FROM (SELECT status FROM camp_outbox ORDER BY recipient_key)\")\" = sending,sent,sent ]"

# ============================================ 7b. camp resume --send
# The branch after a wait is queued by `camp resume` and sent right away.
cat > "$TMP/c6/c10.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$SRV_PORT"
  from "news@shop.example"
}

campaign later {
  all = customers
  soon = wait all 2d
  email soon { subject "Two days later, {{first_name}}"; body "x" }
}
EOF
new_db c10
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'r1@example.com', NULL, 'A', NULL), (2, 'r2@example.com', NULL, 'B', NULL);"
camp run "$TMP/c6/c10.camp" --db "$DB" --now "$NOW" --send > "$TMP/r.out" 2>&1
camp resume --db "$DB" --now "2026-03-02 09:00" --send > "$TMP/r1.out" 2>&1
check "c10: run --send before the wait: nothing queued, nothing sent" sh -c "
  [ \"\$(sqlite3 '$DB' 'SELECT count(*) FROM camp_outbox')\" = 0 ] && ! grep -q r1@example.com '$TMP/sink7.jsonl'"
camp resume --db "$DB" --now "2026-03-03 09:00" --send > "$TMP/r2.out" 2>&1
check "c10: resume --send after the wait queues and sends both" sh -c "grep -q '^sent 2, deferred 0' '$TMP/r2.out' &&
  [ \"\$(grep -c -e r1@example.com -e r2@example.com '$TMP/sink7.jsonl')\" = 2 ] &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox WHERE status = 'sent' AND sent_at = '2026-03-03 09:00:00'\")\" = 2 ]"
srv_stop sink7

# ============================================ 7c. a database of an older camp
# (store version 1: tests/report/fixture.sql) is migrated; its messages have
# no provider and stay queued.
DB=$TMP/old.sqlite
sqlite3 "$DB" < tests/report/fixture.sql
camp send --db "$DB" > "$TMP/old.out" 2>&1
check "old store: migrated to the current version (STORE_VERSION), queued messages reported and kept" sh -c "
  grep -q '^3 queued messages belong to steps without a provider' '$TMP/old.out' &&
  [ \"\$(sqlite3 '$DB' \"SELECT value FROM camp_meta WHERE key = 'schema_version'\")\" = $(sed -n 's/^#define STORE_VERSION //p' runtime/db/store.h) ] &&
  [ \"\$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox WHERE status = 'queued'\")\" = 3 ]"

# ============================================ 8. two workers at once
# Both drain the same outbox concurrently: every message is received
# exactly once (leases), and the outbox agrees with the sink.
srv_smtp sink8 --log "$TMP/sink8.jsonl" --no-data || t_fail "sink8 did not start"
mkdir -p "$TMP/c8"
cat > "$TMP/c8/c.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$SRV_PORT"
  from "news@shop.example"
  max_connections 2
}

campaign load {
  all = customers
  email all { subject "Hi {{first_name}}"; body "<p>Hello {{first_name}} in {{city}}</p>" }
}
EOF
# fill N: customers 1..N
fill() {
  sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
    INSERT INTO customers SELECT i, 'c' || i || '@example.com', NULL, 'N' || i, 'City' || (i % 17) FROM n;"
}
# agree SINKLOG — the outbox (all sent) and the sink agree by Message-ID;
# prints "received unique duplicates".
cat > "$TMP/agree.py" <<'EOF'
import json, sys, sqlite3, collections
log, db = sys.argv[1:3]
got = collections.Counter(json.loads(l)["message_id"] for l in open(log))
rows = sqlite3.connect(db).execute("SELECT message_id, status FROM camp_outbox").fetchall()
ids = {r[0] for r in rows}
problems = []
if any(r[1] != "sent" for r in rows): problems.append("%d rows not sent" % sum(r[1] != "sent" for r in rows))
if len(ids) != len(rows): problems.append("outbox message ids not unique")
if set(got) != ids:
    problems.append("lost: %d, unknown: %d" % (len(ids - set(got)), len(set(got) - ids)))
print(sum(got.values()), len(got), sum(got.values()) - len(got))
if problems:
    print("; ".join(problems), file=sys.stderr)
    sys.exit(1)
EOF
new_db c8
fill 3000
camp run "$TMP/c8/c.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1 || t_fail "camp run c8"
camp send --db "$DB" --now "$NOW" --batch 50 > "$TMP/w1.out" 2>&1 &
W1=$!
camp send --db "$DB" --now "$NOW" --batch 50 > "$TMP/w2.out" 2>&1 &
W2=$!
wait $W1
R1=$?
wait $W2
R2=$?
"$PY" "$TMP/agree.py" "$TMP/sink8.jsonl" "$DB" > "$TMP/agree.out" 2>&1
check "c8: two workers: both exit 0, each sent a share" sh -c "[ $R1 = 0 ] && [ $R2 = 0 ] &&
  ! grep -q '^sent 0,' '$TMP/w1.out' && ! grep -q '^sent 0,' '$TMP/w2.out'"
check "c8: 3000 received exactly once, outbox and sink agree" grep -qx '3000 3000 0' "$TMP/agree.out"
srv_stop sink8

# ============================================ 9. crash test
# 20,000 queued messages; `camp send` is killed with SIGKILL at >= 20
# random moments and started again each time.  At the end every message is
# sent and received at least once; a message is received twice only when it
# was delivered but not yet recorded at a kill (bounded by what a worker
# holds: 4 batches); the outbox and the sink agree by Message-ID.
CRASH_N=${CRASH_N:-20000}
CRASH_KILLS=${CRASH_KILLS:-20}
CRASH_SEED=${CRASH_SEED:-$(date +%s)}
srv_smtp sink9 --log "$TMP/sink9.jsonl" --no-data || t_fail "sink9 did not start"
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$SRV_PORT/; s/max_connections 2/max_connections 4/" "$TMP/c8/c.camp" > "$TMP/c8/c9.camp"
new_db c9
fill "$CRASH_N"
camp run "$TMP/c8/c9.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1 || t_fail "camp run c9"
# the random moments: 0.05 .. 0.55 s after camp is ready to send (its start-up
# time, measured here, is large under valgrind or ASan)
t0=$(date +%s%N)
camp send --db "$DB" --now "$NOW" --dry-run --limit 1 > /dev/null 2>&1
startup=$(( ($(date +%s%N) - t0) / 1000000 ))
awk -v s="$CRASH_SEED" -v n="$CRASH_KILLS" -v st="$startup" \
  'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.2f\n", st / 1000 + 0.05 + rand() * 0.5 }' > "$TMP/moments"
kills=0
while read -r m; do
  "$CAMP" send --db "$DB" --now "$NOW" --batch 100 > /dev/null 2>&1 &
  pid=$!
  sleep "$m"
  kill -9 $pid 2>/dev/null && kills=$((kills + 1))
  wait $pid 2>/dev/null
done < "$TMP/moments"
sent_at_kills=$(q "SELECT count(*) FROM camp_outbox WHERE status = 'sent'")
camp send --db "$DB" --now "$NOW" > "$TMP/final.out" 2>&1
"$PY" "$TMP/agree.py" "$TMP/sink9.jsonl" "$DB" > "$TMP/agree9.out" 2>&1
set -- $(head -n 1 "$TMP/agree9.out")
echo "crash test: $kills kills (seed $CRASH_SEED), $sent_at_kills of $CRASH_N recorded sent before the last start;" \
     "received ${1:-?}, unique ${2:-?}, duplicates ${3:-?}"
check "c9: >= 20 kills landed while sending" sh -c "[ $kills -ge $CRASH_KILLS ] && [ $sent_at_kills -lt $CRASH_N ] &&
  [ $sent_at_kills -gt 0 ]"
check "c9: after the kills every message sent and received, outbox and sink agree" \
  sh -c "[ '${2:-}' = '$CRASH_N' ] && grep -q '^sent ' '$TMP/final.out'"
check "c9: duplicates bounded by what was in flight at the kills" sh -c "[ ${3:-999999} -le $((kills * 4 * 100 + 4)) ]"
srv_stop sink9

# ============================================ 10. proofs: send --proof
# A step's first rendered messages to test addresses through its provider;
# nothing is stored (the outbox and camp's tables stay as they were).
srv_smtp sink10 --log "$TMP/sink10.jsonl" || t_fail "sink10 did not start"
mkdir -p "$TMP/c10"
cat > "$TMP/c10/c.camp" <<EOF
$SCHEMA

provider mailer { kind smtp url env "C10_SMTP_URL" from "Shop <news@shop.example>" }

campaign proofs {
  lund = customers where city = "Lund"
  email lund via mailer { subject "Hej {{first_name}}"; body "<p>Lund news for {{first_name}}</p>" }
  everyone = customers where true
  mail everyone { extract "out/all.csv"; columns (first_name) }
}
EOF
new_db c10
sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'a@example.com', NULL, 'Ann', 'Lund'),
  (2, 'b@example.com', NULL, 'Bo', 'Malmö'), (3, 'c@example.com', NULL, 'Cy', 'Lund'),
  (4, 'd@example.com', NULL, 'Di', 'Lund'), (5, 'e@example.com', NULL, 'Ed', 'Lund');"
before=$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master")
C10_SMTP_URL="smtp://127.0.0.1:$(srv_port sink10)" camp send "$TMP/c10/c.camp" --db "$DB" --step _email_lund \
  --proof "qa@shop.example, lead@shop.example" --proofs 2 > "$TMP/proof.out" 2>&1
check "c10: send --proof exits 0" grep -q "accepted" "$TMP/proof.out"
# expected: the first 2 Lund customers by key (1 Ann, 3 Cy), each to both addresses
cat > "$TMP/proof_check.py" <<'EOF'
import json, sys, email
from email import policy
got = sorted((json.loads(l)["rcpt_tos"][0],
              str(email.message_from_string(json.loads(l)["data"], policy=policy.default)["Subject"]))
             for l in open(sys.argv[1]))
want = sorted((a, "[proof] Hej " + n) for a in ("qa@shop.example", "lead@shop.example") for n in ("Ann", "Cy"))
if got != want:
    print("got", got, "want", want); sys.exit(1)
EOF
check "c10: 2 proofs to each address, subjects prefixed" "$PY" "$TMP/proof_check.py" "$TMP/sink10.jsonl"
check "c10: one line per proof" sh -c "[ \$(grep -c '^proof of _email_lund (recipient [13]) to .*: accepted' '$TMP/proof.out') = 4 ]"
check "c10: nothing stored (no camp tables)" sh -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM sqlite_master') = '$before' ]"
camp send "$TMP/c10/c.camp" --db "$DB" --step _email_lund --proof qa@shop.example > "$TMP/proof2.out" 2>&1
check "c10: without the provider's variable: exit 1" sh -c "[ $? = 1 ]"
check "c10: ... naming the variable" grep -q "C10_SMTP_URL" "$TMP/proof2.out"
camp send "$TMP/c10/c.camp" --db "$DB" --step _mail_everyone --proof qa@shop.example > "$TMP/proof3.out" 2>&1
check "c10: direct mail has no proofs: exit 2" sh -c "[ $? = 2 ]"
camp send "$TMP/c10/c.camp" --db "$DB" --proof qa@shop.example > "$TMP/proof4.out" 2>&1
check "c10: --proof without --step is a usage error" sh -c "[ $? = 2 ]"
check "c10: still 4 proofs received" sh -c "[ \$(wc -l < '$TMP/sink10.jsonl') = 4 ]"
srv_stop sink10

# ============================================ 11. STARTTLS (a real TLS handshake)
# A sink that offers STARTTLS and refuses MAIL before it, with a throwaway
# CA made here (openssl); camp trusts it through `ca_file`.
TLS=$TMP/tls
mkdir -p "$TLS"
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=camp test CA" \
     -keyout "$TLS/ca.key" -out "$TLS/ca.pem" > "$TLS/openssl.log" 2>&1 &&
   openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$TLS/srv.key" -out "$TLS/srv.csr" >> "$TLS/openssl.log" 2>&1 &&
   printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$TLS/ext.cnf" &&
   openssl x509 -req -in "$TLS/srv.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 2 \
     -extfile "$TLS/ext.cnf" -out "$TLS/srv.pem" >> "$TLS/openssl.log" 2>&1; then
  srv_smtp tls_sink --log "$TMP/tls.jsonl" --starttls "$TLS/srv.pem:$TLS/srv.key" || t_fail "the STARTTLS sink did not start"
  TLS_PORT=$SRV_PORT
  mkdir -p "$TMP/c11"
  cp "$TLS/ca.pem" "$TMP/c11/ca.pem"
  for mode in required none; do
    cat > "$TMP/c11/$mode.camp" <<EOF
$SCHEMA

provider mailer {
  kind smtp
  url "smtp://127.0.0.1:$TLS_PORT"
  starttls $mode
  ca_file "ca.pem"
  from "news@shop.example"
  max_attempts 1
}

campaign tls_$mode {
  all = customers
  email all { subject "tls $mode"; body "<p>x</p>" }
}
EOF
  done
  new_db c11
  sqlite3 "$DB" "INSERT INTO customers VALUES (1, 'a@example.com', NULL, 'A', 'Lund'), (2, 'b@example.com', NULL, 'B', 'Lund');"
  camp run "$TMP/c11/required.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1
  camp send --db "$DB" --now "$NOW" > "$TMP/tls.out" 2>&1
  check "c11: starttls required + ca_file: both sent" grep -q '^sent 2, deferred 0, failed 0' "$TMP/tls.out"
  check "c11: the sink saw STARTTLS on every message" sh -c "[ \$(grep -c '\"tls\": true' '$TMP/tls.jsonl') = 2 ]"
  # starttls none against a server that requires it: refused, nothing sent in clear
  camp run "$TMP/c11/none.camp" --db "$DB" --now "$NOW" --new-run > /dev/null 2>&1
  camp send --db "$DB" --now "$NOW" > "$TMP/tls2.out" 2>&1
  check "c11: without STARTTLS the server refuses: nothing more received" sh -c "[ \$(wc -l < '$TMP/tls.jsonl') = 2 ]"
  check "c11: ... and the messages are not marked sent" sh -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE r.campaign = 'tls_none' AND o.status = 'sent'\") = 0 ]"
  # without ca_file the throwaway CA is not trusted: the handshake fails
  sed '/ca_file/d' "$TMP/c11/required.camp" > "$TMP/c11/untrusted.camp"
  sed -i 's/campaign tls_required/campaign tls_untrusted/' "$TMP/c11/untrusted.camp"
  camp run "$TMP/c11/untrusted.camp" --db "$DB" --now "$NOW" > /dev/null 2>&1
  camp send --db "$DB" --now "$NOW" > "$TMP/tls3.out" 2>&1
  check "c11: an untrusted certificate: nothing sent" sh -c "[ \$(wc -l < '$TMP/tls.jsonl') = 2 ] &&
    [ \$(sqlite3 '$DB' \"SELECT count(*) FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE r.campaign = 'tls_untrusted' AND o.status = 'sent'\") = 0 ]"
  srv_stop tls_sink
else
  t_fail "c11: openssl could not make the test certificates"
  sed 's/^/    /' "$TLS/openssl.log"
fi

[ -n "${KEEP:-}" ] && cp -r "$TMP" "$KEEP"
t_summary delivery
