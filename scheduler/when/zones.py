"""Time-zone words: the zone a person named, so a time is read in it and shown in both.

« GMT », « UTC », « heure locale », « local time » are the network's time (in Mali, GMT);
« heure de Genève / de Paris / de New York », « Geneva time », « CET », « EST », « EAT »,
« GMT+1 », « heure d'Europe centrale », "East Africa Time" name another zone: the time is read
there (with its daylight saving time, from ``zoneinfo``) and converted. An abbreviation names one
season: « CET » said of a July date (when Paris is on CEST) or « EST » of a summer date could mean
the fixed offset or the wall clock, and is refused as ambiguous. A zone word we do not know is
refused (``unknown_zone``), never ignored. Abbreviations and bare city names count only right
after a time (« 15h CET », « 10h Genève »), so the French « est » of « c'est » is never Eastern
time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from scheduler.when import words
from scheduler.when.errors import WhenError
from scheduler.when.normalise import Scan


@dataclass(frozen=True)
class NamedZone:
    """A zone a text named. ``key`` names a place for the catalogs (``when.place.<key>``) or is
    the label to show as is (« CET », « UTC+1 »); ``tz`` is None for the network's own zone."""

    key: str
    tz: str | None
    dst: bool | None = None  # an abbreviation of standard (False) or summer (True) time
    place: bool = True  # shown « à Genève » (a place) or « CET » (a label)

    def tzinfo(self) -> tzinfo | None:
        if self.tz is None:
            return None
        if self.tz.startswith("UTC") and len(self.tz) > 3:
            sign = 1 if self.tz[3] == "+" else -1
            hours, minutes = self.tz[4:].split(":")
            return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)), self.tz)
        return ZoneInfo(self.tz)

    def name(self, lang: str, moment: datetime | None = None) -> str:
        """How the reader sees it: a city in their language (Babel's CLDR names; Geneva and
        Washington share Zurich's and New York's zones, so they are named here), or a label."""
        if not self.place:
            return self.label(moment) if moment is not None else self.key
        if self.key in _OWN_NAMES:
            return _OWN_NAMES[self.key][lang == "en"]
        if self.tz is None:
            return self.key
        return get_timezone_location(ZoneInfo(self.tz), lang, return_city=True)

    def label(self, moment: datetime) -> str:
        """How an abbreviation reads on that date (« CET » in winter, « CEST » in summer)."""
        if self.place:
            return self.key
        if self.key in _SEASONAL:
            standard, summer = _SEASONAL[self.key]
            return summer if moment.dst() else standard
        return self.key


_OWN_NAMES = {"geneva": ("Genève", "Geneva"), "washington": ("Washington", "Washington")}
_SEASONAL = {"CET": ("CET", "CEST"), "EST": ("EST", "EDT"), "GMT/BST": ("GMT", "BST")}
LOCAL = NamedZone("local", None)
# Places: key → (IANA zone, how people write it, normalised).
_PLACES: dict[str, tuple[str, tuple[str, ...]]] = {
    "bamako": ("Africa/Bamako", ("bamako", "mali", "malienne")),
    "geneva": ("Europe/Zurich", ("geneve", "geneva", "suisse", "swiss")),
    "paris": ("Europe/Paris", ("paris", "france", "francaise", "french")),
    "new_york": ("America/New_York", ("new york", "new-york", "nyc", "ny", "eastern")),
    "washington": ("America/New_York", ("washington", "washington dc")),
    "london": ("Europe/London", ("londres", "london", "uk")),
    "brussels": ("Europe/Brussels", ("bruxelles", "brussels")),
    "vienna": ("Europe/Vienna", ("vienne", "vienna")),
    "rome": ("Europe/Rome", ("rome",)),
    "berlin": ("Europe/Berlin", ("berlin",)),
    "madrid": ("Europe/Madrid", ("madrid",)),
    "nairobi": ("Africa/Nairobi", ("nairobi",)),
    "addis_ababa": ("Africa/Addis_Ababa", ("addis-abeba", "addis abeba", "addis ababa",
                                           "addis")),
    "dakar": ("Africa/Dakar", ("dakar",)),
    "niamey": ("Africa/Niamey", ("niamey",)),
    "ouagadougou": ("Africa/Ouagadougou", ("ouagadougou", "ouaga")),
    "abidjan": ("Africa/Abidjan", ("abidjan",)),
    "cairo": ("Africa/Cairo", ("le caire", "caire", "cairo")),
}
PLACE_KEYS = tuple(_PLACES)
_BY_SPELLING = {spelling: key for key, (_, spellings) in _PLACES.items() for spelling in spellings}
_ABBREVIATIONS = {
    "cet": NamedZone("CET", "Europe/Paris", dst=False, place=False),
    "cest": NamedZone("CET", "Europe/Paris", dst=True, place=False),
    "est": NamedZone("EST", "America/New_York", dst=False, place=False),
    "edt": NamedZone("EST", "America/New_York", dst=True, place=False),
    "bst": NamedZone("GMT/BST", "Europe/London", dst=True, place=False),
    "eat": NamedZone("EAT", "Africa/Nairobi", place=False),
    "wat": NamedZone("WAT", "Africa/Lagos", place=False),
}
_UTC = NamedZone("UTC", "UTC", place=False)
# Abbreviations people use that we do not convert (several meanings, or far from the network).
_UNKNOWN = frozenset({
    "pst", "pdt", "mst", "mdt", "cst", "cdt", "akst", "akdt", "hst", "ist", "jst", "kst", "aest",
    "aedt", "acst", "awst", "nzst", "nzdt", "msk", "eet", "eest", "wet", "west", "cat", "sast",
    "gst", "pkt", "ict", "hkt", "sgt", "art", "brt", "ast", "adt",
})

# Zones written out in words (« heure d'Europe centrale », "East Africa Time"): the abbreviation
# each stands for, with the same season check.
_IN_WORDS = (
    (r"central\s+european\s+summer\s+time|heure\s+d\s+ete\s+d\s+europe\s+centrale", "cest"),
    (r"central\s+european(?:\s+standard)?\s+time"
     r"|heure\s+(?:normale\s+)?d\s+europe\s+centrale", "cet"),
    (r"eastern\s+standard\s+time", "est"),
    (r"eastern\s+daylight\s+time", "edt"),
    (r"east\s+african?\s+time|heure\s+d\s+afrique\s+de\s+l\s+est", "eat"),
    (r"west\s+african?\s+time|heure\s+d\s+afrique\s+de\s+l\s+ouest", "wat"),
)
_WORDS_RX = "|".join(f"(?P<z{i}>{rx})" for i, (rx, _) in enumerate(_IN_WORDS))
_PLACE = words.alternation(re.escape(s) for s in _BY_SPELLING)
_NAMED = re.compile(rf"""\b(?:
      (?:(?:a|en|selon)\s+)?(?:l\s+)?(?:{_WORDS_RX})
    | (?:(?:a|en|selon)\s+)?(?:l\s+)?heure\s+(?:de\s+|d\s+|du\s+)?(?P<place>{_PLACE})
    | (?:in\s+)?(?P<place2>{_PLACE})\s+time
    | (?:(?:a|en)\s+)?(?:l\s+)?heure\s+(?P<local>locale|du\s+reseau|d\s+ici)
    | (?P<local2>local|network)\s+time
    | (?:(?:a\s+)?(?:l\s+)?heure\s+)?
      (?P<utc>gmt|utc|temps\s+universel|greenwich\s+mean\s+time)
      (?:\s*(?P<sign>[+-])\s*(?P<oh>\d{{1,2}})(?:(?::|h)?(?P<om>\d{{2}}))?)?(?:\s+time)?
    )\b""", re.X)
# Right after a time that was cut out (the ``¦`` the scan leaves): « 15h CET », « 10h Genève ».
_AFTER_TIME = re.compile(rf"""(?<=¦)\s+(?:a\s+)?(?:
      (?P<abbr>{words.alternation(_ABBREVIATIONS)})
    | (?P<place>{_PLACE}))\b""", re.X)
_NOT_PLACES = ("any|some|same|this|that|the|what|which|lunch|dinner|break|tea|coffee|meeting|start"
               "|end|next|last|first|one|a|an|due|free|full|part|over|on|in|at|by|my|our|your")
_UNKNOWN_PHRASE = re.compile(
    rf"\bheure\s+(?:de\s+|d\s+|du\s+)?(?:l\s+)?(?!a\b)(?P<w>[a-z][\w-]*)"
    rf"|\b(?!(?:{_NOT_PLACES})\b)(?P<w2>[a-z][\w-]*)\s+time\b"
    rf"|\b(?P<w3>{words.alternation(_UNKNOWN)})\b")

# Words that name the network's own clock (« heure locale », « heure du réseau », "network time").
_OWN_CLOCK = frozenset({"local", "locale", "reseau", "network"})


def own_zone_words(tz: str) -> frozenset[str]:
    """The words that can only name the zone ``tz`` itself (« Mali », « Bamako » for
    Africa/Bamako, « locale »): leaving them out of a text read in ``tz`` changes no time."""
    return _OWN_CLOCK | {spelling for spelling, key in _BY_SPELLING.items()
                         if _PLACES[key][0] == tz and " " not in spelling}


def _place(spelling: str) -> NamedZone:
    key = _BY_SPELLING[spelling]
    return NamedZone(key, _PLACES[key][0])


def _named(m: re.Match[str]) -> NamedZone:
    for i, (_, abbreviation) in enumerate(_IN_WORDS):
        if m[f"z{i}"]:
            return _ABBREVIATIONS[abbreviation]
    if m["place"] or m["place2"]:
        return _place(m["place"] or m["place2"])
    if m["local"] or m["local2"]:
        return LOCAL
    if not m["sign"]:
        return _UTC
    hours, minutes = int(m["oh"]), int(m["om"] or 0)
    if hours > 14 or minutes > 59:
        raise WhenError("unknown_zone", zone=f"{m['utc']}{m['sign']}{m['oh']}".upper())
    offset = f"UTC{m['sign']}{hours:02d}:{minutes:02d}"
    label = f"UTC{m['sign']}{hours}" + (f":{minutes:02d}" if minutes else "")
    return NamedZone(label, offset, place=False)


def take_named(scan: Scan) -> list[NamedZone]:
    """The zones written as phrases (« heure de Genève », « GMT+1 », « local time »)."""
    return [_named(m) for m in scan.take(_NAMED)]


def take_after_time(scan: Scan) -> list[NamedZone]:
    """Abbreviations and bare city names right after a time (« 15h CET », « 10h Genève »)."""
    return [_ABBREVIATIONS[m["abbr"]] if m["abbr"] else _place(m["place"])
            for m in scan.take(_AFTER_TIME)]


def one_zone(found: list[NamedZone]) -> NamedZone | None:
    """The zone named, if any; two different ones are ambiguous."""
    distinct = {(z.key, z.tz, z.dst) for z in found}
    if len(distinct) > 1:
        first, second = found[0], next(z for z in found if z != found[0])
        raise WhenError("ambiguous", first=first.key, second=second.key)
    return found[0] if found else None


def refuse_unknown(leftover_text: str) -> None:
    """A zone-like phrase left unread (« heure de Tokyo », « PST ») is refused by name."""
    m = _UNKNOWN_PHRASE.search(leftover_text)
    if m:
        raise WhenError("unknown_zone", zone=(m["w"] or m["w2"] or m["w3"]).upper()
                        if m["w3"] else (m["w"] or m["w2"]))
