"""Text as the patterns read it, and the scan that cuts understood pieces out of it.

Normalised text is lower case without accents, with one kind of dash and apostrophe, common
multi-word phrases joined into one token ("après-midi" → ``apresmidi``), no trailing punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from scheduler.when import words
from scheduler.when.errors import Unsure, WhenError

# A date is a few words: anything longer is refused before any pattern runs, which keeps every
# parse to a few milliseconds whatever is pasted in.
MAX_TEXT = 1000
MAX_LENGTH = 200

_PUNCT = str.maketrans({
    "’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‑": "-", "−": "-",
    ",": " ", ";": " ", "!": " ", "?": " ", "(": " ", ")": " ", '"': " ", "«": " ", "»": " ",
    "“": " ", "”": " ",
})
_CANON = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"(?<=[a-z])\.(?=\s|$)", ""),  # the dot of an abbreviation: "lun.", "janv.", "sept."
    (r"(?<!\d):|:(?!\d)", " "),  # « délai : vendredi », not « 10:30 »
    (r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 "),
    (r"\baujourd\s*'?\s*hui\b|\bauj\b", "aujourdhui"),
    (r"\bapres[\s-]*demain\b|\b(?:the\s+)?day\s+after\s+tomorrow\b", "apresdemain"),
    (r"\bavant[\s-]*hier\b|\b(?:the\s+)?day\s+before\s+yesterday\b", "avanthier"),
    (r"\bapres[\s-]*midi\b|\baprem\b", "apresmidi"),
    (r"\bjusqu\s*'?\s*a\b", "jusqua"),
    (r"\bjusqu\s*'?\s*(?=au\b|aux\b|en\b)", "jusqua "),
    (r"\bdu\s+mat\b", "du matin"),
    (r"\bo\s*'?\s*clock\b", "oclock"),
    (r"\b(weeks?|days?|months?|fortnight)\s*'\s*(?:s\s+)?time\b", r"\1"),
    (r"\bjour\s+pour\s+jour\b", ""),  # « dans un mois jour pour jour »: the same date
    (r"\b(?:une\s+)?demi[\s-]*heure\b|\bhalf\s+an\s+hour\b", "demiheure"),
    (r"'", " "),
    (r"\s+", " "),
)]


_MON = words.alternation(words.MONTHS)
_EASTERN = re.compile(r"(?<=[\dMmh)])\s*\(?\bET\b\)?")
_MAR_AFTER_DAY = re.compile(r"\b(\d{1,2}(?:\s*(?:er|e|eme))?)\s+mar\b")
_MAR_BEFORE_DAY = re.compile(rf"""\bmar\s+(?P<num>(?:le\s+)?(?P<d>\d{{1,2}})(?:er)?)\b
    (?P<rest>\s+(?:(?:de\s+)?(?P<mon>{_MON})\b
                | (?:a\s+)?(?P<fr>\d{{1,2}}\s*h\b|\d{{1,2}}\s*heures?\b|midi\b|minuit\b)
                | (?P<year>\d{{4}})\b))?""", re.X)
_MAR = re.compile(r"\bmar\b")


def _mar(m: re.Match[str]) -> str:
    """« mar 3 déc », « mar. 3 à 10h »: Tuesday; « Mar 3 2027 »: March; « mar 3 »: refused."""
    if m["mon"] or m["fr"]:
        return f"mardi {m['num']}{m['rest']}"
    if m["year"]:
        return f"mars {m['num']}{m['rest']}"
    raise WhenError("ambiguous", first=f"mardi {m['d']}", second=f"{m['d']} mars")


def resolve_mar(s: str) -> str:
    """French "mar" is mardi and English "Mar" is March: mars after a day number (« 3 mar »),
    mardi before a day number followed by a month or a French time (« mar 3 déc »,
    « mar 3 à 10h »), mars before a day and a year (« Mar 3 2027 »), mardi with no day number
    (« mar prochain »); before a bare day number both fit, and the text is refused."""
    s = _MAR_AFTER_DAY.sub(r"\1 mars", s)
    s = _MAR_BEFORE_DAY.sub(_mar, s)
    return _MAR.sub("mardi", s)


def normalise(text: str) -> str:
    """Lower case, no accents, one kind of dash and apostrophe, no trailing punctuation, and
    the abbreviation "mar" resolved (or refused as ambiguous). Too long a text: ``Unsure``."""
    if len(text) > MAX_TEXT:
        raise Unsure
    text = _EASTERN.sub(" eastern time ", text)  # « 10am ET » (« et », lower case, is "and")
    decomposed = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().translate(_PUNCT)
    for rx, replacement in _CANON:
        s = rx.sub(replacement, s)
    s = s.strip().rstrip(".:").strip()
    if len(s) > MAX_LENGTH:
        raise Unsure
    return resolve_mar(s)


class Scan:
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
