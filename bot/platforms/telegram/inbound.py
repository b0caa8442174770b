"""What Telegram sends, turned into ``Inbound`` for the app: the webhook (secret-token header
checked) or polling's updates, read as commands, plain text, button presses and captures.

Commands (``/reunion …``, ``/reunion_deplacer …``, ``/cmd@bot``), plain text in a private chat,
button presses (callback queries), messages posted in the network chat and replies to the
bot's messages (with the card they answer and its buttons: ``CardRef``) become ``Inbound``
for ``BotApp.handle_once_durably``. A webhook update is handled, and what it changed fsynced
together with its ``update_id``, before Telegram gets its 200, so an acknowledged update is
never lost; a repeated ``update_id`` is handled once. When the data dir refuses the write, the
webhook answers 503 and Telegram delivers the update again. The answer is in that transaction,
as an outbox row (``ReplyTo``: in the chat, as a reply to the message in a group; for a button,
a toast and the answer under the clicked message), delivered by the dispatcher right after
(``deliver.py``): nothing here posts a message, except stopping a button's spinner when a click
queued nothing to say.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Message as TelegramMessage
from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.app import BotApp
from bot.platforms.telegram.menus import CommandMenus, command_table
from bot.platforms.telegram.render import parse_callback
from bot.refusals import NotStored
from handlers.flows.asking import ONE_TIME
from handlers.info import meant_for_capture
from handlers.links import labelled
from handlers.types import CardRef, Inbound, Reply, ReplyTo

log = logging.getLogger(__name__)

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]
COMMAND = re.compile(r"^/(\w{1,64})(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def with_links(text: str, links: list[tuple[int, int, str]]) -> str:
    """``text`` with each text link (``offset`` and ``length`` in UTF-16 code units, as Telegram
    counts them, and its ``url``, which Telegram keeps out of the text) in the neutral
    ``[words](url)`` form the handlers read."""
    units = text.encode("utf-16-le")
    parts: list[str] = []
    at = 0
    for offset, length, url in sorted(links):
        start, end = offset * 2, (offset + length) * 2
        if start < at or end > len(units):
            continue  # overlapping or out of range: leave the words as they are
        parts.append(units[at:start].decode("utf-16-le", errors="ignore"))
        parts.append(labelled(url, units[start:end].decode("utf-16-le", errors="ignore")))
        at = end
    parts.append(units[at:].decode("utf-16-le", errors="ignore"))
    return "".join(parts)


class TelegramInbound:
    """Updates for one bot token, each handled once and durably before it is acknowledged."""

    def __init__(self, app: BotApp, application: Application[Any, Any, Any, Any, Any, Any],
                 menus: CommandMenus, webhook_secret: str) -> None:
        self.app = app
        self.application = application
        self.menus = menus
        self.webhook_secret = webhook_secret
        self.names = command_table(app.router)
        self.username = ""  # the bot's, once ``getMe`` told it
        self.ready = False  # until the adapter's ``start`` is done; the webhook answers 503
        self._unstored: set[int] = set()  # updates the data dir refused: Telegram must resend

    async def webhook(self, request: web.Request) -> web.Response:
        with self.app.acks_first.request():  # the work after acks waits (bot/pacing.py)
            return await self._webhook_in_flight(request)

    async def _webhook_in_flight(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.webhook_secret.encode()):
            return web.Response(status=403)
        if not self.ready:  # the HTTP server starts first: Telegram sends it again later
            log.info("telegram: update answered 503: starting")
            return web.Response(status=503, headers={"Retry-After": "5"})
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot) if isinstance(data, dict) \
                and isinstance(data.get("update_id"), int) else None
        except Exception:  # whatever the body, one log line below, never a traceback
            update = None
        if update is None:
            log.warning("telegram: webhook body refused (400): not an update")
            return web.Response(status=400)
        await self.application.process_update(update)
        if update.update_id in self._unstored:
            self._unstored.discard(update.update_id)
            return web.Response(status=503)  # nothing recorded: Telegram sends it again
        return web.Response(status=200)

    async def on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
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
        try:
            await work(update)
        except NotStored:
            self.app.not_processed(f"telegram:update:{update.update_id}")
            self._unstored.add(update.update_id)
            raise

    async def on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, NotStored):  # answered 503: Telegram sends it again
            log.error("telegram: update not handled: %s", error)
            return
        log.error("telegram: update failed: %s", type(error).__name__, exc_info=error)

    async def _handle(self, update: Update, inbound: Inbound) -> Reply | None:
        """Handled and durable; ``None`` for an update already handled (a redelivery)."""
        reply = await self.app.handle_once_durably(f"telegram:update:{update.update_id}",
                                                   inbound)
        if reply is None:
            log.info("telegram: update %s already processed", update.update_id)
        return reply

    def _read(self, message: TelegramMessage) -> tuple[str, bool] | None:
        """``(router text, capture)`` for a message the bot acts on, else ``None``."""
        if not message.text or (message.from_user is not None and message.from_user.is_bot):
            return None
        text = with_links(message.text, [(e.offset, e.length, e.url) for e in message.entities
                                         if e.type == MessageEntity.TEXT_LINK and e.url]).strip()
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
        network = str(message.chat.id) == self.app.network.channels.get("telegram")
        if self._card(message) is not None and (network or not meant_for_capture(text)):
            return text, True  # a reply to the bot's message: addressed to it, answered
        if network and meant_for_capture(text):
            return text, True
        return None  # conversation, or another group: nothing is recorded

    def _card(self, message: TelegramMessage) -> CardRef | None:
        """The bot's message ``message`` replies to, with the buttons it carries (their
        callback data names what the card is about); ``None`` when it replies to no message of
        the bot's."""
        replied = message.reply_to_message
        author = replied.from_user if replied is not None else None
        if replied is None or author is None or not author.is_bot or not self.username \
                or (author.username or "").lower() != self.username.lower():
            return None
        markup = replied.reply_markup
        buttons = tuple(parse_callback(button.callback_data)
                        for row in (markup.inline_keyboard if markup is not None else ())
                        for button in row if isinstance(button.callback_data, str))
        return CardRef(str(replied.message_id), buttons)

    def _inbound(self, update: Update, **what: Any) -> Inbound:
        user = update.effective_user
        chat = update.effective_chat
        return Inbound(platform=PLATFORM, user_id=str(user.id if user else ""),
                       chat_id=str(chat.id if chat else ""),
                       private=bool(chat and chat.type == ChatType.PRIVATE),
                       display_name=user.full_name if user else "",
                       locale=user.language_code if user else None,
                       handle=(user.username or "") if user else "",
                       converses=bool(chat and chat.type == ChatType.PRIVATE), **what)

    async def _text(self, update: Update) -> None:
        message = update.message
        assert message is not None
        read = self._read(message)
        if read is None:
            return
        text, capture = read
        group = message.chat.type != ChatType.PRIVATE
        answer = ReplyTo(PLATFORM, str(message.from_user.id if message.from_user else ""),
                         str(message.chat_id), "chat",
                         message=str(message.message_id) if group else "")
        reply = await self._handle(update, self._inbound(
            update, text=text, capture=capture, visible=True, reply_to=answer,
            in_reply_to=self._card(message),
            explicit=(message.text or "").lstrip().startswith("/")))
        if reply is not None and not group and message.from_user is not None:
            await self.menus.menu_for(str(message.from_user.id))

    async def _click(self, update: Update) -> None:
        """A button: the same handlers as commands. The answer (queued with the click) is a
        toast always (Telegram shows a spinner until it is answered), and in a private chat
        the answer under the original message; in a group, editing the shared message would
        show one person's answer, so only a refusal that offers other buttons (a card older
        than the current position) goes on, to the person's private chat."""
        query = update.callback_query
        assert query is not None
        action, value = parse_callback(query.data or "")
        chat = update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        original = query.message
        context: dict[str, Any] = {"query": query.id}
        if private and isinstance(original, TelegramMessage) and original.text:
            context["html"] = original.text_html
            if action in ONE_TIME:  # a question's button: spent once tapped
                context["spent"] = True
            elif original.reply_markup is not None:
                context["markup"] = original.reply_markup.to_dict()  # kept under the answer
        user = str(query.from_user.id) if query.from_user else ""
        answer = ReplyTo(PLATFORM, user, str(chat.id) if chat else user,
                         "edit" if private else "private",
                         message=str(original.message_id) if original else "", context=context)
        reply = await self._handle(update, self._inbound(update, action=action, value=value,
                                                         reply_to=answer))
        if reply is not None and reply.message.empty:  # nothing queued: stop the spinner
            try:
                await query.answer()
            except TelegramError as error:
                log.info("telegram: answerCallbackQuery failed: %s", type(error).__name__)
