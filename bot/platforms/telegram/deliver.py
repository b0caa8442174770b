"""What the dispatcher hands the Telegram adapter, sent to Telegram: a message (text chunks,
then files) to a chat, or the answer to one update (a toast, the answer under the clicked
message, a reply in the chat).

The dispatcher calls ``deliver``; a ``RetryAfter`` becomes ``RetryLater`` (one retry mechanism:
the dispatcher's, which also enforces the adapter's rate limits). PTB's ``AIORateLimiter`` stays
off: a second limiter would pause every request on a single 429. A 403 (the person never opened
the bot, blocked it, or the bot left the group) becomes ``Unreachable``: the row waits instead of
failing over and over, and so does a 400 "chat not found" (a chat the bot may not write to) or a
group that became a supergroup; any other 400 is ``Rejected`` (it would be refused again).

``sendMessage`` and ``sendDocument`` take no idempotency key and Telegram offers no way to see
what a bot sent, so a request is sent again only when it certainly did not arrive: PTB raises
``TimedOut`` for every timeout alike, and the httpx error it wraps tells them apart (a connect
or pool timeout, a refused connection, a request not written whole: not sent; a read timeout,
the connection closed before the answer: maybe sent). A part that may have been sent counts as
sent, the rest of the message goes on, and the dispatcher records it with the note
(``OutcomeUnknown``). Parts already sent are remembered, so a retry sends only the rest.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable
from datetime import timedelta
from pathlib import PurePath

import httpx
from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, ReplyParameters
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.dispatch.contract import (
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Target,
    Unreachable,
    parts_key,
)
from bot.platforms.telegram.render import SAFE, keyboard, render, size, with_answer
from handlers.types import Button, Message, ReplyTo

log = logging.getLogger(__name__)

TOAST = 200  # answerCallbackQuery's text, at most
CAPTION = 1024  # a document's caption, at most
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# What httpx raises when the request went out whole and no answer came back: Telegram may have
# carried it out. Every other failure (connect or pool timeout, refused connection, a request
# not written whole, which a server never acts on) sent nothing.
MAYBE_SENT = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


def unreachable_reason(error: Forbidden, channel: bool) -> str:
    """What a 403 means, from Telegram's description (``handlers/delivery.py`` reasons)."""
    text = str(error).lower()
    if channel or "kicked" in text or "not a member" in text:
        return "not_in_channel"
    if "deactivated" in text:
        return "deactivated"
    if "blocked" in text:
        return "blocked"
    return "not_started"  # "bot can't initiate conversation with a user"


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or (soon) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type will change
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def maybe_sent(error: TelegramError) -> bool:
    """The request may have reached Telegram: sending it again could make a second message."""
    return (isinstance(error, NetworkError) and not isinstance(error, BadRequest)
            and isinstance(error.__cause__, MAYBE_SENT))


class TelegramDelivery:
    """Sends for one bot; the parts of a message cut short by a failure are remembered, so the
    retry sends only the rest."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._partial: dict[str, set[str]] = {}  # deliveries cut short: the parts already sent

    async def deliver(self, target: Target, message: Message) -> str | None:
        """Send one outbox message, or show an answer (``target.reply``), or edit a card sent
        earlier (``target.edit``). A multi-part message (chunks, files) interrupted by a
        failure is taken up where it stopped on the retry (parts already sent are remembered
        in memory). Returns ``chat:message_id`` of the message carrying the buttons."""
        key = parts_key(target, message)
        done = self._partial.setdefault(key, set())
        posted = None
        try:
            if target.edit:
                await self._edit_card(target.edit, message)
            elif target.reply is not None:
                await self._answer(target.reply, message, done)
            else:
                sent = await self._send(target.address, message, done)
                posted = f"{target.address}:{sent}" if sent is not None else None
        except RetryAfter as error:
            raise RetryLater(retry_seconds(error)) from error
        except Forbidden as error:
            raise Unreachable(unreachable_reason(error, target.channel), str(error)) from error
        except ChatMigrated as error:
            log.error("telegram: chat %s became supergroup %s: update [channels] telegram",
                      target.address, error.new_chat_id)
            raise Unreachable("not_in_channel", str(error)) from error
        except BadRequest as error:
            if "chat not found" in str(error).lower():  # never opened, or a chat gone
                reason = "not_in_channel" if target.channel else "not_started"
                raise Unreachable(reason, str(error)) from error
            self._partial.pop(key, None)
            raise Rejected(str(error)) from error
        except OutcomeUnknown:
            self._partial.pop(key, None)
            raise
        self._partial.pop(key, None)
        return posted

    # Answers: the reply to one update.

    async def _answer(self, reply: ReplyTo, message: Message, done: set[str]) -> None:
        """``chat``: in the chat (a reply to the message in a group); ``edit`` (a private
        click): a toast and the answer under the clicked message, else in the chat;
        ``private`` (a group click): the toast, and fresh buttons in the private chat."""
        query = reply.context.get("query")
        if query and "toast" not in done:
            await self._toast(query, message)
            done.add("toast")
        if message.ask is not None:  # a reply prompt, in the private chat: never on the card
            await self._send(reply.user if reply.mode == "private" else reply.chat, message,
                             done)
            if reply.mode == "edit" and reply.context.get("spent") and "spent" not in done:
                await self._without_buttons(reply)  # the question tapped is answered
                done.add("spent")
            return
        if reply.mode == "chat":
            await self._send(reply.chat, message, done,
                             int(reply.message) if reply.message.isdigit() else None)
        elif reply.mode == "private":
            if message.buttons and not reply.accepted:
                await self._privately(reply.user, message, done)
        else:
            answer = message.plain_text().strip()
            shown = "edit" in done or (bool(answer) and await self._edit(
                reply, answer, message.buttons))
            if shown:
                done.add("edit")
            if message.attachments or (answer and not shown) or (message.buttons
                                                                  and not shown):
                await self._send(reply.chat, message, done)

    async def _without_buttons(self, reply: ReplyTo) -> None:
        """The tapped message's keyboard taken off (its question is answered): a refusal
        (too old, gone, not modified) changes nothing worth telling; a failure that may pass
        is retried (raised)."""
        if not reply.message.isdigit():
            return
        try:
            await self.bot.edit_message_reply_markup(chat_id=reply.chat,
                                                     message_id=int(reply.message),
                                                     reply_markup=None)
        except (RetryAfter, NetworkError):
            raise
        except TelegramError as error:
            log.info("telegram: a spent keyboard was not taken off: %s", type(error).__name__)

    async def _toast(self, query: str, message: Message) -> None:
        """``answerCallbackQuery`` with the answer's first line: only useful at once, so a
        failure (a query too old after an outage) is logged and not tried again."""
        answer = message.plain_text().strip()
        try:
            await self.bot.answer_callback_query(
                query, answer.splitlines()[0][:TOAST] if answer else None)
        except TelegramError as error:
            log.info("telegram: answerCallbackQuery failed: %s", type(error).__name__)

    async def _privately(self, user_id: str, message: Message, done: set[str]) -> None:
        try:
            await self._send(user_id, message, done)
        except (Forbidden, BadRequest) as error:  # never opened the bot: the toast said why
            log.info("telegram: private answer to a group click not sent: %s",
                     type(error).__name__)

    async def _edit(self, reply: ReplyTo, answer: str, buttons: list[Button]) -> bool:
        """Show ``answer`` under the message the button was on, with the answer's buttons in
        place of its own if it has some (a card's fresh buttons), else keeping them. Editing
        twice changes nothing, so a failure that may pass is retried (raised); ``False`` when
        the message cannot take it (too long, not text, gone): the answer is sent instead."""
        original = reply.context.get("html")
        if not original or not reply.message.isdigit():
            return False  # too old (inaccessible) or not a text message
        text = with_answer(original, answer)
        if size(text) > SAFE:
            return False
        markup = reply.context.get("markup")
        try:
            await self.bot.edit_message_text(
                text, chat_id=reply.chat, message_id=int(reply.message),
                parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                reply_markup=keyboard(buttons) if buttons else (
                    InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None))
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return True  # the same answer clicked twice
            log.warning("telegram: editMessageText failed: %s", error)
            return False
        except (RetryAfter, NetworkError):
            raise
        except TelegramError as error:
            log.warning("telegram: editMessageText failed: %s", type(error).__name__)
            return False
        return True

    async def _edit_card(self, ref: str, message: Message) -> None:
        """A card sent earlier, rewritten as it should read now (its keyboard only when the
        text takes more than one message). Editing twice changes nothing, so a failure that
        may pass is retried (raised); one Telegram refuses (deleted, too old) is dropped with
        a log line."""
        chat, _, message_id = ref.rpartition(":")
        texts, markup = render(message)
        keys = markup if isinstance(markup, InlineKeyboardMarkup) else None
        try:
            if len(texts) == 1:
                await self.bot.edit_message_text(
                    texts[0], chat_id=chat, message_id=int(message_id),
                    parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                    reply_markup=keys)
            else:
                await self.bot.edit_message_reply_markup(chat_id=chat,
                                                         message_id=int(message_id),
                                                         reply_markup=keys)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.warning("telegram: card not edited (%s): dropped", error)
        except Forbidden as error:
            log.warning("telegram: card not edited (%s): dropped", error)

    # Messages.

    async def _send(self, chat_id: str, message: Message, done: set[str],
                    reply_to: int | None = None) -> int | None:
        """Each part (text chunks, then files) once: those in ``done`` are skipped, and one
        that may have reached Telegram counts as sent (``OutcomeUnknown`` at the end).
        Returns the id of the message carrying the buttons, when sent now."""
        unknown: list[str] = []
        carrying: list[int] = []

        async def once(part: str, request: Awaitable[object]) -> None:
            try:
                sent = await request
            except TelegramError as error:
                if not maybe_sent(error):
                    raise
                unknown.append(f"{part}: {type(error).__name__} "
                               f"({type(error.__cause__).__name__})")
            else:
                if part == f"text:{len(texts) - 1}" and isinstance(sent, TelegramMessage):
                    carrying.append(sent.message_id)
            done.add(part)

        texts, markup = render(message)
        if message.plain_text().strip() or message.buttons:
            for index, text in enumerate(texts):
                if f"text:{index}" in done:
                    continue
                last = index == len(texts) - 1
                await once(f"text:{index}", self.bot.send_message(
                    chat_id=chat_id, text=text, parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None, link_preview_options=NO_PREVIEW,
                    reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to is not None and index == 0 else None))
        for index, attachment in enumerate(message.attachments):
            if f"file:{index}" in done:
                continue
            caption = " ".join((attachment.caption or message.title).split())
            await once(f"file:{index}", self.bot.send_document(
                chat_id=chat_id, caption=caption[:CAPTION] or None, document=InputFile(
                    attachment.content, filename=PurePath(attachment.filename).name)))
        if unknown:
            raise OutcomeUnknown("; ".join(unknown))
        return carrying[0] if carrying else None
