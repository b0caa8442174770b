"""A loopback fake of Telegram's Bot API for tests: the real python-telegram-bot talks to it on
127.0.0.1; every call is recorded; updates can be queued for ``getUpdates``; a method can be made
to answer 429 with ``retry_after``, or any error (``fail``); a chat can be made to refuse messages
with 403, as Telegram does for someone who never opened the bot; ``down`` makes every method
answer 500 (an outage) for the next N calls or until ``up``; ``late``, ``drop`` and ``refuse``
are the network's faults (``fake_network.py``)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.fake_network import Door

TOKEN = "123456:TEST-TOKEN"
BOT = {"id": 123456, "is_bot": True, "first_name": "Réseau", "username": "reseau_bot"}
WAIT = 5.0


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None  # what the fake answered (a sent message: its message_id)


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.port = 0
        self._ids = itertools.count(1000)
        self._changed = asyncio.Event()
        self._limited: dict[str, tuple[int, int]] = {}
        self._forbidden: dict[str, str] = {}
        self._held: dict[str, asyncio.Event] = {}
        self._failing: dict[str, tuple[int, str, int]] = {}  # method → status, why, times
        self._down: int | None = None  # calls left to refuse while down (-1: until ``up``)
        self.door: Door | None = None

    @property
    def url(self) -> str:
        """``TELEGRAM_API_URL``: the Bot API base, the token is appended to it."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        web_app = web.Application()
        web_app.router.add_post("/bot{token}/{method}", self._api)
        self.door = Door(web_app)
        await self.door.start()
        self.port = self.door.port

    async def stop(self) -> None:
        for held in self._held.values():
            held.set()
        if self.door is not None:
            await self.door.stop()

    def late(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are carried out and recorded, and never
        answered (the client's read timeout fires)."""
        assert self.door is not None
        self.door.late(method, times)

    def drop(self, method: str, times: int = 1, record: bool = True) -> None:
        """The next ``times`` calls of ``method`` lose their connection without an answer,
        after being carried out and recorded (``record``), or before (``<method>:dropped``)."""
        assert self.door is not None
        self.door.drop(method, times, record)

    async def refuse(self) -> None:
        """Connections are refused until ``accept``."""
        assert self.door is not None
        await self.door.refuse()

    async def accept(self) -> None:
        assert self.door is not None
        await self.door.accept()

    def limit(self, method: str, retry_after: int, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 with ``retry_after``."""
        self._limited[method] = (retry_after, times)

    def forbid(self, chat_id: int | str,
               description: str = "Forbidden: bot can't initiate conversation with a user",
               ) -> None:
        """Messages to ``chat_id`` answer 403 with ``description`` until ``allow``."""
        self._forbidden[str(chat_id)] = description

    def allow(self, chat_id: int | str) -> None:
        self._forbidden.pop(str(chat_id), None)

    def hold(self, method: str) -> None:
        """Calls of ``method`` are recorded, then wait until ``release`` (a slow Bot API)."""
        self._held[method] = asyncio.Event()

    def release(self, method: str) -> None:
        self._held.pop(method).set()

    def fail(self, method: str, status: int, description: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` with ``description``."""
        self._failing[method] = (status, description, times)

    def down(self, calls: int | None = None) -> None:
        """Every call answers 500 — for the next ``calls`` calls, or until ``up``."""
        self._down = -1 if calls is None else calls

    def up(self) -> None:
        self._down = None

    @property
    def is_down(self) -> bool:
        return self._down is not None and self._down != 0

    def refused(self, method: str | None = None) -> list[Call]:
        """The calls answered 500 while down (of ``method`` if given)."""
        return [c for c in self.calls if c.method.endswith(":500")
                and (method is None or c.method == f"{method}:500")]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def queue(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._changed.set()

    async def wait_for(self, condition: Callable[[], object], timeout: float = WAIT) -> None:
        async def until() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            async for part in await request.multipart():
                if part.filename:
                    files[part.name or "file"] = await part.read()
                    args[f"{part.name}_filename"] = part.filename
                else:
                    args[part.name or ""] = _value(await part.text())
        else:
            form = await request.post()
            args = {k: _value(str(v)) for k, v in form.items()}
        if self.is_down and method != "getUpdates":
            if self._down is not None and self._down > 0:
                self._down -= 1
            self.calls.append(Call(f"{method}:500", args))
            self._changed.set()
            return web.json_response({"ok": False, "error_code": 500,
                                      "description": "Internal Server Error"}, status=500)
        failing = self._failing.get(method)
        if failing and failing[2] > 0:
            self._failing[method] = (failing[0], failing[1], failing[2] - 1)
            self.calls.append(Call(f"{method}:{failing[0]}", args))
            self._changed.set()
            return web.json_response({"ok": False, "error_code": failing[0],
                                      "description": failing[1]}, status=failing[0])
        limited = self._limited.get(method)
        if limited and limited[1] > 0:
            self._limited[method] = (limited[0], limited[1] - 1)
            self.calls.append(Call(f"{method}:429", args))
            self._changed.set()
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests",
                                      "parameters": {"retry_after": limited[0]}}, status=429)
        refused = self._forbidden.get(str(args.get("chat_id", "")))
        if refused and method in ("sendMessage", "sendDocument"):
            self.calls.append(Call(f"{method}:403", args))
            self._changed.set()
            return web.json_response({"ok": False, "error_code": 403, "description": refused},
                                     status=403)
        if method == "getUpdates":  # recorded without waking waiters: it repeats all the time
            self.calls.append(Call(method, args))
            return web.json_response({"ok": True, "result": await self._take_updates(args)})
        assert self.door is not None
        fault = self.door.fault(method)
        if fault is not None and not fault[1]:  # cut before Telegram did anything
            self.calls.append(Call(f"{method}:dropped", args))
            self._changed.set()
            return await self.door.misbehave(request, fault)
        call = Call(method, args, files, self._result(method, args))
        self.calls.append(call)
        self._changed.set()
        held = self._held.get(method)
        if held is not None:
            await held.wait()
        if fault is not None:
            return await self.door.misbehave(request, fault)
        return web.json_response({"ok": True, "result": call.result})

    async def _take_updates(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: answer at once if updates wait, else after a short while."""
        if not self.updates:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=0.5)
            except TimeoutError:
                return []
        offset = int(args.get("offset") or 0)
        taken = [u for u in self.updates if u["update_id"] >= offset]
        self.updates = []
        return taken

    def _result(self, method: str, args: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "sendDocument", "editMessageText"):
            chat = args.get("chat_id", 0)
            message = {"message_id": next(self._ids), "date": int(time.time()),
                       "chat": {"id": int(chat) if str(chat).lstrip("-").isdigit() else 0,
                                "type": "private"},
                       "from": BOT}
            if method == "sendDocument":
                message["document"] = {"file_id": "f1", "file_unique_id": "u1",
                                       "file_name": args.get("document_filename", "")}
            else:
                message["text"] = args.get("text", "")
            return message
        return True


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def user(user_id: int, language: str = "fr", name: str = "Awa") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}


def text_update(update_id: int, from_id: int, text: str, chat_id: int | None = None,
                chat_type: str = "private", language: str = "fr") -> dict[str, Any]:
    chat = chat_id if chat_id is not None else from_id
    entities = []
    if text.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "entities": entities, "from": user(from_id, language),
        "chat": {"id": chat, "type": chat_type}}}


def callback_update(update_id: int, from_id: int, data: str, message_text: str = "Invitation",
                    language: str = "fr", chat_id: int | None = None,
                    chat_type: str = "private",
                    entities: list[dict[str, Any]] | None = None,
                    reply_markup: dict[str, Any] | None = None) -> dict[str, Any]:
    """A button press on a message the bot sent (``entities``: its formatting, e.g. bold;
    ``reply_markup``: its keyboard, as the bot sent it)."""
    message: dict[str, Any] = {"message_id": 77, "date": int(time.time()), "text": message_text,
                               "entities": entities or [], "from": BOT,
                               "chat": {"id": chat_id if chat_id is not None else from_id,
                                        "type": chat_type}}
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "from": user(from_id, language), "chat_instance": "ci",
        "data": data, "message": message}}


def edited_update(update_id: int, from_id: int, text: str) -> dict[str, Any]:
    """A private message edited after it was sent (Telegram sends it again, as an edit)."""
    update = text_update(update_id, from_id, text)
    update["edited_message"] = update.pop("message")
    update["edited_message"]["edit_date"] = int(time.time())
    return update
