"""Reading a clock time or a time range: "10h", "14 h 30", "2:30 pm", "midi et quart",
"8h du soir", "de 9h à 12h", "9-11am".

24-hour clock unless am/pm or a period says otherwise ("8h du soir", "ce soir 8h" → 20:00):
"3:00" is 03:00. "24h" is an impossible time. A period alone gives its own default time (matin
09:00, après-midi 15:00, soir 18:00). "minuit" / "midnight" is kept apart: with a day it is
ambiguous (start or end of that day?). A range's start takes the end's am/pm when that fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from scheduler.when import words
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.normalise import Scan

MON = words.alternation(words.MONTHS)
NUM = rf"\d{{1,3}}|{words.alternation(words.NUMBERS)}"
_AMPM = r"[ap]\.?m\b\.?"
_QUART = r"et\s+demie?|et\s+quart|moins\s+(?:le\s+)?quart"
PERIOD_SUFFIX = (r"du\s+matin|de\s+l\s+apresmidi|du\s+soir|at\s+night"
                 r"|in\s+the\s+(?:morning|afternoon|evening)")
# Minutes after "10h " must not be the day of a date or the hour of another time.
_MIN_GUARD = (r"(?!\d)(?!\s*(?:[/.]\d|h\b|heures?\b|er\b|re\b|eme\b|st\b|nd\b|rd\b|th\b"
              rf"|(?:{MON})\b))")


def _time_rx(t: str) -> str:
    """A time of day; ``t`` suffixes the group names so one regex can hold two times."""
    return rf"""(?:
        (?P<h{t}>\d{{1,2}})\s*(?:heures?|h)(?![a-z])
            (?:\s*(?P<m{t}>\d{{1,2}}){_MIN_GUARD}(?:\s*min(?:utes?)?\b)?)?
            (?:\s+(?P<q{t}>{_QUART}))?
      | (?P<hc{t}>\d{{1,2}}):(?P<mc{t}>\d{{2}})(?::00)?(?!\d)(?:\s*(?P<apc{t}>{_AMPM}))?
      | (?P<hd{t}>\d{{1,2}})\.(?P<md{t}>\d{{2}})\s*(?P<apd{t}>{_AMPM})
      | (?P<ha{t}>\d{{1,2}})\s*(?P<apa{t}>{_AMPM})
      | (?P<w{t}>midi|minuit|noon|midday|midnight)(?:\s+(?P<qw{t}>{_QUART}))?
    )(?:\s+(?P<p{t}>{PERIOD_SUFFIX}))?"""


_SEP = r"-|a|to|jusqua|until|till|et|and"
_RANGE = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>de|from|entre|between)\s+)?
    {_time_rx("1")}\s*(?P<sep>{_SEP})\s*{_time_rx("2")}(?![\w:])""", re.X)
_RANGE_BARE = re.compile(rf"""(?<![\w/.:-])
    (?:(?P<pre>de|from|entre|between)\s+(?P<hb>\d{{1,2}})\s*(?P<sep>{_SEP})
      | (?P<hb2>\d{{1,2}})\s*(?P<sep2>-))
    \s*{_time_rx("2")}(?![\w:])""", re.X)
_TIME = re.compile(rf"(?<![\w/.:-]){_time_rx('')}(?![\w:])", re.X)

# A period of the day: which half of a 12-hour clock it means, and its time when none is written.
PERIODS = {"matin": ("am", time(9)), "morning": ("am", time(9)),
           "apresmidi": ("pm", time(15)), "afternoon": ("pm", time(15)),
           "soir": ("pm", time(18)), "soiree": ("pm", time(18)), "evening": ("pm", time(18)),
           "tonight": ("pm", time(18))}


@dataclass
class Time:
    hour: int
    minute: int
    ampm: str | None = None  # "am" / "pm" as written
    period: str | None = None  # "am" / "pm" from "du soir", "in the morning"
    midnight: bool = False  # the word, not "0h": whose day it ends is unclear

    def label(self) -> str:
        if self.ampm:
            return f"{self.hour}:{self.minute:02d} {self.ampm}"
        return f"{self.hour:02d}:{self.minute:02d}"


def number(word: str) -> int:
    """A number written in digits or in words ("trois", "ten")."""
    return int(word) if word.isdigit() else words.NUMBERS[word]


def _read_time(m: re.Match[str], t: str) -> Time:
    """The ``_time_rx(t)`` groups of ``m`` as hour and minute, not yet range-checked."""
    def g(name: str) -> str | None:
        return m.group(name + t)

    quarter = None
    if g("h") is not None:
        hour, minute, quarter = int(g("h")), int(g("m") or 0), g("q")
        if quarter and g("m"):
            raise Unsure
        found = Time(hour, minute)
    elif g("hc") is not None:
        found = Time(int(g("hc")), int(g("mc")), ampm=_ampm(g("apc")))
    elif g("hd") is not None:
        found = Time(int(g("hd")), int(g("md")), ampm=_ampm(g("apd")))
    elif g("ha") is not None:
        found = Time(int(g("ha")), 0, ampm=_ampm(g("apa")))
    else:
        quarter = g("qw")
        is_midnight = g("w") in ("minuit", "midnight")
        found = Time(0, 0, midnight=not quarter) if is_midnight else Time(12, 0)
    if quarter:
        delta = 30 if "demi" in quarter else 15 if quarter.startswith("et") else -15
        total = found.hour * 60 + delta
        if total < 0:
            raise Unsure
        found.hour, found.minute = divmod(total, 60)
    if g("p"):
        found.period = "am" if re.search(r"matin|morning", g("p") or "") else "pm"
    return found


def _ampm(text: str | None) -> str | None:
    return None if text is None else ("am" if text.startswith("a") else "pm")


def clock(t: Time, day_period: str | None) -> time:
    """The wall time, checking ranges; a period turns "8h" into 20:00 ("ce soir 8h")."""
    hour, minute = t.hour, t.minute
    period = t.period or day_period
    if t.ampm:
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if period and period != t.ampm:
            raise Unsure
        hour = hour % 12 + (12 if t.ampm == "pm" else 0)
    else:
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if period == "pm" and 1 <= hour < 12:
            hour += 12
        elif period == "am" and hour > 12:
            raise Unsure
    return time(hour, minute)


def take_times(scan: Scan) -> tuple[Time | None, Time | None]:
    """The written time or time range (start, end); two separate times are ambiguous."""
    found: list[tuple[Time, Time | None]] = []
    for m in scan.take(_RANGE):
        found.append(_range(m, _read_time(m, "1")))
    for m in scan.take(_RANGE_BARE):
        found.append(_range(m, None))
    for m in scan.take(_TIME):
        found.append((_read_time(m, ""), None))
    if not found:
        return None, None
    if len(found) > 1:
        raise WhenError("ambiguous", first=found[0][0].label(), second=found[1][0].label())
    return found[0]


def _range(m: re.Match[str], start: Time | None) -> tuple[Time, Time]:
    """A range's two ends; a bare or unmarked start takes the end's am/pm when that fits."""
    end = _read_time(m, "2")
    sep = m.group("sep") or m.group("sep2")
    if sep in ("et", "and") and m.group("pre") not in ("entre", "between"):
        first = start.label() if start else m.group("hb")
        raise WhenError("ambiguous", first=first, second=end.label())
    if start is None:
        start = Time(int(m.group("hb") or m.group("hb2")), 0)
    pm_end = end.ampm == "pm" or (end.ampm is None and end.period == "pm")
    if not start.ampm and not start.period and (end.ampm or end.period):
        if pm_end and start.hour < 12:
            end_clock = clock(end, None)
            start.period = "pm" if (start.hour + 12, start.minute) < (
                end_clock.hour, end_clock.minute) else "am"
        elif end.ampm == "am" or end.period == "am":
            start.period = "am"
    return start, end


def day_period(periods: set[str]) -> tuple[str | None, time | None]:
    """The half of the day and default time that "matin", "ce soir"… imply, if any."""
    halves = {PERIODS[p] for p in periods}
    if len(halves) > 1:
        raise Unsure
    if not halves:
        return None, None
    half, default = halves.pop()
    return half, default
