"""The Telegram platform: python-telegram-bot's ``Application`` on the bot's aiohttp server
(webhook, with the secret-token header checked) or by long polling.

Inbound: commands (``/reunion …``, ``/reunion_deplacer …``, ``/cmd@bot``), plain text in a
private chat, button presses (callback queries) and messages posted in the network chat become
``Inbound`` for ``BotApp.handle_once_durably``. A webhook update is handled, and what it changed
fsynced together with its ``update_id``, before Telegram gets its 200, so an acknowledged update
is never lost; a repeated ``update_id`` is handled once. When the data dir refuses the write, the
webhook answers 503 and Telegram delivers the update again. The answer is in that transaction,
as an outbox row (``ReplyTo``: in the chat, as a reply to the message in a group; for a button,
a toast and the answer under the clicked message), delivered by the dispatcher right after.

Outbound: the dispatcher calls ``deliver``; a ``RetryAfter`` becomes ``RetryLater`` (one retry
mechanism: the dispatcher's, which also enforces the rate limits declared below). PTB's
``AIORateLimiter`` stays off: a second limiter would pause every request on a single 429. A 403
(the person never opened the bot, blocked it, or the bot left the group) becomes
``Unreachable``: the row waits instead of failing over and over, and so does a 400 "chat not
found" (a chat the bot may not write to) or a group that became a supergroup; any other 400 is
``Rejected`` (it would be refused again). ``probe`` is ``getMe``.

``sendMessage`` and ``sendDocument`` take no idempotency key and Telegram offers no way to see
what a bot sent, so a request is sent again only when it certainly did not arrive: PTB raises
``TimedOut`` for every timeout alike, and the httpx error it wraps tells them apart (a connect
or pool timeout, a refused connection, a request not written whole: not sent; a read timeout,
the connection closed before the answer: maybe sent). A part that may have been sent counts as
sent, the rest of the message goes on, and the dispatcher records it with the note
(``OutcomeUnknown``). Parts already sent are remembered, so a retry sends only the rest.

Telegram's own ways are used where they exist: deep links (``https://t.me/<bot>?start=…``, whose
``/start <payload>`` runs ``handlers/deeplinks.py``), command menus scoped to private chats, to
groups and to each lead's own chat, captions on documents.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import PurePath
from typing import Any

import httpx
from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram import Message as TelegramMessage
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import BotApp
from bot.config import Environment
from bot.dispatcher import OutcomeUnknown, Rejected, RetryLater, Target, Unreachable
from bot.platforms.telegram_render import (
    SAFE,
    keyboard,
    parse_callback,
    render,
    size,
    with_answer,
    with_links,
)
from handlers.commands import GROUP_MENU
from handlers.info import meant_for_capture
from handlers.roles import EXEC_FOCAL_POINT
from handlers.router import Command, Router
from handlers.settings import fold
from handlers.types import Button, Inbound, Message, Reply, ReplyTo
from storage.faults import StorageUnavailable
from storage.models import FOCAL_POINT

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
MENU_LANGUAGES = (("fr", None), ("en", "en"))  # French by default, English for English clients
MEMBER_ROLES = frozenset({EXEC_FOCAL_POINT, FOCAL_POINT})  # what the private menu offers
TOAST = 200  # answerCallbackQuery's text, at most
CAPTION = 1024  # a document's caption, at most
START_LINK = "https://t.me/{username}?start={{payload}}"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# What httpx raises when the request went out whole and no answer came back: Telegram may have
# carried it out. Every other failure (connect or pool timeout, refused connection, a request
# not written whole, which a server never acts on) sent nothing.
MAYBE_SENT = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


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
    ``/start`` (Telegram's Start button, and what a deep link sends) is the ``start``
    command."""
    table: dict[str, str] = {}
    for command in router.commands:
        for spelling in (router.name(command, "fr"), router.name(command, "en"),
                         *command.aliases):
            name = telegram_name(spelling)
            if name:
                table.setdefault(name, spelling)
    return table


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


class TelegramPlatform:
    """Telegram for one bot token, by webhook (``TELEGRAM_WEBHOOK_SECRET`` set) or polling."""

    platform = "telegram"
    # Telegram's flood limits, read by the dispatcher's RateLimiter (bot/ratelimit.py), the one
    # place that paces sends: about 30 messages a second overall, one a second in any chat,
    # 20 a minute in a group. What still gets a 429 is retried through ``RetryLater``.
    rate_per_second = 30.0
    per_chat_interval = 1.0
    group_per_minute = 20
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
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.names = command_table(app.router)
        self.username = ""
        self.ready = False  # until ``start`` is done; the webhook answers 503 meanwhile
        self._lead_menus: set[str] = set()  # leads whose own chat has its menu (this process)
        self._unstored: set[int] = set()  # updates the data dir refused: Telegram must resend
        self._partial: dict[str, set[str]] = {}  # deliveries cut short: the parts already sent

    # Lifecycle.

    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook:
            web_app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def start(self) -> None:
        await self.application.initialize()  # getMe: a wrong token stops the start here
        self.username = self.application.bot.username or ""
        if self.username:
            self.app.set_start_link(self.platform, START_LINK.format(username=self.username))
        await self._register_commands()
        if self.webhook:
            await self._register_webhook()
        elif self.application.updater is not None:
            # start_polling first calls deleteWebhook: Telegram serves one or the other.
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await self.application.start()
            log.info("telegram: long polling")
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    def _menu(self, lang: str, offered: Callable[[Command], bool]) -> list[BotCommand]:
        """The commands ``offered`` keeps, named and described in ``lang``."""
        menu: list[BotCommand] = []
        seen: set[str] = set()
        for command in self.app.router.commands:
            name = telegram_name(self.app.router.name(command, lang))
            if command.hidden or not offered(command) or not name or name in seen:
                continue
            seen.add(name)
            about = " ".join(self.app.catalog.t(lang, f"cmd.{command.key}.help").split())
            menu.append(BotCommand(name, about[:MENU_TEXT] or name))
        return menu[:MENU_SIZE]

    async def _set_menu(self, offered: Callable[[Command], bool],
                        scope: BotCommandScope) -> bool:
        """One scope's menu in French (the default) and English; ``False`` if refused."""
        for lang, code in MENU_LANGUAGES:
            try:
                await self.application.bot.set_my_commands(self._menu(lang, offered),
                                                           scope=scope, language_code=code)
            except TelegramError as error:  # the menu is a convenience: typing still works
                log.warning("telegram: setMyCommands (%s, %s) failed: %s", scope.type, lang,
                            error)
                return False
        return True

    async def _register_commands(self) -> None:
        """Menus scoped as people meet the bot: a member's commands in private chats (and by
        default), a short menu in groups, and each lead's commands in their own chat."""
        router = self.app.router

        def for_members(command: Command) -> bool:
            return router.allowed(MEMBER_ROLES, command.roles)

        await self._set_menu(for_members, BotCommandScopeDefault())
        await self._set_menu(for_members, BotCommandScopeAllPrivateChats())
        await self._set_menu(lambda command: command.key in GROUP_MENU,
                             BotCommandScopeAllGroupChats())
        for user_id, roles in self.app.leads_on(self.platform):
            await self._lead_menu(user_id, roles)

    async def _lead_menu(self, user_id: str, roles: frozenset[str]) -> None:
        """A lead's own chat lists what their roles allow (a chat never opened is refused:
        it is set again when they write)."""
        if not user_id.lstrip("-").isdigit():
            return
        router = self.app.router
        if await self._set_menu(lambda command: router.allowed(roles, command.roles),
                                BotCommandScopeChat(int(user_id))):
            self._lead_menus.add(user_id)

    async def _menu_for(self, user_id: str) -> None:
        """After a private message: a lead met for the first time in this process (linked or
        appointed since start-up) gets their menu."""
        if user_id in self._lead_menus:
            return
        roles = self.app.lead_roles(f"{self.platform}:{user_id}")
        if roles is not None:
            await self._lead_menu(user_id, roles)

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
        with self.app.acks_first.request():  # the work after acks waits (bot/pacing.py)
            return await self._webhook_in_flight(request)

    async def _webhook_in_flight(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.env.telegram_webhook_secret.encode()):
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
        try:
            await work(update)
        except StorageUnavailable:
            self.app.not_processed(f"telegram:update:{update.update_id}")
            self._unstored.add(update.update_id)
            raise

    async def _handle(self, update: Update, inbound: Inbound) -> Reply | None:
        """Handled and durable; ``None`` for an update already handled (a redelivery)."""
        reply = await self.app.handle_once_durably(f"telegram:update:{update.update_id}",
                                                   inbound)
        if reply is None:
            log.info("telegram: update %s already processed", update.update_id)
        return reply

    async def _on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, StorageUnavailable):  # answered 503: Telegram sends it again
            log.error("telegram: update not handled: %s", error)
            return
        log.error("telegram: update failed: %s", type(error).__name__, exc_info=error)

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
        if str(message.chat.id) == self.app.network.channels.get("telegram") \
                and meant_for_capture(text):
            return text, True
        return None  # conversation, or another group: nothing is recorded

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
        group = message.chat.type != ChatType.PRIVATE
        answer = ReplyTo(self.platform, str(message.from_user.id if message.from_user else ""),
                         str(message.chat_id), "chat",
                         message=str(message.message_id) if group else "")
        reply = await self._handle(update, self._inbound(update, text=text, capture=capture,
                                                         visible=True, reply_to=answer))
        if reply is not None and not group and message.from_user is not None:
            await self._menu_for(str(message.from_user.id))

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
            if original.reply_markup is not None:
                context["markup"] = original.reply_markup.to_dict()
        user = str(query.from_user.id) if query.from_user else ""
        answer = ReplyTo(self.platform, user, str(chat.id) if chat else user,
                         "edit" if private else "private",
                         message=str(original.message_id) if original else "", context=context)
        reply = await self._handle(update, self._inbound(update, action=action, value=value,
                                                         reply_to=answer))
        if reply is not None and reply.message.empty:  # nothing queued: stop the spinner
            try:
                await query.answer()
            except TelegramError as error:
                log.info("telegram: answerCallbackQuery failed: %s", type(error).__name__)

    # Answers: the reply to one update, delivered by the dispatcher.

    async def _answer(self, reply: ReplyTo, message: Message, done: set[str]) -> None:
        """``chat``: in the chat (a reply to the message in a group); ``edit`` (a private
        click): a toast and the answer under the clicked message, else in the chat;
        ``private`` (a group click): the toast, and fresh buttons in the private chat."""
        query = reply.context.get("query")
        if query and "toast" not in done:
            await self._toast(query, message)
            done.add("toast")
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

    async def _toast(self, query: str, message: Message) -> None:
        """``answerCallbackQuery`` with the answer's first line: only useful at once, so a
        failure (a query too old after an outage) is logged and not tried again."""
        answer = message.plain_text().strip()
        try:
            await self.application.bot.answer_callback_query(
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
            await self.application.bot.edit_message_text(
                text, chat_id=reply.chat, message_id=int(reply.message),
                parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                reply_markup=keyboard(buttons) if buttons else (
                    InlineKeyboardMarkup.de_json(markup, self.application.bot) if markup
                    else None))
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

    # Outbound.

    async def _send(self, chat_id: str, message: Message, done: set[str],
                    reply_to: int | None = None) -> None:
        """Each part (text chunks, then files) once: those in ``done`` are skipped, and one
        that may have reached Telegram counts as sent (``OutcomeUnknown`` at the end)."""
        unknown: list[str] = []

        async def once(part: str, request: Awaitable[object]) -> None:
            try:
                await request
            except TelegramError as error:
                if not maybe_sent(error):
                    raise
                unknown.append(f"{part}: {type(error).__name__} "
                               f"({type(error.__cause__).__name__})")
            done.add(part)

        texts, markup = render(message)
        if message.plain_text().strip() or message.buttons:
            for index, text in enumerate(texts):
                if f"text:{index}" in done:
                    continue
                last = index == len(texts) - 1
                await once(f"text:{index}", self.application.bot.send_message(
                    chat_id=chat_id, text=text, parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None, link_preview_options=NO_PREVIEW,
                    reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to is not None and index == 0 else None))
        for index, attachment in enumerate(message.attachments):
            if f"file:{index}" in done:
                continue
            caption = " ".join((attachment.caption or message.title).split())
            await once(f"file:{index}", self.application.bot.send_document(
                chat_id=chat_id, caption=caption[:CAPTION] or None, document=InputFile(
                    attachment.content, filename=PurePath(attachment.filename).name)))
        if unknown:
            raise OutcomeUnknown("; ".join(unknown))

    async def probe(self) -> None:
        """``getMe``: raises while the Bot API cannot be used (down, or the token refused)."""
        await self.application.bot.get_me()

    async def deliver(self, target: Target, message: Message) -> None:
        """Send one outbox message, or show an answer (``target.reply``). A multi-part message
        (chunks, files) interrupted by a failure is taken up where it stopped on the retry
        (parts already sent are remembered in memory)."""
        key = target.key + ":" + hashlib.sha256(
            json.dumps(message.to_dict(), sort_keys=True).encode()).hexdigest()
        done = self._partial.setdefault(key, set())
        try:
            if target.reply is not None:
                await self._answer(target.reply, message, done)
            else:
                await self._send(target.address, message, done)
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
