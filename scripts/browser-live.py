#!/usr/bin/env python3
"""The dashboard live, in one page that is never reloaded.

Drives headless Chromium through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages separated by NUL bytes on file
descriptors 3 and 4; nothing but the Python standard library). Opens the
dashboard at URL (server-sent events, not polling) and checks, in that
one page:
  1. the live indicator turns on (the event stream is open);
  2. an agent submitted after the page loaded appears in the agents
     table without a reload (a marker set on `window` survives);
  3. pressing its Suspend button suspends it (the node says so, and the
     row follows);
  4. a message sent to it from outside appears in the sniffer.

Usage: browser-live.py CHROMIUM ITIN URL WORKDIR   (ITIN_NODE set)
"""

import json
import os
import subprocess
import sys
import time

CHROMIUM, ITIN, URL, WORK = sys.argv[1:5]
WAIT = 30.0


def fail(why):
    print(f"browser-live FAILED: {why}", file=sys.stderr)
    sys.exit(1)


class Browser:
    """Chromium with the DevTools protocol on a pair of pipes."""

    def __init__(self):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def chromium_fds():
            # Chromium reads fd 3 and writes fd 4; go through high numbers
            # so that neither dup2 clobbers the other pipe's end.
            os.dup2(to_chrome_r, 100)
            os.dup2(from_chrome_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={WORK}/chromium-profile", "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=chromium_fds, stdout=subprocess.DEVNULL,
                                     stderr=open(f"{WORK}/chromium.log", "w"))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""
        self.session = None

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_chrome, 1 << 16)
                if not chunk:
                    fail(f"chromium closed the pipe during {method}")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    fail(f"{method}: {reply['error']}")
                return reply.get("result", {})
        fail(f"no answer to {method}")

    def open(self, url):
        target = self.call("Target.createTarget", {"url": url}, session=False)["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)
        self.session = attached["sessionId"]

    def js(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            return None
        return result.get("result", {}).get("value")

    def until(self, expression, what):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                print(f"browser-live: ok: {what}")
                return value
            time.sleep(0.2)
        fail(f"{what}: never true: {expression}")

    def close(self):
        self.proc.kill()
        self.proc.wait()


def itin(*args):
    done = subprocess.run([ITIN, *args], capture_output=True, text=True, timeout=WAIT)
    if done.returncode != 0:
        fail(f"itin {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def main():
    if "live=poll" in URL:
        fail("the live test needs server-sent events, not ?live=poll")
    browser = Browser()
    try:
        browser.open(URL + "#/agents")
        browser.until("document.getElementById('live')?.className === 'live on'",
                      "the page follows the node live (event stream open)")
        browser.js("window.__notReloaded = true")
        script = os.path.join(WORK, "sleeper.tcl")
        with open(script, "w") as f:
            f.write("while 1 { set m [agent_receive -timeout 60000] }\n")
        agent = itin("submit", "--name", "sleeper", script)
        row = f"document.querySelector('[data-agent-id=\"{agent}\"]')"
        browser.until(f"{row} !== null && window.__notReloaded === true",
                      f"agent {agent}, submitted after the page loaded, appears without a reload")
        browser.js(f"location.hash = '#/agent/{agent}'")
        browser.until("[...document.querySelectorAll('button')].some(b => b.textContent === 'Suspend')",
                      "its page shows the buttons")
        browser.js("[...document.querySelectorAll('button')].find(b => b.textContent === 'Suspend').click()")
        deadline = time.monotonic() + WAIT
        while json.loads(itin("agent", "info", "--json", agent))["state"] != "suspended":
            if time.monotonic() > deadline:
                fail("the Suspend button did not suspend the agent")
            time.sleep(0.2)
        print("browser-live: ok: its Suspend button suspends it (itin agent info says suspended)")
        browser.js("location.hash = '#/agents'")
        browser.until(f"{row}?.dataset.state === 'suspended' && window.__notReloaded === true",
                      "the table shows it suspended, still without a reload")
        itin("send", agent, "inform", "hello from outside", "--param", "conversation-id=live-1")
        browser.js("location.hash = '#/sniffer'")
        # The sniffer's choice of agents starts with all of them.
        browser.until("document.querySelector('[data-conversation=\"live-1\"]') !== null "
                      "&& window.__notReloaded === true",
                      "the message sent to it appears in the sniffer, live")
        itin("agent", "kill", agent)
    finally:
        browser.close()
    print("browser-live: passed")


main()
