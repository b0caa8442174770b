"""The Slack platform: slack-bolt's ``AsyncApp`` on the bot's aiohttp server (or Socket Mode).

Inbound: the ``/reseau`` slash command, direct messages, button clicks, mentions of the bot
(``@reseau partager …``, answered privately) and messages posted in the network channel (public or
private) become ``Inbound`` for ``BotApp.handle_durably``, which stores what changed and waits for
the fsync covering it (one shared by all requests arriving meanwhile) before the request is
acknowledged (``process_before_response=True``): what Slack saw acknowledged is never lost. The
answer (``chat.update``, ``response_url``) is sent from a task after the ack, and ``users.info``
is given at most a second, so the ack stays within Slack's 3 s.

The bot's identity (``auth.test``) is asked once at start-up and kept (``slack_auth.py``): while
Slack cannot give it, requests are answered 503 rather than acknowledged and dropped.

Outbound: the dispatcher calls ``deliver``; a 429 becomes ``RetryLater`` and any other failure
propagates, so the dispatcher's retries are the only ones (slack_sdk's retry handlers are off).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable
from typing import Any

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
from bot.dispatcher import RetryLater, Target, Unreachable
from bot.pacing import AcksFirst
from bot.platforms.slack_auth import BotIdentity, IdentityUnknown
from bot.platforms.slack_door import Refused, check_shape, check_signature, parse
from bot.platforms.slack_render import (
    action_name,
    from_slack,
    has_text,
    is_empty,
    mentions,
    render,
    with_answer,
    without_mention,
)
from handlers.info import meant_for_capture
from handlers.types import Inbound, Message, Reply

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
CAPTURED_REACTION = "white_check_mark"
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast"})  # still a person's own text
PEOPLE_CACHE = 5000
STOP_GRACE = 5.0
# Slack errors that no retry will fix until someone acts (``handlers/delivery.py`` reasons).
UNREACHABLE = {"not_in_channel": "not_in_channel", "channel_not_found": "not_in_channel",
               "is_archived": "not_in_channel", "user_not_found": "deactivated",
               "account_inactive": "deactivated", "user_disabled": "deactivated"}


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
        self._tasks: set[asyncio.Task[None]] = set()
        self.session: aiohttp.ClientSession | None = None  # from ``start`` to ``stop``
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
        Slack outage never holds up the rest of the bot. Web API calls share one HTTP session
        (kept-alive connections), made here inside the running loop."""
        self.session = aiohttp.ClientSession()
        self.client.session = self.session
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
        """Let answers in flight finish (a few seconds at most), then close the socket."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=STOP_GRACE)
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        if self.socket is not None:
            await self.socket.close_async()
        await self.identity.stop()
        if self.session is not None:
            self.client.session = None
            await self.session.close()
            self.session = None

    async def drain(self) -> None:
        """Wait until the work started by the requests received so far is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

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

    async def _on_error(self, error: Exception) -> BoltResponse | None:
        """bolt's error handler: a request that came while the identity is unknown gets 503 (so
        it comes again); anything else is a bug, logged with its traceback (bolt answers 500)."""
        if isinstance(error, IdentityUnknown):
            log.info("slack: request answered 503: the bot's identity is not known yet")
            return BoltResponse(status=503, body="", headers={"Retry-After": "10"})
        log.error("slack: request failed: %s", type(error).__name__, exc_info=error)
        return None

    # Inbound.

    def _listen(self) -> None:
        bolt = self.bolt

        # The state change (a position, an RSVP) is made and fsynced before the ack, so a
        # request Slack saw acknowledged is never lost, even if the machine dies right after;
        # only the answer is sent after the ack.

        @bolt.command("/reseau")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            reply, user_id = await self._command(command)
            await ack()
            self._spawn(self._respond(command.get("response_url", ""), reply, user_id),
                        "command")

        @bolt.action(re.compile(".+"))
        async def on_click(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            reply, user_id = await self._click(body, action)
            await ack()
            self._spawn(self._show_click(body, reply, user_id), "click")

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
            elif direct:
                self._spawn(self._post_reply(event["channel"], reply), "message")
            else:
                self._spawn(self._show_capture(event, reply), "message")

        @bolt.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
            if not self._from_a_person(event):
                return
            event_id = body.get("event_id")
            text = without_mention(event.get("text", ""), context.bot_user_id)
            reply = await self._handle(await self._inbound(
                event["user"], event["channel"], private=False, visible=True,
                text=from_slack(text)), f"slack:{event_id}" if event_id else None)
            if reply is None:
                log.info("slack: event %s already processed (redelivery)", event_id)
                return
            self._spawn(self._answer_privately(event, reply), "mention")

    def _spawn(self, work: Awaitable[None], what: str) -> None:
        """Run ``work`` after the ack, in its turn (requests waiting for their ack first, a
        few answers at once: ``bot/pacing.py``); a failure is logged, never lost in a task
        nobody awaits."""
        async def guarded() -> None:
            try:
                await self.app.acks_first.after_ack(work)
            except Exception:
                log.exception("slack: %s failed", what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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

    async def _command(self, command: dict[str, Any]) -> tuple[Reply, str]:
        """``/reseau <commande>``: handled now; answered privately (ephemeral) unless meant for
        everyone."""
        user_id = command["user_id"]
        channel = command.get("channel_id", "")
        inbound = await self._inbound(
            user_id, channel, command.get("user_name", ""),
            private=is_direct(channel) or command.get("channel_name") == "directmessage",
            text=from_slack(command.get("text", "")))
        return await self.app.handle_durably(inbound), user_id

    async def _direct(self, event: dict[str, Any], event_key: str | None) -> Reply | None:
        """A direct message to the bot is a command; the answer goes back in that DM."""
        return await self._handle(await self._inbound(
            event["user"], event["channel"], visible=True,
            text=from_slack(event.get("text", ""))), event_key)

    async def _post_reply(self, channel: str, reply: Reply) -> None:
        if not is_empty(reply.message):
            await self._post(channel, reply.message)

    async def _capture(self, event: dict[str, Any], event_key: str | None) -> Reply | None:
        """A message in the network channel, handed to the capture handler."""
        return await self._handle(await self._inbound(
            event["user"], event["channel"], private=False, capture=True, visible=True,
            text=from_slack(event.get("text", ""))), event_key)

    async def _show_capture(self, event: dict[str, Any], reply: Reply) -> None:
        """A message the capture handler kept gets a ✅; the answer (what was recorded, or why
        nothing was) goes to its author only, in its thread."""
        channel, ts = event["channel"], event.get("ts", "")
        if is_empty(reply.message):
            return  # conversation, not meant for the bot
        if reply.accepted:
            try:
                await self.client.reactions_add(channel=channel, timestamp=ts,
                                                name=CAPTURED_REACTION)
            except SlackApiError as error:  # e.g. a missing scope: the author is still told
                log.warning("slack: reactions.add failed: %s", error.response.get("error"))
        await self.client.chat_postEphemeral(channel=channel, user=event["user"],
                                             thread_ts=event.get("thread_ts") or ts,
                                             **render(reply.message))

    async def _answer_privately(self, event: dict[str, Any], reply: Reply) -> None:
        """The answer to a mention: visible to the person who wrote it only (in the thread
        they wrote in), files in their DM."""
        message = reply.message
        if is_empty(message):
            return
        if has_text(message):
            thread = event.get("thread_ts")
            await self.client.chat_postEphemeral(channel=event["channel"], user=event["user"],
                                                 **({"thread_ts": thread} if thread else {}),
                                                 **render(message))
        if message.attachments:
            await self._upload(await self._dm_channel(event["user"]), message, set())

    async def _click(self, body: dict[str, Any], action: dict[str, Any]) -> tuple[Reply, str]:
        """A button: the same handler as the typed command, handled now."""
        user = body.get("user") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        inbound = await self._inbound(user.get("id", ""), channel, user.get("name", ""),
                                      action=action_name(action.get("action_id", "")),
                                      value=action.get("value", ""))
        return await self.app.handle_durably(inbound), inbound.user_id

    async def _show_click(self, body: dict[str, Any], reply: Reply, user_id: str) -> None:
        """The answer shown on the clicked message (in a DM) or privately to the person (in a
        shared channel)."""
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        answer = reply.message.plain_text()
        message = body.get("message")
        if (message and is_direct(channel) and not container.get("is_ephemeral")
                and container.get("message_ts")):
            try:
                await self.client.chat_update(
                    channel=channel, ts=container["message_ts"], text=message.get("text", ""),
                    blocks=with_answer(message.get("blocks") or [], answer,
                                       reply.message.buttons))
                return
            except SlackApiError as error:  # e.g. message too old to edit: answer anyway
                log.warning("slack: chat.update failed: %s", error.response.get("error"))
        await self._respond(body.get("response_url", ""), reply, user_id)

    async def _respond(self, response_url: str, reply: Reply, user_id: str) -> None:
        """Answer through ``response_url``: ephemeral, or in the channel for an announcement;
        files go to the person's DM (or the channel), since a response cannot carry them."""
        message = reply.message
        if is_empty(message):
            return
        if response_url and has_text(message):
            webhook = AsyncWebhookClient(response_url, retry_handlers=[], session=self.session)
            result = await webhook.send(
                **render(message), replace_original=False,
                response_type="in_channel" if reply.announce else "ephemeral")
            if result.status_code != 200:
                log.warning("slack: response_url answered %s", result.status_code)
        if message.attachments:
            channel = await self._dm_channel(user_id)
            await self._upload(channel, message, set())

    # Outbound.

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            response = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = response["channel"]["id"]
        return self._dm_channels[user_id]

    async def _post(self, channel: str, message: Message) -> None:
        await self.client.chat_postMessage(channel=channel, unfurl_links=False,
                                           **render(message))

    async def _upload(self, channel: str, message: Message, done: set[str]) -> None:
        for index, attachment in enumerate(message.attachments):
            part = f"file:{index}"
            if part in done:
                continue
            await self.client.files_upload_v2(channel=channel, file=attachment.content,
                                              filename=attachment.filename,
                                              title=attachment.filename)
            done.add(part)

    async def deliver(self, target: Target, message: Message) -> None:
        """Post ``message`` to a channel or a person's DM, then its files. A retry after a failed
        upload does not post the text again (parts already sent are remembered in memory)."""
        key = target.key + ":" + hashlib.sha256(
            json.dumps(message.to_dict(), sort_keys=True).encode()).hexdigest()
        done = self._partial.setdefault(key, set())
        try:
            channel = target.address if target.channel else await self._dm_channel(target.address)
            if "text" not in done and has_text(message):
                await self._post(channel, message)
            done.add("text")
            await self._upload(channel, message, done)
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RetryLater(retry_after(error)) from error
            reason = UNREACHABLE.get(str(error.response.get("error")))
            if reason is not None:
                raise Unreachable(reason, str(error.response.get("error"))) from error
            raise
        self._partial.pop(key, None)
