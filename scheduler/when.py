"""Understanding a moment as people write it, in French or English.

``parse_when`` gives one aware datetime, ``parse_when_range`` a start and an end,
``parse_recurrence`` a first occurrence and an RFC 5545 RRULE. All refuse with ``WhenError``.

Why not dateparser alone: it gets common French forms wrong ("mardi prochain à 10h" → None,
"demain 9h" → the day after at 01:00, "jeudi 15h" → the 15th of a past month, "10h" as a
duration) and fills in what was not written ("décembre" → 28 December). So the text is normalised
(case, accents, dashes, apostrophes), then our own patterns take out each piece — times, ranges,
relative days, weekdays, dates — and every word must be understood: a leftover word is a refusal.
Month names are read by our table *and* by dateparser, which must agree. The result is checked
again before it is returned: strictly after ``now``, on every weekday, day, month, year and time
that was written. When unsure we refuse; we never return a guessed date silently.

Decisions (French usage first):

- A bare weekday ("mardi", "tuesday") and "mardi prochain" / "next tuesday" are the first such day
  strictly after today (1 to 7 days ahead): said on a Tuesday, "mardi" is next week's. For today
  write "ce mardi" / "this tuesday" (0 to 6 days ahead) or "aujourd'hui".
- "vendredi en huit" is the Friday one week after the coming Friday (8 to 14 days ahead), "en
  quinze" two weeks after it. "mardi de la semaine prochaine" / "tuesday next week" is the Tuesday
  of next calendar week (weeks run Monday to Sunday). "vendredi dernier" / "last friday" is past.
- "dans huit jours" / "dans quinze jours" (in words or digits) are one and two weeks, as in
  French; "in 15 days" is 15 days. "dans N jours/semaines/mois" give a day (time as written or the
  default); "dans N heures/minutes" is an instant to the minute (the seconds of now are
  dropped) and takes no other date or time. Every result is a whole minute.
- A time without a day ("10h") is today if still ahead, else tomorrow. A day is never moved
  because its time has passed: "aujourd'hui 10h" or "ce samedi 10h" at 17:00 are refused as past.
- A date without a year ("15 janvier", "15/01", "premier mardi de mars") is this year's if it is
  today or later; next year's if this year's passed more than ``RECENT_PAST_DAYS`` ago; refused as
  past if it passed less than that (most likely a slip). "le 15" is the next 15th (this month or a
  later one that has it).
- 24-hour clock unless am/pm or a period says otherwise ("8h du soir", "ce soir 8h" → 20:00):
  "3:00" is 03:00. "24h" is an impossible time. A period alone gives its own default time (matin
  09:00, après-midi 15:00, soir 18:00). "minuit" / "midnight" with a day is ambiguous (start or
  end of that day?) and refused; alone it is the coming midnight.
- Numeric dates are day first (15/01); dotted or dashed ones need a year (10.30 may be a time).
  A time range must end after it starts on the same day ("de 22h à 2h" is refused).
- In zones with DST a wall time skipped by the change is an impossible time; a repeated one is its
  first occurrence.
- Recurrences start at the first matching moment strictly after now, and INTERVAL counts from it:
  "tous les deux mois le premier mardi" said in late November starts on 1 December. "le 31" skips
  months without a 31st (RFC 5545). A time range in a recurrence gives its start time only.

``WhenError`` reasons and params (values are strings; dates "YYYY-MM-DD", times "HH:MM"):

- ``empty`` {}: nothing written.
- ``unrecognised`` {text, example_fr, example_en}: not understood; the examples do work.
- ``missing_day`` {example_fr, example_en}: a month, a week or a frequency but no day.
- ``missing_time`` {}: no time written and the caller gave no default time.
- ``past`` {date, time}: the moment is not after now.
- ``impossible_date`` {date_fr, date_en}: a date that does not exist ("30 février").
- ``impossible_time`` {time}: an hour or minute out of range as read ("25:00", "10:75",
  "13:00 pm"), or a wall time skipped by DST.
- ``weekday_mismatch`` {date, weekday_fr, weekday_en, written_fr, written_en}: ``date`` is really
  a ``weekday_*``, the text said ``written_*``.
- ``ambiguous`` {first, second}: two readings (two different dates or times, midnight).
- ``end_before_start`` {start, end}: a range whose end is not after its start.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from zoneinfo import ZoneInfo

import dateparser
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from scheduler import when_words as words

DEFAULT_TZ = "Africa/Bamako"
DEFAULT_TIME = time(10, 0)
RECENT_PAST_DAYS = 60
DATEPARSER_LANGUAGES = ["fr", "en"]

_EXAMPLE_WHEN = {"example_fr": "mardi prochain à 10h", "example_en": "next Tuesday at 10am"}
_EXAMPLE_DAY = {"example_fr": "le 15 janvier à 10h", "example_en": "January 15 at 10am"}
_EXAMPLE_RULE = {"example_fr": "tous les lundis à 9h", "example_en": "every Monday at 9am"}
_EXAMPLE_RULE_DAY = {"example_fr": "tous les mois le 15 à 10h",
                     "example_en": "every month on the 15th at 10am"}

_MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("Aucune date indiquée.", "No date given."),
    "unrecognised": ("Je n'ai pas compris « {text} » ; par exemple : « {example_fr} ».",
                     "I did not understand “{text}”; for example: “{example_en}”."),
    "missing_day": ("Précisez le jour, par exemple « {example_fr} ».",
                    "Please give the day, for example “{example_en}”."),
    "missing_time": ("Précisez l'heure, par exemple « à 10h ».",
                     "Please give the time, for example “at 10am”."),
    "past": ("Le {date} à {time} est déjà passé.", "{date} at {time} is in the past."),
    "impossible_date": ("La date « {date_fr} » n'existe pas.",
                        "The date “{date_en}” does not exist."),
    "impossible_time": ("L'heure « {time} » n'existe pas.", "The time “{time}” does not exist."),
    "weekday_mismatch": ("Le {date} est un {weekday_fr}, pas un {written_fr}.",
                         "{date} is a {weekday_en}, not a {written_en}."),
    "ambiguous": ("Ambigu : « {first} » ou « {second} » ? Merci de préciser.",
                  "Ambiguous: “{first}” or “{second}”? Please be more precise."),
    "end_before_start": ("La fin ({end}) doit être après le début ({start}).",
                         "The end ({end}) must be after the start ({start})."),
}
REASONS = frozenset(_MESSAGES)


class WhenError(ValueError):
    """A refused text: ``reason`` is a stable code, ``params`` plain strings for the catalogs."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params: dict[str, str] = {key: str(value) for key, value in params.items()}
        fr, en = _MESSAGES[reason]
        super().__init__(f"{fr.format_map(self.params)} / {en.format_map(self.params)}")


class _Unsure(Exception):
    """Raised deep inside; the public functions turn it into ``unrecognised`` with examples."""


# --- normalising -------------------------------------------------------------------------------

_PUNCT = str.maketrans({
    "’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‑": "-", "−": "-",
    ",": " ", ";": " ", "!": " ", "?": " ", "(": " ", ")": " ", '"': " ", "«": " ", "»": " ",
    "“": " ", "”": " ",
})
_CANON = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 "),
    (r"\baujourd\s*'?\s*hui\b|\bauj\b", "aujourdhui"),
    (r"\bapres[\s-]*demain\b|\b(?:the\s+)?day\s+after\s+tomorrow\b", "apresdemain"),
    (r"\bavant[\s-]*hier\b|\b(?:the\s+)?day\s+before\s+yesterday\b", "avanthier"),
    (r"\bapres[\s-]*midi\b|\baprem\b", "apresmidi"),
    (r"\bjusqu\s*'?\s*a\b", "jusqua"),
    (r"\b(?:une\s+)?demi[\s-]*heure\b|\bhalf\s+an\s+hour\b", "demiheure"),
    (r"'", " "),
    (r"\s+", " "),
)]


def _normalise(text: str) -> str:
    """Lower case, no accents, one kind of dash and apostrophe, no trailing punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().translate(_PUNCT)
    for rx, replacement in _CANON:
        s = rx.sub(replacement, s)
    return s.strip().rstrip(".:").strip()


class _Scan:
    """The text being read: each understood piece is cut out, leaving a ``¦`` that no pattern
    crosses, so pieces on either side of a removed one never join into a false phrase."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, rx: re.Pattern[str],
             accept: Callable[[re.Match[str]], bool] | None = None) -> list[re.Match[str]]:
        taken: list[re.Match[str]] = []
        parts: list[str] = []
        pos = 0
        for m in rx.finditer(self.text):
            if accept is not None and not accept(m):
                continue
            parts += [self.text[pos:m.start()], " ¦ "]
            pos = m.end()
            taken.append(m)
        self.text = "".join(parts) + self.text[pos:]
        return taken

    def leftover(self) -> list[str]:
        return [w for w in re.split(r"[\s¦]+", self.text) if w and w not in words.STOPWORDS]


# --- patterns ----------------------------------------------------------------------------------

_MON = words.alternation(words.MONTHS)
_WD = words.alternation(words.WEEKDAYS)
_ORD = words.alternation(words.ORDINALS)
_NUM = rf"\d{{1,3}}|{words.alternation(words.NUMBERS)}"
_AMPM = r"[ap]\.?m\b\.?"
_QUART = r"et\s+demie?|et\s+quart|moins\s+(?:le\s+)?quart"
_DAY_SUFFIX = r"(?:\s*(?:er|re|ere|eme|e|st|nd|rd|th)\b)?"
_PERIOD_SUFFIX = (r"du\s+matin|de\s+l\s+apresmidi|du\s+soir|at\s+night"
                  r"|in\s+the\s+(?:morning|afternoon|evening)")
# Minutes after "10h " must not be the day of a date or the hour of another time.
_MIN_GUARD = (r"(?!\d)(?!\s*(?:[/.]\d|h\b|heures?\b|er\b|re\b|eme\b|st\b|nd\b|rd\b|th\b"
              rf"|(?:{_MON})\b))")


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
    )(?:\s+(?P<p{t}>{_PERIOD_SUFFIX}))?"""


_SEP = r"-|a|to|jusqua|until|till|et|and"
_RANGE = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>de|from|entre|between)\s+)?
    {_time_rx("1")}\s*(?P<sep>{_SEP})\s*{_time_rx("2")}(?![\w:])""", re.X)
_RANGE_BARE = re.compile(rf"""(?<![\w/.:-])
    (?:(?P<pre>de|from|entre|between)\s+(?P<hb>\d{{1,2}})\s*(?P<sep>{_SEP})
      | (?P<hb2>\d{{1,2}})\s*(?P<sep2>-))
    \s*{_time_rx("2")}(?![\w:])""", re.X)
_TIME = re.compile(rf"(?<![\w/.:-]){_time_rx('')}(?![\w:])", re.X)

_IN_TIME = re.compile(rf"""\b(?:dans|in)\s+(?:
      (?P<n>{_NUM})\s*(?P<u>h|hrs?|heures?|hours?|min|mins|minutes?)(?![a-z])
        (?:\s*(?P<m>\d{{1,2}})(?:\s*min(?:utes?)?)?\b)?
    | (?P<half>demiheure))""", re.X)
_IN_DAYS = re.compile(rf"""\b(?:
      (?:dans|in|d\s+ici)\s+(?P<n>{_NUM})\s+(?P<u>jours?|semaines?|mois|ans?|annees?
                                             |days?|weeks?|months?|years?)
    | (?P<n2>{_NUM})\s+(?P<u2>days?|weeks?|months?|years?)\s+from\s+(?:now|today))\b""", re.X)
_ISO_DATE = re.compile(
    r"(?<![\d/.:-])(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d/.:-])")
_NUM_DATE = re.compile(r"""(?<![\d/.:-])(?P<d>\d{1,2})
    (?:/(?P<mo>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?
      | (?P<sep>[.-])(?P<mo2>\d{1,2})(?P=sep)(?P<y2>\d{4}|\d{2}))(?![\d/.:-])""", re.X)
_NTH_OF = re.compile(rf"""\b(?P<ord>{_ORD})\s+(?P<wd>{_WD})\s+(?:de|du|d|of|in)\s+(?:
      (?P<mon>{_MON})\b\.?(?:\s+(?P<y>\d{{4}}))?
    | (?:ce\s+|this\s+|the\s+)?(?:mois|month)(?P<next>\s+(?:prochain|suivant))?
    | (?P<next2>next)\s+month)\b""", re.X)
_DAY_MONTH = re.compile(rf"""(?<![\w/.:-])(?:(?P<d>\d{{1,2}}){_DAY_SUFFIX}|(?P<dw>premier|first))
    (?:\s+(?:de|of))?\s+(?P<mon>{_MON})\b\.?(?:\s+(?P<y>\d{{4}}))?(?![\w/.:])""", re.X)
_MONTH_DAY = re.compile(rf"""\b(?P<mon>{_MON})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})
    (?:st|nd|rd|th|er)?(?![\w/.:])(?:\s+(?P<y>\d{{4}}))?(?![\w/.:])""", re.X)
_WD_NEXT_WEEK = re.compile(
    rf"\b(?P<wd>{_WD})\s+(?:de\s+la\s+semaine\s+prochaine|(?:of\s+)?next\s+week)\b")
_WD_EN_HUIT = re.compile(rf"\b(?P<wd>{_WD})\s+en\s+(?P<n>huit|quinze)\b")
_WD_LAST = re.compile(rf"\b(?P<wd>{_WD})\s+(?:dernier|passe)\b|\b(?:last|past)\s+(?P<wd2>{_WD})\b")
_WD_THIS = re.compile(
    rf"\b(?:ce|this(?:\s+coming)?|coming)\s+(?P<wd>{_WD})\b|\b(?P<wd2>{_WD})\s+qui\s+vient\b")
_WD_NEXT = re.compile(rf"\b(?:prochain|next)\s+(?P<wd>{_WD})\b"
                      rf"|\b(?P<wd2>{_WD})\s+(?:prochain|next)\b")
_WD_DAYNUM = re.compile(
    rf"\b(?P<wd>{_WD})\s+(?:le\s+|the\s+)?(?P<d>\d{{1,2}})(?:er|re|st|nd|rd|th)?(?![\w/.:])")
_WD_BARE = re.compile(rf"\b(?P<wd>{_WD})\b")
_MONTHDAY = re.compile(rf"""(?<![\w/.:-])(?:
      (?:le|the|on\s+the)\s+(?:(?P<d>\d{{1,2}}){_DAY_SUFFIX}|(?P<dw>premier|first))
    | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)\b)(?![\w/.:])
    (?:\s+(?:du|de|of)\s+(?P<nm>mois\s+prochain|next\s+month|ce\s+mois|this\s+month))?""", re.X)
_REL_DAY = re.compile(r"\b(?P<w>aujourdhui|today|demain|tomorrow|apresdemain|hier|yesterday"
                      r"|avanthier|tonight)\b")
_THIS_PERIOD = re.compile(
    r"\b(?:ce|cet|cette|this)\s+(?P<p>matin|soir|apresmidi|morning|afternoon|evening)\b")
_PERIOD = re.compile(r"\b(?:le\s+|du\s+|dans\s+la\s+|in\s+the\s+)?"
                     r"(?P<p>matin|soir|soiree|apresmidi|morning|afternoon|evening)\b")
_NO_DAY = re.compile(rf"""\b(?:en\s+|in\s+)?(?:{_MON})\b\.?(?:\s+\d{{4}})?
    | \b(?:la\s+)?semaine\s+prochaine\b | \bnext\s+week\b | \b(?:le\s+)?mois\s+prochain\b
    | \bnext\s+month\b | \bcette\s+semaine\b | \bthis\s+week\b""", re.X)
_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                         r"(?:z|[+-]\d{2}:?\d{2})")

_REL_DAYS = {"aujourdhui": 0, "today": 0, "tonight": 0, "demain": 1, "tomorrow": 1,
             "apresdemain": 2, "hier": -1, "yesterday": -1, "avanthier": -2}
# A period of the day: which half of a 12-hour clock it means, and its time when none is written.
_PERIODS = {"matin": ("am", time(9)), "morning": ("am", time(9)),
            "apresmidi": ("pm", time(15)), "afternoon": ("pm", time(15)),
            "soir": ("pm", time(18)), "soiree": ("pm", time(18)), "evening": ("pm", time(18)),
            "tonight": ("pm", time(18))}


# --- times -------------------------------------------------------------------------------------

@dataclass
class _Time:
    hour: int
    minute: int
    ampm: str | None = None  # "am" / "pm" as written
    period: str | None = None  # "am" / "pm" from "du soir", "in the morning"
    midnight: bool = False  # the word, not "0h": whose day it ends is unclear

    def label(self) -> str:
        if self.ampm:
            return f"{self.hour}:{self.minute:02d} {self.ampm}"
        return f"{self.hour:02d}:{self.minute:02d}"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else words.NUMBERS[word]


def _read_time(m: re.Match[str], t: str) -> _Time:
    """The ``_time_rx(t)`` groups of ``m`` as hour and minute, not yet range-checked."""
    def g(name: str) -> str | None:
        return m.group(name + t)

    quarter = None
    if g("h") is not None:
        hour, minute, quarter = int(g("h")), int(g("m") or 0), g("q")
        if quarter and g("m"):
            raise _Unsure
        found = _Time(hour, minute)
    elif g("hc") is not None:
        found = _Time(int(g("hc")), int(g("mc")), ampm=_ampm(g("apc")))
    elif g("hd") is not None:
        found = _Time(int(g("hd")), int(g("md")), ampm=_ampm(g("apd")))
    elif g("ha") is not None:
        found = _Time(int(g("ha")), 0, ampm=_ampm(g("apa")))
    else:
        quarter = g("qw")
        is_midnight = g("w") in ("minuit", "midnight")
        found = _Time(0, 0, midnight=not quarter) if is_midnight else _Time(12, 0)
    if quarter:
        delta = 30 if "demi" in quarter else 15 if quarter.startswith("et") else -15
        total = found.hour * 60 + delta
        if total < 0:
            raise _Unsure
        found.hour, found.minute = divmod(total, 60)
    if g("p"):
        found.period = "am" if re.search(r"matin|morning", g("p") or "") else "pm"
    return found


def _ampm(text: str | None) -> str | None:
    return None if text is None else ("am" if text.startswith("a") else "pm")


def _clock(t: _Time, day_period: str | None) -> time:
    """The wall time, checking ranges; a period turns "8h" into 20:00 ("ce soir 8h")."""
    hour, minute = t.hour, t.minute
    period = t.period or day_period
    if t.ampm:
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if period and period != t.ampm:
            raise _Unsure
        hour = hour % 12 + (12 if t.ampm == "pm" else 0)
    else:
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise WhenError("impossible_time", time=t.label())
        if period == "pm" and 1 <= hour < 12:
            hour += 12
        elif period == "am" and hour > 12:
            raise _Unsure
    return time(hour, minute)


def _take_times(scan: _Scan) -> tuple[_Time | None, _Time | None]:
    """The written time or time range (start, end); two separate times are ambiguous."""
    found: list[tuple[_Time, _Time | None]] = []
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


def _range(m: re.Match[str], start: _Time | None) -> tuple[_Time, _Time]:
    """A range's two ends; a bare or unmarked start takes the end's am/pm when that fits."""
    end = _read_time(m, "2")
    sep = m.group("sep") or m.group("sep2")
    if sep in ("et", "and") and m.group("pre") not in ("entre", "between"):
        first = start.label() if start else m.group("hb")
        raise WhenError("ambiguous", first=first, second=end.label())
    if start is None:
        start = _Time(int(m.group("hb") or m.group("hb2")), 0)
    pm_end = end.ampm == "pm" or (end.ampm is None and end.period == "pm")
    if not start.ampm and not start.period and (end.ampm or end.period):
        if pm_end and start.hour < 12:
            end_clock = _clock(end, None)
            start.period = "pm" if (start.hour + 12, start.minute) < (
                end_clock.hour, end_clock.minute) else "am"
        elif end.ampm == "am" or end.period == "am":
            start.period = "am"
    return start, end


# --- days --------------------------------------------------------------------------------------

@dataclass
class _Context:
    now: datetime
    tz: str
    zone: ZoneInfo
    today: date


@dataclass
class _Found:
    """What the date part of a text said: candidate days and what they must match."""

    days: list[date] = field(default_factory=list)
    bare_weekday: int | None = None  # "mardi": a day only if nothing else gives one
    weekdays: list[int] = field(default_factory=list)  # every weekday written, to check
    written: list[tuple[int | None, int, int]] = field(default_factory=list)  # (year, month, day)
    periods: set[str] = field(default_factory=set)


def _date_fr(day: int, month: int, year: int | None) -> str:
    return f"{day} {words.MONTHS_FR[month - 1]}" + (f" {year}" if year else "")


def _date_en(day: int, month: int, year: int | None) -> str:
    return f"{words.MONTHS_EN[month - 1]} {day}" + (f", {year}" if year else "")


def _impossible(day: int, month: int, year: int | None, written: str) -> WhenError:
    if 1 <= month <= 12:
        return WhenError("impossible_date", date_fr=_date_fr(day, month, year),
                         date_en=_date_en(day, month, year))
    return WhenError("impossible_date", date_fr=written, date_en=written)


def _exact(year: int, month: int, day: int, written: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _impossible(day, month, year, written) from None


def _yearless(today: date, make: Callable[[int], date | None]) -> date:
    """This year's date if today or later, or passed so recently that it must be a slip (then
    the caller refuses it as past); else the first later year that has it."""
    for year in range(today.year, today.year + 9):
        candidate = make(year)
        if candidate is None:
            continue
        if candidate >= today or (year == today.year
                                  and (today - candidate).days <= RECENT_PAST_DAYS):
            return candidate
    raise _Unsure


def _day_month(today: date, day: int, month: int, year: int | None, written: str) -> date:
    if year is not None:
        return _exact(year, month, day, written)
    if not (1 <= month <= 12 and 1 <= day <= monthrange(2028, month)[1]):  # 2028: a leap year
        raise _impossible(day, month, None, written)

    def make(y: int) -> date | None:
        return date(y, month, day) if day <= monthrange(y, month)[1] else None

    return _yearless(today, make)


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> date | None:
    """The ``nth`` (1..5, or -1 for the last) ``weekday`` of a month; None if it has none."""
    if nth > 0:
        first = date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
        return date(year, month, day) if day <= monthrange(year, month)[1] else None
    last = date(year, month, monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _nth_label(nth: int, weekday: int, month: int, year: int | None) -> tuple[str, str]:
    fr_ord = "dernier" if nth < 0 else ("1er" if nth == 1 else f"{nth}e")
    en_ord = "last" if nth < 0 else _ordinal_en(nth)
    suffix = f" {year}" if year else ""
    return (f"{fr_ord} {words.WEEKDAYS_FR[weekday]} de {words.MONTHS_FR[month - 1]}{suffix}",
            f"{en_ord} {words.WEEKDAYS_EN[weekday]} of {words.MONTHS_EN[month - 1]}{suffix}")


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _add_months(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + d.month - 1 + months
    return total // 12, total % 12 + 1


def _next_monthday(today: date, day: int, next_month: bool) -> date:
    """"le 15": the next 15th from today on (a later month if this one has none)."""
    if not 1 <= day <= 31:
        raise WhenError("impossible_date", date_fr=f"le {day}", date_en=f"the {_ordinal_en(day)}")
    for step in range(1 if next_month else 0, 14):
        year, month = _add_months(today, step)
        if day <= monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        if next_month:
            raise _impossible(day, month, year, "")
    raise _Unsure


def _confirm_with_dateparser(ctx: _Context, day: int, month_word: str, expected: date) -> None:
    """Our month table and dateparser must read a month name the same way."""
    settings = dateparser_settings(ctx.now, ctx.tz)
    got = dateparser.parse(f"{day} {month_word} {expected.year}",
                           languages=DATEPARSER_LANGUAGES, settings=settings)
    if got is None or got.astimezone(ctx.zone).date() != expected:
        raise _Unsure


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _take_days(scan: _Scan, ctx: _Context, found: _Found) -> None:
    """Every way of naming a day, most specific first; each adds a candidate day."""
    today = ctx.today
    for m in scan.take(_IN_DAYS):
        n, unit = _number(m.group("n") or m.group("n2")), (m.group("u") or m.group("u2"))
        if unit.startswith("jour") and n in (8, 15):  # French "huit/quinze jours": 1/2 weeks
            n, unit = n - 1, "jours"
        if unit[0] in "jd":
            found.days.append(today + timedelta(days=n))
        elif unit[0] in "sw":
            found.days.append(today + timedelta(weeks=n))
        elif unit[0] == "m":
            found.days.append(today + relativedelta(months=n))
        else:
            found.days.append(today + relativedelta(years=n))
    for m in scan.take(_ISO_DATE):
        y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
        found.days.append(_exact(y, mo, d, m.group(0)))
        found.written.append((y, mo, d))
    for m in scan.take(_NUM_DATE):
        d, mo = int(m["d"]), int(m["mo"] or m["mo2"])
        y = m["y"] or m["y2"]
        year = None if y is None else int(y) + (2000 if len(y) == 2 else 0)
        found.days.append(_day_month(today, d, mo, year, m.group(0)))
        found.written.append((year, mo, d))
    for m in scan.take(_NTH_OF):
        found.days.append(_nth_of(ctx, m))
    for rx in (_DAY_MONTH, _MONTH_DAY):
        for m in scan.take(rx):
            d = 1 if ("dw" in rx.groupindex and m["dw"]) else int(m["d"])
            month_word = m["mon"]
            mo, year = words.MONTHS[month_word], (int(m["y"]) if m["y"] else None)
            day = _day_month(today, d, mo, year, m.group(0))
            _confirm_with_dateparser(ctx, d, month_word, day)
            found.days.append(day)
            found.written.append((year, mo, d))
    _take_weekdays(scan, today, found)
    for m in scan.take(_MONTHDAY):
        d = 1 if m["dw"] else int(m["d"] or m["d2"])
        following = m["nm"] or ""
        next_month = "prochain" in following or following.startswith("next")
        found.days.append(_next_monthday(today, d, next_month))
    for m in scan.take(_REL_DAY):
        found.days.append(today + timedelta(days=_REL_DAYS[m["w"]]))
        if m["w"] == "tonight":
            found.periods.add("tonight")
    for m in scan.take(_THIS_PERIOD):
        found.days.append(today)
        found.periods.add(m["p"])
    for m in scan.take(_PERIOD):
        found.periods.add(m["p"])
    if scan.take(_NO_DAY):  # "décembre", "la semaine prochaine": which day, though?
        if found.days:
            raise _Unsure
        raise WhenError("missing_day", **_EXAMPLE_DAY)


def _nth_of(ctx: _Context, m: re.Match[str]) -> date:
    """"le premier mardi de janvier", "last friday of the month"."""
    nth, weekday = words.ORDINALS[m["ord"]], words.WEEKDAYS[m["wd"]]
    if m["mon"]:
        month = words.MONTHS[m["mon"]]
        if m["y"]:
            year = int(m["y"])
            found = _nth_weekday(year, month, nth, weekday)
            if found is None:
                fr, en = _nth_label(nth, weekday, month, year)
                raise WhenError("impossible_date", date_fr=fr, date_en=en)
            return found
        return _nth_yearless(ctx.today, nth, weekday, month)
    next_month = bool(m["next"] or m["next2"])
    for step in range(1 if next_month else 0, 14):
        year, month = _add_months(ctx.today, step)
        found = _nth_weekday(year, month, nth, weekday)
        if found is not None and found >= ctx.today:
            return found
        if next_month:
            fr, en = _nth_label(nth, weekday, month, year)
            raise WhenError("impossible_date", date_fr=fr, date_en=en)
    raise _Unsure


def _nth_yearless(today: date, nth: int, weekday: int, month: int) -> date:
    """"premier mardi de mars" without a year: same rule as a day and month without a year."""
    year = today.year
    found = _nth_weekday(year, month, nth, weekday)
    if found is None:
        if date(year, month, monthrange(year, month)[1]) < today:
            year += 1
            found = _nth_weekday(year, month, nth, weekday)
    elif found < today and (today - found).days > RECENT_PAST_DAYS:
        year += 1
        found = _nth_weekday(year, month, nth, weekday)
    if found is None:
        fr, en = _nth_label(nth, weekday, month, year)
        raise WhenError("impossible_date", date_fr=fr, date_en=en)
    return found


def _take_weekdays(scan: _Scan, today: date, found: _Found) -> None:
    """Weekday phrases; a bare weekday only gives the day when nothing else does."""
    monday_next = today + timedelta(days=7 - today.weekday())
    for m in scan.take(_WD_NEXT_WEEK):
        wd = words.WEEKDAYS[m["wd"]]
        found.days.append(monday_next + timedelta(days=wd))
        found.weekdays.append(wd)
    for m in scan.take(_WD_EN_HUIT):
        wd = words.WEEKDAYS[m["wd"]]
        weeks = 1 if m["n"] == "huit" else 2
        found.days.append(_next_weekday(today, wd) + timedelta(weeks=weeks))
        found.weekdays.append(wd)
    for m in scan.take(_WD_LAST):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1))
        found.weekdays.append(wd)
    for m in scan.take(_WD_THIS):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(today + timedelta(days=(wd - today.weekday()) % 7))
        found.weekdays.append(wd)
    for m in scan.take(_WD_NEXT):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(_next_weekday(today, wd))
        found.weekdays.append(wd)
    for m in scan.take(_WD_DAYNUM):
        found.weekdays.append(words.WEEKDAYS[m["wd"]])
        found.days.append(_next_monthday(today, int(m["d"]), False))
    for m in scan.take(_WD_BARE):
        wd = words.WEEKDAYS[m["wd"]]
        found.weekdays.append(wd)
        if found.bare_weekday is not None and found.bare_weekday != wd:
            raise WhenError("ambiguous", first=words.WEEKDAYS_FR[found.bare_weekday],
                            second=words.WEEKDAYS_FR[wd])
        found.bare_weekday = wd


# --- building the answer -----------------------------------------------------------------------

def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall time in ``zone``; one skipped by a DST change does not exist."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise WhenError("impossible_time", time=clock.strftime("%H:%M"))
    return moment


def _context(now: datetime, tz: str) -> _Context:
    if now.tzinfo is None or now.utcoffset() is None:
        raise TypeError("now must be an aware datetime")
    zone = ZoneInfo(tz)
    return _Context(now=now, tz=tz, zone=zone, today=now.astimezone(zone).date())


def _day_period(found: _Found) -> tuple[str | None, time | None]:
    """The half of the day and default time that "matin", "ce soir"… imply, if any."""
    halves = {_PERIODS[p] for p in found.periods}
    if len(halves) > 1:
        raise _Unsure
    if not halves:
        return None, None
    half, default = halves.pop()
    return half, default


def _moment(text: str, ctx: _Context,
            default_time: time | None) -> tuple[datetime, datetime | None]:
    """Start and, when a range was written, end; shared by ``parse_when`` and the range."""
    s = _normalise(text)
    if not s:
        raise WhenError("empty")
    if _ISO_OFFSET.fullmatch(s):
        try:
            moment = datetime.fromisoformat(s.upper().replace(" ", "T")).astimezone(ctx.zone)
        except ValueError:
            raise _Unsure from None
        return _after_now(whole_minute(moment), ctx), None
    scan = _Scan(s)
    instants = scan.take(_IN_TIME)
    start, end = _take_times(scan)
    found = _Found()
    _take_days(scan, ctx, found)
    if scan.leftover():
        raise _Unsure
    if instants:
        if len(instants) > 1 or start or found.days or found.weekdays or found.periods:
            raise _Unsure
        m = instants[0]
        if m["half"]:
            delta = timedelta(minutes=30)
        else:
            n = _number(m["n"])
            minutes = n if m["u"].startswith("min") else n * 60 + int(m["m"] or 0)
            delta = timedelta(minutes=minutes)
        return _after_now(whole_minute((ctx.now + delta).astimezone(ctx.zone)), ctx), None

    half, period_default = _day_period(found)
    days = sorted(set(found.days))
    if len(days) > 1:
        raise WhenError("ambiguous", first=days[0].isoformat(), second=days[1].isoformat())
    if start is not None:
        clock = _clock(start, half)
    elif default_time is None:
        raise WhenError("missing_time")
    else:
        clock = period_default or default_time

    if days:
        day = days[0]
    elif found.bare_weekday is not None:
        day = _next_weekday(ctx.today, found.bare_weekday)
    elif start is not None:  # a time alone: the next such time
        day = ctx.today
        if start.midnight or _local(day, clock, ctx.zone) <= ctx.now:
            day += timedelta(days=1)
    else:
        raise _Unsure
    if start is not None and start.midnight and (days or found.bare_weekday is not None):
        raise WhenError("ambiguous", first=f"{day.isoformat()} 00:00",
                        second=f"{(day + timedelta(days=1)).isoformat()} 00:00")

    for wd in found.weekdays:
        if day.weekday() != wd:
            real = day.weekday()
            raise WhenError("weekday_mismatch", date=day.isoformat(),
                            weekday_fr=words.WEEKDAYS_FR[real], weekday_en=words.WEEKDAYS_EN[real],
                            written_fr=words.WEEKDAYS_FR[wd], written_en=words.WEEKDAYS_EN[wd])
    begin = _local(day, clock, ctx.zone)
    _check_written(begin, found, clock)
    begin = _after_now(begin, ctx)
    if end is None:
        return begin, None
    end_clock = _clock(end, half)
    if end.midnight or (end_clock.hour, end_clock.minute) <= (clock.hour, clock.minute):
        raise WhenError("end_before_start", start=clock.strftime("%H:%M"),
                        end=end_clock.strftime("%H:%M"))
    return begin, _local(day, end_clock, ctx.zone)


def _check_written(moment: datetime, found: _Found, clock: time) -> None:
    """The last look: the result shows every year, month, day and time that was written."""
    for year, month, day in found.written:
        if (moment.month, moment.day) != (month, day) or year not in (None, moment.year):
            raise _Unsure
    if (moment.hour, moment.minute) != (clock.hour, clock.minute):
        raise _Unsure


def whole_minute(moment: datetime) -> datetime:
    """``moment`` without its seconds: meetings and deadlines are set to the minute, so
    "dans 62 minutes" said at 02:18:13 is 03:20, shown and stored as 03:20, not 03:20:13."""
    return moment.replace(second=0, microsecond=0)


def _after_now(moment: datetime, ctx: _Context) -> datetime:
    if moment <= ctx.now:
        raise WhenError("past", date=moment.date().isoformat(), time=moment.strftime("%H:%M"))
    return moment


# --- public API ----------------------------------------------------------------------------------

def dateparser_settings(now: datetime, tz: str = DEFAULT_TZ) -> dict[str, object]:
    """The dateparser settings we rely on (also used by the bench for a fair comparison)."""
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": tz,
        "TO_TIMEZONE": tz,
        "RELATIVE_BASE": now.astimezone(ZoneInfo(tz)).replace(tzinfo=None),
    }


def warm_up() -> float:
    """Pay dateparser's first-call cost (loading its language data) now, e.g. at bot start-up;
    returns the seconds it took."""
    started = perf_counter()
    now = datetime.now(UTC)
    dateparser.parse("15 janvier 2027", languages=DATEPARSER_LANGUAGES,
                     settings=dateparser_settings(now))
    dateparser.parse("January 15 2027", languages=DATEPARSER_LANGUAGES,
                     settings=dateparser_settings(now))
    return perf_counter() - started


def parse_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
               default_time: time | None = DEFAULT_TIME) -> datetime:
    """The moment ``text`` names, aware in ``tz`` and strictly after ``now``; a range gives its
    start. A day without a time gets ``default_time`` (None: refuse with "missing_time")."""
    ctx = _context(now, tz)
    try:
        return _moment(text, ctx, default_time)[0]
    except _Unsure:
        raise WhenError("unrecognised", text=text.strip()[:80], **_EXAMPLE_WHEN) from None


def parse_when_range(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_duration: timedelta = timedelta(hours=2),
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, datetime]:
    """Start and end of "demain de 9h à 12h", "9h-12h", "from 9am to noon"; without an end
    written, the end is ``default_duration`` after the start."""
    if default_duration <= timedelta(0):
        raise ValueError("default_duration must be positive")
    ctx = _context(now, tz)
    try:
        start, end = _moment(text, ctx, default_time)
    except _Unsure:
        raise WhenError("unrecognised", text=text.strip()[:80], **_EXAMPLE_WHEN) from None
    if end is None:
        end = (start + default_duration).astimezone(ctx.zone)
    return start, end


# --- recurrences -------------------------------------------------------------------------------

_UNIT_FREQ = {"j": "DAILY", "d": "DAILY", "s": "WEEKLY", "w": "WEEKLY", "m": "MONTHLY",
              "a": "YEARLY", "y": "YEARLY"}
_FREQ_WORDS: dict[str, tuple[str, int]] = {
    "quotidien": ("DAILY", 1), "quotidienne": ("DAILY", 1), "daily": ("DAILY", 1),
    "hebdomadaire": ("WEEKLY", 1), "hebdo": ("WEEKLY", 1), "weekly": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2),
    "mensuel": ("MONTHLY", 1), "mensuelle": ("MONTHLY", 1), "monthly": ("MONTHLY", 1),
    "bimestriel": ("MONTHLY", 2), "bimestrielle": ("MONTHLY", 2),
    "trimestriel": ("MONTHLY", 3), "trimestrielle": ("MONTHLY", 3), "quarterly": ("MONTHLY", 3),
    "semestriel": ("MONTHLY", 6), "semestrielle": ("MONTHLY", 6),
    "annuel": ("YEARLY", 1), "annuelle": ("YEARLY", 1), "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_EVERY_WORDS = {"other": 2, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_UNITS = r"jours?|semaines?|mois|ans?|annees?|days?|weeks?|months?|years?"
_EACH_MONTH = r"(?:de\s+chaque|du|of\s+every|of\s+each|of\s+the)\s+(?:mois|month)"

_R_ONE_IN = re.compile(
    rf"\b(?:une|un|one)\s+(?P<u>semaine|mois|week|month)\s+(?:sur|out\s+of)\s+(?P<n>{_NUM})\b")
_R_EVERY_N = re.compile(rf"""\b(?:(?:tous|toutes)\s+les|every)\s+
    (?P<n>{_NUM}|{words.alternation(_EVERY_WORDS)})\s+(?P<u>{_UNITS})\b""", re.X)
_R_EVERY = re.compile(rf"\b(?:(?:tous|toutes)\s+les|chaque|every|each)\s+(?P<u>{_UNITS})\b")
_R_ADJ = re.compile(rf"\b(?P<w>{words.alternation(_FREQ_WORDS)})\b")
_R_WORKDAYS = re.compile(r"""\b(?:du\s+lundi\s+au\s+vendredi|(?:from\s+)?monday\s+(?:to|through|-)
      \s+friday|en\s+semaine|(?:tous\s+les\s+|chaque\s+)?jours?\s+ouvr(?:ables?|es?)
    | (?:every\s+|on\s+)?(?:weekdays?|working\s+days?|business\s+days?))\b""", re.X)
_R_LAST_DAY = re.compile(
    rf"\b(?:le\s+|the\s+|on\s+the\s+)?(?:dernier|last)\s+(?:jour|day)\b(?:\s+{_EACH_MONTH}\b)?")
_R_NTH = re.compile(rf"""\b(?:(?:le|the|on\s+the|on)\s+)?(?P<ord>{_ORD})\s+(?P<wd>{_WD})\b
    (?:\s+(?:(?P<each>{_EACH_MONTH})\b|(?:de|d|of|in)\s+(?P<mon>{_MON})\b\.?))?""", re.X)
_R_MONTHDAY = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>le|the|on\s+the|on)\s+)?
    (?:(?P<d>\d{{1,2}})(?:\s*(?P<suf>er|re|ere|eme|e|st|nd|rd|th)\b)?|(?P<dw>premier|first))
    (?![\w/.:])(?:(?:\s+(?:de|of))?\s+(?P<mon>{_MON})\b\.?)?
    (?:\s+(?P<each>{_EACH_MONTH})\b)?""", re.X)
_R_MONTH_FIRST = re.compile(rf"""\b(?:on\s+)?(?P<mon>{_MON})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})
    (?:st|nd|rd|th|er)?(?![\w/.:])""", re.X)
_R_WEEKDAYS = re.compile(rf"""(?:\b(?P<pre>tous\s+les|toutes\s+les|chaque|every|each|les|le|on)
    \s+)?\b(?P<list>(?:{_WD})s?(?:(?:\s+(?:et|and|&|-))?\s+(?:le\s+|les\s+)?(?:{_WD})s?)*)\b""",
                         re.X)


@dataclass
class _Rule:
    freq: str | None = None
    interval: int = 1
    weekdays: list[int] = field(default_factory=list)
    nth: tuple[int, int] | None = None  # (n, weekday)
    monthday: int | None = None
    month: int | None = None
    monthly_hint: bool = False  # "de chaque mois", "of the month"

    def set_freq(self, freq: str, interval: int) -> None:
        """Said twice is fine if it agrees; a plain "every week" is implied by "every other"."""
        if not 1 <= interval <= 99 or self.freq not in (None, freq):
            raise _Unsure
        if self.freq and 1 not in (interval, self.interval) and interval != self.interval:
            raise _Unsure
        self.freq = freq
        self.interval = max(interval, self.interval)

    def set_day(self, **kwargs: object) -> None:
        if self.nth or self.monthday is not None or self.weekdays:
            raise _Unsure
        for key, value in kwargs.items():
            setattr(self, key, value)


def _read_rule(scan: _Scan, rule: _Rule) -> None:
    """Frequency and days of a recurrence, each piece cut out of ``scan``."""
    for m in scan.take(_R_ONE_IN):
        rule.set_freq(_UNIT_FREQ[m["u"][0]], _number(m["n"]))
    for m in scan.take(_R_EVERY_N):
        n = _EVERY_WORDS.get(m["n"]) or _number(m["n"])
        freq = _UNIT_FREQ[m["u"][0]]
        if freq == "DAILY" and n in (8, 15) and m["u"].startswith("jour"):  # "tous les 15 jours"
            freq, n = "WEEKLY", n // 7
        rule.set_freq(freq, n)
    for m in scan.take(_R_EVERY):
        rule.set_freq(_UNIT_FREQ[m["u"][0]], 1)
    for m in scan.take(_R_ADJ):
        rule.set_freq(*_FREQ_WORDS[m["w"]])
    for _ in scan.take(_R_WORKDAYS):
        rule.set_freq("WEEKLY", 1)
        rule.set_day(weekdays=[0, 1, 2, 3, 4])
    for _ in scan.take(_R_LAST_DAY):
        rule.set_day(monthday=-1)
        rule.monthly_hint = True
    for m in scan.take(_R_NTH):
        rule.set_day(nth=(words.ORDINALS[m["ord"]], words.WEEKDAYS[m["wd"]]))
        rule.monthly_hint |= bool(m["each"])
        if m["mon"]:
            rule.month = words.MONTHS[m["mon"]]
    for m in scan.take(_R_MONTH_FIRST):
        rule.set_day(monthday=int(m["d"]), month=words.MONTHS[m["mon"]])
    for m in scan.take(_R_MONTHDAY, lambda m: bool(m["pre"] or m["suf"] or m["dw"] or m["mon"])):
        day = 1 if m["dw"] else int(m["d"])
        month = words.MONTHS[m["mon"]] if m["mon"] else None
        if not 1 <= day <= (monthrange(2028, month)[1] if month else 31):
            raise (_impossible(day, month, None, m.group(0).strip()) if month else WhenError(
                "impossible_date", date_fr=f"le {day}", date_en=f"the {_ordinal_en(day)}"))
        rule.set_day(monthday=day, month=month)
        rule.monthly_hint |= bool(m["each"])
    for m in scan.take(_R_WEEKDAYS):
        names = re.findall(rf"(?:{_WD})s?", m["list"])
        plural = any(n not in words.WEEKDAYS for n in names)
        days = sorted({words.WEEKDAYS[n if n in words.WEEKDAYS else n[:-1]] for n in names})
        if rule.weekdays:
            raise _Unsure
        rule.weekdays = days
        if plural or (m["pre"] or "").strip() not in ("", "le", "on"):
            rule.set_freq("WEEKLY", 1)


def _rrule_text(rule: _Rule, clock: time) -> str:
    """The RRULE, after checking that frequency and days fit together."""
    freq = rule.freq or ("MONTHLY" if rule.monthly_hint else None)
    if freq is None:
        raise _Unsure
    if rule.monthly_hint and freq != "MONTHLY":
        raise _Unsure
    has_day = bool(rule.weekdays or rule.nth or rule.monthday is not None)
    if freq == "DAILY" and (has_day or rule.month):
        raise _Unsure
    if freq == "WEEKLY" and (rule.nth or rule.monthday is not None or rule.month):
        raise _Unsure
    if freq == "MONTHLY" and (rule.weekdays or rule.month):
        raise _Unsure
    if freq == "YEARLY" and (rule.weekdays or (has_day and not rule.month)):
        raise _Unsure
    if freq != "DAILY" and not has_day:
        raise WhenError("missing_day", **_EXAMPLE_RULE_DAY)
    parts = [f"FREQ={freq}"]
    if rule.interval > 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.month:
        parts.append(f"BYMONTH={rule.month}")
    if rule.monthday is not None:
        parts.append(f"BYMONTHDAY={rule.monthday}")
    if rule.nth:
        parts.append(f"BYDAY={rule.nth[0]}{words.RRULE_DAYS[rule.nth[1]]}")
    if rule.weekdays:
        parts.append("BYDAY=" + ",".join(words.RRULE_DAYS[d] for d in rule.weekdays))
    parts += [f"BYHOUR={clock.hour}", f"BYMINUTE={clock.minute}"]
    return ";".join(parts)


def parse_recurrence(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, str]:
    """The first occurrence strictly after ``now`` (aware, in ``tz``) and the RRULE (without
    "RRULE:") of "tous les deux mois le premier mardi à 10h", "every other week on Friday at
    3pm"… The series starts at the first matching moment; INTERVAL counts from there."""
    ctx = _context(now, tz)
    s = _normalise(text)
    if not s:
        raise WhenError("empty")
    try:
        scan = _Scan(s)
        start, _end = _take_times(scan)  # a range's end is not part of an RRULE
        rule = _Rule()
        _read_rule(scan, rule)
        periods = {m["p"] for m in scan.take(_PERIOD)}
        if scan.leftover():
            raise _Unsure
        half, period_default = _day_period(_Found(periods=periods))
        if start is not None:
            clock = _clock(start, half)
            if start.midnight and rule.freq != "DAILY":
                raise WhenError("ambiguous", first="00:00", second="24:00")
        elif default_time is None:
            raise WhenError("missing_time")
        else:
            clock = period_default or default_time
        text_rule = _rrule_text(rule, clock)
        return _first_occurrence(text_rule, ctx), text_rule
    except _Unsure:
        raise WhenError("unrecognised", text=text.strip()[:80], **_EXAMPLE_RULE) from None


def _first_occurrence(text_rule: str, ctx: _Context) -> datetime:
    """The earliest match after now (ignoring INTERVAL, so the series starts at the next
    match), then checked: the full rule started there must yield that very moment first."""
    search = ";".join(p for p in text_rule.split(";") if not p.startswith("INTERVAL="))
    start = ctx.now.astimezone(ctx.zone).replace(second=0, microsecond=0)
    first = rrulestr(search, dtstart=start).after(ctx.now)
    if first is None:
        raise _Unsure
    first = _local(first.date(), first.time(), ctx.zone)
    if next(iter(rrulestr(text_rule, dtstart=first))) != first or first <= ctx.now:
        raise _Unsure
    return first
