"""Open pages in headless Chromium and report what a reader would see go wrong: console errors,
uncaught exceptions, failed loads, and charts drawn without data.

Speaks the DevTools protocol over the browser's websocket (``websockets``, already a dependency),
so no browser-automation package is needed; Chromium comes from the distribution
(``apt-get install chromium``). One browser serves many pages (one tab each) to stay cheap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# every plotly chart on the page: its trace count and whether any trace has data points
_CHARTS_JS = """
JSON.stringify(Array.from(document.querySelectorAll('.plotly-graph-div')).map(el => ({
  id: el.id,
  traces: (el.data || []).length,
  points: (el.data || []).reduce((n, t) => n + Math.max(
      (t.x || []).length, (t.y || []).length, (t.values || []).length,
      ((t.cells || {}).values || []).length), 0),
  drawn: !!el.querySelector('.main-svg')
})))
"""


def find_browser() -> str | None:
    """The path of an installed Chromium, if any."""
    return next((p for name in BROWSERS if (p := shutil.which(name))), None)


@dataclass
class PageCheck:
    """What one page showed in the browser."""

    path: Path
    errors: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)

    @property
    def empty_charts(self) -> list[str]:
        return [c["id"] for c in self.charts if not (c["drawn"] and c["traces"] and c["points"])]


class Browser:
    """A headless Chromium with its DevTools websocket; use as a context manager."""

    def __init__(self, executable: str | None = None) -> None:
        exe = executable or find_browser()
        if exe is None:
            raise FileNotFoundError("no Chromium installed (apt-get install chromium)")
        self._profile = tempfile.TemporaryDirectory(prefix="prm-chromium-")
        self._proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--allow-file-access-from-files",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile.name}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self._ws = connect(
            f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30, legacy=True
        )
        self._next = 0

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        ws = getattr(self, "_ws", None)
        if ws is not None:
            ws.close()
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        # Chromium's helper processes may still be writing the profile for a moment after the
        # browser exits: retry, then leave a stray temp folder rather than fail a finished check
        for _ in range(20):
            try:
                self._profile.cleanup()
                return
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(self._profile.name, ignore_errors=True)

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        return self._next

    def _call(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        events: list[dict] | None = None,
        timeout: float = 60,
    ) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message)

    def check(self, page: Path, settle_seconds: float = 0.5) -> PageCheck:
        """Load ``page`` (a local file) in a fresh tab and collect errors and chart data."""
        events: list[dict] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self._call(f"{domain}.enable", session=session, events=events)
        self._call("Page.navigate", {"url": page.resolve().as_uri()}, session, events)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{page} did not finish loading")
            events.append(json.loads(self._ws.recv(timeout=60)))
        end = time.monotonic() + settle_seconds
        while time.monotonic() < end:
            try:
                events.append(json.loads(self._ws.recv(timeout=max(end - time.monotonic(), 0.01))))
            except TimeoutError:
                break
        result = self._call(
            "Runtime.evaluate", {"expression": _CHARTS_JS, "returnByValue": True}, session, events
        )
        self._call("Target.closeTarget", {"targetId": target}, events=events)
        check = PageCheck(page, charts=json.loads(result["result"]["value"]))
        for e in events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                check.errors.append(
                    details.get("exception", {}).get("description") or details.get("text", "")
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                check.errors.append(
                    " ".join(
                        str(a.get("value", a.get("description", "")))
                        for a in params.get("args", [])
                    )
                )
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                check.errors.append(params["entry"].get("text", ""))
            elif method == "Network.loadingFailed":
                check.errors.append(f"failed to load: {params.get('errorText')}")
        return check
