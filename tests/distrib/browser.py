"""browser.py BASE_URL SHOTS_DIR LOGIN PASSWORD RUN STEP KEY... — drives a
headless Chromium through the Chrome DevTools Protocol over
--remote-debugging-pipe (fd 3: commands in, fd 4: answers out, each JSON
message ended by a NUL byte): logs in on the `camp serve` page as a store
manager, opens the contacts of run RUN step STEP, ticks the given keys and
presses "Approve selected".  Writes a PNG screenshot of every page into
SHOTS_DIR and prints one line per check (`ok ...` / `FAIL ...`)."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            sys.exit("chromium is not installed")
        self.profile = tempfile.mkdtemp(prefix="camp-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # via high numbers, so neither end is overwritten by the other
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 100)
            os.dup2(b, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--disable-extensions", "--window-size=1100,900",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "about:blank"],
            close_fds=False, preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_msg(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_child, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=20):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(self.to_child, json.dumps(m).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            r = self._read_msg(deadline)
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError(f"{method}: {r['error']}")
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, name, session, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.events.append(self._read_msg(deadline))

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    base, shots, login, password, run, step = sys.argv[1:7]
    keys = sys.argv[7:]
    os.makedirs(shots, exist_ok=True)
    b = Browser()
    failures = 0

    def check(what, ok):
        nonlocal failures
        print(("ok " if ok else "FAIL ") + what)
        failures += 0 if ok else 1

    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.send("Page.enable", session=s)

        def navigate(url):
            b.send("Page.navigate", {"url": url}, session=s)
            b.wait_event("Page.loadEventFired", s)

        def js(expr):
            r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
            return r.get("result", {}).get("value")

        def submit(expr):
            # the click navigates: wait for the next page to load
            if js(f"(() => {{ const e = {expr}; if (!e) return false; e.click ? e.click() : e.submit(); return true; }})()"):
                b.wait_event("Page.loadEventFired", s)

        def shot(name):
            data = b.send("Page.captureScreenshot", {"format": "png"}, session=s)["data"]
            with open(os.path.join(shots, name), "wb") as f:
                f.write(base64.b64decode(data))

        navigate(base + "/login")
        shot("1-login.png")
        check("login page has a form", js("document.querySelector('form#login') !== null"))
        js(f"document.querySelector('input[name=login]').value = {json.dumps(login)};"
           f"document.querySelector('input[name=password]').value = {json.dumps(password)};")
        submit("document.querySelector('form#login button[type=submit]')")
        shot("2-home.png")
        who = js("(document.getElementById('who') || {}).textContent || ''")
        check(f"logged in as {login}: {who}", who.startswith(login + " "))
        navigate(f"{base}/approval?run={run}&step={step}")
        shot("3-contacts.png")
        shown = js("Array.from(document.querySelectorAll('td.key')).map(e => e.textContent)")
        check(f"contacts shown: {shown}", bool(shown))
        deadline = js("(document.getElementById('deadline') || {}).textContent || ''")
        check(f"deadline shown: {deadline}", "UTC" in deadline)
        # with JavaScript: the select-all box (allowed by the page's CSP hash)
        n = js("(() => { const a = document.getElementById('select-all'); if (!a || a.hidden) return -1;"
               " a.click(); return document.querySelectorAll('input[name=key]:checked').length; })()")
        check(f"select all (script allowed by the CSP) ticks every contact: {n}", n == len(shown))
        js("(() => { const a = document.getElementById('select-all'); a.click(); })()")
        check("select all again clears them", js("document.querySelectorAll('input[name=key]:checked').length") == 0)
        for k in keys:
            ticked = js(f"(() => {{ const c = document.querySelector('input[name=key][value=\"{k}\"]');"
                        " if (!c) return false; c.checked = true; return true; })()")
            check(f"tick contact {k}", ticked)
        shot("4-selected.png")
        submit("document.getElementById('approve-selected')")
        shot("5-approved.png")
        states = js("Array.from(document.querySelectorAll('#contacts tr')).slice(1).map("
                    "r => r.querySelector('td.key').textContent + ':' + r.querySelector('td.state').textContent)")
        for k in keys:
            check(f"contact {k} approved on the page", f"{k}:approved" in (states or []))
        notice = js("(document.getElementById('notice') || {}).textContent || ''")
        check(f"notice: {notice}", str(len(keys)) in notice)
    finally:
        b.close()
    print(f"browser: {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
