"""The card of a meeting (or of a series, one card for its occurrences) in the channel of the
people it invites: the network's, or a working group's; an Executive Committee meeting is
not posted. The card carries the answer buttons and is edited when the meeting moves, is
cancelled or changes place or link; a move or a cancellation also posts a short note, since
an edit makes no sound."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.channel_cards import live
from handlers.context import Context
from handlers.meetings.rsvp import SERIES, rsvp_buttons
from handlers.meetings.wording import details, full_line, kind_label
from handlers.settings import slugify
from handlers.types import Message
from storage.models import Meeting, MeetingSeries


def channel_of(meeting: Meeting | MeetingSeries) -> str | None:
    if meeting.kind == "executive":
        return None
    if meeting.kind == "group":
        return slugify(meeting.group or "") or None
    return "network"


def item_of(meeting: Meeting) -> str:
    return f"series:{meeting.series_id}" if meeting.series_id is not None else \
        f"meeting:{meeting.id}"


def card(ctx: Context, lang: str, meeting: Meeting) -> Message:
    """One meeting's card as it should read now."""
    kind, number = kind_label(ctx, lang, meeting), meeting.id
    if meeting.status == "cancelled":
        return Message(title=ctx.t(lang, "meeting.cancelled_title", kind=kind, number=number),
                       paragraphs=[full_line(ctx, lang, meeting)])
    return Message(title=ctx.t(lang, "card.meeting_title", kind=kind, number=number),
                   paragraphs=[*details(ctx, lang, meeting), ctx.t(lang, "meeting.answer_hint")],
                   buttons=rsvp_buttons(ctx, lang, meeting))


def series_card(ctx: Context, lang: str, occurrences: list[Meeting]) -> Message:
    """A series' card: each occurrence, those cancelled marked; answers for the series."""
    first = occurrences[0]
    lines = [ctx.t(lang, "card.occurrence_cancelled" if m.status == "cancelled"
                   else "card.occurrence", number=m.id, line=full_line(ctx, lang, m))
             for m in occurrences]
    coming = [m for m in occurrences if m.status != "cancelled"]
    return Message(title=ctx.t(lang, "card.series_title", kind=kind_label(ctx, lang, first),
                               count=len(occurrences)),
                   paragraphs=["\n".join(lines)],
                   buttons=rsvp_buttons(ctx, lang, coming[0], f"{SERIES}{first.series_id}")
                   if coming else [])


def _build(ctx: Context, meeting: Meeting) -> Callable[[str], Message]:
    if meeting.series_id is None:
        return lambda lang: card(ctx, lang, meeting)
    occurrences = ctx.store.meetings.of_series(meeting.series_id)
    return lambda lang: series_card(ctx, lang, occurrences)


def scheduled(ctx: Context, meeting: Meeting) -> bool:
    """Post the card of a new meeting, or of a new series (``meeting`` its first)."""
    channel = channel_of(meeting)
    if channel is None:
        return False
    last = max(m.start for m in ctx.store.meetings.of_series(meeting.series_id)) \
        if meeting.series_id is not None else meeting.start
    return live.post(ctx, item_of(meeting), channel, _build(ctx, meeting),
                     until=datetime.fromisoformat(last))


def changed(ctx: Context, meeting: Meeting, note_key: str = "") -> bool:
    """Edit the card; with ``note_key`` (a move, a cancellation) post a short note too."""
    channel = channel_of(meeting)
    if channel is None or not live.update(ctx, item_of(meeting), channel,
                                          _build(ctx, meeting)):
        return False
    if note_key:
        ctx.announce(f"meeting:{meeting.id}:card-note:{meeting.sequence}", lambda lang: Message(
            paragraphs=[ctx.t(lang, note_key, kind=kind_label(ctx, lang, meeting),
                              number=meeting.id, line=full_line(ctx, lang, meeting))]),
            channel=channel)
    return True
