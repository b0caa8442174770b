"""The Slack platform: slack-bolt's ``AsyncApp`` on the bot's aiohttp server (or Socket Mode).

Inbound: the ``/reseau`` slash command, direct messages, button clicks, mentions of the bot
(``@reseau partager …``, answered privately) and messages posted in the network channel (public or
private) become ``Inbound`` for ``BotApp.handle_durably``, which stores what changed and waits for
the fsync covering it (one shared by all requests arriving meanwhile) before the request is
acknowledged (``process_before_response=True``): what Slack saw acknowledged is never lost. When
the data dir refuses the write, the request is answered 503 before any ack (Slack shows the
person an error, and sends an event again), never as done. ``users.info`` is given at most a
second, so the ack stays within Slack's 3 s.

The answer is queued in that same transaction, as an outbox row (``ReplyTo``: in the DM for a
direct message; ephemeral through the command's ``response_url``, valid 30 minutes, then in the
person's DM; on the clicked message with ``chat.update``; under a mention or a captured link,
seen by its author only), and the dispatcher delivers it right after the ack: an outage or a
crash after the ack delays it, never loses it, and a redelivered event cannot answer twice.

The bot's identity (``auth.test``) is asked once at start-up and kept (``slack_auth.py``): while
Slack cannot give it, requests are answered 503 rather than acknowledged and dropped.

Outbound: the dispatcher calls ``deliver``; a 429 becomes ``RetryLater``, an error no retry will
fix ``Unreachable`` (until someone acts) or ``Rejected`` (for good), and any other failure
propagates, so the dispatcher's retries are the only ones (slack_sdk's retry handlers are off).
``probe`` is ``auth.test``. A post whose outcome is unknown (the request went out, no answer came
back) is not posted again blindly: after a few seconds, the conversation's history is read for a
message of the bot's with that text since the attempt, and it is posted again only if absent;
an ephemeral answer, which no history shows, counts as delivered (``OutcomeUnknown``). Calls
that change nothing when repeated (``chat.update``, ``reactions.add``, ``conversations.open``)
are simply retried. Every call has its own connection and a connect timeout apart from the
whole call's, so "never reached Slack" is told from "no answer".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.app import BotApp
from bot.config import Environment
from bot.dispatcher import OutcomeUnknown, Rejected, RetryLater, Target, Unreachable
from bot.pacing import AcksFirst
from bot.platforms.slack_auth import BotIdentity, IdentityUnknown
from bot.platforms.slack_door import Refused, check_shape, check_signature, parse
from bot.platforms.slack_render import (
    action_name,
    from_slack,
    has_text,
    mentions,
    render,
    with_answer,
    without_mention,
)
from handlers.info import meant_for_capture
from handlers.types import Inbound, Message, Reply, ReplyTo
from storage.faults import StorageUnavailable
from storage.records import to_iso

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_API_URL = "https://slack.com/api/"
CAPTURED_REACTION = "white_check_mark"
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast"})  # still a person's own text
PEOPLE_CACHE = 5000
RESPONSE_URL_LIFE = timedelta(minutes=30)  # Slack's: then the answer goes to the DM
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


def parsed_request(request: web.Request, text: str, body: dict[str, Any]) -> AsyncBoltRequest:
    """bolt's request for a body the door already read and parsed (``slack_door.parse`` follows
    bolt's own rules), instead of ``to_bolt_request`` reading and parsing it a second time.
    bolt takes a parsed body only in its Socket Mode form; the raw text and the HTTP mode are
    then put back, so bolt still checks the signature over the raw body."""
    bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                    headers=request.headers,  # type: ignore[arg-type]
                                    mode="socket_mode")
    bolt_request.raw_body, bolt_request.mode = text, "http"
    return bolt_request


def is_direct(channel_id: str) -> bool:
    """A one-to-one conversation: Slack's DM ids start with ``D``."""
    return channel_id.startswith("D")


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


class CountedSocketMode(AsyncSocketModeHandler):
    """Socket Mode whose envelopes count as requests in flight until acknowledged, as HTTP
    requests do (``bot/pacing.py``)."""

    def __init__(self, app: AsyncApp, app_token: str, pacing: AcksFirst) -> None:
        self.pacing = pacing
        super().__init__(app, app_token)

    async def handle(self, client: Any, req: Any) -> None:
        with self.pacing.request():
            await super().handle(client, req)


class SlackPlatform:
    """Slack for one workspace (a single bot token), over HTTP or Socket Mode."""

    platform = "slack"
    # Slack allows about one message per second per channel (short bursts pass); the dispatcher's
    # rate limiter reads this, and a 429 that happens anyway is a RetryLater.
    per_chat_interval = 1.0
    # Reaching Slack (a failure there sent nothing: retried) apart from the whole call (30 s,
    # slack_sdk's default; a timeout there is an unknown outcome).
    timeouts = aiohttp.ClientTimeout(total=30.0, connect=10.0)

    def __init__(self, app: BotApp, env: Environment) -> None:
        if not (env.slack_signing_secret or env.slack_app_token):
            raise ValueError("Slack needs SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN "
                             "(Socket Mode)")
        self.app = app
        self.env = env
        base_url = (env.slack_api_url or DEFAULT_API_URL).rstrip("/") + "/"
        self.client = AsyncWebClient(token=env.slack_bot_token, base_url=base_url,
                                     retry_handlers=[])
        self.identity = BotIdentity(self.client, env.slack_bot_token)
        # bolt gets the identity from ``authorize`` (never its own lazy auth.test); its client
        # carries no token, the authorization gives each request's.
        self.bolt = AsyncApp(client=AsyncWebClient(base_url=base_url, retry_handlers=[]),
                             authorize=self.identity,
                             signing_secret=env.slack_signing_secret,
                             process_before_response=True, name="reseau-bot")
        self.bolt.error(self._on_error)
        self.socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._dm_channels: dict[str, str] = {}
        self._people: dict[str, tuple[str | None, str]] = {}
        self._partial: dict[str, set[str]] = {}  # deliveries cut short: the parts already sent
        # Posts whose outcome is unknown (channel, text) → when tried: look before posting again.
        self._unsure: dict[tuple[str, str], datetime] = {}
        self._session: aiohttp.ClientSession | None = None
        self._listen()

    # Lifecycle.

    def add_routes(self, web_app: web.Application) -> None:
        """``POST /slack/events`` carries commands, events and clicks (HTTP mode only: without a
        signing secret no request could be verified, so no route is offered)."""
        if self.env.slack_signing_secret:
            web_app.router.add_post("/slack/events", self._http)

    @property
    def ready(self) -> bool:
        """Requests can be handled: the bot's identity is known."""
        return self.identity.known

    async def start(self) -> None:
        """The bot's identity first (retried in the background if Slack is down), then Socket
        Mode when an app token is set; it connects (and reconnects) in the background so a
        Slack outage never holds up the rest of the bot."""
        self.client.session = self._http_session()
        await self.identity.start()
        if self.env.slack_app_token:
            self.socket = CountedSocketMode(self.bolt, self.env.slack_app_token,
                                            self.app.acks_first)
            self._connecting = asyncio.create_task(self.socket.connect_async(),
                                                   name="slack-socket-mode")
            log.info("slack: Socket Mode")
        else:
            log.info("slack: HTTP mode on /slack/events")

    async def stop(self) -> None:
        """Close the socket; answers not yet delivered wait in the outbox for the next start."""
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        if self.socket is not None:
            await self.socket.close_async()
        await self.identity.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None
            self.client.session = None

    def _http_session(self) -> aiohttp.ClientSession:
        """The Web API's and ``response_url``'s HTTP client: a connection per call (as
        slack_sdk's own), so a call never lands on a connection Slack already closed, and a
        connect timeout apart from the call's (``timeouts``)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeouts, connector=aiohttp.TCPConnector(force_close=True))
        return self._session

    async def _http(self, request: web.Request) -> web.Response:
        """Only signed requests of the shapes the listeners read reach bolt (``slack_door``);
        the signature is checked over the raw body, never a re-encoding of it. Counted as in
        flight until answered, so that the work after acks waits for it (``bot/pacing.py``)."""
        with self.app.acks_first.request():
            return await self._http_in_flight(request)

    async def _http_in_flight(self, request: web.Request) -> web.Response:
        raw = await request.read()
        refused = check_signature(raw, request.headers.get("X-Slack-Request-Timestamp", ""),
                                  request.headers.get("X-Slack-Signature", ""),
                                  self.env.slack_signing_secret)
        text = ""
        if refused is None:
            try:
                text = raw.decode("utf-8")
                body = parse(text, request.content_type)
            except UnicodeDecodeError:
                body = Refused(400, "body is not UTF-8")
            refused = body if isinstance(body, Refused) else check_shape(body)
        if refused is not None:
            log.log(logging.WARNING if refused.status == 400 else logging.INFO,
                    "slack: request refused (%s): %s", refused.status, refused.reason)
            return web.Response(status=refused.status)
        assert isinstance(body, dict)
        return await to_aiohttp_response(await self.bolt.async_dispatch(
            parsed_request(request, text, body)))

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        """bolt's error handler: a request that came while the identity is unknown, or whose
        change the data dir refused, gets 503 (so it comes again, or the person sees an error);
        anything else is a bug, logged with its traceback (bolt answers 500)."""
        if isinstance(error, IdentityUnknown):
            log.info("slack: request answered 503: the bot's identity is not known yet")
            return BoltResponse(status=503, body="", headers={"Retry-After": "10"})
        if isinstance(error, StorageUnavailable):
            # A write the data dir refused: nothing was kept (the transaction was taken back),
            # so Slack shows an error, and sends an event again, to be handled then.
            event_id = body.get("event_id") if isinstance(body, dict) else None
            if event_id:
                self.app.not_processed(f"slack:{event_id}")
            log.warning("slack: request answered 503: storage refused the write")
            return BoltResponse(status=503, body="")
        log.error("slack: request failed: %s", type(error).__name__, exc_info=error)
        return None

    # Inbound.

    def _listen(self) -> None:
        bolt = self.bolt

        # The state change (a position, an RSVP) and the answer to the person (an outbox row)
        # are written and fsynced before the ack, so a request Slack saw acknowledged is never
        # lost, even if the machine dies right after; the dispatcher sends the answer.

        @bolt.command("/reseau")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            await self._command(command)
            await ack()

        @bolt.action(re.compile(".+"))
        async def on_click(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await self._click(body, action)
            await ack()

        @bolt.event("message")
        async def on_message(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
            if not self._from_a_person(event):
                return
            direct = event.get("channel_type") == "im"
            if not direct and (event.get("channel") != self.app.network.channels.get("slack")
                               or mentions(event.get("text", ""), context.bot_user_id)
                               or not meant_for_capture(from_slack(event.get("text", "")))):
                return  # another channel, a mention (app_mention answers it), conversation
            event_id = body.get("event_id")
            # The event id is recorded with what the event changes, in one transaction.
            key = f"slack:{event_id}" if event_id else None
            reply = await (self._direct(event, key) if direct else self._capture(event, key))
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)

        @bolt.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
            if not self._from_a_person(event):
                return
            event_id = body.get("event_id")
            text = without_mention(event.get("text", ""), context.bot_user_id)
            # Answered to its author only, in the thread they wrote in; files in their DM.
            answer = ReplyTo("slack", event["user"], event["channel"], "private",
                             thread=event.get("thread_ts", ""))
            reply = await self._handle(await self._inbound(
                event["user"], event["channel"], private=False, visible=True,
                text=from_slack(text), reply_to=answer),
                f"slack:{event_id}" if event_id else None)
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)

    @staticmethod
    def _from_a_person(event: dict[str, Any]) -> bool:
        """Not the bot's own or another bot's message, not an edit or a deletion."""
        subtype = event.get("subtype")
        return bool(event.get("user")) and not event.get("bot_id") and (
            subtype is None or subtype in PERSON_SUBTYPES)

    async def _person(self, user_id: str, fallback_name: str = "") -> tuple[str | None, str]:
        """The person's Slack locale and name (``users.info``, remembered for the process;
        given at most a second, as it runs before the ack)."""
        if user_id in self._people:
            return self._people[user_id]
        try:
            response = await asyncio.wait_for(
                self.client.users_info(user=user_id, include_locale=True), timeout=1.0)
        except Exception as exc:  # the answer can still go out, in the network's language
            log.warning("slack: users.info failed for a user: %s", type(exc).__name__)
            return None, fallback_name
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name") or fallback_name)
        if len(self._people) >= PEOPLE_CACHE:
            self._people.pop(next(iter(self._people)))
        self._people[user_id] = (user.get("locale"), name)
        return self._people[user_id]

    async def _handle(self, inbound: Inbound, event_key: str | None = None) -> Reply | None:
        """Handled and durable; ``None`` for an event already handled (a redelivery)."""
        if event_key is None:
            return await self.app.handle_durably(inbound)
        return await self.app.handle_once_durably(event_key, inbound)

    async def _inbound(self, user_id: str, channel_id: str, fallback_name: str = "",
                       private: bool | None = None, **what: Any) -> Inbound:
        locale, name = await self._person(user_id, fallback_name)
        return Inbound(platform="slack", user_id=user_id, chat_id=channel_id,
                       private=is_direct(channel_id) if private is None else private,
                       display_name=name, locale=locale, **what)

    def _response_url(self, url: str) -> dict[str, str]:
        """A ``response_url`` and until when Slack takes answers there (30 minutes)."""
        if not url:
            return {}
        return {"url": url, "url_until": to_iso(self.app.ctx.now() + RESPONSE_URL_LIFE)}

    async def _command(self, command: dict[str, Any]) -> Reply:
        """``/reseau <commande>``: handled now; answered privately (ephemeral, through the
        command's ``response_url``) unless meant for everyone."""
        user_id = command["user_id"]
        channel = command.get("channel_id", "")
        trigger = command.get("trigger_id", "")
        inbound = await self._inbound(
            user_id, channel, command.get("user_name", ""),
            private=is_direct(channel) or command.get("channel_name") == "directmessage",
            text=from_slack(command.get("text", "")),
            reply_to=ReplyTo("slack", user_id, channel, "private",
                             **self._response_url(command.get("response_url", ""))),
            event=f"slack:trigger:{trigger}" if trigger else "")
        return await self.app.handle_durably(inbound)

    async def _direct(self, event: dict[str, Any], event_key: str | None) -> Reply | None:
        """A direct message to the bot is a command; the answer goes back in that DM."""
        return await self._handle(await self._inbound(
            event["user"], event["channel"], visible=True,
            text=from_slack(event.get("text", "")),
            reply_to=ReplyTo("slack", event["user"], event["channel"], "chat")), event_key)

    async def _capture(self, event: dict[str, Any], event_key: str | None) -> Reply | None:
        """A message in the network channel, handed to the capture handler. A message kept gets
        a ✅; the answer (what was recorded, or why nothing was) goes to its author only, in
        its thread."""
        ts = event.get("ts", "")
        return await self._handle(await self._inbound(
            event["user"], event["channel"], private=False, capture=True, visible=True,
            text=from_slack(event.get("text", "")),
            reply_to=ReplyTo("slack", event["user"], event["channel"], "private", message=ts,
                             thread=event.get("thread_ts") or ts)), event_key)

    async def _click(self, body: dict[str, Any], action: dict[str, Any]) -> Reply:
        """A button: the same handler as the typed command, handled now. The answer is shown
        on the clicked message (in a DM), or privately to the person (in a shared channel)."""
        user = body.get("user") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        clicked = body.get("message")
        urls = self._response_url(body.get("response_url", ""))
        if (clicked and is_direct(channel) and not container.get("is_ephemeral")
                and container.get("message_ts")):
            answer = ReplyTo("slack", user.get("id", ""), channel, "edit",
                             message=container["message_ts"],
                             context={"text": clicked.get("text", ""),
                                      "blocks": clicked.get("blocks") or []}, **urls)
        else:
            answer = ReplyTo("slack", user.get("id", ""), channel, "private", **urls)
        event = body.get("trigger_id") or action.get("action_ts", "")
        inbound = await self._inbound(user.get("id", ""), channel, user.get("name", ""),
                                      action=action_name(action.get("action_id", "")),
                                      value=action.get("value", ""), reply_to=answer,
                                      event=f"slack:trigger:{event}" if event else "")
        return await self.app.handle_durably(inbound)

    # Outbound.

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            response = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = response["channel"]["id"]
        return self._dm_channels[user_id]

    async def _post(self, channel: str, message: Message, since: str = "") -> None:
        """``chat.postMessage``, never twice: after an unknown outcome (``since`` it was tried,
        here or by a process that stopped), the history is read first."""
        rendered = render(message)
        key = (channel, rendered["text"])
        tried = self._unsure.get(key) or (datetime.fromisoformat(since) if since else None)
        if tried is not None:
            wait = tried + SETTLE - self.app.ctx.now()
            if wait > timedelta(0):  # Slack may still be carrying it out
                raise RetryLater(wait.total_seconds(), "slack: outcome unknown, looking soon")
            if await self._posted(channel, rendered["text"], tried):
                log.warning("slack: a post whose outcome was unknown is there: not posted "
                            "again")
                self._unsure.pop(key, None)
                return
        started = self.app.ctx.now()
        try:
            await call(self.client.chat_postMessage(channel=channel, unfurl_links=False,
                                                    **rendered))
        except MaybeSent as unsure:
            self._unsure[key] = started
            raise RetryLater(SETTLE.total_seconds(),
                             f"slack: outcome unknown ({unsure}), looking soon") from unsure
        self._unsure.pop(key, None)

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

    async def probe(self) -> None:
        """``auth.test``: raises while Slack cannot be used (down, or the token refused)."""
        await self.client.auth_test()

    async def deliver(self, target: Target, message: Message) -> None:
        """Post ``message`` to a channel or a person's DM, or show an answer (``target.reply``),
        then its files. A retry after a failed upload does not post the text again (parts
        already sent are remembered in memory)."""
        key = target.key + ":" + hashlib.sha256(
            json.dumps(message.to_dict(), sort_keys=True).encode()).hexdigest()
        done = self._partial.setdefault(key, set())
        try:
            if target.reply is not None:
                await self._answer(target.reply, message, done, target.unsure_since)
            else:
                channel = (target.address if target.channel
                           else await self._dm_channel(target.address))
                if "text" not in done and has_text(message):
                    await self._post(channel, message, target.unsure_since)
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

    # Answers: the reply to one event, as the person saw it asked.

    async def _answer(self, reply: ReplyTo, message: Message, done: set[str],
                      since: str) -> None:
        """In the DM it came from (``chat``); on the clicked message (``edit``); else seen by
        the person only: through ``response_url`` while it works, under the message they wrote
        (a mention, a capture), or in their DM. Files go to the DM (or the DM it came from)."""
        if reply.accepted and "mark" not in done and reply.message:
            await self._mark(reply)
            done.add("mark")
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
                channel=reply.chat, ts=reply.message, text=clicked.get("text", ""),
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
        minutes; ephemeral, or in the channel for an answer meant for everyone); an ephemeral
        message under what they wrote; else their DM."""
        now = self.app.ctx.now()
        if reply.url and (not reply.url_until or now < datetime.fromisoformat(reply.url_until)):
            if await self._respond(reply, message):
                return
        elif reply.url:
            log.info("slack: response_url expired: the answer goes to the DM")
        elif reply.chat and not is_direct(reply.chat):
            thread = {"thread_ts": reply.thread} if reply.thread else {}
            try:
                await call(self.client.chat_postEphemeral(
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

    async def _respond(self, reply: ReplyTo, message: Message) -> bool:
        """Answer through ``response_url``; ``False`` when Slack no longer takes answers there
        (expired or used up, 4xx): the caller answers in the DM."""
        webhook = AsyncWebhookClient(reply.url, retry_handlers=[],
                                     session=self._http_session())
        try:
            result = await call(webhook.send(
                **render(message), replace_original=False,
                response_type="in_channel" if reply.visible else "ephemeral"))
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
