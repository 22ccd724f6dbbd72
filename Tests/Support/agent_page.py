#!/usr/bin/env python3
"""Drives the agent page (`GET /agent`) in headless Chromium over the Chrome DevTools Protocol.

    agent_page.py --chromium /usr/bin/chromium --url 'http://127.0.0.1:PORT/agent#token=TOKEN' \
        --department claims --question 'Is claim 123 paid?' [--reply 'Member id M-7'] \
        [--expect-answer 'Paid'] [--screenshot out.png] [--timeout 60]

Starts Chromium itself (a fresh profile in a temporary directory), opens the URL, picks the department,
types the question and clicks Ask, then waits for the new ticket's row (prints `ticket: T-...`). With
--reply it waits for the department's question on that row (prints `question: ...`), types the reply and
clicks its button. Then it waits until the row's answer contains --expect-answer (prints `answer: ...`),
checks that the page was never reloaded (everything arrived over the live stream), saves a PNG screenshot
(prints `screenshot: PATH`) and exits 0. On a timeout or any other failure it prints what went wrong, the
page's #error text and the start of its text to standard error, still saves the screenshot, and exits 1;
2 on a usage error. Chromium is always stopped and its profile removed.

Needs Python 3 and `websocket-client` (`import websocket`) from PyPI.
"""

import argparse
import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import websocket


class Failure(Exception):
    pass


class DevTools:
    """A minimal CDP client on one page target's websocket."""

    def __init__(self, ws_url):
        # No Origin header: Chromium refuses DevTools websockets from origins it was not told to allow.
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("DevTools did not answer %s within %ss" % (method, timeout))
            self.ws.settimeout(left)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message.get("id") == ident:
                if "error" in message:
                    raise Failure("%s failed: %s" % (method, message["error"].get("message", message["error"])))
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method, after, timeout):
        """Returns the first `method` event received after the first `after` events, reading until it comes."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[after:]:
                if event["method"] == method:
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("no %s within %ss" % (method, timeout))
            self.ws.settimeout(left)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression, timeout=30):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise Failure("script failed: %s" % text)
        return result.get("result", {}).get("value")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


def js(value):
    return json.dumps(value)


def row_selector(ticket):
    return '.ticket[data-ticket="%s"]' % ticket.replace("\\", "\\\\").replace('"', '\\"')


class Driver:
    def __init__(self, args):
        self.args = args
        self.deadline = time.monotonic() + args.timeout
        self.tmp = tempfile.mkdtemp(prefix="agent-page-")
        self.proc = None
        self.cdp = None
        self.browser = None
        self.log_path = os.path.join(self.tmp, "chromium.log")

    # ---------- Chromium ----------

    def start(self):
        profile = os.path.join(self.tmp, "profile")
        os.mkdir(profile)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             "--user-data-dir=" + profile, "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.PIPE, start_new_session=True)
        # Chromium says where its DevTools listen on stderr: read it as it comes (into the log too).
        seen = b""
        browser_url = None
        while browser_url is None:
            if self.left() <= 0:
                log.close()
                raise Failure("Chromium did not open its DevTools port")
            ready, _, _ = select.select([self.proc.stderr], [], [], self.left())
            if not ready:
                continue
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            if not chunk:
                log.close()
                raise Failure("Chromium exited with %s: %s" % (self.proc.wait(5), self.chromium_log()))
            log.write(chunk)
            log.flush()
            seen += chunk
            match = re.search(rb"DevTools listening on (ws://\S+)", seen)
            if match:
                browser_url = match.group(1).decode()
        threading.Thread(target=self.drain, args=(log,), daemon=True).start()
        # A page of our own, created (not looked for) over the browser's connection.
        self.browser = DevTools(browser_url)
        target = self.browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        port = urllib.parse.urlparse(browser_url).port
        self.cdp = DevTools("ws://127.0.0.1:%d/devtools/page/%s" % (port, target))
        self.cdp.call("Page.enable")
        self.cdp.call("Runtime.enable")

    def drain(self, log):
        """Copies the rest of Chromium's stderr to the log, so that Chromium never blocks on a full pipe."""
        try:
            while True:
                chunk = os.read(self.proc.stderr.fileno(), 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
        except OSError:
            pass
        finally:
            log.close()

    def chromium_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        for connection in (self.cdp, self.browser):
            if connection:
                connection.close()
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---------- page helpers ----------

    def left(self):
        return self.deadline - time.monotonic()

    def wait_for(self, what, expression):
        """Returns the first truthy value of `expression`: the page checks it now and at each change of its DOM
        (a MutationObserver), and gives up when the deadline passes."""
        milliseconds = max(0, int(self.left() * 1000))
        value = self.cdp.evaluate("""new Promise(resolve => {
            const check = () => { try { return (%s); } catch (e) { return null; } };
            const now = check();
            if (now) { resolve(now); return; }
            const observer = new MutationObserver(() => { const v = check(); if (v) done(v); });
            const timer = setTimeout(() => done(check() || null), %d);
            function done(v) { observer.disconnect(); clearTimeout(timer); resolve(v); }
            observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
        })""" % (expression, milliseconds), timeout=milliseconds / 1000 + 10)
        if not value:
            raise Failure("timed out after %ss waiting for %s" % (self.args.timeout, what))
        return value

    def click(self, selector):
        box = self.cdp.evaluate("""(() => {
            const el = document.querySelector(%s);
            if (!el) return null;
            el.scrollIntoView({block: "center"});
            const r = el.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2, disabled: !!el.disabled};
        })()""" % js(selector))
        if not box:
            raise Failure("nothing matches %s" % selector)
        if box["disabled"]:
            raise Failure("%s is disabled" % selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1}
            if kind == "mouseMoved":
                params = {"type": kind, "x": box["x"], "y": box["y"]}
            self.cdp.call("Input.dispatchMouseEvent", params)

    def type_into(self, selector, text):
        found = self.cdp.evaluate("""(() => {
            const el = document.querySelector(%s);
            if (!el) return false;
            el.focus(); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true}));
            return document.activeElement === el;
        })()""" % js(selector))
        if not found:
            raise Failure("cannot type into %s" % selector)
        self.cdp.call("Input.insertText", {"text": text})
        value = self.cdp.evaluate("document.querySelector(%s).value" % js(selector))
        if value != text:
            raise Failure("typing into %s gave %r" % (selector, value))

    def screenshot(self):
        if not self.args.screenshot or not self.cdp:
            return None
        data = self.cdp.call("Page.captureScreenshot", {"format": "png"}, timeout=30)["data"]
        with open(self.args.screenshot, "wb") as f:
            f.write(base64.b64decode(data))
        return self.args.screenshot

    def page_report(self):
        lines = []
        try:
            error = self.cdp.evaluate("(() => { const e = document.getElementById('error');"
                                      " return e ? (e.hidden ? '(hidden) ' : '') + e.textContent : '(no #error)'; })()",
                                      timeout=5)
            lines.append("page #error: %s" % error)
            lines.append("page text:\n%s" % (self.cdp.evaluate("document.body ? document.body.innerText : ''",
                                                               timeout=5) or "")[:2000])
        except Exception as e:  # the page itself may be what failed
            lines.append("cannot read the page: %s" % e)
        for event in self.cdp.events:
            if event["method"] == "Runtime.exceptionThrown":
                d = event["params"]["exceptionDetails"]
                lines.append("page exception: %s" % (d.get("exception", {}).get("description") or d.get("text")))
            elif event["method"] == "Runtime.consoleAPICalled" and event["params"].get("type") in ("error", "warning"):
                lines.append("console %s: %s" % (event["params"]["type"], " ".join(
                    str(a.get("value", a.get("description", ""))) for a in event["params"].get("args", []))))
        return "\n".join(lines)

    # ---------- the scenario ----------

    def run(self):
        a = self.args
        self.start()
        mark = len(self.cdp.events)
        self.cdp.call("Page.navigate", {"url": a.url})
        self.cdp.wait_event("Page.loadEventFired", mark, max(1, self.left()))
        self.wait_for("the page's form", "!!document.getElementById('ask-form')")
        self.cdp.evaluate("window.__marker = 1")
        if self.cdp.evaluate("location.hash.indexOf('token=') >= 0"):
            raise Failure("the token is still in the address bar")

        self.wait_for("department %r in #department" % a.department,
                      "Array.from(document.querySelectorAll('#department option')).some(o => o.value === %s)"
                      % js(a.department))
        self.cdp.evaluate("""(() => { const s = document.getElementById('department'); s.value = %s;
            s.dispatchEvent(new Event('change', {bubbles: true})); })()""" % js(a.department))
        before = set(self.cdp.evaluate("Array.from(document.querySelectorAll('.ticket')).map(r => r.dataset.ticket)") or [])
        self.type_into("#question", a.question)
        self.click("#ask")

        ticket = self.wait_for("a new .ticket row", """(() => {
            const seen = new Set(%s);
            const row = Array.from(document.querySelectorAll('.ticket')).find(r => !seen.has(r.dataset.ticket));
            return row ? row.dataset.ticket : null; })()""" % js(sorted(before)))
        print("ticket: %s" % ticket, flush=True)
        row = row_selector(ticket)

        if a.reply is not None:
            question = self.wait_for("the department's question on %s" % ticket, """(() => {
                const q = document.querySelector(%s);
                return q && q.textContent.trim() ? q.textContent.trim() : null; })()""" % js(row + " .question"))
            print("question: %s" % question, flush=True)
            self.type_into(row + " .reply-text", a.reply)
            self.click(row + " .reply-button")

        expect = a.expect_answer or ""
        answer = self.wait_for("an answer%s on %s" % (" containing %r" % expect if expect else "", ticket), """(() => {
            const e = document.querySelector(%s);
            const t = e ? e.textContent.trim() : "";
            return t && t.indexOf(%s) >= 0 ? t : null; })()""" % (js(row + " .answer"), js(expect)))
        print("answer: %s" % answer, flush=True)

        if self.cdp.evaluate("window.__marker") != 1:
            raise Failure("the page was reloaded (window.__marker is gone)")
        navigations = [e for e in self.cdp.events if e["method"] == "Page.frameNavigated"
                       and not e["params"]["frame"].get("parentId")]
        if len(navigations) > 1:
            raise Failure("the page navigated %d times" % len(navigations))
        path = self.screenshot()
        if path:
            print("screenshot: %s" % path, flush=True)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--url", required=True)
    parser.add_argument("--department", required=True)
    parser.add_argument("--question", required=True)
    parser.add_argument("--reply")
    parser.add_argument("--expect-answer")
    parser.add_argument("--screenshot")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    driver = Driver(args)
    try:
        driver.run()
        return 0
    except (Failure, OSError, websocket.WebSocketException, KeyError, ValueError) as e:
        print("agent_page: FAILED: %s" % e, file=sys.stderr)
        if driver.cdp:
            print(driver.page_report(), file=sys.stderr)
            try:
                path = driver.screenshot()
                if path:
                    print("screenshot: %s" % path, file=sys.stderr)
            except Exception as shot:
                print("no screenshot: %s" % shot, file=sys.stderr)
        else:
            print("chromium log:\n%s" % driver.chromium_log(), file=sys.stderr)
        return 1
    finally:
        driver.stop()


if __name__ == "__main__":
    sys.exit(main())
