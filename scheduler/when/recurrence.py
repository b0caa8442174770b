"""Reading the rule of a recurrence: its frequency, interval and days, as an RFC 5545 RRULE.

"tous les deux mois le premier mardi", "un jeudi sur deux", "les 1er et 3e mardis du mois",
"le dernier vendredi de chaque trimestre" (calendar quarters: March, June, September, December),
"every other Wednesday", "the 1st and 15th of each month". "every second Tuesday" could be every
other Tuesday or the 2nd Tuesday of each month: refused as ambiguous. "le 31" skips months
without a 31st (RFC 5545). The start, the end and the months skipped are read by ``series``.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import time

from scheduler.when import dates, words
from scheduler.when.days import WD
from scheduler.when.errors import EXAMPLE_RULE_DAY, Unsure, WhenError
from scheduler.when.normalise import Scan
from scheduler.when.times import MON, NUM, number

_UNIT_FREQ = {"j": "DAILY", "d": "DAILY", "s": "WEEKLY", "w": "WEEKLY", "m": "MONTHLY",
              "a": "YEARLY", "y": "YEARLY"}
_FREQ_WORDS: dict[str, tuple[str, int]] = {
    "quotidien": ("DAILY", 1), "quotidienne": ("DAILY", 1), "daily": ("DAILY", 1),
    "hebdomadaire": ("WEEKLY", 1), "hebdo": ("WEEKLY", 1), "weekly": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2), "bimensuel": ("WEEKLY", 2), "bimensuelle": ("WEEKLY", 2),
    "mensuel": ("MONTHLY", 1), "mensuelle": ("MONTHLY", 1), "monthly": ("MONTHLY", 1),
    "bimestriel": ("MONTHLY", 2), "bimestrielle": ("MONTHLY", 2), "bimonthly": ("MONTHLY", 2),
    "trimestriel": ("MONTHLY", 3), "trimestrielle": ("MONTHLY", 3), "quarterly": ("MONTHLY", 3),
    "semestriel": ("MONTHLY", 6), "semestrielle": ("MONTHLY", 6),
    "annuel": ("YEARLY", 1), "annuelle": ("YEARLY", 1), "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_EVERY_WORDS = {"other": 2, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_UNITS = r"jours?|semaines?|mois|ans?|annees?|days?|weeks?|months?|years?|quinzaine|fortnight"
_EACH_MONTH = r"(?:de\s+chaque|du|of\s+every|of\s+each|of\s+the|each|every|a|per)\s+(?:mois|month)"
_EACH_QUARTER = (r"(?:de\s+chaque|du|of\s+every|of\s+each|of\s+the|each|every)\s+"
                 r"(?:trimestre|quarter)")
# Ordinals said in the plural: « les premiers lundis du mois ».
_PLURAL_ORD = {"premiers": 1, "premieres": 1, "deuxiemes": 2, "troisiemes": 3, "quatriemes": 4,
               "derniers": -1, "dernieres": -1}
_ORDS = {**words.ORDINALS, **_PLURAL_ORD}
_ORD = words.alternation(_ORDS)
_EACH = r"(?:le|les|the|on\s+the|on|chaque|every|each|tous\s+les|toutes\s+les)"

_R_ONE_IN = re.compile(
    rf"\b(?:une|un|one)\s+(?P<u>semaine|mois|week|month)\s+(?:sur|out\s+of)\s+(?P<n>{NUM})\b")
_R_WD_ONE_IN = re.compile(
    rf"\b(?:une|un|one|1)\s+(?P<wd>{WD})\s+(?:sur|out\s+of)\s+(?P<n>{NUM})\b")
_R_QUARTERLY = re.compile(r"\b(?:(?:tous|toutes)\s+les|chaque|every|each|once\s+a|une\s+fois\s+par)"
                          r"\s+(?:trimestres?|quarters?)\b")
_R_EVERY_NTH_WD = re.compile(rf"""\b(?:every|each|tous\s+les|toutes\s+les)\s+
    (?P<n>other|second|2nd|third|3rd|fourth|4th|deux|trois|quatre)\s+(?P<wd>{WD})s?\b
    (?!\s+(?:of|in|du|de|d)\b)""", re.X)
_R_EVERY_N = re.compile(rf"""\b(?:(?:tous|toutes)\s+les|every)\s+
    (?P<n>{NUM}|{words.alternation(_EVERY_WORDS)})\s+(?P<u>{_UNITS})\b""", re.X)
_R_EVERY = re.compile(rf"""\b(?:(?:tous|toutes)\s+les|chaque|every|each|once\s+a|une\s+fois\s+par
    |(?:tous|toutes)\s+les|once\s+(?:every|per))\s+(?P<u>{_UNITS})\b""", re.X)
_R_ADJ = re.compile(rf"\b(?P<w>{words.alternation(_FREQ_WORDS)})\b")
_R_WORKDAYS = re.compile(r"""\b(?:du\s+lundi\s+au\s+vendredi|(?:from\s+)?monday\s+(?:to|through|-)
      \s+friday|en\s+semaine|(?:tous\s+les\s+|chaque\s+)?jours?\s+ouvr(?:ables?|es?)
    | (?:every\s+|on\s+)?(?:weekdays?|working\s+days?|business\s+days?))\b""", re.X)
_R_WORKDAY_OF = re.compile(rf"""\b(?:{_EACH}\s+)?(?P<ord>premier|dernier|first|last)\s+
    (?:jour\s+ouvr(?:e|able)|working\s+day|business\s+day|weekday)\b
    (?:\s+(?:(?P<each>{_EACH_MONTH})|(?P<quarter>{_EACH_QUARTER}))\b)?""", re.X)
_R_LAST_DAY = re.compile(rf"""\b(?:{_EACH}\s+)?(?:dernier|last)\s+(?:jour|day)\b
    (?:\s+(?:(?P<each>{_EACH_MONTH})|(?P<quarter>{_EACH_QUARTER}))\b)?""", re.X)
_R_ORD_LIST = re.compile(rf"""\b(?:{_EACH}\s+)?
    (?P<ords>(?:{_ORD})(?:\s*(?:,|et|and|&)\s*(?:le\s+|the\s+)?(?:{_ORD}))+)\s+(?P<wd>{WD})s?\b
    (?:\s+(?P<each>{_EACH_MONTH})\b)?""", re.X)
_R_NTH = re.compile(rf"""\b(?:{_EACH}\s+)?(?P<ord>{_ORD})\s+(?P<wd>{WD})s?\b
    (?:\s+(?:(?P<each>{_EACH_MONTH})\b|(?P<quarter>{_EACH_QUARTER})\b
            |(?:de|d|of|in)\s+(?P<mon>{MON})\b))?""", re.X)
_DAYNUM = r"(?:\d{1,2}(?:\s*(?:er|re|ere|eme|e|st|nd|rd|th)\b)?|premier|first)"
_R_MONTHDAYS = re.compile(rf"""(?<![\w/.:-])(?:{_EACH}\s+)?(?P<list>{_DAYNUM}
    (?:\s*(?:,|et|and|&)\s*(?:le\s+|the\s+)?{_DAYNUM})+)(?![\w/.:])
    (?:\s+(?P<each>{_EACH_MONTH})\b)?""", re.X)
_R_MONTHDAY = re.compile(rf"""(?<![\w/.:-])(?:(?P<pre>le|the|on\s+the|on|tous\s+les|chaque|every
                                                    |each)\s+)?
    (?:(?P<d>\d{{1,2}})(?:\s*(?P<suf>er|re|ere|eme|e|st|nd|rd|th)\b)?|(?P<dw>premier|first))
    (?![\w/.:])(?:(?:\s+(?:de|of))?\s+(?P<mon>{MON})\b\.?)?
    (?:\s+(?:(?P<each>{_EACH_MONTH})|(?P<quarter>{_EACH_QUARTER}))\b)?""", re.X)
_R_MONTH_FIRST = re.compile(rf"""\b(?:on\s+)?(?P<mon>{MON})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})
    (?:st|nd|rd|th|er)?(?![\w/.:])""", re.X)
_R_WEEKDAYS = re.compile(rf"""(?:\b(?P<pre>tous\s+les|toutes\s+les|chaque|every|each|les|le|on)
    \s+)?\b(?P<list>(?:{WD})s?(?:(?:\s+(?:et|and|&|-))?\s+(?:le\s+|les\s+)?(?:{WD})s?)*)\b""",
                         re.X)


@dataclass
class Rule:
    freq: str | None = None
    interval: int = 1
    weekdays: list[int] = field(default_factory=list)
    nths: list[tuple[int, int]] = field(default_factory=list)  # (n, weekday)
    monthdays: list[int] = field(default_factory=list)
    month: int | None = None
    months: list[int] = field(default_factory=list)  # BYMONTH of a quarter: 3, 6, 9, 12
    excluded: set[int] = field(default_factory=set)  # « sauf en août »
    quarter: bool = False  # "de chaque trimestre": calendar quarters
    monthly_hint: bool = False  # "de chaque mois", "of the month"
    setpos: int | None = None  # « le dernier jour ouvré du mois »: BYSETPOS of Monday–Friday

    def set_freq(self, freq: str, interval: int) -> None:
        """Said twice is fine if it agrees; a plain "every week" is implied by "every other"."""
        if not 1 <= interval <= 99 or self.freq not in (None, freq):
            raise Unsure
        if self.freq and 1 not in (interval, self.interval) and interval != self.interval:
            raise Unsure
        self.freq = freq
        self.interval = max(interval, self.interval)

    def has_day(self) -> bool:
        return bool(self.nths or self.monthdays or self.weekdays)

    def set_day(self, **kwargs: object) -> None:
        if self.has_day():
            raise Unsure
        for key, value in kwargs.items():
            setattr(self, key, value)


def _monthday(day: int, month: int | None, written: str) -> int:
    if not 1 <= day <= (monthrange(2028, month)[1] if month else 31):
        raise (dates.impossible(day, month, None, written) if month else WhenError(
            "impossible_date", date_fr=f"le {day}", date_en=f"the {dates.ordinal_en(day)}"))
    return day


def read_rule(scan: Scan, rule: Rule) -> None:
    """Frequency and days of a recurrence, each piece cut out of ``scan``."""
    for m in scan.take(_R_WORKDAY_OF):
        rule.set_day(weekdays=[0, 1, 2, 3, 4], setpos=1 if m["ord"] in ("premier", "first") else -1)
        rule.monthly_hint = True
        rule.quarter |= bool(m["quarter"])
    for _ in scan.take(_R_WORKDAYS):
        rule.set_freq("WEEKLY", 1)
        rule.set_day(weekdays=[0, 1, 2, 3, 4])
    for _ in scan.take(_R_QUARTERLY):
        rule.quarter = True
    for m in scan.take(_R_WD_ONE_IN):
        rule.set_freq("WEEKLY", number(m["n"]))
        rule.set_day(weekdays=[words.WEEKDAYS[m["wd"]]])
    for m in scan.take(_R_EVERY_NTH_WD):
        n = _EVERY_WORDS.get(m["n"]) or number(m["n"])
        if m["n"] not in ("other", "deux", "trois", "quatre"):  # "every second Tuesday"
            label = dates.ordinal_en(n)
            raise WhenError("ambiguous", first=f"every {n} weeks",
                            second=f"the {label} {words.WEEKDAYS_EN[words.WEEKDAYS[m['wd']]]}"
                                   " of the month")
        rule.set_freq("WEEKLY", n)
        rule.set_day(weekdays=[words.WEEKDAYS[m["wd"]]])
    for m in scan.take(_R_ONE_IN):
        rule.set_freq(_UNIT_FREQ[m["u"][0]], number(m["n"]))
    for m in scan.take(_R_EVERY_N):
        n = _EVERY_WORDS.get(m["n"]) or number(m["n"])
        unit = m["u"]
        freq = "WEEKLY" if unit in ("quinzaine", "fortnight") else _UNIT_FREQ[unit[0]]
        n *= 2 if unit in ("quinzaine", "fortnight") else 1
        if freq == "DAILY" and n in (8, 15) and unit.startswith("jour"):  # "tous les 15 jours"
            freq, n = "WEEKLY", n // 7
        rule.set_freq(freq, n)
    for m in scan.take(_R_EVERY):
        unit = m["u"]
        fortnight = unit in ("quinzaine", "fortnight")
        rule.set_freq("WEEKLY" if fortnight else _UNIT_FREQ[unit[0]], 2 if fortnight else 1)
    for m in scan.take(_R_ADJ):
        rule.set_freq(*_FREQ_WORDS[m["w"]])
    for m in scan.take(_R_LAST_DAY):
        rule.set_day(monthdays=[-1])
        rule.monthly_hint = True
        rule.quarter |= bool(m["quarter"])
    for m in scan.take(_R_ORD_LIST):
        wd = words.WEEKDAYS[m["wd"]]
        nths = [(_ORDS[o], wd) for o in re.findall(_ORD, m["ords"])]
        rule.set_day(nths=sorted(set(nths), key=lambda n: (n[0] < 0, n[0])))
        rule.monthly_hint = True
    for m in scan.take(_R_NTH):
        rule.set_day(nths=[(_ORDS[m["ord"]], words.WEEKDAYS[m["wd"]])])
        rule.monthly_hint |= bool(m["each"])
        rule.quarter |= bool(m["quarter"])
        if m["mon"]:
            rule.month = words.MONTHS[m["mon"]]
    for m in scan.take(_R_MONTH_FIRST):
        month = words.MONTHS[m["mon"]]
        rule.set_day(monthdays=[_monthday(int(m["d"]), month, m.group(0))], month=month)
    for m in scan.take(_R_MONTHDAYS):
        found = [1 if d in ("premier", "first") else int(re.match(r"\d+", d)[0])
                 for d in re.findall(_DAYNUM, m["list"])]
        rule.set_day(monthdays=sorted({_monthday(d, None, m.group(0)) for d in found}))
        rule.monthly_hint = True
    for m in scan.take(_R_MONTHDAY, lambda m: bool(m["pre"] or m["suf"] or m["dw"] or m["mon"])):
        month = words.MONTHS[m["mon"]] if m["mon"] else None
        day = _monthday(1 if m["dw"] else int(m["d"]), month, m.group(0).strip())
        rule.set_day(monthdays=[day], month=month)
        rule.monthly_hint |= bool(m["each"])
        rule.quarter |= bool(m["quarter"])
    for m in scan.take(_R_WEEKDAYS):
        names = re.findall(rf"(?:{WD})s?", m["list"])
        plural = any(n not in words.WEEKDAYS for n in names)
        days = sorted({words.WEEKDAYS[n if n in words.WEEKDAYS else n[:-1]] for n in names})
        if rule.weekdays:
            raise Unsure
        rule.weekdays = days
        if plural or (m["pre"] or "").strip() not in ("", "le", "on"):
            rule.set_freq("WEEKLY", 1)


def _quarter_months(rule: Rule) -> list[int] | None:
    """A quarter's first months for "le premier lundi de chaque trimestre", its last months for
    "le dernier vendredi…" / "le dernier jour…"; otherwise (« chaque trimestre le 15 ») every
    three months from the first occurrence (None)."""
    last = [n for n, _ in rule.nths] == [-1] or rule.monthdays == [-1] or rule.setpos == -1
    first = ((rule.nths and all(n > 0 for n, _ in rule.nths)) or rule.monthdays == [1]
             or rule.setpos == 1)
    if rule.freq not in (None, "MONTHLY") or rule.interval != 1:
        raise Unsure
    if not (last or first):
        return None
    return [3, 6, 9, 12] if last else [1, 4, 7, 10]


def rrule_text(rule: Rule, at: time) -> str:
    """The RRULE (without COUNT), after checking that frequency and days fit together."""
    if rule.quarter:
        months = _quarter_months(rule)
        if months is None:
            rule.set_freq("MONTHLY", 3)
        else:
            rule.months = months
        rule.monthly_hint = True
    freq = rule.freq or ("MONTHLY" if rule.monthly_hint else None)
    if freq is None:
        raise Unsure
    if rule.monthly_hint and freq != "MONTHLY":
        raise Unsure
    if freq == "DAILY" and (rule.has_day() or rule.month):
        raise Unsure
    if freq == "WEEKLY" and (rule.nths or rule.monthdays or rule.month):
        raise Unsure
    if freq == "MONTHLY" and ((rule.weekdays and rule.setpos is None) or rule.month):
        raise Unsure
    if freq == "YEARLY" and (rule.weekdays or (rule.has_day() and not rule.month)):
        raise Unsure
    if freq != "DAILY" and not rule.has_day():
        raise WhenError("missing_day", **EXAMPLE_RULE_DAY)
    parts = [f"FREQ={freq}"]
    if rule.interval > 1:
        parts.append(f"INTERVAL={rule.interval}")
    months = [rule.month] if rule.month else rule.months or list(range(1, 13))
    if rule.month and rule.months and rule.month not in rule.months:
        raise Unsure
    months = [m for m in months if m not in rule.excluded]
    if not months:
        raise Unsure
    if months != list(range(1, 13)):
        parts.append("BYMONTH=" + ",".join(str(m) for m in months))
    if rule.monthdays:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in rule.monthdays))
    if rule.nths:
        parts.append("BYDAY=" + ",".join(f"{n}{words.RRULE_DAYS[wd]}" for n, wd in rule.nths))
    if rule.weekdays:
        parts.append("BYDAY=" + ",".join(words.RRULE_DAYS[d] for d in rule.weekdays))
    if rule.setpos is not None:
        parts.append(f"BYSETPOS={rule.setpos}")
    parts += [f"BYHOUR={at.hour}", f"BYMINUTE={at.minute}"]
    return ";".join(parts)
