"""Network faults for the loopback fakes (``fake_slack.py``, ``fake_telegram.py``): the three ways
a call can fail that matter for not sending twice.

- ``refuse``: the port stops listening and open connections are cut, so the next call's
  connection is refused (nothing reached the platform); ``accept`` listens again on the port.
- ``late``: the call is carried out and recorded, and its answer never comes (the client's
  read timeout fires): the platform did it, the bot cannot know.
- ``drop``: the connection is cut without an answer, after the call was carried out and
  recorded or (``record=False``) before: the bot cannot tell which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web


class Door:
    """A fake server's listening socket and the connections it accepted."""

    def __init__(self, app: web.Application) -> None:
        self.port = 0
        self._transports: set[asyncio.BaseTransport] = set()
        self._late = asyncio.Event()  # late answers wait for it (set at stop: never, in a test)
        self._faults: dict[str, list[tuple[str, bool]]] = {}  # method → faults to come
        self._runner = web.AppRunner(app, access_log=None)
        self._site: web.TCPSite | None = None
        app.middlewares.append(self._track)

    @web.middleware
    async def _track(self, request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                     ) -> web.StreamResponse:
        if request.transport is not None:
            self._transports.add(request.transport)
        return await handler(request)

    async def start(self) -> None:
        await self._runner.setup()
        await self.accept()

    async def stop(self) -> None:
        self._late.set()
        await self._runner.cleanup()

    async def accept(self) -> None:
        """Listen (again, on the same port)."""
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()
        self.port = self._site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def refuse(self) -> None:
        """Stop listening and cut every open connection: the next connection is refused."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        for transport in self._transports:
            transport.abort()
        self._transports.clear()

    def late(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are carried out, then never answered."""
        self._faults.setdefault(method, []).extend([("late", True)] * times)

    def drop(self, method: str, times: int = 1, record: bool = True) -> None:
        """The next ``times`` calls of ``method`` have their connection cut without an answer,
        after being carried out (``record``) or before."""
        self._faults.setdefault(method, []).extend([("drop", record)] * times)

    def fault(self, method: str) -> tuple[str, bool] | None:
        """The fault the call of ``method`` meets, if any (taken: it happens once)."""
        faults = self._faults.get(method)
        return faults.pop(0) if faults else None

    async def misbehave(self, request: web.Request, fault: tuple[str, bool]) -> web.Response:
        """After the call was handled (or not, for a drop before): no answer, ever, or a cut."""
        kind, _ = fault
        if kind == "late":
            await self._late.wait()
        elif request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
