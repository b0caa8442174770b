"""A loopback fake of Slack for tests: the Web API, file uploads, ``response_url`` and a Socket Mode
websocket on 127.0.0.1, plus signed requests to the bot's ``/slack/events`` as Slack sends them.

The real slack-bolt and slack_sdk code runs against it; only the network boundary is fake.
Every call is recorded (``calls``); ``fail`` makes the next calls of a method answer 429 (with
``Retry-After``) or 500; ``down`` makes every Web API method answer 503 (an outage) for the
next N calls or until ``up``; ``late``, ``drop`` and ``refuse`` are the network's faults
(``fake_network.py``). Posted messages are kept per channel for ``conversations.history``;
``now`` (the test's clock) gives them their ``ts``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.app import BotApp
from bot.config.environment import Environment
from bot.config.network import load_network
from bot.platforms.slack.adapter import SlackPlatform
from bot.ratelimit import RateLimits
from bot.runtime import Runtime
from handlers.settings import Network
from tests.support.fake_network import Door

BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
TEAM = "T0RESEAU"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a test signing secret, not a real one
WAIT = 5.0
_TRIGGERS = itertools.count(1)  # Slack gives every command and click its own trigger_id


def trigger_id() -> str:
    """A fresh ``trigger_id`` (and click ``action_ts``), as Slack makes one per interaction."""
    return f"{next(_TRIGGERS)}.1764349300.abcdef"


@dataclass
class Call:
    """One request the bot made: the Web API method (or ``upload``/``response_url``) and its
    arguments, JSON strings (``blocks``, ``files``) already decoded."""

    method: str
    args: dict[str, Any]
    body: bytes = b""
    response: dict[str, Any] = field(default_factory=dict)
    peer: int = 0  # the bot's port: calls made on one kept-alive connection share it

    def as_clicked(self) -> dict[str, Any]:
        """A posted message as a later ``block_actions`` payload carries it."""
        return {"ts": self.response.get("ts"), "channel": self.args.get("channel"),
                "text": self.args.get("text", ""), "blocks": self.args.get("blocks", [])}


def peer_port(request: web.Request) -> int:
    """The port the bot's end of the connection carrying ``request`` is bound to."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return int(peer[1]) if peer else 0


@dataclass
class Failure:
    status: int
    retry_after: int | None
    times: int
    error: str = ""


@dataclass
class FakeSlack:
    """The fake server. ``locales`` gives ``users.info`` answers (default ``fr-FR``)."""

    locales: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    now: Callable[[], float] | None = None  # the clock giving posts their ts (default: fixed)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel → posts

    def __post_init__(self) -> None:
        self._failures: dict[str, Failure] = {}
        self._down: int | None = None  # calls left to refuse while down (-1: until ``up``)
        self._changed = asyncio.Event()
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self.door: Door | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL (``SLACK_API_URL``)."""
        return f"{self.base}/api/"

    async def start(self) -> None:
        web_app = web.Application()
        self.routes(web_app)
        self.door = Door(web_app)
        await self.door.start()
        self.port = self.door.port

    def routes(self, web_app: web.Application) -> None:
        """What the fake serves (a subclass may add its own)."""
        web_app.router.add_route("*", "/api/{method}", self._api)
        web_app.router.add_post("/upload/{file_id}", self._upload)
        web_app.router.add_post("/response/{ref}", self._response_url)
        web_app.router.add_get("/socket", self._socket)

    async def stop(self) -> None:
        for socket in self._sockets:
            await socket.close()
        if self.door is not None:
            await self.door.stop()

    # Network faults (``fake_network.Door``).

    def late(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` (or ``response_url``) are carried out and
        recorded, and never answered."""
        assert self.door is not None
        self.door.late(method, times)

    def drop(self, method: str, times: int = 1, record: bool = True) -> None:
        """The next ``times`` calls of ``method`` lose their connection without an answer,
        after being carried out and recorded (``record``), or before (``<method>!dropped``)."""
        assert self.door is not None
        self.door.drop(method, times, record)

    async def refuse(self) -> None:
        """Connections are refused until ``accept``."""
        assert self.door is not None
        await self.door.refuse()

    async def accept(self) -> None:
        assert self.door is not None
        await self.door.accept()

    # What the tests look at.

    def fail(self, method: str, status: int, retry_after: int | None = None,
             times: int = 1, error: str = "") -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (429 or 500; 200 with
        ``error`` for Slack's ``ok: false`` answers such as ``not_in_channel``)."""
        self._failures[method] = Failure(status, retry_after, times, error)

    def recover(self, method: str) -> None:
        """``method`` answers normally again (what ``fail`` left of its failures is dropped)."""
        self._failures.pop(method, None)

    def down(self, calls: int | None = None) -> None:
        """Every Web API call answers 503 — for the next ``calls`` calls, or until ``up``."""
        self._down = -1 if calls is None else calls

    def up(self) -> None:
        self._down = None

    @property
    def is_down(self) -> bool:
        return self._down is not None and self._down != 0

    def refused(self, method: str | None = None) -> list[Call]:
        """The calls answered 503 while down (of ``method`` if given)."""
        return [c for c in self.calls if c.method.endswith("!503")
                and (method is None or c.method == f"{method}!503")]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Arguments of every successful ``chat.postMessage`` (to ``channel`` if given)."""
        return [c.args for c in self.called("chat.postMessage")
                if channel is None or c.args.get("channel") == channel]

    def reset(self) -> None:
        self.calls.clear()

    async def wait_for(self, condition: Callable[[], object], timeout: float = WAIT) -> None:
        """Until ``condition()`` holds, re-checked after every recorded call."""
        async def until() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # The Web API.

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        if request.headers.get("Authorization"):
            args["_auth"] = request.headers["Authorization"]
        if self.is_down:
            if self._down is not None and self._down > 0:
                self._down -= 1
            self._record(Call(f"{method}!503", args))
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        failure = self._failures.get(method)
        if failure is not None and failure.times > 0:
            failure.times -= 1
            self._record(Call(f"{method}!{failure.status}", args))
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            error = failure.error or ("ratelimited" if failure.status == 429
                                      else "internal_error")
            return web.json_response({"ok": False, "error": error}, status=failure.status,
                                     headers=headers)
        assert self.door is not None
        fault = self.door.fault(method)
        if fault is not None and not fault[1]:  # cut before Slack did anything
            self._record(Call(f"{method}!dropped", args))
            return await self.door.misbehave(request, fault)
        answer = self._answer(method, args)
        self._record(Call(method, args, response=answer, peer=peer_port(request)))
        if fault is not None:
            return await self.door.misbehave(request, fault)
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {**ok, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM,
                    "user": "reseau", "team": "Réseau", "url": "https://reseau.example/"}
        if method == "chat.postMessage":
            seconds = int(self.now()) if self.now is not None else 1764349200
            ts = f"{seconds}.{next(self._ts):06d}"
            self.history.setdefault(str(args.get("channel")), []).append(
                {"type": "message", "ts": ts, "text": args.get("text", ""), "bot_id": BOT_ID,
                 "user": BOT_USER, "blocks": args.get("blocks") or []})
            return {**ok, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text"), "ts": ts}}
        if method == "conversations.history":
            oldest = float(args.get("oldest") or 0)
            latest = float(args.get("latest") or "inf")
            posts = [m for m in self.history.get(str(args.get("channel")), [])
                     if oldest <= float(m["ts"]) <= latest]
            return {**ok, "messages": posts[::-1], "has_more": False}
        if method == "chat.update":
            return {**ok, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": f"1764349200.{next(self._ts):06d}"}
        if method == "conversations.open":
            return {**ok, "channel": {"id": "D" + str(args.get("users", ""))[1:]}}
        if method == "users.info":
            user = str(args.get("user", ""))
            return {**ok, "user": {"id": user, "name": user.lower(), "real_name": f"Person {user}",
                                   "locale": self.locales.get(user, "fr-FR"),
                                   "profile": {"display_name": f"person-{user.lower()}"}}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files):04d}"
            return {**ok, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {**ok, "files": [{"id": f["id"], "title": f.get("title")}
                                    for f in args.get("files", [])]}
        if method == "views.publish":  # the App Home: the view as Slack stores it
            view = args.get("view") or {}
            return {**ok, "view": {"id": f"V{next(self._ts):06d}", "type": view.get("type"),
                                   "blocks": view.get("blocks", [])}}
        if method == "views.open":  # a modal opened with a click's trigger_id
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else dict(view or {})
            args["view"] = view
            return {**ok, "view": {**view, "id": f"V{next(self._ts):06d}", "hash": "h1"}}
        if method == "apps.connections.open":
            return {**ok, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return ok

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self._record(Call("upload", {"file_id": request.match_info["file_id"]}, body))
        return web.Response(text=f"OK - {len(body)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        """A command's or click's ``response_url``: down with the Web API, ``fail`` it as
        the method ``response_url`` (404 ``expired_url`` when Slack no longer takes answers)."""
        args = {"ref": request.match_info["ref"], **await request.json()}
        if self.is_down:
            self._record(Call("response_url!503", args))
            return web.Response(status=503, text="service_unavailable")
        failure = self._failures.get("response_url")
        if failure is not None and failure.times > 0:
            failure.times -= 1
            self._record(Call(f"response_url!{failure.status}", args))
            return web.Response(status=failure.status, text=failure.error or "internal_error")
        assert self.door is not None
        fault = self.door.fault("response_url")
        if fault is not None and not fault[1]:
            self._record(Call("response_url!dropped", args))
            return await self.door.misbehave(request, fault)
        self._record(Call("response_url", args))
        if fault is not None:
            return await self.door.misbehave(request, fault)
        return web.Response(text="ok")

    # Socket Mode: the bot connects here; tests push envelopes and read its acks.

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        self._record(Call("socket.connected", {}))
        async for frame in socket:
            if frame.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(frame.data))
                self._record(Call("socket.ack", json.loads(frame.data)))
        return socket

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await self._sockets[-1].send_str(json.dumps(envelope))


async def _arguments(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, however slack_sdk sent them (JSON, form or query)."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        args.update(dict(parse_qsl(await request.text(), keep_blank_values=True)))
    for key in ("blocks", "files", "attachments", "view"):
        if isinstance(args.get(key), str) and args[key][:1] in "[{":
            args[key] = json.loads(args[key])
    return args


# Inbound: what Slack POSTs to the bot.

def signed_headers(body: str, secret: str = SECRET, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded",
                   **extra: str) -> dict[str, str]:
    """Slack's v0 signature over ``v0:{timestamp}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
            "Content-Type": content_type, **extra}


def command_body(fake: FakeSlack, user: str, text: str, channel: str = "D0DM",
                 ref: str = "cmd") -> str:
    """A ``/reseau`` slash command as Slack sends it (a plain form body)."""
    return urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "reseau", "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user, "user_name": user.lower(), "command": "/reseau", "text": text,
        "api_app_id": "A0RESEAU", "response_url": f"{fake.base}/response/{ref}",
        "trigger_id": trigger_id()})


def click_payload(fake: FakeSlack, user: str, action_id: str, value: str,
                  message: dict[str, Any] | None = None, channel: str = "",
                  ref: str = "click") -> dict[str, Any]:
    """A ``block_actions`` payload: ``message`` is the clicked one (as posted by the bot)."""
    message = message or {"ts": "1764349200.000001", "text": "", "blocks": []}
    channel = channel or message.get("channel", "D0DM")
    trigger = trigger_id()
    return {
        "type": "block_actions", "team": {"id": TEAM}, "api_app_id": "A0RESEAU",
        "user": {"id": user, "name": user.lower(), "team_id": TEAM},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": message["ts"],
                    "text": message.get("text", ""), "blocks": message.get("blocks", [])},
        "response_url": f"{fake.base}/response/{ref}", "trigger_id": trigger,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1",
                     "value": value, "action_ts": f"1764349300.{trigger.split('.')[0]:0>6}",
                     "text": {"type": "plain_text", "text": action_id}}],
    }


def view_submission_payload(user: str, view: dict[str, Any], text: str | None,
                            view_id: str = "V0VIEW") -> dict[str, Any]:
    """A modal the bot opened (``views.open``'s ``view``), submitted by ``user`` with ``text``
    in its one field (``None``: left empty, as Slack sends it)."""
    trigger = trigger_id()
    fields = [b for b in view.get("blocks", []) if b.get("type") == "input"]
    values = {b["block_id"]: {b["element"]["action_id"]: {"type": "plain_text_input",
                                                          "value": text}} for b in fields}
    return {"type": "view_submission", "team": {"id": TEAM}, "api_app_id": "A0RESEAU",
            "user": {"id": user, "name": user.lower(), "team_id": TEAM},
            "trigger_id": trigger,
            "view": {"id": view_id, "hash": f"h{trigger.split('.')[0]}", "type": "modal",
                     "team_id": TEAM, "callback_id": view.get("callback_id"),
                     "private_metadata": view.get("private_metadata", ""),
                     "title": view.get("title"), "blocks": view.get("blocks", []),
                     "state": {"values": values}}}


def event_envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0RESEAU",
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event}


class SlackSender:
    """Posts signed requests to the bot's ``/slack/events`` like Slack does."""

    def __init__(self, fake: FakeSlack, port: int, secret: str = SECRET) -> None:
        self.fake = fake
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.secret = secret

    async def post(self, body: str, content_type: str = "application/x-www-form-urlencoded",
                   headers: dict[str, str] | None = None,
                   timestamp: int | None = None) -> tuple[int, str]:
        sent = {**signed_headers(body, self.secret, timestamp, content_type), **(headers or {})}
        async with aiohttp.ClientSession() as session, \
                session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def command(self, user: str, text: str, channel: str = "D0DM",
                      ref: str = "cmd") -> tuple[int, str]:
        return await self.post(command_body(self.fake, user, text, channel, ref))

    async def click(self, user: str, action_id: str, value: str,
                    message: dict[str, Any] | None = None, channel: str = "",
                    ref: str = "click") -> tuple[int, str]:
        payload = click_payload(self.fake, user, action_id, value, message, channel, ref)
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def payload(self, payload: dict[str, Any]) -> tuple[int, str]:
        """An interactivity payload as Slack posts it (a click, a modal's submission)."""
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def submit(self, user: str, view: dict[str, Any],
                     text: str | None) -> tuple[int, str]:
        """``user`` submits the modal ``view`` with ``text`` in its field."""
        return await self.payload(view_submission_payload(user, view, text))

    async def event(self, event: dict[str, Any], event_id: str,
                    retry: int | None = None) -> tuple[int, str]:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry is not None else {}
        return await self.post(json.dumps(event_envelope(event, event_id)), "application/json",
                               headers)


# The running bot, shared by the Slack test modules (import the fixtures by name).

NETWORK_CHANNEL = "C0NET"
ENGLISH_USERS = {"U0DEMOSJ": "en-US", "U0GUEST": "en-US"}


@pytest.fixture(name="network")
def network_fixture(tmp_path: Path) -> Network:
    """The built-in network with a Slack network channel (as a deployment's config sets it)."""
    config = tmp_path / "reseau.toml"
    config.write_text(f'[channels]\nslack = "{NETWORK_CHANNEL}"\n', encoding="utf-8")
    return load_network(config)


@pytest.fixture(name="fake")
async def fake_fixture() -> AsyncIterator[FakeSlack]:
    server = FakeSlack(locales=dict(ENGLISH_USERS))
    await server.start()
    yield server
    await server.stop()


@dataclass
class Bot:
    """The running bot (HTTP server + Slack platform) and a way to talk to it like Slack."""

    app: BotApp
    platform: SlackPlatform
    runtime: Runtime
    slack: SlackSender
    fake: FakeSlack

    async def settle(self) -> None:
        """Every answer and every queued message delivered (answers are outbox rows too)."""
        await self.app.dispatcher.flush()


async def running(app: BotApp, env: Environment, fake: FakeSlack,
                  forget_start: bool = True) -> Bot:
    """The bot started on ``fake``; the start-up's calls (``auth.test``) are forgotten unless
    ``forget_start`` is false, so tests count only what their requests caused."""
    platform = SlackPlatform(app, env)
    platform.rate_limits = RateLimits()  # the rate limiter would otherwise wait in real time
    runtime = Runtime(app, env, platforms=[platform])
    await runtime.start()
    assert runtime.port
    if forget_start:
        fake.reset()
    return Bot(app, platform, runtime, SlackSender(fake, runtime.port), fake)


@pytest.fixture(name="bot")
async def bot_fixture(app: BotApp, fake: FakeSlack) -> AsyncIterator[Bot]:
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=fake.url, host="127.0.0.1", port=0)
    started = await running(app, env, fake)
    yield started
    await started.runtime.stop()


def answer_of(fake: FakeSlack, ref: str = "cmd") -> dict[str, Any]:
    """What the bot answered through the ``response_url`` named ``ref``."""
    [call] = [c for c in fake.called("response_url") if c.args["ref"] == ref]
    return call.args
