"""The bot's HTTP server within bounds: idle, half-sent or slow connections cannot lock it out.

Every open connection holds a file descriptor, and a process gets 1,024 of them by default (Linux,
systemd). A thousand connections that send nothing used to exhaust them: new connections, Slack's
and Telegram's included, were no longer accepted, and aiohttp keeps a silent connection for an
hour. Here:

- at start-up the soft limit on open files is raised to the hard one (what systemd asks of a
  service that needs more), at most ``OPEN_FILES``;
- at most ``max_connections`` at once (below that limit): past it, the connection idle the
  longest (no request being handled; never used ones first) is closed to make room;
- a connection that has not sent a whole request within ``FIRST_REQUEST`` seconds is closed, an
  idle keep-alive one after ``KEEPALIVE`` seconds, and a request body must arrive within
  ``BODY_TIMEOUT`` seconds (else 408);
- the request line, the headers and the body have size caps (``HANDLER_ARGS``, the
  application's ``client_max_size``); what breaks HTTP itself is refused by aiohttp with 400
  and logged here as one line, without the traceback that would quote the junk.

A reverse proxy in front adds the rest (per-address limits, TLS): see the README.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

OPEN_FILES = 65536  # the soft limit asked for, if the hard one allows
RESERVED_FILES = 128  # data files, outbound connections, the log: never taken by clients
MAX_CONNECTIONS = 2048
BACKLOG = 1024
FIRST_REQUEST = 10.0  # seconds from accept to a whole request
KEEPALIVE = 15.0  # seconds an idle keep-alive connection stays open
BODY_TIMEOUT = 10.0  # seconds for a request body to arrive
MAX_BODY = 1024 * 1024  # bytes (Slack's largest payloads are a few hundred kB)
HANDLER_ARGS = {"keepalive_timeout": KEEPALIVE, "max_line_size": 4096,
                "max_field_size": 8190, "max_headers": 64}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def raise_open_files_limit(wanted: int = OPEN_FILES) -> int:
    """The soft limit on open files raised towards the hard one; the limit in force."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return 1024
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass
    return OPEN_FILES if soft == resource.RLIM_INFINITY else soft


def connection_limit(open_files: int) -> int:
    return max(16, min(MAX_CONNECTIONS, open_files - RESERVED_FILES))


class ConnectionGuard:
    """aiohttp's protocol factory, wrapped: counts connections and closes the idle ones when
    there are too many or when they never send a request. ``middleware`` tells it which
    connections are handling a request."""

    def __init__(self, limit: int, first_request: float = FIRST_REQUEST) -> None:
        self.server: web.Server | None = None  # the runner's, once set up (``serve``)
        self.limit = limit
        self.first_request = first_request
        self.evicted = 0
        self._idle_since: dict[RequestHandler, float] = {}  # open, not handling a request
        self._used: set[RequestHandler] = set()  # sent at least one whole request

    def __call__(self) -> RequestHandler:
        assert self.server is not None
        connections = self.server.connections
        if len(connections) >= self.limit:
            self._make_room(len(connections))
        if len(self._idle_since) + len(self._used) > 4 * self.limit:
            self._forget_closed()
        handler = self.server()
        self._idle_since[handler] = time.monotonic()
        asyncio.get_running_loop().call_later(self.first_request, self._expire, handler)
        return handler

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        connection = request.protocol
        self._used.add(connection)
        self._idle_since.pop(connection, None)
        try:
            return await handler(request)
        finally:
            if connection.transport is not None:
                self._idle_since[connection] = time.monotonic()

    def _make_room(self, count: int) -> None:
        """Close the connection idle the longest (never used ones first: they are the oldest);
        if every one is handling a request, the new one is accepted all the same (the limit
        leaves room below the process's file limit)."""
        open_idle = [(since, id(h), h) for h, since in self._idle_since.items()
                     if h.transport is not None]
        if not open_idle:
            return
        _, _, oldest = min(open_idle)
        self._close(oldest)
        self.evicted += 1
        if self.evicted in (1, 100, 10_000) or self.evicted % 100_000 == 0:
            log.warning("http: %s connections open, the limit: idle ones closed to make room "
                        "(%s so far)", count, self.evicted)

    def _expire(self, handler: RequestHandler) -> None:
        """No whole request since it connected: closed (a request half sent too)."""
        if handler.transport is not None and handler not in self._used:
            self._close(handler)

    def _close(self, handler: RequestHandler) -> None:
        self._idle_since.pop(handler, None)
        handler.force_close()

    def _forget_closed(self) -> None:
        for handler in [h for h in self._idle_since if h.transport is None]:
            del self._idle_since[handler]
        self._used = {h for h in self._used if h.transport is not None}


@web.middleware
async def body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request's body is read within ``BODY_TIMEOUT`` (then handlers read it from memory)."""
    if request.can_read_body:
        try:
            await asyncio.wait_for(request.read(), BODY_TIMEOUT)
        except TimeoutError:
            log.info("http: request body too slow, refused (408)")
            return web.Response(status=408)
    return await handler(request)


class OneLineBadRequests(logging.Filter):
    """aiohttp logs a malformed request (a line or header too long, not HTTP) as an error
    with a traceback whose message quotes the bytes received: one short line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "http: malformed request refused (%s): %s", (
                error.code, type(error).__name__)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_bad_requests() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, OneLineBadRequests) for f in server_log.filters):
        server_log.addFilter(OneLineBadRequests())


async def serve(runner: web.AppRunner, guard: ConnectionGuard, host: str,
                port: int) -> asyncio.Server:
    """Listen on ``host:port`` with the guard as the protocol factory (aiohttp's own sites
    take the runner's server directly)."""
    quiet_bad_requests()
    guard.server = runner.server
    return await asyncio.get_running_loop().create_server(
        guard, host, port, backlog=BACKLOG, reuse_address=True)
