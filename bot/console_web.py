"""The web server beside the console chat (``reseau-bot console --web``): the knowledge page
and the calendar subscriptions are then reachable while one tries the bot in a terminal, at
``RESEAU_HOST``:``RESEAU_PORT`` (or ``RESEAU_PUBLIC_URL``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.app import BotApp
from bot.config.environment import Environment
from bot.runtime import web_application


@contextlib.asynccontextmanager
async def console_web(app: BotApp, env: Environment) -> AsyncIterator[None]:
    """Serve the bot's pages (no platform webhooks) while the block runs."""
    runner = web.AppRunner(web_application(app, [], env), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, env.host, env.port)
    try:
        await site.start()
        yield
    finally:
        await runner.cleanup()
