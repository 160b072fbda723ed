#!/bin/sh
# tests/servers/run.sh CAMP — the test servers themselves (smtp_sink.py,
# http_provider.py, lib.sh): they start on a free loopback port, record what
# they receive and answer the errors they are told to.  The delivery tests
# rely on this.  (CAMP is not used: the clients here are Python's own.)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
. tests/lib.sh
. tests/servers/lib.sh
TMP=$(mktemp -d "${TMPDIR:-/tmp}/camp-servers.XXXXXX") || exit 2
SRV_ON_EXIT='rm -rf "$TMP"'
srv_init "$TMP"

if ! "$SRV_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
  t_fail "python3-aiosmtpd is not installed for $SRV_PYTHON (make deps installs it)"
  t_summary servers
  exit 1
fi

py() { "$SRV_PYTHON" - "$@"; }

# --- SMTP: a message is recorded with its envelope and raw data --------------
if srv_smtp sink --log "$TMP/sink.jsonl" --dir "$TMP/eml" --reply 550:bad@example.com \
     --reply 450:busy@example.com --control "$TMP/ctl.json"; then
  P=$SRV_PORT
  py "$P" > "$TMP/smtp.out" 2>&1 <<'EOF'
import smtplib, sys
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port)
msg = b"From: a@example.com\r\nTo: ok@example.com\r\nMessage-ID: <m1@x>\r\nSubject: hi\r\n\r\nbody \xc3\xa9\r\n"
s.sendmail("a@example.com", ["ok@example.com"], msg)
for rcpt in ("bad@example.com", "busy@example.com"):
    try:
        s.sendmail("a@example.com", [rcpt], msg)
        print(rcpt, "accepted")
    except smtplib.SMTPRecipientsRefused as e:
        print(rcpt, e.recipients[rcpt][0])
s.quit()
EOF
  if grep -q '"rcpt_tos": \["ok@example.com"\]' "$TMP/sink.jsonl" &&
     grep -q '"message_id": "<m1@x>"' "$TMP/sink.jsonl" && [ -f "$TMP/eml/000001.eml" ] &&
     [ "$(wc -l < "$TMP/sink.jsonl")" = 1 ]; then t_pass
  else t_fail "smtp sink did not record exactly the one accepted message"; cat "$TMP/sink.jsonl"; fi
  if grep -q '^bad@example.com 550$' "$TMP/smtp.out" && grep -q '^busy@example.com 450$' "$TMP/smtp.out"
  then t_pass; else t_fail "smtp sink --reply codes"; cat "$TMP/smtp.out"; fi

  # --- the control file: the next 2 commands fail with 421 (which hangs up)
  echo '{"fail_next": [421, 2], "reply": {"late@example.com": 552}}' > "$TMP/ctl.json"
  py "$P" > "$TMP/smtp2.out" 2>&1 <<'EOF'
import smtplib, sys
port = int(sys.argv[1])
codes = []
for i in range(3):
    try:
        s = smtplib.SMTP("127.0.0.1", port)
        s.sendmail("a@example.com", ["ok@example.com"], b"Subject: x\r\n\r\ny\r\n")
        codes.append(250)
        s.quit()
    except smtplib.SMTPSenderRefused as e:
        codes.append(e.smtp_code)
    except smtplib.SMTPServerDisconnected:
        codes.append("disconnected")
s = smtplib.SMTP("127.0.0.1", port)
try:
    s.sendmail("a@example.com", ["late@example.com"], b"Subject: x\r\n\r\ny\r\n")
except smtplib.SMTPRecipientsRefused as e:
    codes.append(e.recipients["late@example.com"][0])
print(*codes)
EOF
  if [ "$(cat "$TMP/smtp2.out")" = "421 421 250 552" ]; then t_pass
  else t_fail "smtp sink control file: got '$(cat "$TMP/smtp2.out")', want '421 421 250 552'"; fi
  srv_stop sink
  if kill -0 "$(cat "$TMP/servers/sink.pid" 2>/dev/null || echo 999999999)" 2>/dev/null; then
    t_fail "srv_stop left the sink running"; else t_pass; fi
else
  t_fail "smtp sink did not start"
fi

# --- HTTP stand-in: recorded requests, 429 with Retry-After, 400 by body ---
if srv_http gw --log "$TMP/gw.jsonl" --rule 429:2:7 --rule 400:0::bad-number; then
  py "$SRV_PORT" > "$TMP/http.out" 2>&1 <<'EOF'
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
out = []
for body in ['{"to": "1"}', '{"to": "2"}', '{"to": "3"}', '{"to": "bad-number"}']:
    c.request("POST", "/v1/sms", body, {"Content-Type": "application/json", "Idempotency-Key": "k"})
    r = c.getresponse()
    data = json.loads(r.read())
    out.append("%d:%s:%s" % (r.status, r.getheader("Retry-After"), data.get("id")))
print(" ".join(out))
EOF
  want="429:7:None 429:7:None 200:None:prov-3 400:None:None"
  if [ "$(cat "$TMP/http.out")" = "$want" ]; then t_pass
  else t_fail "http stand-in rules: got '$(cat "$TMP/http.out")', want '$want'"; fi
  if [ "$(wc -l < "$TMP/gw.jsonl")" = 4 ] && grep -q '"Idempotency-Key": "k"' "$TMP/gw.jsonl" &&
     grep -q '"path": "/v1/sms"' "$TMP/gw.jsonl"; then t_pass
  else t_fail "http stand-in did not log the 4 requests with headers"; fi
else
  t_fail "http stand-in did not start"
fi

srv_stop_all
t_summary servers
