"""webclient.py — a tiny client for the `camp serve` tests: one cookie jar per
operator, the CSRF token read from the last page, every answer's status.
Used by tests/distrib/run.sh through subcommands (see main)."""
import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


class Client:
    def __init__(self, base, jar_path):
        self.base = base
        self.jar = http.cookiejar.MozillaCookieJar(jar_path)
        try:
            self.jar.load(ignore_discard=True, ignore_expires=True)
        except (FileNotFoundError, http.cookiejar.LoadError):
            pass

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def req(self, method, path, fields=None):
        data = urllib.parse.urlencode(fields or [], doseq=True).encode() if method == "POST" else None
        r = urllib.request.Request(self.base + path, data=data, method=method)
        try:
            with self.opener.open(r, timeout=10) as resp:
                status, body = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode()
        self.jar.save(ignore_discard=True, ignore_expires=True)
        return status, body


def csrf_of(body):
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', body)
    return m.group(1) if m else ""


def main():
    base, jar, cmd = sys.argv[1], sys.argv[2], sys.argv[3]
    c = Client(base, jar)
    if cmd == "login":  # login USER PASSWORD -> status of the POST
        s, body = c.req("GET", "/login")
        s, body = c.req("POST", "/login", [("csrf", csrf_of(body)), ("login", sys.argv[4]), ("password", sys.argv[5])])
        print(s)
    elif cmd == "get":  # get PATH -> status, then the body on stdout
        s, body = c.req("GET", sys.argv[4])
        print(s)
        print(body)
    elif cmd == "csrf":  # csrf -> the session's CSRF token (from the home page)
        s, body = c.req("GET", "/")
        print(csrf_of(body))
    elif cmd == "post":  # post PATH CSRF k=v ... -> status (CSRF "auto": the session's)
        token = sys.argv[5]
        if token == "auto":
            token = csrf_of(c.req("GET", "/")[1])
        fields = [("csrf", token)] if token != "none" else []
        for kv in sys.argv[6:]:
            k, v = kv.split("=", 1)
            fields.append((k, v))
        s, body = c.req("POST", sys.argv[4], fields)
        print(s)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # `| head -1` read the status line only
        pass
