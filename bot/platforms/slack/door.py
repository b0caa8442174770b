"""What may reach slack-bolt over HTTP: requests Slack signed, in the shapes its listeners read.

bolt parses the body before it checks the signature, and trusts what it parses: an unsigned
``payload=%7Bx`` or a timestamp that is not a number ends in a 500 and a traceback in the log,
and a signed payload of the wrong shape (``[1,2]``, ``actions: null``, ``user`` as a string,
``text: null``) fails inside a listener. Here the signature is checked first over the raw body
(401), then the body is parsed by bolt's own rules and its shape checked (400). Each refusal is
one log line naming the reason: never the body, a header or the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

MAX_AGE = 300  # seconds: Slack's own rule for a request's timestamp
TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class Refused:
    """Why a request is not for bolt: the HTTP status and a short reason for the log."""

    status: int
    reason: str


def check_signature(raw: bytes, timestamp: str, signature: str, secret: str,
                    now: float | None = None) -> Refused | None:
    """Slack's v0 signature over ``v0:{timestamp}:{body}`` with a timestamp within five
    minutes; ``None`` when it holds."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS):
        return Refused(401, "timestamp missing or not a number")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE:
        return Refused(401, "timestamp older than five minutes")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Refused(401, "bad signature")
    return None


def parse(text: str, content_type: str) -> dict[str, Any] | Refused:
    """The body as bolt will read it (``slack_bolt.request.internals.parse_body``'s rules: JSON
    when declared or when it starts with ``{``, else a form whose ``payload`` is JSON)."""
    try:
        if not text:
            return {}
        if content_type == "application/json" or text.startswith("{"):
            body = json.loads(text)
        elif "payload" in text:
            payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
            body = json.loads(payload) if payload is not None else {}
        else:
            body = dict(parse_qsl(text, keep_blank_values=True))
    except ValueError:
        return Refused(400, "body is not JSON or a form")
    if not isinstance(body, dict):
        return Refused(400, "body is not an object")
    return body


# Shapes. Each check returns a reason, or "" when the value is fine.

def _optional(value: Any, *types: type) -> bool:
    return value is None or isinstance(value, types)


def _reference(body: dict[str, Any], key: str) -> str:
    """``team``, ``user``, ``channel``, ``enterprise``: an id string or an object with one."""
    value = body.get(key)
    if value is None or isinstance(value, str):
        return ""
    if isinstance(value, dict) and _optional(value.get("id"), str):
        return ""
    return f"{key} is neither an id nor an object with one"


def _context(body: dict[str, Any]) -> str:
    """What bolt reads from every request to build its context (``build_context``)."""
    for key in ("team", "user", "channel", "enterprise"):
        problem = _reference(body, key)
        if problem:
            return problem
    for key in ("event", "message", "previous_message", "view", "item", "assistant_thread",
                "function_data", "container"):
        if not _optional(body.get(key), dict):
            return f"{key} is not an object"
    for key in ("type", "response_url", "user_id", "channel_id", "team_id"):
        if not _optional(body.get(key), str):
            return f"{key} is not a string"
    authorizations = body.get("authorizations")
    if authorizations is not None:
        if not isinstance(authorizations, list) or not all(
                isinstance(a, dict) for a in authorizations):
            return "authorizations is not a list of objects"
        if authorizations and _context(authorizations[0]):
            return "authorizations[0] " + _context(authorizations[0])
    urls = body.get("response_urls")
    if urls is not None and (not isinstance(urls, list) or not all(
            isinstance(u, dict) for u in urls)):
        return "response_urls is not a list of objects"
    if isinstance(body.get("event"), dict):
        return _context(body["event"])
    return ""


def _strings(where: str, value: dict[str, Any], keys: tuple[str, ...]) -> str:
    """Each key absent or a string (``null`` is not: the listeners read ``get(key, "")``)."""
    for key in keys:
        if key in value and not isinstance(value[key], str):
            return f"{where}{key} is not a string"
    return ""


def _message_event(event: dict[str, Any]) -> str:
    """A ``message`` or ``app_mention`` event as the listeners read it."""
    if not isinstance(event.get("channel"), str):
        return "event.channel is missing"
    return _strings("event.", event, ("user", "text", "ts", "thread_ts", "channel_type",
                                      "subtype", "bot_id"))


def _block_actions(body: dict[str, Any]) -> str:
    """A button click: who clicked, where, and the action, as ``_click`` reads them."""
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "user is not an object with an id"
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions is not a non-empty list"
    if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
        return "an action has no action_id"
    if not isinstance(body.get("channel") or {}, dict):
        return "channel is not an object"
    message = body.get("message") or {}
    blocks = message.get("blocks") or []
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return "message.blocks is not a list of objects"
    return (_strings("user.", user, ("name",))
            or next((p for a in actions if (p := _strings("action.", a, ("value",)))), "")
            or _strings("container.", body.get("container") or {},
                        ("channel_id", "message_ts"))
            or _strings("channel.", body.get("channel") or {}, ("id",))
            or _strings("message.", message, ("text",))
            or _strings("", body, ("response_url",)))


def _view_submission(body: dict[str, Any]) -> str:
    """A modal submitted: who, and the view with its metadata and state, as ``_form`` reads
    them."""
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "user is not an object with an id"
    view = body.get("view")
    if not isinstance(view, dict):
        return "view is not an object"
    if not _optional(view.get("state"), dict):
        return "view.state is not an object"
    return _strings("view.", view, ("private_metadata", "id", "hash", "callback_id"))


def _command(body: dict[str, Any]) -> str:
    """A slash command: a form (every value a string), the person's id given."""
    if not isinstance(body.get("user_id"), str) or not body["user_id"]:
        return "command without user_id"
    return _strings("", body, ("text", "channel_id", "channel_name", "user_name",
                               "response_url"))


def check_shape(body: dict[str, Any]) -> Refused | None:
    """``None`` when bolt and the listeners can read ``body``; else a 400 with the reason."""
    problem = _context(body)
    if not problem:
        kind = body.get("type")
        if kind == "url_verification" and not isinstance(body.get("challenge"), str):
            problem = "url_verification without a challenge"
        elif kind == "event_callback":
            event = body.get("event")
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                problem = "event_callback without an event"
            elif not _optional(body.get("event_id"), str):
                problem = "event_id is not a string"
            elif event["type"] in ("message", "app_mention"):
                problem = _message_event(event)
        elif kind == "block_actions":
            problem = _block_actions(body)
        elif kind == "view_submission":
            problem = _view_submission(body)
        elif "command" in body:
            problem = _command(body)
    return Refused(400, problem) if problem else None
