"""Reading a recurrence: "tous les deux mois le premier mardi à 10h", "every other week on
Friday at 3pm", as an RFC 5545 RRULE and its first occurrence.

Recurrences start at the first matching moment strictly after now, and INTERVAL counts from
it: "tous les deux mois le premier mardi" said in late November starts on 1 December. "le 31"
skips months without a 31st (RFC 5545). A time range in a recurrence gives its start time only.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import datetime, time

from dateutil.rrule import rrulestr

from scheduler.when import dates, words
from scheduler.when.context import Context, local
from scheduler.when.days import ORD, PERIOD
from scheduler.when.errors import EXAMPLE_RULE_DAY, Unsure, WhenError
from scheduler.when.normalise import Scan, normalise
from scheduler.when.times import MON, NUM, clock, day_period, number, take_times

_WD = words.alternation(words.WEEKDAYS)
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
    rf"\b(?:une|un|one)\s+(?P<u>semaine|mois|week|month)\s+(?:sur|out\s+of)\s+(?P<n>{NUM})\b")
_R_EVERY_N = re.compile(rf"""\b(?:(?:tous|toutes)\s+les|every)\s+
    (?P<n>{NUM}|{words.alternation(_EVERY_WORDS)})\s+(?P<u>{_UNITS})\b""", re.X)
_R_EVERY = re.compile(rf"\b(?:(?:tous|toutes)\s+les|chaque|every|each)\s+(?P<u>{_UNITS})\b")
_R_ADJ = re.compile(rf"\b(?P<w>{words.alternation(_FREQ_WORDS)})\b")
_R_WORKDAYS = re.compile(r"""\b(?:du\s+lundi\s+au\s+vendredi|(?:from\s+)?monday\s+(?:to|through|-)
      \s+friday|en\s+semaine|(?:tous\s+les\s+|chaque\s+)?jours?\s+ouvr(?:ables?|es?)
    | (?:every\s+|on\s+)?(?:weekdays?|working\s+days?|business\s+days?))\b""", re.X)
_R_LAST_DAY = re.compile(
    rf"\b(?:le\s+|the\s+|on\s+the\s+)?(?:dernier|last)\s+(?:jour|day)\b(?:\s+{_EACH_MONTH}\b)?")
_R_NTH = re.compile(rf"""\b(?:(?:le|the|on\s+the|on)\s+)?(?P<ord>{ORD})\s+(?P<wd>{_WD})\b
    (?:\s+(?:(?P<each>{_EACH_MONTH})\b|(?:de|d|of|in)\s+(?P<mon>{MON})\b\.?))?""", re.X)
_R_MONTHDAY = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>le|the|on\s+the|on)\s+)?
    (?:(?P<d>\d{{1,2}})(?:\s*(?P<suf>er|re|ere|eme|e|st|nd|rd|th)\b)?|(?P<dw>premier|first))
    (?![\w/.:])(?:(?:\s+(?:de|of))?\s+(?P<mon>{MON})\b\.?)?
    (?:\s+(?P<each>{_EACH_MONTH})\b)?""", re.X)
_R_MONTH_FIRST = re.compile(rf"""\b(?:on\s+)?(?P<mon>{MON})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})
    (?:st|nd|rd|th|er)?(?![\w/.:])""", re.X)
_R_WEEKDAYS = re.compile(rf"""(?:\b(?P<pre>tous\s+les|toutes\s+les|chaque|every|each|les|le|on)
    \s+)?\b(?P<list>(?:{_WD})s?(?:(?:\s+(?:et|and|&|-))?\s+(?:le\s+|les\s+)?(?:{_WD})s?)*)\b""",
                         re.X)


@dataclass
class Rule:
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
            raise Unsure
        if self.freq and 1 not in (interval, self.interval) and interval != self.interval:
            raise Unsure
        self.freq = freq
        self.interval = max(interval, self.interval)

    def set_day(self, **kwargs: object) -> None:
        if self.nth or self.monthday is not None or self.weekdays:
            raise Unsure
        for key, value in kwargs.items():
            setattr(self, key, value)


def read_rule(scan: Scan, rule: Rule) -> None:
    """Frequency and days of a recurrence, each piece cut out of ``scan``."""
    for m in scan.take(_R_ONE_IN):
        rule.set_freq(_UNIT_FREQ[m["u"][0]], number(m["n"]))
    for m in scan.take(_R_EVERY_N):
        n = _EVERY_WORDS.get(m["n"]) or number(m["n"])
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
            raise (dates.impossible(day, month, None, m.group(0).strip()) if month else WhenError(
                "impossible_date", date_fr=f"le {day}", date_en=f"the {dates.ordinal_en(day)}"))
        rule.set_day(monthday=day, month=month)
        rule.monthly_hint |= bool(m["each"])
    for m in scan.take(_R_WEEKDAYS):
        names = re.findall(rf"(?:{_WD})s?", m["list"])
        plural = any(n not in words.WEEKDAYS for n in names)
        days = sorted({words.WEEKDAYS[n if n in words.WEEKDAYS else n[:-1]] for n in names})
        if rule.weekdays:
            raise Unsure
        rule.weekdays = days
        if plural or (m["pre"] or "").strip() not in ("", "le", "on"):
            rule.set_freq("WEEKLY", 1)


def rrule_text(rule: Rule, at: time) -> str:
    """The RRULE, after checking that frequency and days fit together."""
    freq = rule.freq or ("MONTHLY" if rule.monthly_hint else None)
    if freq is None:
        raise Unsure
    if rule.monthly_hint and freq != "MONTHLY":
        raise Unsure
    has_day = bool(rule.weekdays or rule.nth or rule.monthday is not None)
    if freq == "DAILY" and (has_day or rule.month):
        raise Unsure
    if freq == "WEEKLY" and (rule.nth or rule.monthday is not None or rule.month):
        raise Unsure
    if freq == "MONTHLY" and (rule.weekdays or rule.month):
        raise Unsure
    if freq == "YEARLY" and (rule.weekdays or (has_day and not rule.month)):
        raise Unsure
    if freq != "DAILY" and not has_day:
        raise WhenError("missing_day", **EXAMPLE_RULE_DAY)
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
    parts += [f"BYHOUR={at.hour}", f"BYMINUTE={at.minute}"]
    return ";".join(parts)


def recurrence(text: str, ctx: Context, default_time: time | None) -> tuple[datetime, str]:
    """The first occurrence and the RRULE; ``Unsure`` when a piece is not understood."""
    s = normalise(text)
    if not s:
        raise WhenError("empty")
    scan = Scan(s)
    start, _end = take_times(scan)  # a range's end is not part of an RRULE
    rule = Rule()
    read_rule(scan, rule)
    periods = {m["p"] for m in scan.take(PERIOD)}
    if scan.leftover():
        raise Unsure
    half, period_default = day_period(periods)
    if start is not None:
        at = clock(start, half)
        if start.midnight and rule.freq != "DAILY":
            raise WhenError("ambiguous", first="00:00", second="24:00")
    elif default_time is None:
        raise WhenError("missing_time")
    else:
        at = period_default or default_time
    text_rule = rrule_text(rule, at)
    return first_occurrence(text_rule, ctx), text_rule


def first_occurrence(text_rule: str, ctx: Context) -> datetime:
    """The earliest match after now (ignoring INTERVAL, so the series starts at the next
    match), then checked: the full rule started there must yield that very moment first."""
    search = ";".join(p for p in text_rule.split(";") if not p.startswith("INTERVAL="))
    start = ctx.now.astimezone(ctx.zone).replace(second=0, microsecond=0)
    first = rrulestr(search, dtstart=start).after(ctx.now)
    if first is None:
        raise Unsure
    first = local(first.date(), first.time(), ctx.zone)
    if next(iter(rrulestr(text_rule, dtstart=first))) != first or first <= ctx.now:
        raise Unsure
    return first
