"""A neutral ``Ask`` as a Slack modal (``views.open`` with the click's ``trigger_id``), and its
submission read back: what was asked, what was typed.

Pure functions, no I/O. Slack refuses a whole view when one of its limits is exceeded (title,
submit and close 24 characters, a label 2,000, a placeholder 150, ``private_metadata`` 3,000,
100 blocks), so every length is enforced here. ``private_metadata`` carries the action and value
the answer goes to and the conversation the click came from, so the submission needs nothing
kept in memory.
"""

from __future__ import annotations

import json
from typing import Any

from bot.platforms.slack.render import Block, clip, content_blocks
from handlers.types import Ask, Message

CALLBACK_ID = "reseau.ask"
ANSWER_BLOCK = "answer"
ANSWER_ELEMENT = "text"
TITLE_MAX = 24
LABEL_MAX = 2000
PLACEHOLDER_MAX = 150
METADATA_MAX = 3000
INPUT_MAX = 3000
VIEW_BLOCKS = 100
ERROR_MAX = 2000  # a field's error text (Slack does not say; kept reasonable)


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(" ".join(text.split()), limit) or "…",
            "emoji": True}


def metadata(ask: Ask, channel: str) -> str:
    """What the submission needs: where the answer goes, and where the click was."""
    data = json.dumps({"a": ask.action, "v": ask.value, "c": channel}, ensure_ascii=False)
    if len(data) > METADATA_MAX:  # values are a few bytes: a bug, not a person's text
        raise ValueError("private_metadata over 3,000 characters")
    return data


def modal(message: Message, channel: str) -> dict[str, Any]:
    """The view: what is asked (the message's paragraphs), then the one text field."""
    ask = message.ask
    assert ask is not None
    element: Block = {"type": "plain_text_input", "action_id": ANSWER_ELEMENT,
                      "multiline": True, "max_length": INPUT_MAX}
    if ask.placeholder:
        element["placeholder"] = _plain(ask.placeholder, PLACEHOLDER_MAX)
    blocks = content_blocks(Message(paragraphs=message.paragraphs))[: VIEW_BLOCKS - 1]
    blocks.append({"type": "input", "block_id": ANSWER_BLOCK, "optional": not ask.required,
                   "label": _plain(ask.label, LABEL_MAX), "element": element})
    return {"type": "modal", "callback_id": CALLBACK_ID,
            "private_metadata": metadata(ask, channel),
            "title": _plain(ask.title, TITLE_MAX),
            "submit": _plain(ask.submit or "OK", TITLE_MAX),
            "close": _plain(ask.cancel or "×", TITLE_MAX),
            "blocks": blocks}


def submitted(view: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """``(action, value, channel, text)`` of a submitted view of ours; ``None`` if it is not
    one (a metadata Slack did not get from us)."""
    try:
        data = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "avc"):
        return None
    values = ((view.get("state") or {}).get("values") or {}).get(ANSWER_BLOCK) or {}
    text = (values.get(ANSWER_ELEMENT) or {}).get("value") if isinstance(values, dict) else ""
    return data["a"], data["v"], data["c"], text if isinstance(text, str) else ""


def field_error(message: Message) -> dict[str, str]:
    """``response_action: errors``'s ``errors``: why the answer was refused, by the field."""
    return {ANSWER_BLOCK: (" ".join(message.paragraphs[:1]) or "…")[:ERROR_MAX]}
