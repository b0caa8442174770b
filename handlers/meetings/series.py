"""``réunion série <règle>``: a series of meetings from a recurrence rule, created at once with
one invitation for all its occurrences; a rule typed again while the same series runs waits for
a lead's confirmation instead of creating a second one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from handlers.channel_cards import meeting_card
from handlers.context import Context, UserError, parse_ref
from handlers.meetings.invitations import invite, series_invite
from handlers.meetings.invitees import eligible
from handlers.meetings.times import DEFAULT_DURATION, stored_time
from handlers.meetings.wording import full_line
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Button, Message
from handlers.when_text import refusal
from scheduler.when import WhenError, parse_recurrence, whole_minute
from storage.models import Meeting, MeetingSeries

SERIES_COUNT = 6  # a year of bimonthly meetings, unless the rule says otherwise
CONFIRM_WORDS = ("confirmer", "confirm")
DEFAULT_MINUTES = int(DEFAULT_DURATION.total_seconds() // 60)


def schedule_series(req: Request) -> Message:
    """``réunion série <règle>``: the occurrences are created at once (six unless the rule
    says how many), and each invitee gets one calendar file for the whole series.

    Typing a rule again while the same series runs (same kind and rule, overlapping dates) does
    not create a second one: the lead is told, and a lead confirms with the button or
    ``réunion série confirmer <n°>`` (the request is kept as a draft series until then)."""
    if not req.args.strip():
        raise UserError("meeting.series_usage", name=req.name)
    words = req.args.split()
    if fold(words[0]) in CONFIRM_WORDS and len(words) <= 2:
        return confirm_series(req, words[1] if len(words) > 1 else "")
    first, rule = read_series(req)
    return create_series(req, first, rule, DEFAULT_MINUTES)


def is_confirmation(req: Request) -> bool:
    """``réunion série confirmer <n°>`` (or nothing typed): not a new series."""
    words = req.args.split()
    return not words or (fold(words[0]) in CONFIRM_WORDS and len(words) <= 2)


def read_series(req: Request) -> tuple[datetime, str]:
    """The first start and the rule (its length written in: ``SERIES_COUNT`` unless the rule
    says), read without creating anything."""
    ctx = req.ctx
    try:
        first, rule = parse_recurrence(req.args, now=ctx.now(), tz=ctx.network.timezone)
    except WhenError as error:
        raise refusal(ctx, error) from None
    return first, with_count(rule)


def with_count(rule: str) -> str:
    return rule if "COUNT=" in rule or "UNTIL=" in rule else f"{rule};COUNT={SERIES_COUNT}"


def create_series(req: Request, first: datetime, rule: str, minutes: int, *,
                  place: str = "", link: str | None = None, warned: bool = False) -> Message:
    """A network series from its first start and its RRULE (typed, or chosen in a form);
    ``place`` and ``link`` are given to the occurrences created now (a draft waiting for its
    confirmation gets the usual place). ``warned``: the lead saw in a preview that a similar
    series runs and sent it anyway, so it is created without asking again."""
    ctx = req.ctx
    rule = with_count(rule)
    starts = series_starts(ctx, first, rule)
    now = ctx.now_iso()
    similar = None if warned else similar_series(ctx, "network", rule, starts)
    status = "active" if similar is None else "draft"
    series = ctx.store.series.add(lambda n: MeetingSeries(
        id=n, kind="network", rrule=rule, first_start=stored_time(starts[0]),
        duration_minutes=minutes, created_by=req.member.id if req.member else "",
        created_at=now, status=status))
    if similar is not None:
        return _ask_to_confirm(req, similar, series)
    return _open_series(req, series, starts, place, link)


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


def _open_series(req: Request, series: MeetingSeries, starts: list[datetime],
                 place: str = "", link: str | None = None) -> Message:
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
                series_id=series.id, recurrence_id=stored_time(s), place=place, link=link,
                created_by=series.created_by, created_at=now, updated_at=now))
    if series.status != "active":
        series.status = "active"
        ctx.store.series.save(series)
    meetings = ctx.store.meetings.of_series(series.id)
    sent = invite(ctx, meetings, eligible(ctx, meetings[0]), f"series:{series.id}:invite",
                  lambda lang: series_invite(ctx, lang, meetings))
    meeting_card.scheduled(ctx, meetings[0])
    lines = [f"• {full_line(ctx, req.lang, m)} ({req.t('word.number', number=m.id)})"
             for m in meetings]
    return Message(title=req.t("meeting.series_scheduled", number=series.id, count=len(meetings)),
                   paragraphs=["\n".join(lines), req.t("meeting.invites_sent", count=sent)])
