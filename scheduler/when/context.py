"""Where and when a text is read: the present moment, the zone, and wall times in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from scheduler.when.errors import WhenError

DEFAULT_TZ = "Africa/Bamako"


@dataclass
class Context:
    now: datetime
    tz: str
    zone: tzinfo
    today: date


def make_context(now: datetime, tz: str, zone: tzinfo | None = None) -> Context:
    """``now`` seen in ``tz`` (or in ``zone``, a zone the text named: its own today)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise TypeError("now must be an aware datetime")
    zone = zone or ZoneInfo(tz)
    return Context(now=now, tz=tz, zone=zone, today=now.astimezone(zone).date())


def local(day: date, clock: time, zone: tzinfo) -> datetime:
    """A wall time in ``zone``; one skipped by a DST change does not exist, a repeated one is
    its first occurrence."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise WhenError("impossible_time", time=clock.strftime("%H:%M"))
    return moment


def whole_minute(moment: datetime) -> datetime:
    """``moment`` without its seconds: meetings and deadlines are set to the minute, so
    "dans 62 minutes" said at 02:18:13 is 03:20, shown and stored as 03:20, not 03:20:13."""
    return moment.replace(second=0, microsecond=0)


def after_now(moment: datetime, ctx: Context) -> datetime:
    """``moment`` if it is strictly after now, else the refusal ``past``."""
    if moment <= ctx.now:
        raise WhenError("past", date=moment.date().isoformat(), time=moment.strftime("%H:%M"))
    return moment
