"""What a chat platform adapter offers the runtime (Slack, Telegram; the console is simpler).

An adapter translates: platform events become ``Inbound`` handed to ``BotApp.handle``, and
``Message``s become platform calls. It never touches storage.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.types import Message


class Platform(Protocol):
    """Lifecycle and delivery of one chat platform inside the bot's single asyncio loop."""

    platform: str
    # What the platform allows (messages per second, per chat, per group and minute): the
    # dispatcher paces every send to it (``bot/ratelimit.py``).
    rate_limits: RateLimits

    @property
    def ready(self) -> bool:
        """``start`` has finished and requests can be handled (``/healthz`` says ``ok`` only
        when every platform is)."""

    def add_routes(self, web_app: web.Application) -> None:
        """Add this platform's HTTP routes (webhooks) to the bot's aiohttp server."""

    async def start(self) -> None:
        """Connect (Socket Mode, long polling), register commands; called once the loop runs."""

    async def stop(self) -> None:
        """Disconnect and release clients."""

    async def deliver(self, target: Target, message: Message) -> None:
        """Send one message (or show an answer: ``target.reply``); raise ``RetryLater`` on a
        rate limit, ``Unreachable`` when the platform refuses this target until someone acts (a
        person who never opened the bot), ``Rejected`` when it refuses this message for good,
        ``OutcomeUnknown`` when a request may have reached the platform and nothing tells
        whether it did (counted as delivered, never sent again), any other error on a failure
        that sent nothing (the dispatcher retries it)."""

    async def probe(self) -> None:
        """One cheap call that raises while the platform cannot be used (Slack ``auth.test``,
        Telegram ``getMe``): the dispatcher probes a failing platform with it, and sends
        everything that waited for it as soon as it answers."""
