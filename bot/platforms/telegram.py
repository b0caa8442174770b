"""The Telegram platform: python-telegram-bot's ``Application`` on the bot's aiohttp server
(webhook, with the secret-token header checked) or by long polling.

Inbound: commands (``/reunion …``, ``/reunion_deplacer …``, ``/cmd@bot``), plain text in a
private chat, button presses (callback queries) and messages posted in the network chat become
``Inbound`` for ``BotApp.handle``. A webhook update is handled before Telegram gets its 200, so
an acknowledged answer is never lost; a repeated ``update_id`` is handled once.

Outbound: the dispatcher calls ``deliver``; a ``RetryAfter`` becomes ``RetryLater`` (one retry
mechanism: the dispatcher's, which also enforces the rate limits declared below).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import BotApp
from bot.config import Environment
from bot.dispatcher import RetryLater, Target
from bot.platforms.telegram_render import escape, parse_callback, render
from handlers.settings import fold
from handlers.types import Inbound, Message, Reply

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org/bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
MENU_SIZE = 100
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def telegram_name(name: str) -> str:
    """A router name as a Telegram command: Latin letters, digits and ``_`` only."""
    return re.sub(r"[^a-z0-9_]", "", "_".join(fold(name).split()))[:32]


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or (soon) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type will change
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramPlatform:
    """Telegram for one bot token, by webhook (``TELEGRAM_WEBHOOK_SECRET`` set) or polling."""

    platform = "telegram"
    # Telegram's limits, enforced by the dispatcher's rate limiter (one place for all platforms).
    rate_per_second = 30.0
    per_chat_interval = 1.0
    group_per_minute = 20

    def __init__(self, app: BotApp, env: Environment) -> None:
        self.app = app
        self.env = env
        base = (env.telegram_api_url or DEFAULT_API_URL).rstrip("/")
        builder = (Application.builder().token(env.telegram_bot_token).base_url(base)
                   .base_file_url(base.replace("/bot", "/file/bot", 1)))
        if env.telegram_webhook_secret:
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.username = ""

    def add_routes(self, web_app: web.Application) -> None:
        if self.env.telegram_webhook_secret:
            web_app.router.add_post("/telegram/webhook", self._webhook)

    async def start(self) -> None:
        await self.application.initialize()
        self.username = self.application.bot.username or ""
        await self._register_commands()
        if not self.env.telegram_webhook_secret and self.application.updater is not None:
            await self.application.updater.start_polling(drop_pending_updates=False)
            await self.application.start()
            log.info("telegram: long polling")
        else:
            log.info("telegram: webhook on /telegram/webhook")

    async def stop(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _register_commands(self) -> None:
        """The command menu, in French by default and in English for English clients."""
        for lang, code in (("fr", None), ("en", "en")):
            menu, seen = [], set()
            for command in self.app.router.commands:
                name = telegram_name(self.app.router.name(command, lang))
                if not name or name in seen:
                    continue
                seen.add(name)
                about = self.app.catalog.t(lang, f"cmd.{command.key}.help")[:256] or name
                menu.append(BotCommand(name, about))
            await self.application.bot.set_my_commands(menu[:MENU_SIZE],
                                                       scope=BotCommandScopeDefault(),
                                                       language_code=code)

    # Inbound.

    async def _webhook(self, request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != self.env.telegram_webhook_secret:
            return web.Response(status=403)
        try:
            data = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400)
        update = Update.de_json(data, self.application.bot)
        if update is not None:
            await self.application.process_update(update)
        return web.Response(status=200)

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if not self.app.first_time(f"telegram:update:{update.update_id}"):
            log.info("telegram: update %s already processed", update.update_id)
            return
        if update.callback_query is not None:
            await self._click(update)
        elif update.effective_message is not None and update.effective_message.text:
            await self._text(update)

    def _inbound(self, update: Update, **what: Any) -> Inbound:
        user = update.effective_user
        chat = update.effective_chat
        return Inbound(platform="telegram", user_id=str(user.id if user else ""),
                       chat_id=str(chat.id if chat else ""),
                       private=bool(chat and chat.type == "private"),
                       display_name=(user.full_name if user else ""),
                       locale=user.language_code if user else None, **what)

    async def _text(self, update: Update) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        chat = update.effective_chat
        private = bool(chat and chat.type == "private")
        found = COMMAND.match(message.text.strip())
        if found:
            if found.group(2) and self.username and found.group(2).lower() != \
                    self.username.lower():
                return  # a command for another bot in the group
            text = f"{found.group(1).replace('_', ' ')} {found.group(3) or ''}".strip()
            reply = self.app.handle(self._inbound(update, text=text))
        elif private:
            reply = self.app.handle(self._inbound(update, text=message.text))
        elif chat and str(chat.id) == self.app.network.channels.get("telegram"):
            reply = self.app.handle(self._inbound(update, text=message.text, capture=True))
            if reply.message.plain_text():
                await message.reply_text(reply.message.plain_text()[:500])
            return
        else:
            return
        await self._send_reply(str(message.chat_id), reply)

    async def _click(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        action, value = parse_callback(query.data or "")
        reply = self.app.handle(self._inbound(update, action=action, value=value))
        answer = reply.message.plain_text()
        await query.answer(answer.splitlines()[0][:200] if answer else None)
        original = query.message
        if original is not None and getattr(original, "text", None) and answer:
            text = f"{escape(original.text)}\n\n<i>{escape(answer)}</i>"
            if len(text) < 4000:
                try:
                    await query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                  reply_markup=original.reply_markup)
                    return
                except Exception as error:  # e.g. too old to edit: say it in a new message
                    log.warning("telegram: editMessageText failed: %s", type(error).__name__)
        if answer and original is not None:
            await self._send_reply(str(original.chat.id), reply)

    async def _send_reply(self, chat_id: str, reply: Reply) -> None:
        await self._send(chat_id, reply.message)

    # Outbound.

    async def _send(self, chat_id: str, message: Message) -> None:
        texts, markup = render(message)
        if message.plain_text().strip() or message.buttons:
            for index, text in enumerate(texts):
                last = index == len(texts) - 1
                await self.application.bot.send_message(
                    chat_id=chat_id, text=text, parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW)
        for attachment in message.attachments:
            await self.application.bot.send_document(
                chat_id=chat_id, document=InputFile(attachment.content,
                                                    filename=attachment.filename))

    async def deliver(self, target: Target, message: Message) -> None:
        try:
            await self._send(target.address, message)
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error)) from error
