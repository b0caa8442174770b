"""The bot's process when platforms are configured: one asyncio loop carrying the aiohttp server
(``/healthz`` and each platform's webhook), the platforms, the dispatcher and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
import time

from aiohttp import web

from bot.app import BotApp
from bot.config.environment import Environment
from bot.http_limits import (
    HANDLER_ARGS,
    MAX_BODY,
    ConnectionGuard,
    body_in_time,
    connection_limit,
    raise_open_files_limit,
    serve,
)
from bot.platforms.base import Platform
from bot.web import knowledge_routes
from bot.web.answer_links import answer_routes
from bot.web.calendar_feed import calendar_routes
from bot.web.email_confirm import email_confirm_routes

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.0005  # seconds (sys.setswitchinterval)
# The collector's thresholds once start-up is frozen: a young collection every 20,000 net
# allocations instead of 700, a full one a hundred times rarer. Under a burst, Python's defaults
# ran two full passes a second over what the month had added (65 ms each, requests waiting) and
# hundreds of young ones; most of what a request allocates is freed by reference counting anyway.
GC_THRESHOLDS = (20_000, 20, 100)
ARCHIVE_EVERY = 6 * 3600.0  # seconds between two looks for outbox months done with


def build_platforms(app: BotApp, env: Environment) -> list[Platform]:
    """The adapters the environment asks for (imported only when used)."""
    platforms: list[Platform] = []
    if env.slack_bot_token:
        from bot.platforms.slack.adapter import SlackPlatform

        platforms.append(SlackPlatform(app, env))
    if env.telegram_bot_token:
        from bot.platforms.telegram.adapter import TelegramPlatform

        platforms.append(TelegramPlatform(app, env))
    if env.smtp_url:  # nothing is sent by email without it
        from bot.platforms.email.adapter import EmailPlatform
        from handlers.email_links.answers import link_maker

        platforms.append(EmailPlatform(env.smtp_url, env.smtp_from, link_maker(app.ctx)))
    return platforms


def web_application(app: BotApp, platforms: list[Platform], env: Environment | None = None,
                    guard: ConnectionGuard | None = None) -> web.Application:
    started = time.monotonic()
    middlewares = ([guard.middleware] if guard is not None else []) + [body_in_time]
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)

    async def health(_: web.Request) -> web.Response:
        """``status`` is ``starting`` (503) until every platform is ready; then ``ok``, or
        ``degraded`` with ``reasons`` (``disk``, ``platform:<name>``, ``deliveries_waiting``):
        still 200, since restarting the bot would fix none of them."""
        starting = [p.platform for p in platforms if not p.ready]
        health = app.dispatcher.health()
        if starting:
            health["status"] = "starting"
        return web.json_response({
            "starting": starting, "platforms": [p.platform for p in platforms],
            "uptime_s": round(time.monotonic() - started, 1), **health},
            status=503 if starting else 200)

    web_app.router.add_get("/healthz", health)
    app.set_web_url((env or Environment()).base_url)
    knowledge_routes(web_app, app)
    calendar_routes(web_app, app)
    answer_routes(web_app, app)
    email_confirm_routes(web_app, app)
    for platform in platforms:
        platform.add_routes(web_app)
    return web_app


class Runtime:
    """Starts and stops everything in order; tests drive ``start``/``stop`` directly."""

    def __init__(self, app: BotApp, env: Environment,
                 platforms: list[Platform] | None = None) -> None:
        self.app = app
        self.env = env
        self.platforms = platforms if platforms is not None else build_platforms(app, env)
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self.guard: ConnectionGuard | None = None
        self._dispatch: asyncio.Task[None] | None = None
        self._archiving: asyncio.Task[None] | None = None
        self._switch_interval: float | None = None
        self._gc_thresholds: tuple[int, int, int] | None = None
        self.port: int | None = None

    async def start(self) -> None:
        for platform in self.platforms:
            self.app.add_adapter(platform)
        limit = connection_limit(raise_open_files_limit())
        guard = ConnectionGuard(limit)
        self._runner = web.AppRunner(web_application(self.app, self.platforms, self.env, guard),
                                     access_log=None, **HANDLER_ARGS)
        await self._runner.setup()
        self.guard = guard
        self._server = await serve(self._runner, guard, self.env.host, self.env.port)
        sockets = self._server.sockets or []
        self.port = sockets[0].getsockname()[1] if sockets else self.env.port
        for platform in self.platforms:
            await platform.start()
        if self.env.imap_url:  # calendar replies read from the mailbox every few minutes
            from bot.mail_replies import watch_mailbox

            watch_mailbox(self.app, self.env.imap_url)
        await self.app.start()
        # What start-up loaded (years of records, the libraries) stays for the process: keep it
        # out of the garbage collector's full passes, which would otherwise walk it all while
        # requests wait.
        gc.collect()
        gc.freeze()
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        pacing = self.app.acks_first  # compaction yields to requests in flight
        self.app.store.engine.busy = lambda: pacing.in_flight > 0
        # Compaction encodes files in a worker thread; when the loop needs the interpreter back
        # (a request arrived) it gets it within half a millisecond, not Python's default five.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._dispatch = asyncio.create_task(self.app.dispatcher.run(), name="dispatcher")
        self._archiving = asyncio.create_task(self._archive_now_and_then(), name="archiving")
        log.info("serving on %s:%s for %s", self.env.host, self.port,
                 ", ".join(p.platform for p in self.platforms))

    async def stop(self) -> None:
        self.app.stop()
        self.app.store.engine.busy = None
        gc.unfreeze()  # what start-up loaded may be collected again (tests start many bots)
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
        for task in (self._dispatch, self._archiving):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for platform in self.platforms:
            with contextlib.suppress(Exception):
                await platform.stop()
        if self._server is not None:
            self._server.close()  # no new connections; the runner closes the open ones
        if self._runner is not None:
            await self._runner.cleanup()

    async def _archive_now_and_then(self) -> None:
        """A bot runs for months: every few hours, once requests are calm, the outbox's months
        done with leave memory (``storage/outbox_archive.py``), as they would at a restart."""
        while True:
            await asyncio.sleep(ARCHIVE_EVERY)
            await self.app.acks_first.turn()
            self.archive_months()

    def archive_months(self) -> list[str]:
        """One look (a refused rename is logged: the month stays where it is, and is loaded
        at the next start)."""
        try:
            return self.app.store.archive_done_months()
        except OSError as error:
            log.warning("outbox months not archived: %s", error)
            return []

    async def run_forever(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
