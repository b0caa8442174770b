"""What every form shares: reading the answers a platform hands back (dates, times, links,
choices), and turning a refusal into the same form with the reason by its field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handlers import groups, links
from handlers.context import UserError
from handlers.roles import LEADS
from handlers.router import Request, localized
from handlers.types import Choice, Form, FormField, Message

ERROR_MAX = 300


class Refused(Exception):
    """A field's answer refused: the catalog ``key`` (with ``params``) says why, by ``field``."""

    def __init__(self, field: str, key: str, **params: object) -> None:
        super().__init__(key)
        self.field, self.key, self.params = field, key, params


def answers(req: Request) -> dict[str, str]:
    """The submitted values by field name, trimmed."""
    return {name: value.strip() for name, value in req.inbound.answers}


def required(found: dict[str, str], name: str) -> str:
    if not found.get(name):
        raise Refused(name, "form.error.required")
    return found[name]


def moment(req: Request, found: dict[str, str], day_field: str, time_field: str) -> datetime:
    """A date and a time picked in the network's zone, which must be ahead of now."""
    day_text, hour_text = required(found, day_field), required(found, time_field)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise Refused(day_field, "form.error.date") from None
    try:
        hour = time.fromisoformat(hour_text)
    except ValueError:
        raise Refused(time_field, "form.error.time") from None
    when = datetime.combine(day, hour, tzinfo=ZoneInfo(req.ctx.network.timezone))
    if when <= req.ctx.now():
        raise Refused(day_field, "form.error.past")
    return when


def link(found: dict[str, str], name: str) -> str | None:
    """A link as the one-line commands take it (tracking parameters dropped), or none."""
    if not found.get(name):
        return None
    try:
        return links.checked(found[name])
    except UserError as error:
        raise Refused(name, error.key, **error.params) from None


def one_of(found: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = found.get(name) or default
    if value not in allowed:
        raise Refused(name, "form.error.choice")
    return value


def at_most(found: dict[str, str], name: str, limit: int) -> str:
    value = found.get(name, "")
    if len(value) > limit:
        raise Refused(name, "error.text_too_long", limit=limit)
    return value


def refused(req: Request, form: Form, field: str, key: str,
            params: dict[str, object]) -> Message:
    """The same form, with why ``field`` was refused (in the reader's language): a platform
    shows it by the field, in the form still open."""
    text = req.t(key, **localized(params, req.lang))[:ERROR_MAX]
    if field not in {f.name for f in form.fields}:
        field = form.fields[0].name
    return Message(paragraphs=[text], form=replace(form, errors=((field, text),)))


def led_groups(req: Request) -> list[str]:
    """The active groups the person may convene or consult: every one for a co-chair or the
    secretariat, their own for a group's chairs."""
    return [g.name for g in req.ctx.store.groups.active()
            if req.roles & LEADS or groups.chairs_group(req.ctx, req.member, g)]


def plain_choices(pairs: list[tuple[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


def field(req: Request, name: str, kind: str, **more: object) -> FormField:
    """A field labelled by ``form.field.<name>`` in the reader's language."""
    zone = req.ctx.network.timezone
    return FormField(name=name, kind=kind, label=req.t(f"form.field.{name}", zone=zone),
                     **more)  # type: ignore[arg-type]


def filled(form: Form, found: dict[str, str]) -> Form:
    """``form`` holding ``found`` (the answers it was sent with), to be corrected."""
    return replace(form, fields=tuple(
        replace(f, initial=found[f.name]) if f.name in found else f for f in form.fields))
