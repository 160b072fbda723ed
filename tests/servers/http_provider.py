#!/usr/bin/python3
"""http_provider.py -- an HTTP provider stand-in (SMS/push gateway) for
camp's delivery tests: records every request and answers by rules.

  http_provider.py --port-file F --log LOG.jsonl [--rule RULE]...
                   [--control CTL.json] [--id-field id] [--host 127.0.0.1]

  --port-file F  the bound port (port 0 = a free one), written once listening
  --log LOG      one JSON line per request:
                   {"n": 1, "t": 1767225600.123, "method": "POST", "path": "/v1/sms",
                    "headers": {...}, "body": "...", "status": 200}
                 written (flushed) before the answer is sent
  --rule RULE    STATUS[:COUNT][:RETRY_AFTER][:SUBSTRING] -- answer STATUS to
                 the first COUNT requests (0 or empty = all) whose body
                 contains SUBSTRING (empty = any), with a Retry-After header
                 when RETRY_AFTER is set.  Rules are tried in order.
                 Examples: 429:3:1  500:2  400:0::bad-number
  --control F    a JSON file re-read when it changes, replacing the rules:
                   {"rules": [{"status": 429, "count": 3, "retry_after": 1,
                               "contains": "..."}]}
  --id-field N   the field of the 200 answer carrying the provider's id
                 ({"id": "prov-<n>"} by default)

A successful request is answered 200 with {"<id-field>": "prov-<n>",
"status": "queued"}; a failing one with {"error": "..."}.  GET /_health
answers 200 without being logged.  HTTP/1.1 keep-alive.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Rule:
    def __init__(self, status, count=0, retry_after=None, contains=""):
        self.status = int(status)
        self.left = int(count) if count and int(count) > 0 else None
        self.retry_after = retry_after if retry_after not in ("", None) else None
        self.contains = contains or ""

    @staticmethod
    def parse(text):
        parts = text.split(":", 3)
        parts += [""] * (4 - len(parts))
        if not parts[0].isdigit():
            raise argparse.ArgumentTypeError("--rule STATUS[:COUNT][:RETRY_AFTER][:SUBSTRING]")
        return Rule(parts[0], parts[1] or 0, parts[2], parts[3])


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.rules = list(args.rule)
        self.control = args.control
        self.control_key = None
        self.id_field = args.id_field
        self.n = 0

    def refresh(self):
        if not self.control:
            return
        try:
            st = os.stat(self.control)
        except FileNotFoundError:
            return
        key = (st.st_mtime_ns, st.st_size)
        if key == self.control_key:
            return
        self.control_key = key
        try:
            with open(self.control) as f:
                cfg = json.load(f)
            self.rules = [Rule(r["status"], r.get("count", 0), r.get("retry_after"),
                               r.get("contains", "")) for r in cfg.get("rules", [])]
        except (OSError, ValueError, KeyError) as e:
            print("http_provider: bad control file: %s" % e, file=sys.stderr)

    def decide(self, body):
        """(n, status, retry_after) for this request; logs it."""
        self.refresh()
        for r in self.rules:
            if r.left == 0:
                continue
            if r.contains and r.contains not in body:
                continue
            if r.left is not None:
                r.left -= 1
            return r.status, r.retry_after
        return 200, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "camp-http-provider/1"

    def log_message(self, fmt, *args):  # quiet: the JSONL log is the record
        pass

    def handle_any(self):
        st = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = raw.decode("utf-8", "replace")
        if self.command == "GET" and self.path == "/_health":
            return self.reply(200, {"ok": True}, None)
        with st.lock:
            status, retry_after = st.decide(body)
            st.n += 1
            n = st.n
            if st.log:
                st.log.write(json.dumps({"n": n, "t": round(time.time(), 3), "method": self.command,
                                         "path": self.path,
                                         "headers": {k: v for k, v in self.headers.items()},
                                         "body": body, "status": status}, ensure_ascii=False) + "\n")
                st.log.flush()
        if status < 300:
            self.reply(status, {st.id_field: "prov-%d" % n, "status": "queued"}, None)
        else:
            self.reply(status, {"error": "rule answered %d" % status}, retry_after)

    def reply(self, status, obj, retry_after):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--control")
    ap.add_argument("--rule", action="append", default=[], type=Rule.parse)
    ap.add_argument("--id-field", default="id")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ap.error("tests listen on loopback only")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.state = State(args)
    port = httpd.server_address[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=httpd.shutdown).start())
    try:
        httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        if httpd.state.log:
            httpd.state.log.close()


if __name__ == "__main__":
    main()
