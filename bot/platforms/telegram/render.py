"""Neutral messages as Telegram sees them: HTML text (user text escaped), inline keyboards,
chunks under 4,096 characters split at line boundaries, and callback data within 64 bytes.

Pure functions (no network, no state) so every limit is unit-tested. Callback data is a short
``action|value`` string: PTB's ``arbitrary_callback_data`` would keep the real data in memory
and every button sent before a restart would die with it.
"""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.types import Button, Message

LIMIT = 4096  # Telegram's message length, in UTF-16 code units after entity parsing
SAFE = 4000  # what a chunk may hold here, counted on the HTML source (a stricter measure)
LINE = SAFE - len("<b></b>")  # a single line, with room for the bold tags around a title
CALLBACK_BYTES = 64
BUTTON_LABEL = 64
ROW = 2
SEPARATOR = "|"
PLACEHOLDER = 64  # a reply prompt's input_field_placeholder, at most


def callback_data(button: Button) -> str:
    """``action|value``, which must fit in Telegram's 64 bytes (UTF-8). Telegram does not
    check it for the bot (the send fails), so an oversized one is a bug: fail loudly."""
    data = f"{button.action}{SEPARATOR}{button.value}"
    if len(data.encode("utf-8")) > CALLBACK_BYTES:
        raise ValueError(f"callback data over {CALLBACK_BYTES} bytes: {button.action}")
    return data


def parse_callback(data: str) -> tuple[str, str]:
    """The action and value of ``callback_data``'s output (anything else: an unknown action)."""
    action, _, value = data.partition(SEPARATOR)
    return action, value


def escape(text: str) -> str:
    """User text inert in Telegram's HTML: ``&``, ``<``, ``>`` (quotes may stay as typed)."""
    return html.escape(text, quote=False)


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def pieces(raw: str, room: int = LINE) -> list[str]:
    """Cut one raw (unescaped) line so that each piece, once escaped, fits in ``room``;
    at a space when there is one in the second half, else anywhere. Cutting before escaping
    means an entity such as ``&amp;`` or a tag is never split."""
    out: list[str] = []
    while size(escape(raw)) > room:
        end, used = 0, 0
        for char in raw:  # the longest prefix whose escaped form fits
            used += size(escape(char))
            if used > room:
                break
            end += 1
        space = raw.rfind(" ", 0, end)
        cut = space if space > end // 2 else end
        out.append(raw[:cut].rstrip())
        raw = raw[cut:].lstrip()
    out.append(raw)
    return out


def lines_of(message: Message) -> list[str]:
    """Every line as HTML: the title in bold, field labels in bold over their value, the rest
    escaped; no line is longer than one chunk."""
    lines = [f"<b>{escape(p)}</b>" for p in pieces(message.title)] if message.title else []
    for paragraph in message.paragraphs:
        for line in paragraph.splitlines() or [""]:
            lines.extend(escape(p) for p in pieces(line))
    for item in message.fields:
        lines.extend(f"<b>{escape(p)}</b>" for p in pieces(item.label))
        lines.extend(escape(p) for p in pieces(item.value))
    for entry in message.entries:
        lines.extend(escape(p) for p in pieces(entry.text))
    return lines


def chunks(lines: list[str], limit: int = SAFE) -> list[str]:
    """Join lines into messages of at most ``limit``, cutting only between lines (blank lines at
    a cut are dropped: Telegram refuses a message that is only whitespace)."""
    out: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        length = size(line)
        if current and used + 1 + length > limit:
            out.append("\n".join(current).strip("\n"))
            current, used = [], 0
        if not current and not line.strip():
            continue
        used += length + (1 if current else 0)
        current.append(line)
    if current:
        out.append("\n".join(current).strip("\n"))
    return [text for text in out if text.strip()] or ["…"]


def keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """Buttons two to a row, each carrying its own ``action|value``."""
    if not buttons:
        return None
    rows = [[InlineKeyboardButton(b.label[:BUTTON_LABEL], callback_data=callback_data(b))
             for b in buttons[i:i + ROW]] for i in range(0, len(buttons), ROW)]
    return InlineKeyboardMarkup(rows)


def entry_rows(message: Message) -> list[list[InlineKeyboardButton]]:
    """Each entry's buttons in rows of their own, labelled with the entry's tag (« 🗳 3 ·
    Accord »): the keyboard sits under the whole message, not under each line."""
    rows = []
    for entry in message.entries:
        labelled = [replace(b, label=f"{entry.tag} · {b.label}" if entry.tag else b.label)
                    for b in entry.buttons]
        rows += [[InlineKeyboardButton(b.label[:BUTTON_LABEL], callback_data=callback_data(b))
                  for b in labelled[i:i + ROW]] for i in range(0, len(labelled), ROW)]
    return rows


def render(message: Message) -> tuple[list[str], InlineKeyboardMarkup | ForceReply | None]:
    """The HTML chunks of ``message`` and the keyboard for its last chunk; a message that asks
    a text (``Ask``) gets a reply prompt instead, the field's placeholder in it (its buttons
    are for platforms without one)."""
    if message.ask is not None:
        return chunks(lines_of(message)), ForceReply(
            selective=True,
            input_field_placeholder=message.ask.placeholder[:PLACEHOLDER] or None)
    rows = entry_rows(message)
    if not rows:
        return chunks(lines_of(message)), keyboard(message.buttons)
    below = keyboard(message.buttons)
    return chunks(lines_of(message)), InlineKeyboardMarkup(
        rows + [list(row) for row in (below.inline_keyboard if below else ())])


def with_answer(original_html: str, answer: str) -> str:
    """The original message with the person's answer in italics under it; an earlier answer
    (the last ``<i>`` block, which our messages never contain otherwise) is replaced, so a
    changed mind does not pile up lines."""
    head, marker, tail = original_html.rpartition("\n\n<i>")
    if marker and tail.endswith("</i>"):
        original_html = head
    return f"{original_html}\n\n<i>{escape(answer)}</i>"
