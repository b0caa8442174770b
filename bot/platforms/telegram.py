"""The Telegram platform: python-telegram-bot's ``Application`` on the bot's aiohttp server
(webhook, with the secret-token header checked) or by long polling.

Inbound: commands (``/reunion …``, ``/reunion_deplacer …``, ``/cmd@bot``), plain text in a
private chat, button presses (callback queries) and messages posted in the network chat become
``Inbound`` for ``BotApp.handle_once_durably``. A webhook update is handled, and what it changed
fsynced together with its ``update_id``, before Telegram gets its 200, so an acknowledged update
is never lost; a repeated ``update_id`` is handled once.

Outbound: the dispatcher calls ``deliver``; a ``RetryAfter`` becomes ``RetryLater`` (one retry
mechanism: the dispatcher's, which also enforces the rate limits declared below). PTB's
``AIORateLimiter`` stays off: a second limiter would pause every request on a single 429.
"""

from __future__ import annotations

import hmac
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    CallbackQuery,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram import Message as TelegramMessage
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import BotApp
from bot.config import Environment
from bot.dispatcher import RetryLater, Target
from bot.platforms.telegram_render import SAFE, parse_callback, render, size, with_answer
from handlers.router import Router
from handlers.settings import fold
from handlers.types import Inbound, Message, Reply

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and a Bot API URL contains the token.
logging.getLogger("httpx").setLevel(logging.WARNING)

DEFAULT_API_URL = "https://api.telegram.org/bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]
COMMAND = re.compile(r"^/(\w{1,64})(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)
MENU_SIZE = 100  # Telegram's maximum
MENU_TEXT = 256  # a command's description, at most
TOAST = 200  # answerCallbackQuery's text, at most
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def api_urls(url: str) -> tuple[str, str]:
    """``TELEGRAM_API_URL`` as PTB's ``base_url`` and ``base_file_url``. The expected form is
    ``http(s)://host[:port]/bot`` (the token is appended to it); a URL without the final
    ``/bot`` gets it added, so ``http://localhost:8081`` works for a local Bot API server."""
    base = (url.strip() or DEFAULT_API_URL).rstrip("/")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base[: -len("/bot")] + "/file/bot"


def telegram_name(name: str) -> str:
    """A router name as a Telegram command (Latin letters, digits, ``_``; at most 32):
    ``réunion déplacer`` → ``reunion_deplacer``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:32]


def command_table(router: Router) -> dict[str, str]:
    """Every Telegram command name → the router's spelling, in both languages and aliases.
    ``/start`` (Telegram's Start button) is help."""
    table: dict[str, str] = {}
    for command in router.commands:
        for spelling in (router.name(command, "fr"), router.name(command, "en"),
                         *command.aliases):
            name = telegram_name(spelling)
            if name:
                table.setdefault(name, spelling)
            if command.key == "help":
                table.setdefault("start", router.name(command, "fr"))
    return table


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or (soon) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type will change
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def transient(error: Exception) -> bool:
    """Worth trying again later (rate limit, network, timeout), unlike a refused request."""
    return isinstance(error, RetryAfter) or (isinstance(error, NetworkError)
                                             and not isinstance(error, BadRequest))


class TelegramPlatform:
    """Telegram for one bot token, by webhook (``TELEGRAM_WEBHOOK_SECRET`` set) or polling."""

    platform = "telegram"
    # Telegram's flood limits, read by the dispatcher's RateLimiter (bot/ratelimit.py), the one
    # place that paces sends: about 30 messages a second overall, one a second in any chat,
    # 20 a minute in a group. What still gets a 429 is retried through ``RetryLater``.
    rate_per_second = 30.0
    per_chat_interval = 1.0
    group_per_minute = 20

    def __init__(self, app: BotApp, env: Environment) -> None:
        self.app = app
        self.env = env
        self.webhook = bool(env.telegram_webhook_secret)
        base, files = api_urls(env.telegram_api_url)
        builder = (Application.builder().token(env.telegram_bot_token)
                   .base_url(base).base_file_url(files)
                   .arbitrary_callback_data(False))  # buttons must outlive a restart
        if self.webhook:
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.names = command_table(app.router)
        self.username = ""

    # Lifecycle.

    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook:
            web_app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        await self.application.initialize()  # getMe: a wrong token stops the start here
        self.username = self.application.bot.username or ""
        await self._register_commands()
        if self.webhook:
            await self._register_webhook()
        elif self.application.updater is not None:
            # start_polling first calls deleteWebhook: Telegram serves one or the other.
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await self.application.start()
            log.info("telegram: long polling")

    async def stop(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _register_commands(self) -> None:
        """The command menu: French by default, English for clients set to English."""
        for lang, code in (("fr", None), ("en", "en")):
            menu: list[BotCommand] = []
            seen: set[str] = set()
            for command in self.app.router.commands:
                name = telegram_name(self.app.router.name(command, lang))
                if not name or name in seen:
                    continue
                seen.add(name)
                about = " ".join(self.app.catalog.t(lang, f"cmd.{command.key}.help").split())
                menu.append(BotCommand(name, about[:MENU_TEXT] or name))
            try:
                await self.application.bot.set_my_commands(
                    menu[:MENU_SIZE], scope=BotCommandScopeDefault(), language_code=code)
            except TelegramError as error:  # the menu is a convenience: typing still works
                log.warning("telegram: setMyCommands (%s) failed: %s", lang, error)

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

    # Inbound.

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.env.telegram_webhook_secret.encode()):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot) if isinstance(data, dict) \
                and "update_id" in data else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return web.Response(status=400)
        await self.application.process_update(update)
        return web.Response(status=200)

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """One update: decide whether it is for us before recording its id (group chatter in
        other chats costs no write), then handle it once (the id is recorded in the same
        transaction as what the update changes)."""
        work: Callable[[Update], Awaitable[None]] | None = None
        if update.callback_query is not None:
            work = self._click
        elif update.message is not None and self._read(update.message) is not None:
            work = self._text  # edits (edited_message) never re-run a command
        if work is None:
            return
        await work(update)

    async def _handle(self, update: Update, inbound: Inbound) -> Reply | None:
        """Handled and durable; ``None`` for an update already handled (a redelivery)."""
        reply = await self.app.handle_once_durably(f"telegram:update:{update.update_id}",
                                                   inbound)
        if reply is None:
            log.info("telegram: update %s already processed", update.update_id)
        return reply

    async def _on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("telegram: update failed: %s", type(error).__name__, exc_info=error)

    def _read(self, message: TelegramMessage) -> tuple[str, bool] | None:
        """``(router text, capture)`` for a message the bot acts on, else ``None``."""
        if not message.text or (message.from_user is not None and message.from_user.is_bot):
            return None
        text = message.text.strip()
        found = COMMAND.match(text)
        if found:
            addressed = found.group(2)
            if addressed and self.username and addressed.lower() != self.username.lower():
                return None  # a command for another bot in the group
            name = found.group(1).lower()
            spelled = self.names.get(name) or name.replace("_", " ")
            return f"{spelled} {found.group(3) or ''}".strip(), False
        if message.chat.type == ChatType.PRIVATE:
            return text, False
        if str(message.chat.id) == self.app.network.channels.get("telegram"):
            return text, True
        return None

    def _inbound(self, update: Update, **what: Any) -> Inbound:
        user = update.effective_user
        chat = update.effective_chat
        return Inbound(platform="telegram", user_id=str(user.id if user else ""),
                       chat_id=str(chat.id if chat else ""),
                       private=bool(chat and chat.type == ChatType.PRIVATE),
                       display_name=user.full_name if user else "",
                       locale=user.language_code if user else None, **what)

    async def _text(self, update: Update) -> None:
        message = update.message
        assert message is not None
        read = self._read(message)
        if read is None:
            return
        text, capture = read
        reply = await self._handle(update, self._inbound(update, text=text, capture=capture))
        if reply is None:
            return
        if capture and not reply.message.plain_text().strip():
            return  # an ordinary message in the network chat: nothing to say
        group = message.chat.type != ChatType.PRIVATE
        await self._reply(update, message.chat_id, reply,
                          reply_to=message.message_id if group else None)

    async def _click(self, update: Update) -> None:
        """A button: the same handlers as commands; a toast always (Telegram shows a spinner
        until it is answered), and in a private chat the answer under the original message."""
        query = update.callback_query
        assert query is not None
        action, value = parse_callback(query.data or "")
        reply = await self._handle(update, self._inbound(update, action=action, value=value))
        if reply is None:
            return
        answer = reply.message.plain_text().strip()
        try:
            await query.answer(answer.splitlines()[0][:TOAST] if answer else None)
        except TelegramError as error:  # e.g. a query too old to answer
            log.warning("telegram: answerCallbackQuery failed: %s", error)
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return  # in a group, editing the shared message would show one person's answer
        shown = bool(answer) and await self._edit(query, answer)
        extra = reply.message.buttons or reply.message.attachments
        if extra or (answer and not shown):
            await self._reply(update, chat.id, reply)

    async def _edit(self, query: CallbackQuery, answer: str) -> bool:
        """Show ``answer`` under the message the button was on, keeping its buttons."""
        original = query.message
        if not isinstance(original, TelegramMessage) or not original.text:
            return False  # too old (inaccessible) or not a text message
        text = with_answer(original.text_html, answer)
        if size(text) > SAFE:
            return False
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                          reply_markup=original.reply_markup,
                                          link_preview_options=NO_PREVIEW)
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return True  # the same answer clicked twice
            log.warning("telegram: editMessageText failed: %s", error)
            return False
        except TelegramError as error:
            log.warning("telegram: editMessageText failed: %s", type(error).__name__)
            return False
        return True

    async def _reply(self, update: Update, chat_id: int | str, reply: Reply,
                     reply_to: int | None = None) -> None:
        """Answer in the chat at once; if Telegram says "later" (429, network), the answer goes
        to the outbox so the dispatcher delivers it once it may."""
        try:
            await self._send(str(chat_id), reply.message, reply_to)
        except TelegramError as error:
            if not transient(error):
                raise
            log.warning("telegram: reply deferred to the outbox: %s", type(error).__name__)
            await self.app.durably(lambda: self.app.ctx.send_to_identity(
                f"telegram:{chat_id}", reply.language, f"telegram:reply:{update.update_id}",
                reply.message))
            self.app.dispatcher.wake()

    # Outbound.

    async def _send(self, chat_id: str, message: Message, reply_to: int | None = None) -> None:
        texts, markup = render(message)
        if message.plain_text().strip() or message.buttons:
            for index, text in enumerate(texts):
                last = index == len(texts) - 1
                await self.application.bot.send_message(
                    chat_id=chat_id, text=text, parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None, link_preview_options=NO_PREVIEW,
                    reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to is not None and index == 0 else None)
        for attachment in message.attachments:
            await self.application.bot.send_document(
                chat_id=chat_id, document=InputFile(
                    attachment.content, filename=PurePath(attachment.filename).name))

    async def deliver(self, target: Target, message: Message) -> None:
        """Send one outbox message. A multi-part message (chunks, files) interrupted by a 429
        is sent again whole on the retry: the dispatcher tracks targets, not parts."""
        try:
            await self._send(target.address, message)
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error)) from error
        except ChatMigrated as error:
            log.error("telegram: chat %s became supergroup %s: update [channels] telegram",
                      target.address, error.new_chat_id)
            raise
