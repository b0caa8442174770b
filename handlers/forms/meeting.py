"""The meeting form: kind, date and time in the network's zone, duration, place, video link,
purpose and agenda, once or every two months; submitted, the meeting (or the series) is
previewed like ``réunion``'s (``handlers.previews.openings``), and « Envoyer » creates it with
``réunion``'s own code (``handlers.meetings.scheduling.create_meeting``, a series
``handlers.meetings.series.create_series``)."""

from __future__ import annotations

from datetime import timedelta

from handlers import groups
from handlers.forms.fields import (
    Refused,
    answers,
    at_most,
    field,
    led_groups,
    link,
    moment,
    one_of,
    plain_choices,
)
from handlers.meetings.changes import MAX_AGENDA_ITEM
from handlers.meetings.series import SERIES_COUNT, with_count
from handlers.previews.openings import MEETING_COMMANDS, meeting_preview, series_preview
from handlers.previews.preview import keep
from handlers.roles import LEADS
from handlers.router import Request
from handlers.types import Form, Message

NAME = "meeting"
KINDS = ("network", "executive", "annual", "group")
DURATIONS = (30, 60, 90, 120, 180, 240)  # minutes
DEFAULT_DURATION = 120
DEFAULT_TIME = "10:00"
MAX_PLACE = 200
MAX_AGENDA_ITEMS = 20
REPEATS = ("once", "bimonthly")


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours and rest else f"{hours} h" if hours \
        else f"{rest} min"


def meeting_form(req: Request) -> Form:
    """What the person fills in; a group's chairs see only the group kind."""
    kinds = KINDS if req.roles & LEADS else ("group",)
    active = led_groups(req)
    fields = [
        field(req, "kind", "choice", required=True, initial=kinds[0], choices=plain_choices(
            [(k, req.t(f"meeting.kind.{k}", group="…")) for k in kinds])),
        *([field(req, "group", "choice", choices=plain_choices([(g, g) for g in active]))]
          if active else []),
        field(req, "date", "date", required=True),
        field(req, "time", "time", required=True, initial=DEFAULT_TIME),
        field(req, "duration", "choice", required=True, initial=str(DEFAULT_DURATION),
              choices=plain_choices([(str(m), duration_label(m)) for m in DURATIONS])),
        field(req, "place", "text", placeholder=req.ctx.network.place(req.lang),
              max_length=MAX_PLACE),
        field(req, "link", "url"),
        field(req, "purpose", "text", max_length=MAX_AGENDA_ITEM),
        field(req, "agenda", "multiline", hint=req.t("form.hint.agenda")),
        *([field(req, "repeat", "choice", required=True, initial=REPEATS[0],
                 choices=plain_choices([(r, req.t(f"form.repeat.{r}", count=SERIES_COUNT))
                                        for r in REPEATS]))]
          if req.roles & LEADS else []),
    ]
    return Form(action=f"form.{NAME}.send", value="", title=req.t("form.meeting.title"),
                fields=tuple(fields), submit=req.t("form.submit"), cancel=req.t("form.cancel"))


def submit(req: Request) -> Message:
    """The answers read and checked (``Refused`` names the field), then the meeting (or the
    series) previewed: « Envoyer » under the preview creates it."""
    found = answers(req)
    kind = one_of(found, "kind", KINDS, "network")
    group = None
    if kind == "group":
        group = groups.find_group(req.ctx, found.get("group", ""))
        if group is None:
            raise Refused("group", "form.error.group_needed")
        groups.require_group_lead(req, group)
    elif not req.roles & LEADS:
        raise Refused("kind", "form.error.group_only")
    start = moment(req, found, "date", "time")
    minutes = int(one_of(found, "duration", tuple(str(m) for m in DURATIONS),
                         str(DEFAULT_DURATION)))
    place = at_most(found, "place", MAX_PLACE)
    items = [line.strip() for line in found.get("agenda", "").splitlines() if line.strip()]
    if len(items) > MAX_AGENDA_ITEMS or any(len(i) > MAX_AGENDA_ITEM for i in items):
        raise Refused("agenda", "form.error.agenda", count=MAX_AGENDA_ITEMS,
                      limit=MAX_AGENDA_ITEM)
    purpose = at_most(found, "purpose", MAX_AGENDA_ITEM)
    if one_of(found, "repeat", REPEATS, REPEATS[0]) == "bimonthly":
        if kind != "network":
            raise Refused("repeat", "form.error.series_network")
        rule = with_count(f"FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY={start.day};"
                          f"BYHOUR={start.hour};BYMINUTE={start.minute}")
        return keep(req, "meeting_series", series_preview(
            req, first=start, rule=rule, minutes=minutes, place=place,
            link=link(found, "link")), form=NAME, answers=found)
    return keep(req, MEETING_COMMANDS[kind], meeting_preview(
        req, kind=kind, start=start, end=start + timedelta(minutes=minutes),
        group=group.name if group else None, place=place, link=link(found, "link"),
        agenda=([purpose] if purpose else []) + items), form=NAME, answers=found)
