"""The Slack adapter's wiring: slack-bolt's ``AsyncApp`` on the bot's aiohttp server (or Socket
Mode), its start and stop, and the two halves it joins — ``inbound.py`` (what Slack sends,
turned into ``Inbound``) and ``deliver.py`` (what the dispatcher hands over, posted to Slack).

Kept apart so that this module only says how the pieces meet: which HTTP route carries Slack's
requests (checked by ``door.py`` before bolt reads them), which clients and sessions exist, and
what happens at start and stop. The bot's identity (``auth.test``) is asked once at start-up and
kept (``auth.py``): while Slack cannot give it, requests are answered 503 rather than
acknowledged and dropped. Every call has its own connection and a connect timeout apart from the
whole call's, so "never reached Slack" is told from "no answer" (``deliver.py``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import BotApp
from bot.config.environment import Environment
from bot.dispatch.contract import Target
from bot.pacing import AcksFirst
from bot.platforms.slack.auth import BotIdentity, IdentityUnknown
from bot.platforms.slack.deliver import SlackDelivery
from bot.platforms.slack.door import Refused, check_shape, check_signature, parse
from bot.platforms.slack.form_listeners import listen_forms
from bot.platforms.slack.inbound import SlackInbound
from bot.ratelimit import RateLimits
from bot.refusals import NotStored
from handlers.types import Message

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Seconds an idle Web API connection is kept for the next call: long enough for the calls that
# follow a click, far below the idle timeouts of HTTP servers and load balancers (60 s and up).
KEEPALIVE = 10.0


def parsed_request(request: web.Request, text: str, body: dict[str, Any]) -> AsyncBoltRequest:
    """bolt's request for a body the door already read and parsed (``door.parse`` follows
    bolt's own rules), instead of ``to_bolt_request`` reading and parsing it a second time.
    bolt takes a parsed body only in its Socket Mode form; the raw text and the HTTP mode are
    then put back, so bolt still checks the signature over the raw body."""
    bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                    headers=request.headers,  # type: ignore[arg-type]
                                    mode="socket_mode")
    bolt_request.raw_body, bolt_request.mode = text, "http"
    return bolt_request


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
    rate_limits = RateLimits(per_chat_interval=1.0)
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
        self._session: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None
        self.inbound = SlackInbound(app, self.client)
        self.inbound.listen(self.bolt)
        listen_forms(self.bolt, self.inbound)
        self.delivery = SlackDelivery(self.client, self.identity, app.ctx.now,
                                      self._fresh_session)

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
        for session in (self._session, self._fresh):
            if session is not None:
                await session.close()
        self._session = self._fresh = None
        self.client.session = None

    def _http_session(self) -> aiohttp.ClientSession:
        """The Web API's HTTP client: connections kept open between calls (a card edit, a post,
        a notice are a dozen calls per click; each used to open its own connection, and in
        production make its own TLS handshake), closed after ``KEEPALIVE`` s idle, well before
        a server drops an idle one. Should a call still meet a connection Slack just closed,
        what it was doing is safe: an edit is retried, a post is looked for in the history
        before it is posted again (``deliver.py``). A connect timeout apart from the call's."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeouts,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE))
        return self._session

    def _fresh_session(self) -> aiohttp.ClientSession:
        """For the answers no history shows (``response_url``, ephemeral messages): a
        connection per call, so that one never lands on a connection Slack already closed,
        where it might be lost with no way of knowing."""
        if self._fresh is None or self._fresh.closed:
            self._fresh = aiohttp.ClientSession(
                timeout=self.timeouts, connector=aiohttp.TCPConnector(force_close=True))
        return self._fresh

    # Requests from Slack.

    async def _http(self, request: web.Request) -> web.Response:
        """Only signed requests of the shapes the listeners read reach bolt (``door.py``);
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
        if isinstance(error, NotStored):
            # A write the data dir refused: nothing was kept (the transaction was taken back),
            # so Slack shows an error, and sends an event again, to be handled then.
            event_id = body.get("event_id") if isinstance(body, dict) else None
            if event_id:
                self.app.not_processed(f"slack:{event_id}")
            log.warning("slack: request answered 503: storage refused the write")
            return BoltResponse(status=503, body="")
        log.error("slack: request failed: %s", type(error).__name__, exc_info=error)
        return None

    # What the dispatcher asks of a platform.

    async def probe(self) -> None:
        """``auth.test``: raises while Slack cannot be used (down, or the token refused)."""
        await self.client.auth_test()

    async def deliver(self, target: Target, message: Message) -> str | None:
        """One outbox message to one target (``deliver.py``)."""
        return await self.delivery.deliver(target, message)
