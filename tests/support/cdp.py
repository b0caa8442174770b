"""A tiny Chrome DevTools Protocol client, enough to drive Debian's headless chromium from a test:
open a page, click, type, read what is shown, take a screenshot.

Every wait is bounded (``TIMEOUT``) and ``Browser.launch`` always kills the browser and removes
its profile on the way out, whatever happened inside.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

TIMEOUT = 15.0
_DRAINS: set[asyncio.Task[None]] = set()
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--remote-debugging-port=0")


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


class CDPError(RuntimeError):
    """The browser answered a command with an error (or did not answer in time)."""


class Browser:
    """One browser, one tab, spoken to over one websocket (flattened target sessions)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._next = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._waiters: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
        self._reader = asyncio.create_task(self._read(), name="cdp-reader")
        self.session: str | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(cls, width: int = 1280, height: int = 900) -> AsyncIterator[Browser]:
        """Start chromium with a throw-away profile, open a tab, yield; always clean up."""
        binary = chromium()
        if binary is None:
            raise CDPError("chromium is not installed")
        profile = Path(tempfile.mkdtemp(prefix="cdp-"))
        process = await asyncio.create_subprocess_exec(
            binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
            "about:blank", stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            endpoint = await asyncio.wait_for(_endpoint(process, profile), TIMEOUT)
            async with aiohttp.ClientSession() as http, http.ws_connect(
                    endpoint, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=2)) as ws:
                browser = cls(ws)
                try:
                    await browser._open_tab(width, height)
                    yield browser
                finally:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(browser.send("Browser.close", tab=False), 3)
                    browser._reader.cancel()
                    with contextlib.suppress(BaseException):
                        await browser._reader
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 10)
            shutil.rmtree(profile, ignore_errors=True)

    async def _read(self) -> None:
        async for frame in self._ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if "id" in message:
                future = self._pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
                continue
            for waiter in [w for w in self._waiters if w[0] == message.get("method")]:
                self._waiters.remove(waiter)
                if not waiter[1].done():
                    waiter[1].set_result(message.get("params", {}))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(CDPError("the browser closed the connection"))

    async def send(self, method: str, params: dict[str, Any] | None = None, *,
                   tab: bool = True) -> dict[str, Any]:
        """Run one command (in the tab's session unless ``tab=False``) and return its result."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if tab and self.session:
            message["sessionId"] = self.session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = future
        await self._ws.send_str(json.dumps(message))
        try:
            answer = await asyncio.wait_for(future, TIMEOUT)
        except TimeoutError:
            raise CDPError(f"{method}: no answer in {TIMEOUT} s") from None
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def expect(self, event: str) -> asyncio.Future[dict[str, Any]]:
        """A future for the next ``event``: ask for it *before* doing what fires it."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((event, future))
        return future

    async def _open_tab(self, width: int, height: int) -> None:
        target = await self.send("Target.createTarget", {"url": "about:blank"}, tab=False)
        attached = await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True}, tab=False)
        self.session = attached["sessionId"]
        await self.send("Page.enable")
        await self.send("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": height, "deviceScaleFactor": 1,
                         "mobile": False})

    async def _until_loaded(self, loaded: asyncio.Future[dict[str, Any]]) -> None:
        try:
            await asyncio.wait_for(loaded, TIMEOUT)
        except TimeoutError:
            raise CDPError(f"the page did not load in {TIMEOUT} s") from None

    async def navigate(self, url: str) -> None:
        loaded = self.expect("Page.loadEventFired")
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        await self._until_loaded(loaded)

    async def node(self, selector: str) -> int:
        root = await self.send("DOM.getDocument", {"depth": 0})
        found = await self.send("DOM.querySelector",
                                {"nodeId": root["root"]["nodeId"], "selector": selector})
        if not found.get("nodeId"):
            raise CDPError(f"nothing matches {selector!r}")
        return int(found["nodeId"])

    async def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, then wait for the page it opens."""
        node = await self.node(selector)
        await self.send("DOM.scrollIntoViewIfNeeded", {"nodeId": node})
        quad = (await self.send("DOM.getBoxModel", {"nodeId": node}))["model"]["content"]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        loaded = self.expect("Page.loadEventFired")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                         "button": "left", "clickCount": 1})
        await self._until_loaded(loaded)

    async def type_and_submit(self, selector: str, text: str) -> None:
        """Focus a field, type ``text`` as a person would, press Enter, wait for the page."""
        await self.send("DOM.focus", {"nodeId": await self.node(selector)})
        await self.send("Input.insertText", {"text": text})
        loaded = self.expect("Page.loadEventFired")
        for kind in ("keyDown", "keyUp"):
            await self.send("Input.dispatchKeyEvent", {
                "type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                **({"text": "\r"} if kind == "keyDown" else {})})
        await self._until_loaded(loaded)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools runs it despite the CSP,
        which only binds the page's own scripts)."""
        result = await self.send("Runtime.evaluate",
                                 {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise CDPError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screenshot(self, path: Path, full_page: bool = True) -> None:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            metrics = await self.send("Page.getLayoutMetrics")
            size = metrics["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
        shot = await self.send("Page.captureScreenshot", params)
        path.write_bytes(base64.b64decode(shot["data"]))


async def _endpoint(process: asyncio.subprocess.Process, profile: Path) -> str:
    """The browser's websocket address, from ``DevToolsActivePort`` in the profile once the
    browser says (on stderr) that it listens."""
    assert process.stderr is not None
    announced = ""
    while not announced:
        line = await process.stderr.readline()
        if not line:
            raise CDPError(f"chromium exited ({process.returncode}) before listening")
        text = line.decode(errors="replace").strip()
        if text.startswith("DevTools listening on "):
            announced = text.removeprefix("DevTools listening on ")
    # Keep draining stderr so a chatty browser never blocks on a full pipe.
    drain = asyncio.get_running_loop().create_task(_drain(process.stderr))
    _DRAINS.add(drain)
    drain.add_done_callback(_DRAINS.discard)
    active = profile / "DevToolsActivePort"
    if active.exists():
        port, path = active.read_text().split()[:2]
        return f"ws://127.0.0.1:{port}{path}"
    return announced


async def _drain(stream: asyncio.StreamReader) -> None:
    with contextlib.suppress(Exception):
        while await stream.read(65536):
            pass
