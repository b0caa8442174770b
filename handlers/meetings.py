"""Meetings: scheduling (alone or as a series), invites with calendar files, answers, the
agenda, changes and cancellations, and the reminders.

Every confirmation repeats the date in full words in the reader's language, so a wrong parse is
caught by eye before anyone travels to the Maison Commune.

Who is invited is decided once, when the invitation goes out, and recorded on the meeting
(``Meeting.invited``); someone invited later is added to the record by an invitation of their
own. Changes, reminders and answers go by that record: nobody is reminded of a meeting they were
never invited to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from dateutil.rrule import rrulestr

from handlers import calendar, groups
from handlers.context import Context, UserError, parse_ref
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold, slugify
from handlers.types import Attachment, Button, Message, Reply
from handlers.when_text import reading_lines, refusal
from scheduler.jobs import MeetingReminder, encode
from scheduler.when import Reading, WhenError, parse_recurrence, read_when, whole_minute
from storage.models import (
    CO_CHAIR,
    EXTERNAL_PARTNER,
    SECRETARIAT,
    Meeting,
    MeetingSeries,
    Member,
    Rsvp,
)
from storage.records import to_iso

DEFAULT_DURATION = timedelta(hours=2)
SERIES_COUNT = 6  # a year of bimonthly meetings, unless the rule says otherwise
MAX_AGENDA_ITEM = 300
MAX_PLACE = 200
RSVP_CHOICES = ("present", "online", "excused")
KINDS = ("network", "executive", "group", "annual")


# Reading what people typed.

def read_time_range(req: Request, text: str, duration: timedelta = DEFAULT_DURATION) -> Reading:
    """Start and end from a time expression (``duration`` long when no end is written), with
    the zone named and the conventional readings for the confirmation; a person's mistake
    becomes a message they can use."""
    if not text.strip():
        raise UserError("when.empty")
    try:
        return read_when(text, now=req.ctx.now(), tz=req.ctx.network.timezone,
                         default_duration=duration, end_of_day=req.ctx.network.end_of_day)
    except WhenError as error:
        raise refusal(req.ctx, error) from None


def stored_time(moment: datetime) -> str:
    """How a meeting time is stored: UTC ISO 8601, to the whole minute."""
    return to_iso(whole_minute(moment))


def meeting_number(req: Request, text: str) -> Meeting:
    number = parse_ref(text, "meeting.bad_number")
    meeting = req.ctx.store.meetings.get(number)
    if meeting is None:
        raise UserError("meeting.not_found", number=number)
    return meeting


def split_number(req: Request) -> tuple[Meeting, str]:
    words = req.args.split(None, 1)
    if not words:
        raise UserError("meeting.number_needed", name=req.name)
    return meeting_number(req, words[0]), words[1].strip() if len(words) > 1 else ""


# Who is invited, how a meeting reads.

def kind_invites(ctx: Context, meeting: Meeting | MeetingSeries, member: Member) -> bool:
    """Whether the kind of ``meeting`` invites ``member``: everyone to the annual meeting, the
    Executive Committee's agencies with the co-chairs and the secretariat to its meetings, a
    group's members to the group's, every member but external partners to the network's."""
    if meeting.kind == "annual":
        return True
    if meeting.kind == "executive":
        agency = ctx.network.agency(member.agency)
        return (CO_CHAIR in member.roles or SECRETARIAT in member.roles
                or (agency is not None and agency.executive))
    if meeting.kind == "group":
        group = ctx.store.groups.get(slugify(meeting.group or ""))
        return group is not None and member.id in group.members
    return EXTERNAL_PARTNER not in member.roles


def eligible(ctx: Context, meeting: Meeting | MeetingSeries) -> list[Member]:
    """Everyone the kind of ``meeting`` invites today: who gets the invitation when it goes
    out."""
    return [m for m in ctx.store.members.active() if kind_invites(ctx, meeting, m)]


def invitees(ctx: Context, meeting: Meeting) -> list[Member]:
    """Who was invited to ``meeting`` (the record kept as invitations go out), still active.
    A meeting stored before the record was kept falls back to who its kind invites."""
    if meeting.invited is None:
        return eligible(ctx, meeting)
    ids = set(meeting.invited)
    return [m for m in ctx.store.members.active() if m.id in ids]


def kind_label(ctx: Context, lang: str, meeting: Meeting | MeetingSeries) -> str:
    return ctx.t(lang, f"meeting.kind.{meeting.kind}", group=meeting.group or "")


def when_line(ctx: Context, lang: str, start: datetime, end: datetime) -> str:
    """« mardi 1 décembre 2026, 10:00–12:00 (GMT) »."""
    tz = ctx.network.timezone
    return ctx.t(lang, "meeting.when", date=ctx.catalog.date(lang, start, tz),
                 start=ctx.catalog.time(lang, start, tz), end=ctx.catalog.time(lang, end, tz),
                 zone=ctx.catalog.zone(lang, start, tz))


def place_of(ctx: Context, lang: str, meeting: Meeting | MeetingSeries) -> str:
    return meeting.place or ctx.network.place(lang)


def start_end(meeting: Meeting) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)


def full_line(ctx: Context, lang: str, meeting: Meeting) -> str:
    """The confirmation line: date in words, times, zone and place."""
    start, end = start_end(meeting)
    return f"{when_line(ctx, lang, start, end)}, {place_of(ctx, lang, meeting)}"


def agenda_lines(ctx: Context, lang: str, meeting: Meeting) -> list[str]:
    if not meeting.agenda:
        return [ctx.t(lang, "meeting.agenda_empty")]
    return [ctx.t(lang, "meeting.agenda_heading")] + [
        f"{n}. {item['text']}" for n, item in enumerate(meeting.agenda, start=1)]


def rsvp_buttons(ctx: Context, lang: str, meeting: Meeting) -> list[Button]:
    return [Button(f"rsvp.{choice}", str(meeting.id), ctx.t(lang, f"rsvp.button.{choice}"),
                   hint=f"{ctx.t(lang, f'cmd.rsvp_{choice}.name')} {meeting.id}",
                   style="primary" if choice == "present" else None)
            for choice in RSVP_CHOICES]


def details(ctx: Context, lang: str, meeting: Meeting) -> list[str]:
    lines = [full_line(ctx, lang, meeting)]
    if meeting.link:
        lines.append(ctx.t(lang, "meeting.link_line", link=meeting.link))
    return lines + ["\n".join(agenda_lines(ctx, lang, meeting))]


# Calendar files.

def organizer(ctx: Context, lang: str) -> calendar.Organizer:
    """The network, by name, on the configured mailbox (the secretariat's)."""
    return calendar.Organizer(ctx.network.organizer_email, ctx.network.name(lang))


def _event(ctx: Context, lang: str, meeting: Meeting, uid: str, sequence: int,
           status: str = "CONFIRMED") -> calendar.EventInfo:
    start, end = start_end(meeting)
    return calendar.EventInfo(
        uid=uid, sequence=sequence,
        summary=f"{kind_label(ctx, lang, meeting)} — {ctx.network.name(lang)}",
        description="\n".join(agenda_lines(ctx, lang, meeting)),
        location=place_of(ctx, lang, meeting), start=start, end=end, url=meeting.link,
        status=status)


def calendar_caption(ctx: Context, lang: str, meeting: Meeting,
                     key: str = "meeting.calendar_caption") -> str:
    """What the file is and what to do with it, shown with it where the platform allows."""
    start, end = start_end(meeting)
    return ctx.t(lang, key, kind=kind_label(ctx, lang, meeting),
                 when=when_line(ctx, lang, start, end))


def calendar_file(ctx: Context, lang: str, meeting: Meeting) -> Attachment:
    """The invite for ``meeting``: the whole series (rule, cancelled dates, changed occurrences)
    when it belongs to one, so a calendar always holds what the bot announces. A cancelled
    meeting alone is its event marked cancelled; a cancelled occurrence is left out of the
    series' dates."""
    tz = ctx.network.timezone
    series = ctx.store.series.get(meeting.series_id) if meeting.series_id is not None else None
    if series is None:
        status = "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"
        data = calendar.invite(_event(ctx, lang, meeting, meeting.uid, meeting.sequence, status),
                               organizer(ctx, lang), tz=tz, now=ctx.now())
        cancelled = status == "CANCELLED"
        caption = calendar_caption(ctx, lang, meeting, "meeting.cancellation_caption"
                                   if cancelled else "meeting.calendar_caption")
        name = "annulation" if cancelled else "reunion"
        return Attachment(f"{name}-{meeting.id}.ics", data, "text/calendar", caption)
    occurrences = ctx.store.meetings.of_series(series.id)
    first_start = datetime.fromisoformat(series.first_start)
    master = Meeting(id=0, kind=series.kind, start=series.first_start,
                     end=to_iso(first_start + timedelta(minutes=series.duration_minutes)),
                     place=series.place, link=series.link, group=series.group)
    exdates, overrides = [], []
    for occurrence in occurrences:
        original = datetime.fromisoformat(occurrence.recurrence_id or occurrence.start)
        if occurrence.status == "cancelled":
            exdates.append(original)
            continue
        expected = replace(master, start=to_iso(original), end=to_iso(
            original + timedelta(minutes=series.duration_minutes)))
        if (occurrence.start, occurrence.end, occurrence.place, occurrence.link,
                occurrence.agenda) != (expected.start, expected.end, expected.place,
                                       expected.link, expected.agenda):
            overrides.append(calendar.Override(original, _event(
                ctx, lang, occurrence, series.uid, series.sequence)))
    data = calendar.invite(_event(ctx, lang, master, series.uid, series.sequence),
                           organizer(ctx, lang), tz=tz, rrule=series.rrule, exdates=exdates,
                           overrides=overrides, now=ctx.now())
    return Attachment(f"serie-{series.id}.ics", data, "text/calendar",
                      calendar_caption(ctx, lang, meeting))


# Telling people.

def invite_message(ctx: Context, lang: str, meeting: Meeting, title_key: str,
                   change: str = "") -> Message:
    """The meeting with its calendar file; ``change`` says what changed, when something did."""
    return Message(
        title=ctx.t(lang, title_key, kind=kind_label(ctx, lang, meeting), number=meeting.id),
        paragraphs=([change] if change else []) + details(ctx, lang, meeting)
        + [ctx.t(lang, "meeting.answer_hint")],
        buttons=rsvp_buttons(ctx, lang, meeting),
        attachments=[calendar_file(ctx, lang, meeting)])


def series_invite(ctx: Context, lang: str, occurrences: list[Meeting]) -> Message:
    """One invitation for the occurrences of a series, with the file of the whole series."""
    first = occurrences[0]
    dates = [f"{ctx.t(lang, 'word.number', number=m.id)} — {full_line(ctx, lang, m)}"
             for m in occurrences]
    return Message(
        title=ctx.t(lang, "meeting.series_invite_title", count=len(occurrences)),
        paragraphs=["\n".join(dates), ctx.t(lang, "meeting.series_answer_hint",
                                            number=first.id)],
        buttons=rsvp_buttons(ctx, lang, first),
        attachments=[calendar_file(ctx, lang, first)])


def invite(ctx: Context, occurrences: list[Meeting], people: list[Member], key: str,
           build: Callable[[str], Message]) -> int:
    """Send the invitation ``build(lang)`` to ``people`` (once per ``key`` and person), then
    record them as invited to each of ``occurrences``. Queued first: a crash in between may
    leave someone invited and not yet recorded (no reminders), never reminded and not invited.
    The invitation matters until the last of them starts: it is retried until then."""
    until = max(datetime.fromisoformat(m.start) for m in occurrences) if occurrences else None
    sent = ctx.send_to_members(people, key, build, until=until)
    ids = [m.id for m in people]
    for meeting in occurrences:
        recorded = list(meeting.invited or [])
        meeting.invited = recorded + [i for i in ids if i not in recorded]
        ctx.store.meetings.save(meeting)
    return sent


def notify(ctx: Context, meeting: Meeting, key: str,
           build: Callable[[str], Message]) -> int:
    """Send ``build(lang)`` to everyone invited to ``meeting``, once per ``key``; it matters
    until the meeting starts."""
    return ctx.send_to_members(invitees(ctx, meeting), key, build,
                               until=datetime.fromisoformat(meeting.start))


def invite_to_coming(ctx: Context, member: Member) -> int:
    """Invite ``member`` to every meeting to come that the kind of meeting invites them to and
    that they were not invited to: a focal point just approved or added, someone who joined a
    working group. Each invitation is sent once and recorded, so reminders and changes reach
    them from then on; a series is one invitation for its occurrences still to come."""
    now = ctx.now()
    sent = 0
    seen_series: set[int] = set()
    for meeting in ctx.store.meetings.upcoming(ctx.now_iso()):
        if (datetime.fromisoformat(meeting.start) <= now or meeting.invited is None
                or member.id in meeting.invited or not kind_invites(ctx, meeting, member)):
            continue
        if meeting.series_id is None:
            sent += invite(ctx, [meeting], [member], f"meeting:{meeting.id}:invited",
                           lambda lang, m=meeting: invite_message(ctx, lang, m,
                                                                  "meeting.invite_title"))
        elif meeting.series_id not in seen_series:
            seen_series.add(meeting.series_id)
            coming = [m for m in ctx.store.meetings.of_series(meeting.series_id)
                      if m.status == "scheduled" and datetime.fromisoformat(m.start) > now
                      and m.invited is not None and member.id not in m.invited]
            sent += invite(ctx, coming, [member], f"series:{meeting.series_id}:invite",
                           lambda lang, c=coming: series_invite(ctx, lang, c))
    return sent


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


# Commands.

def _require_lead_for(req: Request, meeting: Meeting) -> None:
    """Leads manage every meeting; a group's chairs only their group's."""
    if req.roles & LEADS:
        return
    group = req.ctx.store.groups.get(slugify(meeting.group or ""))
    if meeting.kind != "group" or group is None:
        raise UserError("group.not_chair", group=meeting.group or "—")
    groups.require_group_lead(req, group)


def _require_future(req: Request, meeting: Meeting) -> None:
    if meeting.status == "cancelled":
        raise UserError("meeting.cancelled", number=meeting.id)
    if datetime.fromisoformat(meeting.start) <= req.ctx.now():
        raise UserError("meeting.past", number=meeting.id)


def _create(req: Request, kind: str, when_text: str, group: str | None = None) -> Message:
    ctx = req.ctx
    reading = read_time_range(req, when_text)
    start, end = reading.start, reading.end or reading.start + DEFAULT_DURATION
    now = ctx.now_iso()
    meeting = ctx.store.meetings.add(lambda n: Meeting(
        id=n, kind=kind, start=stored_time(start), end=stored_time(end), group=group,
        created_by=req.member.id if req.member else "", created_at=now, updated_at=now))
    sent = invite(ctx, [meeting], eligible(ctx, meeting),
                  f"meeting:{meeting.id}:invite:{meeting.sequence}",
                  lambda lang: invite_message(ctx, lang, meeting, "meeting.invite_title"))
    return Message(
        title=req.t("meeting.scheduled", kind=kind_label(ctx, req.lang, meeting),
                    number=meeting.id),
        paragraphs=[full_line(ctx, req.lang, meeting), *reading_lines(ctx, req.lang, reading),
                    req.t("meeting.invites_sent", count=sent)])


def schedule_network(req: Request) -> Message:
    """``réunion <quand>``: a network meeting at the Maison Commune."""
    return _create(req, "network", req.args)


def schedule_executive(req: Request) -> Message:
    return _create(req, "executive", req.args)


def schedule_annual(req: Request) -> Message:
    return _create(req, "annual", req.args)


def schedule_group(req: Request) -> Message:
    """``réunion groupe <nom> <quand>``: the longest leading words that name a group. Its chairs
    may convene it, as may the co-chairs and the secretariat."""
    found = groups.leading_group(req.ctx, req.args)
    if found is None or not found[1]:
        raise UserError("meeting.unknown_group", groups=groups.group_names(req.ctx),
                        name=req.name)
    group, when_text = found
    groups.require_group_lead(req, group)
    return _create(req, "group", when_text, group=group.name)


def schedule_series(req: Request) -> Message:
    """``réunion série <règle>``: the occurrences are created at once (six unless the rule
    says how many), and each invitee gets one calendar file for the whole series.

    Typing a rule again while the same series runs (same kind and rule, overlapping dates) does
    not create a second one: the lead is told, and a lead confirms with the button or
    ``réunion série confirmer <n°>`` (the request is kept as a draft series until then)."""
    ctx = req.ctx
    if not req.args.strip():
        raise UserError("meeting.series_usage", name=req.name)
    words = req.args.split()
    if fold(words[0]) in CONFIRM_WORDS and len(words) <= 2:
        return confirm_series(req, words[1] if len(words) > 1 else "")
    try:
        first, rule = parse_recurrence(req.args, now=ctx.now(), tz=ctx.network.timezone)
    except WhenError as error:
        raise refusal(ctx, error) from None
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        rule = f"{rule};COUNT={SERIES_COUNT}"
    starts = series_starts(ctx, first, rule)
    now = ctx.now_iso()
    similar = similar_series(ctx, "network", rule, starts)
    status = "active" if similar is None else "draft"
    minutes = int(DEFAULT_DURATION.total_seconds() // 60)
    series = ctx.store.series.add(lambda n: MeetingSeries(
        id=n, kind="network", rrule=rule, first_start=stored_time(starts[0]),
        duration_minutes=minutes, created_by=req.member.id if req.member else "",
        created_at=now, status=status))
    if similar is not None:
        return _ask_to_confirm(req, similar, series)
    return _open_series(req, series, starts)


CONFIRM_WORDS = ("confirmer", "confirm")


def series_starts(ctx: Context, first: datetime, rule: str) -> list[datetime]:
    """The occurrences' starts (at most 60), in the network's zone, whole minutes."""
    tz = ZoneInfo(ctx.network.timezone)
    local_first = whole_minute(first.astimezone(tz))
    return [d.replace(tzinfo=tz) for d in
            rrulestr(rule, dtstart=local_first.replace(tzinfo=None))][:60]


def _rule_core(rule: str) -> str:
    """The rule without its length (COUNT, UNTIL): "the same rule" whatever its end."""
    return ";".join(sorted(p for p in rule.split(";")
                           if not p.startswith(("COUNT=", "UNTIL="))))


def similar_series(ctx: Context, kind: str, rule: str,
                   starts: list[datetime]) -> MeetingSeries | None:
    """An active series of the same kind and rule whose scheduled occurrences still to come
    overlap ``starts`` (from the first to the last)."""
    now = ctx.now_iso()
    for series in ctx.store.series.all():
        if (series.status != "active" or series.kind != kind
                or _rule_core(series.rrule) != _rule_core(rule)):
            continue
        coming = [datetime.fromisoformat(m.start) for m in ctx.store.meetings.of_series(series.id)
                  if m.status == "scheduled" and m.end > now]
        if coming and coming[0] <= starts[-1] and starts[0] <= coming[-1]:
            return series
    return None


def _ask_to_confirm(req: Request, similar: MeetingSeries, draft: MeetingSeries) -> Message:
    ctx = req.ctx
    occurrences = [m for m in ctx.store.meetings.of_series(similar.id)
                   if m.status == "scheduled" and m.end > ctx.now_iso()]
    confirm = f"{req.name} {req.t('meeting.series_confirm_word')} {draft.id}"
    return Message(
        title=req.t("meeting.series_exists_title", number=similar.id),
        paragraphs=[req.t("meeting.series_exists", number=similar.id, count=len(occurrences),
                          first=_date(ctx, req.lang, occurrences[0]),
                          last=_date(ctx, req.lang, occurrences[-1])),
                    req.t("meeting.series_confirm_hint", command=confirm)],
        buttons=[Button("series.confirm", str(draft.id), req.t("meeting.series_confirm_button"),
                        hint=confirm)])


def _date(ctx: Context, lang: str, meeting: Meeting) -> str:
    return ctx.catalog.date(lang, datetime.fromisoformat(meeting.start), ctx.network.timezone)


def confirm_series(req: Request, typed: str) -> Message:
    """A lead creates the series they were told resembles a running one (a click or
    ``réunion série confirmer <n°>``). Twice is harmless: the second says it is done."""
    ctx = req.ctx
    number = parse_ref(typed, "meeting.series_bad_number")
    series = ctx.store.series.get(number)
    if series is None:
        raise UserError("meeting.series_not_found", number=number)
    if series.status != "draft":
        raise UserError("meeting.series_already_confirmed", number=number)
    starts = series_starts(ctx, datetime.fromisoformat(series.first_start), series.rrule)
    if starts[0] <= ctx.now():
        raise UserError("meeting.series_draft_past", number=number)
    return _open_series(req, series, starts)


def confirm_click(req: Request, value: str) -> Message:
    return confirm_series(req, value)


def _open_series(req: Request, series: MeetingSeries, starts: list[datetime]) -> Message:
    """Create the occurrences not yet created (a rerun after a crash adds none twice), make
    the series active, and invite once."""
    ctx = req.ctx
    now = ctx.now_iso()
    existing = {m.recurrence_id for m in ctx.store.meetings.of_series(series.id)}
    duration = timedelta(minutes=series.duration_minutes)
    for s in starts:
        if stored_time(s) not in existing:
            ctx.store.meetings.add(lambda n, s=s: Meeting(
                id=n, kind=series.kind, start=stored_time(s), end=stored_time(s + duration),
                series_id=series.id, recurrence_id=stored_time(s),
                created_by=series.created_by, created_at=now, updated_at=now))
    if series.status != "active":
        series.status = "active"
        ctx.store.series.save(series)
    meetings = ctx.store.meetings.of_series(series.id)
    sent = invite(ctx, meetings, eligible(ctx, meetings[0]), f"series:{series.id}:invite",
                  lambda lang: series_invite(ctx, lang, meetings))
    lines = [f"• {full_line(ctx, req.lang, m)} ({req.t('word.number', number=m.id)})"
             for m in meetings]
    return Message(title=req.t("meeting.series_scheduled", number=series.id, count=len(meetings)),
                   paragraphs=["\n".join(lines), req.t("meeting.invites_sent", count=sent)])


def move(req: Request) -> Message:
    """``réunion déplacer <n°> <quand>``: invitees get the new date and an updated file. The
    meeting keeps its length unless an end is written; a move to the same time changes
    nothing and tells nobody."""
    ctx = req.ctx
    meeting, when_text = split_number(req)
    _require_lead_for(req, meeting)
    _require_future(req, meeting)
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
    return Message(title=req.t("meeting.moved", number=meeting.id),
                   paragraphs=[req.t("meeting.was", line=old_line),
                               req.t("meeting.now", line=full_line(ctx, req.lang, meeting)),
                               *reading_lines(ctx, req.lang, reading)])


def cancel(req: Request) -> Message:
    """``réunion annuler <n°>``: invitees get a cancellation file; other occurrences stand."""
    ctx = req.ctx
    meeting, _ = split_number(req)
    _require_lead_for(req, meeting)
    _require_future(req, meeting)
    meeting.status = "cancelled"
    bump(ctx, meeting)
    notify(ctx, meeting, f"meeting:{meeting.id}:cancelled", lambda lang: Message(
        title=ctx.t(lang, "meeting.cancelled_title", kind=kind_label(ctx, lang, meeting),
                    number=meeting.id),
        paragraphs=[full_line(ctx, lang, meeting)],
        attachments=[calendar_file(ctx, lang, meeting)]))
    return Message(paragraphs=[req.t("meeting.cancel_done", number=meeting.id,
                                     line=full_line(ctx, req.lang, meeting))])


def _update(req: Request, field: str, value: str) -> Message:
    ctx = req.ctx
    meeting, _ = split_number(req)
    _require_lead_for(req, meeting)
    _require_future(req, meeting)
    setattr(meeting, field, value)
    bump(ctx, meeting)
    notify(ctx, meeting, f"meeting:{meeting.id}:updated:{meeting.sequence}",
           lambda lang: invite_message(ctx, lang, meeting, "meeting.updated_title"))
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


def list_upcoming(req: Request) -> Message:
    """``réunions``: what is coming, with the answers so far."""
    ctx = req.ctx
    upcoming = ctx.store.meetings.upcoming(ctx.now_iso())
    if not upcoming:
        return Message(paragraphs=[req.t("meeting.none_upcoming")])
    lines = []
    for meeting in upcoming[:15]:
        counts = tally(ctx, meeting)
        lines.append(req.t("meeting.list_line", number=meeting.id,
                           kind=kind_label(ctx, req.lang, meeting),
                           line=full_line(ctx, req.lang, meeting), present=counts["present"],
                           online=counts["online"], excused=counts["excused"]))
    return Message(title=req.t("meeting.upcoming_title", count=len(upcoming)),
                   paragraphs=["\n".join(lines)])


def tally(ctx: Context, meeting: Meeting) -> dict[str, int]:
    counts = dict.fromkeys(RSVP_CHOICES, 0)
    for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
        counts[rsvp.status] += 1
    return counts


def show(req: Request) -> Message:
    """``réunion voir <n°>``: details, answers per agency, and who has not answered (leads)."""
    ctx, lang = req.ctx, req.lang
    meeting = meeting_number(req, req.args)
    title_key = "meeting.show_title_cancelled" if meeting.status == "cancelled" else \
        "meeting.show_title"
    paragraphs = details(ctx, lang, meeting)
    per_agency: dict[str, dict[str, int]] = {}
    for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
        per_agency.setdefault(rsvp.agency, dict.fromkeys(RSVP_CHOICES, 0))[rsvp.status] += 1
    if per_agency:
        rows = [req.t("meeting.agency_line", agency=ctx.agency_label(code, lang), **counts)
                for code, counts in sorted(per_agency.items(),
                                           key=lambda kv: ctx.agency_label(kv[0], lang))]
        paragraphs.append(req.t("meeting.answers_heading") + "\n" + "\n".join(rows))
    else:
        paragraphs.append(req.t("meeting.no_answers"))
    if not req.roles.isdisjoint(LEADS):
        answered = {r.member_id for r in ctx.store.rsvps.of_meeting(meeting.id)}
        silent = [m for m in invitees(ctx, meeting) if m.id not in answered]
        names = "; ".join(f"{m.name} ({ctx.agency_label(m.agency, lang)})"
                          for m in sorted(silent, key=lambda m: (m.agency, fold(m.name))))
        paragraphs.append(req.t("meeting.silent", count=len(silent), names=names or "—"))
    return Message(title=req.t(title_key, kind=kind_label(ctx, lang, meeting),
                               number=meeting.id), paragraphs=paragraphs)


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
    _require_future(req, meeting)
    meeting.agenda.append({"text": text, "by": req.member.id if req.member else "",
                           "at": ctx.now_iso()})
    bump(ctx, meeting)
    position = len(meeting.agenda)
    notify(ctx, meeting, f"meeting:{meeting.id}:agenda:{meeting.sequence}",
           lambda lang: invite_message(ctx, lang, meeting, "meeting.updated_title", ctx.t(
               lang, "meeting.change.agenda_added", position=position, text=text)))
    return Message(paragraphs=[req.t("meeting.agenda_added", number=meeting.id,
                                     position=position)])


def _answer(req: Request, meeting: Meeting, choice: str) -> Message:
    ctx, member = req.ctx, req.member
    assert member is not None
    invited = (member.id in meeting.invited if meeting.invited is not None
               else kind_invites(ctx, meeting, member))
    if not invited:
        raise UserError("rsvp.not_invited", number=meeting.id)
    _require_future(req, meeting)
    previous = ctx.store.rsvps.get(meeting.id, member.id)
    if previous is None or previous.status != choice:
        ctx.store.rsvps.save(Rsvp(id=f"{meeting.id}:{member.id}", meeting_id=meeting.id,
                                  member_id=member.id, agency=member.agency, status=choice,
                                  at=ctx.now_iso()))
    return Message(paragraphs=[req.t(f"rsvp.done.{choice}", number=meeting.id,
                                     line=full_line(ctx, req.lang, meeting))])


def rsvp_command(choice: str) -> Callable[[Request], Message]:
    def handler(req: Request) -> Message:
        return _answer(req, meeting_number(req, req.args), choice)
    handler.__doc__ = f"``{choice} <n°>``: answer an invite."
    return handler


def rsvp_click(choice: str) -> Callable[[Request, str], Message | Reply]:
    def handler(req: Request, value: str) -> Message:
        return _answer(req, meeting_number(req, value), choice)
    return handler


# Scheduled work.

def send_reminder(ctx: Context, job: MeetingReminder) -> int:
    """The job ``meeting.reminder``: remind invitees who have not declined, with the agenda.

    The job id is marked done after the messages are queued (their keys make a rerun harmless),
    together with the earlier offsets, which a late start-up made moot.
    """
    meeting = ctx.store.meetings.get(job.meeting_id)
    if meeting is None:
        return 0
    job_id = encode(job)
    start = datetime.fromisoformat(meeting.start)
    if (meeting.status != "scheduled" or meeting.start != job.start or start <= ctx.now()
            or job_id in ctx.store.jobs_done):
        return 0
    declined = {r.member_id for r in ctx.store.rsvps.of_meeting(meeting.id)
                if r.status == "excused"}
    people = [m for m in invitees(ctx, meeting) if m.id not in declined]

    def build(lang: str) -> Message:
        delay = format_timedelta(start - ctx.now(), threshold=1.1, add_direction=True,
                                 locale=lang)
        return Message(title=ctx.t(lang, "meeting.reminder_title",
                                   kind=kind_label(ctx, lang, meeting), number=meeting.id,
                                   delay=delay),
                       paragraphs=details(ctx, lang, meeting),
                       buttons=rsvp_buttons(ctx, lang, meeting))

    sent = ctx.send_to_members(people, job_id, build, until=start)
    for other in ctx.network.meeting_reminders:
        if other >= job.offset:
            ctx.store.jobs_done.mark(encode(MeetingReminder(meeting.id, meeting.start, other)),
                                     ctx.now_iso(), "sent" if other == job.offset else "skipped")
    return sent
