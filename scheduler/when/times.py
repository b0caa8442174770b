"""Reading a clock time or a time range: "10h", "14 h 30", "10.30", "2:30 pm", "midi et quart",
"8h du soir", "half past ten", "dix heures", "à 9", "de 9h à 12h", "9-11am".

24-hour clock unless am/pm or a part of the day says otherwise ("8h du soir", "ce soir 8h" →
20:00): "03:00" and "3h" are 03:00, "24h" an impossible time. A part of the day also bounds the
hour: "ce soir 3h" is refused, not read as 15:00. Hours said the colloquial way — a bare number
after "à" / "at", in words ("dix heures"), "o'clock", "half past", and the English "2:30" with no
leading zero and no am/pm — are 08:00 to 11:59 or 12:00 to 23:59 as written; from 1 to 7 they
could be morning or afternoon and need a part of the day ("tonight at 9", "3h de l'aprèm") or
are refused as ambiguous. A dotted "10.05" that could also be a date (the 10th of May) is a time
only after "à" / "at" or beside another day; a range's start takes the end's am/pm when that
fits. "minuit" / "midnight" is kept apart: with a day it is ambiguous (start or end of that day?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from scheduler.when import words
from scheduler.when.dayparts import PLAIN, DayPart
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.normalise import Scan

MON = words.alternation(words.MONTHS)
NUM = rf"\d{{1,3}}|{words.alternation(words.NUMBERS)}"
_HW = words.alternation(words.HOUR_WORDS)
_AMPM = r"[ap]\.?m\b\.?"
_QUART = r"et\s+demie?|et\s+quart|moins\s+(?:le\s+)?quart"
_MINUTE_WORDS = {"quinze": 15, "fifteen": 15, "trente": 30, "thirty": 30, "quarante-cinq": 45,
                 "forty-five": 45}
_MW = rf"\d{{2}}|{words.alternation(_MINUTE_WORDS)}"
PERIOD_SUFFIX = (r"du\s+matin|de\s+l\s+apresmidi|du\s+soir|at\s+night|le\s+soir|le\s+matin"
                 r"|in\s+the\s+(?:morning|afternoon|evening)")
_SUFFIX_PARTS = {"matin": "matin", "apresmidi": "apresmidi", "soir": "soir", "night": "soir",
                 "morning": "matin", "afternoon": "apresmidi", "evening": "soir"}
# Minutes after "10h " must not be the day of a date or the hour of another time.
_MIN_GUARD = (r"(?!\d)(?!\s*(?:[/.]\d|h\b|heures?\b|er\b|re\b|eme\b|st\b|nd\b|rd\b|th\b"
              r"|fois\b|times\b|jours?\b|days?\b|semaines?\b|weeks?\b|mois\b|months?\b"
              r"|seances?\b|reunions?\b|sessions?\b|meetings?\b|occurrences?\b"
              rf"|(?:{MON})\b))")
_NOT_AFTER_BARE = (rf"(?!\s*(?:h\b|heures?\b|[ap]\.?m\b|oclock\b|(?:{MON})\b|jours?\b|days?\b"
                   r"|semaines?\b|sem\b|weeks?\b|mois\b|months?\b|ans?\b|years?\b|fois\b"
                   r"|times\b|min|minutes?\b|mn\b|er\b|e\b|eme\b|st\b|nd\b|rd\b|th\b))")


def _time_rx(t: str) -> str:
    """A time of day; ``t`` suffixes the group names so one regex can hold two times."""
    return rf"""(?:
        (?P<h{t}>\d{{1,2}})\s*(?:heures?|h)(?![a-z])
            (?:\s*(?P<m{t}>\d{{1,2}}){_MIN_GUARD}(?:\s*(?:min(?:utes?)?|mn)\b)?)?
            (?:\s+(?P<q{t}>{_QUART}))?
      | (?P<hc{t}>\d{{1,2}}):(?P<mc{t}>\d{{2}})(?::00)?(?!\d)
            (?:\s*(?P<apc{t}>{_AMPM})|\s*(?:h|hrs?)\b)?
      | (?P<hd{t}>\d{{1,2}})\.(?P<md{t}>\d{{2}})(?!\.?\d)(?:\s*(?P<apd{t}>{_AMPM}))?
      | (?P<ha{t}>\d{{1,2}})\s*(?P<apa{t}>{_AMPM})
      | (?P<hw{t}>{_HW}|\d{{1,2}})\s+(?:heures?|oclock)
            (?:\s+(?P<qh{t}>{_QUART})|\s+(?P<mh{t}>{_MW})\b)?
      | (?P<ho{t}>\d{{1,2}})\s*oclock
      | (?:a\s+)?(?P<qe{t}>half|quarter)\s+(?P<qd{t}>past|to)\s+(?P<hq{t}>{_HW}|\d{{1,2}})\b
            (?:\s*(?P<apq{t}>{_AMPM}))?
      | (?P<w{t}>midi|minuit|noon|midday|midnight)
            (?:\s+(?P<qw{t}>{_QUART})|\s+(?P<mwd{t}>{_MW})\b)?
    )(?:\s+(?P<p{t}>{PERIOD_SUFFIX}))?"""


_SEP = r"-|a|to|jusqua|until|till|et|and"
_RANGE = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>de|from|entre|between)\s+)?
    {_time_rx("1")}\s*(?P<sep>{_SEP})\s*{_time_rx("2")}(?![\w:])""", re.X)
_RANGE_BARE = re.compile(rf"""(?<![\w/.:-])
    (?:(?P<pre>de|from|entre|between)\s+(?P<hb>\d{{1,2}})\s*(?P<sep>{_SEP})
      | (?P<hb2>\d{{1,2}})\s*(?P<sep2>-))
    \s*{_time_rx("2")}(?![\w:])""", re.X)
_TIME = re.compile(rf"(?<![\w/.:-]){_time_rx('')}(?![\w:])", re.X)
_AT_HOUR = re.compile(rf"""(?<![\w/.:-])(?P<at>a|at|vers|around|about|des)\s+
    (?P<hn>\d{{1,2}}|{_HW})(?![\w/.:-]){_NOT_AFTER_BARE}(?:\s+(?P<mn>{_MW})\b)?
    (?:\s+(?P<p>{PERIOD_SUFFIX}))?""", re.X)


@dataclass
class Time:
    hour: int
    minute: int
    ampm: str | None = None  # "am" / "pm" as written
    half: str | None = None  # "am" / "pm" from "du soir", "in the morning", a range's end
    part: DayPart | None = None  # the part of the day written with it ("8h du soir")
    midnight: bool = False  # the word, not "0h": whose day it ends is unclear
    bare: bool = False  # said the colloquial way ("à 9", "dix heures"): 1 to 7 are ambiguous
    maybe_date: bool = False  # "10.05" could be the 10th of May

    def label(self) -> str:
        if self.ampm:
            return f"{self.hour}:{self.minute:02d} {self.ampm}"
        return f"{self.hour:02d}:{self.minute:02d}"


def number(word: str) -> int:
    """A number written in digits or in words ("trois", "ten")."""
    return int(word) if word.isdigit() else words.NUMBERS[word]


def _quarter(found: Time, quarter: str) -> None:
    delta = 30 if "demi" in quarter else 15 if quarter.startswith("et") else -15
    total = found.hour * 60 + delta
    if total < 0:
        raise Unsure
    found.hour, found.minute = divmod(total, 60)


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
        # "2:30" (no leading zero, no am/pm) is how English writes 2:30 in the afternoon too
        found = Time(int(g("hc")), int(g("mc")), ampm=_ampm(g("apc")),
                     bare=len(g("hc")) == 1 and g("apc") is None)
    elif g("hd") is not None:
        hour, minute = int(g("hd")), int(g("md"))
        found = Time(hour, minute, ampm=_ampm(g("apd")),
                     maybe_date=g("apd") is None and minute <= 12 and 1 <= hour <= 31
                     and not re.search(r"\b(?:a|at|vers)\s*$", m.string[:m.start()]))
    elif g("ha") is not None:
        found = Time(int(g("ha")), 0, ampm=_ampm(g("apa")))
    elif g("hw") is not None:
        found, quarter = Time(number(g("hw")), _minutes(g("mh")), bare=True), g("qh")
    elif g("ho") is not None:
        found = Time(int(g("ho")), 0, bare=True)
    elif g("qe") is not None:
        found = Time(number(g("hq")), 0, bare=g("apq") is None, ampm=_ampm(g("apq")))
        quarter = "et demie" if g("qe") == "half" else (
            "et quart" if g("qd") == "past" else "moins le quart")
    else:
        quarter = g("qw")
        is_midnight = g("w") in ("minuit", "midnight")
        found = Time(0, 0, midnight=not quarter) if is_midnight else Time(12, _minutes(g("mwd")))
    if quarter:
        _quarter(found, quarter)
    _suffix(found, g("p"))
    return found


def _suffix(found: Time, suffix: str | None) -> None:
    if suffix:
        found.part = PLAIN[_SUFFIX_PARTS[suffix.split()[-1]]]
        found.half = found.part.half


def _minutes(word: str | None) -> int:
    return 0 if word is None else int(word) if word.isdigit() else _MINUTE_WORDS[word]


def _ampm(text: str | None) -> str | None:
    return None if text is None else ("am" if text.startswith("a") else "pm")


def clock(t: Time, part: DayPart | None) -> time:
    """The wall time, checking ranges; a part of the day turns "8h" into 20:00 ("ce soir 8h")
    and must contain the hour."""
    if t.part and part and t.part.half != part.half:
        raise Unsure
    part = t.part or part
    hour, minute = t.hour, t.minute
    half = t.half or (part.half if part else None)
    if t.ampm:
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if half and half != t.ampm:
            raise Unsure
        hour = hour % 12 + (12 if t.ampm == "pm" else 0)
    else:
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if t.bare and half is None:
            if hour == 0:
                raise Unsure
            if hour <= 7:
                raise WhenError("ambiguous", first=f"{hour:02d}:{minute:02d}",
                                second=f"{hour + 12:02d}:{minute:02d}")
        if half == "pm" and 1 <= hour < 12:
            hour += 12
        elif half == "am" and hour > 12:
            raise Unsure
    if part is not None and not part.hours[0] <= hour <= part.hours[1]:
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
    for m in scan.take(_AT_HOUR):
        bare = Time(number(m["hn"]), _minutes(m["mn"]), bare=True)
        _suffix(bare, m["p"])
        found.append((bare, None))
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
    pm_end = end.ampm == "pm" or (end.ampm is None and end.half == "pm")
    if not start.ampm and not start.half and (end.ampm or end.half):
        if pm_end and start.hour < 12:
            end_clock = clock(end, None)
            start.half = "pm" if (start.hour + 12, start.minute) < (
                end_clock.hour, end_clock.minute) else "am"
        elif end.ampm == "am" or end.half == "am":
            start.half = "am"
    return start, end


def day_part(periods: set[str]) -> DayPart | None:
    """The part of the day that "matin", "ce soir"… name, if any; two different ones are not
    understood."""
    parts = {PLAIN[p] for p in periods}
    if len(parts) > 1:
        raise Unsure
    return parts.pop() if parts else None
