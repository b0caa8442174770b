"""A neutral ``Message`` as Slack Block Kit, within Slack's limits, with all text made inert.

Pure functions, no I/O. Slack checks none of its limits client-side and refuses the whole message
when one is exceeded, so every length is enforced here. Every text is escaped (``&``, ``<``,
``>``): the bot's own sentences carry no Slack markup, and user text (a proposal, an agenda item)
must never become ``<!channel>``, a mention or a forged link.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.types import Button, Message

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
BUTTON_LABEL_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
BUTTONS_PER_ACTIONS = 25
MAX_BLOCKS = 50
FALLBACK_MAX = 3000
ANSWER_BLOCK_ID = "reseau-answer"
MORE = "…"

Block = dict[str, Any]

_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """User text as Slack shows it literally: the only three characters Slack parses."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(escaped: str, limit: int) -> str:
    """Shorten already-escaped text to ``limit`` characters with « … », never mid-entity."""
    if len(escaped) <= limit:
        return escaped
    kept = _ENTITY_TAIL.sub("", escaped[: limit - len(MORE)])
    return kept.rstrip() + MORE


def clip(text: str, limit: int) -> str:
    """User text escaped and shortened to ``limit`` characters (limits count escaped text)."""
    return _cut(escape(text), limit)


def split_text(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Escaped chunks of at most ``limit`` characters, cut at line breaks where possible, then at
    spaces, so a long paragraph becomes several sections instead of a refused message."""
    chunks: list[str] = []
    current = ""
    for line in escape(text).split("\n"):
        while len(line) > limit:  # one line longer than a section: cut at a space
            head = _ENTITY_TAIL.sub("", line[:limit])
            space = head.rfind(" ")
            head = head[:space] if space > limit // 2 else head
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head):].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _buttons(buttons: list[Button] | tuple[Button, ...],
             seen: dict[str, int] | None = None) -> list[Block]:
    """Actions blocks of at most 25 buttons; ``action_id`` is the neutral action name, made unique
    within the message by a ``#n`` suffix that ``action_name`` removes again (``seen`` counts
    the names already used in the message)."""
    seen = {} if seen is None else seen
    elements: list[Block] = []
    for button in buttons:
        count = seen[button.action] = seen.get(button.action, 0) + 1
        action_id = button.action if count == 1 else f"{button.action}#{count}"
        element: Block = {"type": "button", "text": _plain(clip(button.label, BUTTON_LABEL_MAX)),
                          "action_id": action_id[:ACTION_ID_MAX],
                          "value": button.value[:BUTTON_VALUE_MAX]}
        if button.style in ("primary", "danger"):
            element["style"] = button.style
        elements.append(element)
    return [{"type": "actions", "elements": elements[i:i + BUTTONS_PER_ACTIONS]}
            for i in range(0, len(elements), BUTTONS_PER_ACTIONS)]


def action_name(action_id: str) -> str:
    """The neutral action name behind a rendered ``action_id``."""
    return action_id.split("#", 1)[0]


def fallback_text(message: Message) -> str:
    """The notification and screen-reader text Slack shows where blocks are not rendered."""
    text = message.plain_text().strip() or " ".join(a.filename for a in message.attachments)
    return clip(text, FALLBACK_MAX) or " "


def content_blocks(message: Message, seen: dict[str, int] | None = None) -> list[Block]:
    """Header, one section per chunk of each paragraph, fields ten to a section, then each
    entry as a section with its own buttons under it."""
    blocks: list[Block] = []
    title = " ".join(message.title.split())
    if title:
        blocks.append({"type": "header", "text": _plain(clip(title, HEADER_MAX))})
    for paragraph in message.paragraphs:
        blocks.extend({"type": "section", "text": _mrkdwn(chunk)}
                      for chunk in split_text(paragraph))
    fields = [_mrkdwn(_cut(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_MAX))
              for f in message.fields]
    blocks.extend({"type": "section", "fields": fields[i:i + FIELDS_PER_SECTION]}
                  for i in range(0, len(fields), FIELDS_PER_SECTION))
    seen = {} if seen is None else seen
    for entry in message.entries:
        blocks.append({"type": "section", "text": _mrkdwn(clip(entry.text, SECTION_MAX) or MORE)})
        blocks.extend(_buttons(entry.buttons, seen))
    return blocks


def render(message: Message) -> dict[str, Any]:
    """``text`` and ``blocks`` for ``chat.postMessage``/``respond``; at most 50 blocks, the
    buttons always kept: what does not fit ends with a « … » context block before them."""
    seen: dict[str, int] = {}
    blocks = content_blocks(message, seen)
    actions = _buttons(message.buttons, seen)[: MAX_BLOCKS - 1]
    room = MAX_BLOCKS - len(actions)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [{"type": "context", "elements": [_mrkdwn(MORE)]}]
    return {"text": fallback_text(message), "blocks": blocks + actions}


def with_answer(blocks: list[Block], answer: str,
                buttons: list[Button] | None = None) -> list[Block]:
    """The clicked message's blocks with the person's answer as its last context block (an
    earlier answer is replaced, so clicking again does not pile them up); the answer's
    ``buttons``, if any, in place of the message's own (a card's fresh buttons)."""
    kept = [b for b in blocks if b.get("block_id") != ANSWER_BLOCK_ID]
    if buttons:
        kept = [b for b in kept if b.get("type") != "actions"] + _buttons(buttons)
    kept = kept[: MAX_BLOCKS - 1]
    text = clip(answer.strip() or MORE, SECTION_MAX)
    return kept + [{"type": "context", "block_id": ANSWER_BLOCK_ID, "elements": [_mrkdwn(text)]}]


def has_text(message: Message) -> bool:
    """Something to post as a message (files alone are uploads, not messages)."""
    return bool(message.title.strip() or any(p.strip() for p in message.paragraphs)
                or message.fields or message.buttons or message.entries)


def is_empty(message: Message) -> bool:
    """Nothing to show (a capture that found nothing): post nothing at all."""
    return not (has_text(message) or message.attachments)
