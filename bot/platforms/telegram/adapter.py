"""The Telegram adapter's wiring: python-telegram-bot's ``Application`` on the bot's aiohttp
server (webhook, with the secret-token header checked) or by long polling, its start and stop,
and the parts it joins — ``inbound.py`` (updates turned into ``Inbound``), ``deliver.py`` (what
the dispatcher hands over, sent to Telegram) and ``menus.py`` (command menus per scope).

Kept apart so that this module only says how the pieces meet. Telegram's own ways are used where
they exist: deep links (``https://t.me/<bot>?start=…``, whose ``/start <payload>`` runs
``handlers/deeplinks.py``), command menus scoped to private chats, to groups and to each lead's
own chat, captions on documents.
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, TypeHandler

from bot.app import BotApp
from bot.config.environment import Environment
from bot.dispatch.contract import Target
from bot.platforms.telegram.deliver import TelegramDelivery
from bot.platforms.telegram.inbound import ALLOWED_UPDATES, WEBHOOK_PATH, TelegramInbound
from bot.platforms.telegram.menus import CommandMenus
from bot.ratelimit import RateLimits
from handlers.types import Message

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and a Bot API URL contains the token.
logging.getLogger("httpx").setLevel(logging.WARNING)

DEFAULT_API_URL = "https://api.telegram.org/bot"
START_LINK = "https://t.me/{username}?start={{payload}}"


def api_urls(url: str) -> tuple[str, str]:
    """``TELEGRAM_API_URL`` as PTB's ``base_url`` and ``base_file_url``. The expected form is
    ``http(s)://host[:port]/bot`` (the token is appended to it); a URL without the final
    ``/bot`` gets it added, so ``http://localhost:8081`` works for a local Bot API server."""
    base = (url.strip() or DEFAULT_API_URL).rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base[: -len("/bot")] + "/file/bot"


class TelegramPlatform:
    """Telegram for one bot token, by webhook (``TELEGRAM_WEBHOOK_SECRET`` set) or polling."""

    platform = "telegram"
    # Telegram's flood limits, read by the dispatcher's RateLimiter (bot/ratelimit.py), the one
    # place that paces sends: about 30 messages a second overall, one a second in any chat,
    # 20 a minute in a group. What still gets a 429 is retried through ``RetryLater``.
    rate_limits = RateLimits(per_second=30.0, per_chat_interval=1.0, group_per_minute=20)
    # The Bot API calls' timeouts (PTB's defaults): a connect or pool timeout sent nothing, a
    # read timeout is an unknown outcome.
    connect_timeout = 5.0
    read_timeout = 5.0

    def __init__(self, app: BotApp, env: Environment) -> None:
        self.app = app
        self.env = env
        self.webhook = bool(env.telegram_webhook_secret)
        base, files = api_urls(env.telegram_api_url)
        builder = (Application.builder().token(env.telegram_bot_token)
                   .base_url(base).base_file_url(files)
                   .connect_timeout(self.connect_timeout).read_timeout(self.read_timeout)
                   .arbitrary_callback_data(False))  # buttons must outlive a restart
        if self.webhook:
            builder = builder.updater(None)
        self.application = builder.build()
        self.menus = CommandMenus(app, self.application.bot)
        self.inbound = TelegramInbound(app, self.application, self.menus,
                                       env.telegram_webhook_secret)
        self.application.add_handler(TypeHandler(Update, self.inbound.on_update))
        self.application.add_error_handler(self.inbound.on_error)
        self.delivery = TelegramDelivery(self.application.bot)

    @property
    def ready(self) -> bool:
        """``start`` has finished; the webhook answers 503 until then."""
        return self.inbound.ready

    # Lifecycle.

    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook:
            web_app.router.add_post(WEBHOOK_PATH, self.inbound.webhook)

    async def start(self) -> None:
        await self.application.initialize()  # getMe: a wrong token stops the start here
        username = self.application.bot.username or ""
        self.inbound.username = username
        if username:
            self.app.set_start_link(self.platform, START_LINK.format(username=username))
        await self.menus.register()
        if self.webhook:
            await self._register_webhook()
        elif self.application.updater is not None:
            # start_polling first calls deleteWebhook: Telegram serves one or the other.
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await self.application.start()
            log.info("telegram: long polling")
        self.inbound.ready = True

    async def stop(self) -> None:
        self.inbound.ready = False
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _register_webhook(self) -> None:
        """Point Telegram at ``RESEAU_PUBLIC_URL/telegram/webhook`` when that URL is https (the
        only scheme Telegram accepts); otherwise the operator sets the webhook (README)."""
        public = self.env.public_url.rstrip("/")
        if not public.startswith("https://"):
            log.info("telegram: webhook on %s (set it with setWebhook: no https "
                     "RESEAU_PUBLIC_URL)", WEBHOOK_PATH)
            return
        try:
            await self.application.bot.set_webhook(
                url=public + WEBHOOK_PATH, secret_token=self.env.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: webhook set to %s%s", public, WEBHOOK_PATH)
        except TelegramError as error:
            log.error("telegram: setWebhook failed: %s", error)

    # What the dispatcher asks of a platform.

    async def probe(self) -> None:
        """``getMe``: raises while the Bot API cannot be used (down, or the token refused)."""
        await self.application.bot.get_me()

    async def deliver(self, target: Target, message: Message) -> str | None:
        """One outbox message to one target (``deliver.py``)."""
        return await self.delivery.deliver(target, message)
