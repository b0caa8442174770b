"""« Ajouter à Google Agenda » and « Ajouter à Outlook »: links that open the calendar's own
new-event form filled with the meeting, beside the file, for people whose phone or web mail
does not open an attached ``.ics``.

Times are UTC (``…Z``) in both, so the reader's calendar shows them in its own zone; every
value is percent-encoded (``quote``, spaces as ``%20``: Outlook's form would show a ``+``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from handlers.context import Context
from handlers.meetings.wording import agenda_lines, kind_label, place_of, start_end
from handlers.types import Button
from storage.models import Meeting

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.office.com/calendar/0/deeplink/compose"
MAX_DETAILS = 600  # keeps the link short enough for every chat and browser
SUBSCRIBE = "feed.subscribe"  # the button's action (``handlers/calendar_feed.py``)


def _query(params: list[tuple[str, str]], safe: str = "") -> str:
    return "&".join(f"{name}={quote(value, safe=safe)}" for name, value in params)


def _texts(ctx: Context, lang: str, meeting: Meeting) -> tuple[str, str, str]:
    title = f"{kind_label(ctx, lang, meeting)} — {ctx.network.name(lang)}"
    details = "\n".join(agenda_lines(ctx, lang, meeting))
    if meeting.link:
        details = f"{meeting.link}\n\n{details}"
    return title, details[:MAX_DETAILS], place_of(ctx, lang, meeting)


def google_url(ctx: Context, lang: str, meeting: Meeting) -> str:
    start, end = start_end(meeting)
    title, details, place = _texts(ctx, lang, meeting)
    dates = "/".join(moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for moment in (start, end))
    return GOOGLE + "?" + _query([("action", "TEMPLATE"), ("text", title)]) + "&dates=" + \
        quote(dates, safe="/") + "&" + _query([("details", details), ("location", place)])


def outlook_url(ctx: Context, lang: str, meeting: Meeting) -> str:
    start, end = start_end(meeting)
    title, details, place = _texts(ctx, lang, meeting)

    def iso(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return OUTLOOK + "?" + _query([("subject", title), ("startdt", iso(start)),
                                   ("enddt", iso(end)), ("body", details),
                                   ("location", place)])


def add_links(ctx: Context, lang: str, meeting: Meeting) -> str:
    """The paragraph of an invitation with both links (a meeting to come, not cancelled)."""
    return ctx.t(lang, "feed.add_links", google=google_url(ctx, lang, meeting),
                 outlook=outlook_url(ctx, lang, meeting))


def subscribe_button(ctx: Context, lang: str) -> list[Button]:
    """« S'abonner » under an invitation, when this process serves the feed: tapped, it sends
    the member's personal subscription link (``calendrier``)."""
    if ctx.web_url is None:
        return []
    return [Button(SUBSCRIBE, "personal", ctx.t(lang, "feed.subscribe"),
                   hint=ctx.t(lang, "cmd.calendar.name"))]
