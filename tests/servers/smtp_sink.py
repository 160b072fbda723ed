#!/usr/bin/python3
"""smtp_sink.py -- a real SMTP server (aiosmtpd) for camp's delivery tests.

Listens on loopback only, records every accepted message and can be told to
answer with errors.  Run with the Debian python (/usr/bin/python3), which
has python3-aiosmtpd.

  smtp_sink.py --port-file F --log LOG.jsonl [--dir DIR] [--control CTL.json]
               [--reply CODE:ADDRESS]... [--fail-next CODE:N]
               [--auth USER:PASSWORD_ENV] [--host 127.0.0.1] [--port 0]

  --port-file F   the port actually bound (port 0 = a free one) is written to
                  F once the server listens (written to F.tmp, then renamed)
  --log LOG       one JSON line per accepted message:
                    {"n": 1, "peer": "...", "mail_from": "...",
                     "rcpt_tos": [...], "message_id": "<...>",
                     "auth_user": null, "size": 123, "data": "raw message"}
                  data is the raw DATA text (decoded as UTF-8 with
                  replacement; camp's messages are 7-bit).  Each line is
                  flushed before the 250 answer, so a counted message is
                  recorded.
  --no-data       leave "data" out of the log lines (load tests)
  --dir DIR       also one file per message: DIR/000001.eml ...
  --reply C:ADDR  answer RCPT TO:<ADDR> with code C (e.g. 550:bad@x, 450:busy@x,
                  421:x@y -- 421 also closes the connection)
  --fail-next C:N answer the next N MAIL/RCPT/DATA commands with code C
  --control F     a JSON file re-read when it changes:
                    {"reply": {"ADDR": CODE, ...}, "fail_next": [CODE, N]}
                  fail_next is applied once per change of the file.
  --auth U:ENV    offer AUTH PLAIN/LOGIN (over plain TCP: tests only) and
                  accept user U with the password in environment variable ENV
  --starttls C:K  offer STARTTLS with certificate C and key K (PEM) and
                  refuse MAIL before it; log lines gain "tls": true
  --stats F       on exit (SIGTERM/SIGINT), write {"accepted": N, ...} to F
"""
import argparse
import asyncio
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

MESSAGES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Local error in processing",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Mailbox unavailable",
    552: "552 5.2.2 Mailbox full",
    554: "554 5.7.1 Transaction failed",
}


def answer(code):
    return MESSAGES.get(code, "%d Error" % code)


class Rules:
    """Which commands get an error, from flags and the control file."""

    def __init__(self, replies, fail_next, control):
        self.replies = dict(replies)
        self.fail_code, self.fail_left = fail_next
        self.control = control
        self.control_mtime = None
        self.control_replies = {}

    def refresh(self):
        if not self.control:
            return
        try:
            st = os.stat(self.control)
        except FileNotFoundError:
            return
        key = (st.st_mtime_ns, st.st_size)
        if key == self.control_mtime:
            return
        self.control_mtime = key
        try:
            with open(self.control) as f:
                cfg = json.load(f)
        except (OSError, ValueError) as e:
            print("smtp_sink: bad control file: %s" % e, file=sys.stderr)
            return
        self.control_replies = {k.lower(): int(v) for k, v in cfg.get("reply", {}).items()}
        fn = cfg.get("fail_next")
        if fn:
            self.fail_code, self.fail_left = int(fn[0]), int(fn[1])

    def next_failure(self):
        """The code for this command when the next N commands must fail."""
        self.refresh()
        if self.fail_left > 0:
            self.fail_left -= 1
            return self.fail_code
        return None

    def for_rcpt(self, address):
        a = address.lower()
        if a in self.control_replies:
            return self.control_replies[a]
        return self.replies.get(a)


class Sink:
    def __init__(self, args):
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.dir = args.dir
        self.no_data = args.no_data
        if self.dir:
            os.makedirs(self.dir, exist_ok=True)
        self.rules = Rules(args.reply, args.fail_next, args.control)
        self.accepted = 0
        self.refused = 0

    def fail(self, server, code):
        self.refused += 1
        if code == 421:
            # 421 closes the channel (RFC 5321 3.8): answer, then hang up.
            asyncio.get_event_loop().call_later(0.01, server.transport.close)
        return answer(code)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        code = self.rules.next_failure()
        if code:
            return self.fail(server, code)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rules.next_failure() or self.rules.for_rcpt(address)
        if code:
            return self.fail(server, code)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        code = self.rules.next_failure()
        if code:
            return self.fail(server, code)
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        self.accepted += 1
        n = self.accepted
        text = raw.decode("utf-8", "replace")
        mid = None
        for line in text.split("\n"):
            line = line.rstrip("\r")
            if not line:
                break
            if line.lower().startswith("message-id:"):
                mid = line.split(":", 1)[1].strip()
        rec = {
            "n": n,
            "peer": "%s:%s" % tuple(session.peer[:2]) if session.peer else None,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": mid,
            "auth_user": getattr(session, "auth_data", None) and session.auth_data.login.decode(),
            "size": len(raw),
            # STARTTLS done on this session (aiosmtpd sets session.ssl)
            "tls": bool(getattr(session, "ssl", None)),
        }
        if not self.no_data:
            rec["data"] = text
        if self.log:
            self.log.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.log.flush()
        if self.dir:
            with open(os.path.join(self.dir, "%06d.eml" % n), "wb") as f:
                f.write(raw)
        return "250 2.0.0 Ok: queued as %d" % n


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)
    return check


def parse_code_arg(text, what):
    code, sep, rest = text.partition(":")
    if not sep or not code.isdigit():
        raise argparse.ArgumentTypeError("%s must be CODE:%s" % (what, "ADDRESS" if what == "--reply" else "N"))
    return int(code), rest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--dir")
    ap.add_argument("--no-data", action="store_true")
    ap.add_argument("--control")
    ap.add_argument("--stats")
    ap.add_argument("--reply", action="append", default=[],
                    type=lambda t: parse_code_arg(t, "--reply"))
    ap.add_argument("--fail-next", default=(0, 0),
                    type=lambda t: (lambda c, n: (c, int(n)))(*parse_code_arg(t, "--fail-next")))
    ap.add_argument("--auth")
    ap.add_argument("--starttls", help="CERT.pem:KEY.pem: offer STARTTLS and require it before MAIL")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ap.error("tests listen on loopback only")
    args.reply = [(addr.lower(), code) for code, addr in args.reply]
    sink = Sink(args)
    kw = dict(hostname="camp-sink", ident="camp smtp_sink", enable_SMTPUTF8=True,
              decode_data=False, data_size_limit=64 << 20, command_call_limit=None)
    if args.auth:
        user, _, env = args.auth.partition(":")
        kw.update(auth_require_tls=False, authenticator=authenticator_for(user, os.environ.get(env, "")),
                  auth_required=True)
    if args.starttls:
        import ssl
        cert, _, key = args.starttls.partition(":")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        kw.update(tls_context=ctx, require_starttls=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(sink, loop=loop, **kw), args.host, args.port))
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)

    def stop():
        server.close()
        loop.stop()
    loop.add_signal_handler(signal.SIGTERM, stop)
    loop.add_signal_handler(signal.SIGINT, stop)
    try:
        loop.run_forever()
    finally:
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump({"accepted": sink.accepted, "refused": sink.refused}, f)
        if sink.log:
            sink.log.close()


if __name__ == "__main__":
    main()
