"""A ``Message`` as an email: ``multipart/alternative`` with a text and an HTML part, a meeting's
calendar file as an iTIP part (``text/calendar; method=REQUEST`` or ``CANCEL``, and the same as
an ``invite.ics`` attachment for the mail programs that only show attachments), other files
attached.

Buttons become links when ``link_for`` gives one (a signed one-tap answer); otherwise their
label with the typed command that does the same (``hint``). The ``Message-ID`` is given by the
adapter (derived from the outbox row): a message sent again is the same message to the reader.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from bot.platforms.email.itip import CALENDAR_TYPE, scheduling
from handlers.types import Button, Message

MAX_SUBJECT = 120
LinkFor = Callable[[Button], "str | None"]


def subject_of(message: Message) -> str:
    """The title, else the first line said: what a mailbox lists."""
    first = message.title or next((line for line in message.plain_text().splitlines()
                                   if line.strip()), "")
    first = " ".join(first.split())
    return first if len(first) <= MAX_SUBJECT else first[: MAX_SUBJECT - 1] + "…"


def _button_line(button: Button, link: str | None) -> str:
    if link:
        return f"• {button.label} : {link}"
    return f"• {button.label} : {button.hint}" if button.hint else f"• {button.label}"


def _button_html(button: Button, link: str | None) -> str:
    label = html.escape(button.label)
    if link:
        return (f'<a href="{html.escape(link, quote=True)}" style="display:inline-block;'
                f'padding:6px 12px;margin:2px;border:1px solid #1a5fb4;border-radius:4px;'
                f'text-decoration:none">{label}</a>')
    hint = f" — <code>{html.escape(button.hint)}</code>" if button.hint else ""
    return f"<li>{label}{hint}</li>"


def _buttons(buttons: Iterable[Button], link_for: LinkFor) -> tuple[list[str], str]:
    pairs = [(button, link_for(button)) for button in buttons]
    if not pairs:
        return [], ""
    text = [_button_line(button, link) for button, link in pairs]
    links = "".join(_button_html(b, link) for b, link in pairs if link)
    items = "".join(_button_html(b, link) for b, link in pairs if not link)
    return text, (f"<p>{links}</p>" if links else "") + (f"<ul>{items}</ul>" if items else "")


def _paragraph(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def bodies(message: Message, link_for: LinkFor) -> tuple[str, str]:
    """The text and HTML bodies."""
    text: list[str] = []
    parts: list[str] = []
    if message.title:
        text += [message.title, ""]
        parts.append(f"<h2>{html.escape(message.title)}</h2>")
    for paragraph in message.paragraphs:
        text += [paragraph, ""]
        parts.append(_paragraph(paragraph))
    if message.fields:
        text += [f"{f.label} : {f.value}" for f in message.fields] + [""]
        rows = "".join(f"<tr><th align=\"left\">{html.escape(f.label)}</th>"
                       f"<td>{html.escape(f.value)}</td></tr>" for f in message.fields)
        parts.append(f"<table>{rows}</table>")
    for entry in message.entries:
        lines, markup = _buttons(entry.buttons, link_for)
        text += [entry.text, *lines, ""]
        parts.append(_paragraph(entry.text) + markup)
    lines, markup = _buttons(message.buttons, link_for)
    text += lines
    parts.append(markup)
    return "\n".join(text).strip() + "\n", (
        "<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>")


def render(message: Message, *, sender: str, to: str, message_id: str, now: datetime,
           attendee_name: str = "", link_for: LinkFor = lambda _: None) -> EmailMessage:
    """The whole email for one recipient."""
    mail = EmailMessage()
    mail["Subject"] = subject_of(message)
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the bot
    text, markup = bodies(message, link_for)
    mail.set_content(text)
    mail.add_alternative(markup, subtype="html")
    files = []
    for attachment in message.attachments:
        if attachment.media_type == CALENDAR_TYPE:
            method, data = scheduling(attachment.content, to, attendee_name)
            mail.add_alternative(data.decode("utf-8"), subtype="calendar",
                                 params={"method": method})
            files.append(("application", "ics", data, "reseau-invite.ics"))
        else:
            maintype, _, subtype = attachment.media_type.partition("/")
            files.append((maintype, subtype or "octet-stream", attachment.content,
                          attachment.filename))
    for maintype, subtype, data, filename in files:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail
