"""Changing a meeting to come — its time, place, link or agenda, or cancelling it: each change
raises the calendar SEQUENCE and tells everyone invited, with an updated calendar file."""

from __future__ import annotations

import re

from handlers import groups
from handlers.channel_cards import meeting_card
from handlers.context import Context, UserError
from handlers.meetings.choices import split_number
from handlers.meetings.ics import calendar_file
from handlers.meetings.invitations import invite_message, notify
from handlers.meetings.lookup import require_future
from handlers.meetings.times import read_time_range, stored_time
from handlers.meetings.wording import agenda_lines, details, full_line, kind_label, start_end
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold, slugify
from handlers.types import Message
from handlers.when_text import reading_lines
from storage.models import Meeting
from storage.parts import AgendaItem

MAX_AGENDA_ITEM = 300
MAX_PLACE = 200


def bump(ctx: Context, meeting: Meeting) -> None:
    """A change people must hear of: raise SEQUENCE (and the series'), mark them told now."""
    meeting.sequence += 1
    meeting.updated_at = ctx.now_iso()
    ctx.store.meetings.save(meeting)
    if meeting.series_id is not None:
        series = ctx.store.series.get(meeting.series_id)
        if series is not None:
            series.sequence += 1
            ctx.store.series.save(series)


def require_lead_for(req: Request, meeting: Meeting) -> None:
    """Leads manage every meeting; a group's chairs only their group's."""
    if req.roles & LEADS:
        return
    group = req.ctx.store.groups.get(slugify(meeting.group or ""))
    if meeting.kind != "group" or group is None:
        raise UserError("group.not_chair", group=meeting.group or "—")
    groups.require_group_lead(req, group)


def move(req: Request) -> Message:
    """``réunion déplacer <n°> <quand>``: invitees get the new date and an updated file. The
    meeting keeps its length unless an end is written; a move to the same time changes
    nothing and tells nobody."""
    ctx = req.ctx
    meeting, when_text = split_number(req)
    require_lead_for(req, meeting)
    require_future(req, meeting)
    old_start, old_end = start_end(meeting)
    reading = read_time_range(req, when_text, duration=old_end - old_start)
    start, end = reading.start, reading.end or reading.start + (old_end - old_start)
    old_line = full_line(ctx, req.lang, meeting)
    if (stored_time(start), stored_time(end)) == (meeting.start, meeting.end):
        return Message(paragraphs=[req.t("meeting.move_unchanged", number=meeting.id,
                                         line=old_line)])
    meeting.start, meeting.end = stored_time(start), stored_time(end)
    bump(ctx, meeting)
    notify(ctx, meeting, f"meeting:{meeting.id}:moved:{meeting.sequence}",
           lambda lang: invite_message(ctx, lang, meeting, "meeting.moved_title"))
    meeting_card.changed(ctx, meeting, "card.meeting_moved")
    return Message(title=req.t("meeting.moved", number=meeting.id),
                   paragraphs=[req.t("meeting.was", line=old_line),
                               req.t("meeting.now", line=full_line(ctx, req.lang, meeting)),
                               *reading_lines(ctx, req.lang, reading)])


def cancel(req: Request) -> Message:
    """``réunion annuler <n°>``: invitees get a cancellation file; other occurrences stand."""
    ctx = req.ctx
    meeting, _ = split_number(req)
    require_lead_for(req, meeting)
    require_future(req, meeting)
    meeting.status = "cancelled"
    bump(ctx, meeting)
    notify(ctx, meeting, f"meeting:{meeting.id}:cancelled", lambda lang: Message(
        title=ctx.t(lang, "meeting.cancelled_title", kind=kind_label(ctx, lang, meeting),
                    number=meeting.id),
        paragraphs=[full_line(ctx, lang, meeting)],
        attachments=[calendar_file(ctx, lang, meeting)]))
    meeting_card.changed(ctx, meeting, "card.meeting_cancelled")
    return Message(paragraphs=[req.t("meeting.cancel_done", number=meeting.id,
                                     line=full_line(ctx, req.lang, meeting))])


def _update(req: Request, field: str, value: str) -> Message:
    ctx = req.ctx
    meeting, _ = split_number(req)
    require_lead_for(req, meeting)
    require_future(req, meeting)
    setattr(meeting, field, value)
    bump(ctx, meeting)
    notify(ctx, meeting, f"meeting:{meeting.id}:updated:{meeting.sequence}",
           lambda lang: invite_message(ctx, lang, meeting, "meeting.updated_title"))
    meeting_card.changed(ctx, meeting)
    return Message(title=req.t("meeting.updated", number=meeting.id),
                   paragraphs=details(ctx, req.lang, meeting))


def set_place(req: Request) -> Message:
    _, text = split_number(req)
    if not text:
        raise UserError("meeting.place_usage", name=req.name)
    if len(text) > MAX_PLACE:
        raise UserError("error.text_too_long", limit=MAX_PLACE)
    return _update(req, "place", text)


def set_link(req: Request) -> Message:
    _, text = split_number(req)
    if not re.fullmatch(r"https?://[^\s<>\"]{3,500}", text):
        raise UserError("meeting.link_usage", name=req.name)
    return _update(req, "link", text)


def agenda(req: Request) -> Message:
    """``ordre du jour <n°>`` shows it; ``ordre du jour <n°> ajouter <point>`` adds to it."""
    ctx = req.ctx
    meeting, rest = split_number(req)
    words = rest.split(None, 1)
    if not words:
        return Message(title=req.t("meeting.agenda_title", number=meeting.id),
                       paragraphs=[full_line(ctx, req.lang, meeting),
                                   "\n".join(agenda_lines(ctx, req.lang, meeting))])
    if fold(words[0]) not in ("ajouter", "add"):
        raise UserError("meeting.agenda_usage", name=req.name)
    text = words[1].strip() if len(words) > 1 else ""
    if not text:
        raise UserError("meeting.agenda_usage", name=req.name)
    if len(text) > MAX_AGENDA_ITEM:
        raise UserError("error.text_too_long", limit=MAX_AGENDA_ITEM)
    require_future(req, meeting)
    meeting.agenda.append(AgendaItem(text=text, by=req.member.id if req.member else "",
                                     at=ctx.now_iso()))
    bump(ctx, meeting)
    position = len(meeting.agenda)
    notify(ctx, meeting, f"meeting:{meeting.id}:agenda:{meeting.sequence}",
           lambda lang: invite_message(ctx, lang, meeting, "meeting.updated_title", ctx.t(
               lang, "meeting.change.agenda_added", position=position, text=text)))
    return Message(paragraphs=[req.t("meeting.agenda_added", number=meeting.id,
                                     position=position)])
