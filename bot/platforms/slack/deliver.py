"""What the dispatcher hands the Slack adapter, posted to Slack: a message to a channel or a
person's DM, or the answer to one event where the person saw it asked.

The dispatcher calls ``deliver``; a 429 becomes ``RetryLater``, an error no retry will fix
``Unreachable`` (until someone acts) or ``Rejected`` (for good), and any other failure
propagates, so the dispatcher's retries are the only ones (slack_sdk's retry handlers are off).
A post whose outcome is unknown (the request went out, no answer came back) is not posted again
blindly: after a few seconds, the conversation's history is read for a message of the bot's
with that text since the attempt, and it is posted again only if absent; an ephemeral answer,
which no history shows, counts as delivered (``OutcomeUnknown``). Calls that change nothing when
repeated (``chat.update``, ``reactions.add``, ``conversations.open``, ``views.publish``) are
simply retried.
Apart from ``inbound.py`` because this side never reads what people send: it only carries out
what the outbox holds, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.dispatch.contract import (
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Target,
    Unreachable,
    parts_key,
)
from bot.platforms.slack.auth import BotIdentity
from bot.platforms.slack.forms import form_view
from bot.platforms.slack.home import home_view
from bot.platforms.slack.inbound import is_direct
from bot.platforms.slack.modals import modal
from bot.platforms.slack.render import has_text, render, with_answer
from handlers.types import Message, ReplyTo

log = logging.getLogger(__name__)
T = TypeVar("T")

CAPTURED_REACTION = "white_check_mark"
# After a post whose outcome is unknown, how long Slack may still take to carry it out before
# the history is read; and how far before the attempt it is read (clocks differ a little).
SETTLE = timedelta(seconds=5)
CLOCK_MARGIN = timedelta(seconds=60)
# What never reached Slack (no connection was made): safe to send again.
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# Slack errors that no retry will fix until someone acts (``handlers/delivery.py`` reasons).
UNREACHABLE = {"not_in_channel": "not_in_channel", "channel_not_found": "not_in_channel",
               "is_archived": "not_in_channel", "user_not_found": "deactivated",
               "account_inactive": "deactivated", "user_disabled": "deactivated"}
# Slack errors about the message itself, or a permission the app lacks: retrying the same
# request cannot succeed, so the dispatcher gives it up at once and tells the secretariat.
REJECTED = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "too_many_attachments",
    "invalid_attachments", "invalid_arguments", "invalid_arg_name", "invalid_array_arg",
    "invalid_charset", "invalid_form_data", "invalid_post_type", "missing_post_type",
    "missing_scope", "not_allowed_token_type", "no_permission", "restricted_action",
    "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "messages_tab_disabled", "cannot_dm_bot", "method_deprecated", "deprecated_endpoint"})


def retry_after(error: SlackApiError) -> float:
    """Seconds Slack asked us to wait (``Retry-After``), 30 when it did not say."""
    headers = getattr(error.response, "headers", None) or {}
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            try:
                return max(1.0, float(value))
            except (TypeError, ValueError):
                break
    return 30.0


class MaybeSent(Exception):
    """The request went out (or may have) and no answer came back: Slack may have done it."""


async def call(request: Awaitable[T]) -> T:
    """One Slack call; a transport failure after the connection was made is ``MaybeSent``,
    one before it (refused, connect timeout) propagates as is: nothing reached Slack."""
    try:
        return await request
    except NOT_SENT:
        raise
    except (aiohttp.ClientError, TimeoutError) as error:
        raise MaybeSent(f"{type(error).__name__}: {error}"[:200]) from error


class SlackDelivery:
    """Posts, updates, ephemeral answers and uploads for one bot token; what was sent of a
    message cut short, and which posts have an unknown outcome, are remembered here."""

    def __init__(self, client: AsyncWebClient, identity: BotIdentity,
                 now: Callable[[], datetime],
                 fresh_session: Callable[[], aiohttp.ClientSession]) -> None:
        self.client = client
        self.identity = identity
        self.now = now
        # A connection per call, for the answers no history shows (``response_url``, ephemeral)
        self.fresh_session = fresh_session
        self._dm_channels: dict[str, str] = {}
        self._partial: dict[str, set[str]] = {}  # deliveries cut short: the parts already sent
        # Posts whose outcome is unknown (channel, text) → when tried: look before posting again.
        self._unsure: dict[tuple[str, str], datetime] = {}

    async def deliver(self, target: Target, message: Message) -> str | None:
        """Post ``message`` to a channel or a person's DM, or show an answer (``target.reply``),
        then its files; or edit a card posted earlier (``target.edit``). A retry after a failed
        upload does not post the text again (parts already sent are remembered in memory).
        Returns ``channel:ts`` of a message posted, to edit it later."""
        key = parts_key(target, message)
        done = self._partial.setdefault(key, set())
        posted = None
        try:
            if target.edit:
                await self._edit_card(target.edit, message)
            elif target.reply is not None:
                await self._answer(target.reply, message, done, target.unsure_since)
            else:
                channel = (target.address if target.channel
                           else await self._dm_channel(target.address))
                if "text" not in done and has_text(message):
                    ts = await self._post(channel, message, target.unsure_since)
                    posted = f"{channel}:{ts}" if ts else None
                done.add("text")
                await self._upload(channel, message, done)
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RetryLater(retry_after(error)) from error
            code = str(error.response.get("error"))
            reason = UNREACHABLE.get(code)
            if reason is not None:
                raise Unreachable(reason, code) from error
            if code in REJECTED:
                self._partial.pop(key, None)
                raise Rejected(code) from error
            raise
        except OutcomeUnknown:
            self._partial.pop(key, None)
            raise
        self._partial.pop(key, None)
        return posted

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            response = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = response["channel"]["id"]
        return self._dm_channels[user_id]

    async def _post(self, channel: str, message: Message, since: str = "") -> str | None:
        """``chat.postMessage``, never twice: after an unknown outcome (``since`` it was tried,
        here or by a process that stopped), the history is read first."""
        rendered = render(message)
        key = (channel, rendered["text"])
        tried = self._unsure.get(key) or (datetime.fromisoformat(since) if since else None)
        if tried is not None:
            wait = tried + SETTLE - self.now()
            if wait > timedelta(0):  # Slack may still be carrying it out
                raise RetryLater(wait.total_seconds(), "slack: outcome unknown, looking soon")
            if await self._posted(channel, rendered["text"], tried):
                log.warning("slack: a post whose outcome was unknown is there: not posted "
                            "again")
                self._unsure.pop(key, None)
                return None
        started = self.now()
        try:
            response = await call(self.client.chat_postMessage(
                channel=channel, unfurl_links=False, **rendered))
        except MaybeSent as unsure:
            self._unsure[key] = started
            raise RetryLater(SETTLE.total_seconds(),
                             f"slack: outcome unknown ({unsure}), looking soon") from unsure
        self._unsure.pop(key, None)
        ts = response.get("ts")
        return ts if isinstance(ts, str) else None

    async def _edit_card(self, card: str, message: Message) -> None:
        """A card posted earlier, rewritten as it should read now (``chat.update``: the same
        every time it is repeated). One Slack will not edit any more (deleted, too old, the
        conversation gone) is dropped with a log line: retrying cannot help."""
        channel, _, ts = card.partition(":")
        try:
            await self.client.chat_update(channel=channel, ts=ts, **render(message))
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.status_code >= 500:
                raise
            log.warning("slack: card not updated (%s): dropped", error.response.get("error"))

    async def _posted(self, channel: str, text: str, since: datetime) -> bool:
        """Whether the conversation shows a message of the bot's with ``text`` since ``since``
        (``conversations.history``; raises while Slack cannot be asked)."""
        oldest = (since - CLOCK_MARGIN).timestamp()
        response = await self.client.conversations_history(
            channel=channel, oldest=f"{oldest:.6f}", inclusive=True, limit=200)
        mine = self.identity.result
        ids = {mine.bot_id, mine.bot_user_id} - {None} if mine is not None else set()
        return any((m.get("text") or "").strip() == text.strip()
                   and (m.get("bot_id") in ids or m.get("user") in ids)
                   for m in response.get("messages") or [])

    async def _upload(self, channel: str, message: Message, done: set[str]) -> None:
        """Each file once: a file whose upload's outcome is unknown counts as sent (no listing
        tells a file shared into a conversation apart, as the history does for a post)."""
        unknown = []
        for index, attachment in enumerate(message.attachments):
            part = f"file:{index}"
            if part in done:
                continue
            try:
                await call(self.client.files_upload_v2(
                    channel=channel, file=attachment.content, filename=attachment.filename,
                    title=attachment.filename))
            except MaybeSent as unsure:
                unknown.append(f"{attachment.filename}: {unsure}")
            done.add(part)
        if unknown:
            raise OutcomeUnknown("; ".join(unknown))

    # Answers: the reply to one event, as the person saw it asked.

    async def _answer(self, reply: ReplyTo, message: Message, done: set[str],
                      since: str) -> None:
        """In the DM it came from (``chat``); on the clicked message (``edit``); else seen by
        the person only: through ``response_url`` while it works, under the message they wrote
        (a mention, a capture), or in their DM. Files go to the DM (or the DM it came from)."""
        if reply.mode == "todo":  # the person's App Home: publishing again changes nothing
            await self.client.views_publish(user_id=reply.user, view=home_view(message))
            return
        if reply.accepted and "mark" not in done and reply.message:
            await self._mark(reply)
            done.add("mark")
        if message.ask is not None or message.form is not None:
            if "form" not in done and await self._open_form(reply, message):
                return
            done.add("form")  # no form: asked privately, with the button that opens it
            reply = replace(reply, mode="private")
        if reply.mode == "chat":
            if "text" not in done and has_text(message):
                await self._post(reply.chat, message, since)
            done.add("text")
            await self._upload(reply.chat, message, done)
            return
        unknown = None
        if "text" not in done and has_text(message):
            try:
                if not (reply.mode == "edit" and await self._update_clicked(reply, message)):
                    await self._privately(reply, message, since)
            except OutcomeUnknown as unsure:  # the files still go
                unknown = unsure
            done.add("text")
        if message.attachments:
            await self._upload(await self._dm_channel(reply.user), message, done)
        if unknown is not None:
            raise unknown

    async def _open_form(self, reply: ReplyTo, message: Message) -> bool:
        """The question as a modal, with the click's ``trigger_id`` (Slack takes it for 3
        seconds); ``False`` when Slack did not open it (no trigger, expired, refused, no
        answer): the caller asks privately instead, so the click is never lost."""
        trigger = reply.context.get("trigger")
        if not trigger:
            return False
        try:
            view = form_view(message, reply.chat) if message.form is not None \
                else modal(message, reply.chat)
            await call(self.client.views_open(trigger_id=trigger, view=view))
        except (SlackApiError, MaybeSent, aiohttp.ClientError, TimeoutError) as error:
            why = error.response.get("error") if isinstance(error, SlackApiError) \
                else type(error).__name__
            log.info("slack: views.open failed (%s): the question goes in a message", why)
            return False
        return True

    async def _mark(self, reply: ReplyTo) -> None:
        """✅ on a captured message (repeating it changes nothing: ``already_reacted``)."""
        try:
            await self.client.reactions_add(channel=reply.chat, timestamp=reply.message,
                                            name=CAPTURED_REACTION)
        except SlackApiError as error:  # e.g. a missing scope: the author is still told
            if error.response.status_code == 429 or error.response.status_code >= 500:
                raise
            log.warning("slack: reactions.add failed: %s", error.response.get("error"))

    async def _update_clicked(self, reply: ReplyTo, message: Message) -> bool:
        """The answer added to the clicked message (``chat.update``, the same every time it is
        repeated); ``False`` when Slack will not edit it (too old, gone): answered privately."""
        clicked = reply.context
        try:
            await self.client.chat_update(
                channel=reply.chat, ts=reply.message,
                text=clicked.get("text") or message.plain_text(),  # what notifications show
                blocks=with_answer(clicked.get("blocks") or [], message.plain_text(),
                                   message.buttons))
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.status_code >= 500:
                raise
            log.warning("slack: chat.update failed: %s", error.response.get("error"))
            return False
        return True

    async def _privately(self, reply: ReplyTo, message: Message, since: str) -> None:
        """Seen by the person only: the command's ``response_url`` while Slack takes it (30
        minutes, ephemeral); an ephemeral message under what they wrote; else their DM."""
        now = self.now()
        if reply.url and (not reply.url_until or now < datetime.fromisoformat(reply.url_until)):
            if await self._respond(reply, message):
                return
        elif reply.url:
            log.info("slack: response_url expired: the answer goes to the DM")
        elif reply.chat and not is_direct(reply.chat):
            thread = {"thread_ts": reply.thread} if reply.thread else {}
            try:
                await call(self._fresh_client().chat_postEphemeral(
                    channel=reply.chat, user=reply.user, **thread, **render(message)))
                return
            except MaybeSent as unsure:  # no history shows an ephemeral message
                raise OutcomeUnknown(str(unsure)) from unsure
            except SlackApiError as error:
                code = str(error.response.get("error"))
                if code not in UNREACHABLE and code != "user_not_in_channel":
                    raise
                log.info("slack: ephemeral answer refused (%s): it goes to the DM", code)
        await self._post(await self._dm_channel(reply.user), message, since)

    def _fresh_client(self) -> AsyncWebClient:
        """The Web API client on a connection of its own (``fresh_session``)."""
        return AsyncWebClient(token=self.client.token, base_url=self.client.base_url,
                              retry_handlers=[], session=self.fresh_session())

    async def _respond(self, reply: ReplyTo, message: Message) -> bool:
        """Answer through ``response_url``; ``False`` when Slack no longer takes answers there
        (expired or used up, 4xx): the caller answers in the DM."""
        webhook = AsyncWebhookClient(reply.url, retry_handlers=[],
                                     session=self.fresh_session())
        try:
            result = await call(webhook.send(**render(message), replace_original=False,
                                             response_type="ephemeral"))
        except MaybeSent as unsure:  # no history shows an ephemeral answer
            raise OutcomeUnknown(str(unsure)) from unsure
        if result.status_code == 429:
            raise RetryLater(float(result.headers.get("Retry-After") or 30))
        if result.status_code >= 500:
            raise ConnectionError(f"response_url answered {result.status_code}")
        if result.status_code >= 300:
            log.warning("slack: response_url answered %s (%s): the answer goes to the DM",
                        result.status_code, (result.body or "")[:40])
            return False
        return True
