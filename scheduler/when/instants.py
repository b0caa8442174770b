"""Instants counted from now: « dans 2 heures », « dans 30 minutes », « d'ici 72h »,
« sous 48 heures », "within the next 48 hours", "in half an hour".

An instant is now plus the time written, to the minute (the seconds of now are dropped); it takes
no other date or time. « d'ici », « sous », « dans les », "within" and "in the next" make it a
deadline (at the latest then); « dans » and "in" alone do not.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from scheduler.when.context import Context, after_now, whole_minute
from scheduler.when.normalise import Scan
from scheduler.when.times import NUM, number

_IN_TIME = re.compile(rf"""\b(?P<w>dans(?:\s+les)?|d\s+ici|sous|(?:within|in)(?:\s+the\s+next)?)
    \s+(?:
      (?P<n>{NUM})\s*(?P<u>h|hrs?|heures?|hours?|min|mins|minutes?|mn)(?![a-z])
        (?:\s*(?P<m>\d{{1,2}})(?:\s*min(?:utes?)?)?\b|\s+(?P<hh>et\s+demie|and\s+a\s+half))?
    | (?P<half>demiheure))""", re.X)


def take_instants(scan: Scan) -> list[re.Match[str]]:
    """The instants written, cut out of ``scan``."""
    return scan.take(_IN_TIME)


def is_deadline(m: re.Match[str]) -> bool:
    """« d'ici 72h », « sous 48 heures », « dans les 72 heures », "within 72 hours", "in the next
    48 hours": at the latest then. « dans 2 heures », "in 2 hours": then."""
    return m["w"] not in ("dans", "in")


def instant(m: re.Match[str], ctx: Context) -> datetime:
    """Now plus the time written, a whole minute, strictly after now."""
    if m["half"]:
        delta = timedelta(minutes=30)
    else:
        n = number(m["n"])
        minutes = n if m["u"].startswith("m") else n * 60 + int(m["m"] or 0) + (
            30 if m["hh"] else 0)
        delta = timedelta(minutes=minutes)
    return after_now(whole_minute((ctx.now + delta).astimezone(ctx.zone)), ctx)
