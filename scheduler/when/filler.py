"""Words around a moment that are not part of it: « Merci d'envoyer vos commentaires d'ici
mercredi 12h », « retour attendu sous 72h », "Call Wednesday 9am New York time".

People type a moment inside a sentence. When a text is not understood as a whole, the words
before the moment and after it are left out, and the rest is read again with the usual
strictness — so an unknown word *between* the parts of the moment is still refused
(« mardi réunion 10h »). A word is left out only if it is *plain*:

- not a word any reader of this package knows (a date, a time, a zone, a deadline or a series
  word: taken from the package's own patterns, so a word added to a pattern is kept at once),
  not a number, and not such a word misspelt by a letter (« mecredi », "Tusday");
- not a word that turns a moment into another one (``words.MEANING_CHANGERS``: « pas avant
  jeudi », « réunion annulée mardi », "not before Thursday" are refused, never read as Thursday;
  « lieu » and « place » only in « au lieu de », « à la place de »).

Articles and linking words (« le », « des », « en », « sur », "the", "over"…) go with their
neighbours: before the moment they belong to it when they touch it (« d'ici », « le 15 »; « dès
mardi » is refused), after it they belong to the words that follow (« mardi 10h sur Zoom »).
Words that relate a moment to something else (« avant », « dans », "by", "in", "from"…) are
kept: « avant la réunion de vendredi » is not Friday. After a deadline label, the words that say
what is due are left out too (« Délai de réponse : vendredi », "Deadline for comments: Friday").
The French « est » before the moment, written in lower case, is the verb (« la réunion est
mardi »), not Eastern time. « réunion de 2h mardi » is refused (two hours long, or at 02:00?), and
so is a deadline said as the day of something else (« pour la réunion de vendredi »: before the
meeting, or by the end of that day?).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

from scheduler.when import (
    dayparts,
    days,
    deadlines,
    instants,
    normalise,
    past,
    periods,
    recurrence,
    series,
    times,
    words,
    zones,
)

# Pattern words that say nothing of a moment on their own (they guard a pattern, or name what
# is met): left out with the words around them, they change no date.
_HARMLESS = frozenset({
    "reunion", "reunions", "seance", "seances", "session", "sessions", "meeting", "meetings",
    "occurrence", "occurrences", "any", "some", "what", "which", "my", "our", "your", "lunch",
    "dinner", "break", "tea", "coffee", "free", "full", "part", "is", "new", "date", "rendre",
    "que", "qui", "selon", "temps", "il", "y", "but", "only", "travail", "bon", "thing", "play",
    "close", "working", "business",
})
# Go with their neighbours: left out only inside or after the words around the moment.
_LINKING = words.STOPWORDS | {
    "un", "une", "an", "des", "ce", "cette", "ces", "this", "that", "these", "those", "en",
    "sur", "over", "par", "per",
}
_HARMLESS_PHRASES = {("si", "possible"), ("if", "possible")}
# Kept in these phrases only: « au lieu de mardi », « à la place de », "in place of" (but « la
# réunion aura lieu », "will take place" say nothing of the moment).
_CHANGING_PAIRS = {("au", "lieu"), ("la", "place"), ("in", "place")}
_DURATION = re.compile(rf"""(?:de|d|of|for)\s+(?:une?\s+|an?\s+)?(?P<h>\d{{1,2}}|{times.NUM})
    \s*(?:h|heures?|hours?|hrs?)(?![a-z])(?:\s*\d{{2}})?
    (?!\s*(?:-|a|to|jusqua|et|and)\s*\d)""", re.X)
_OF = re.compile(r"(?:de|du|d|of|on)\s(?!ici\b)")
_LONGEST_DURATION = 8  # hours: a meeting or a task lasts at most a working day
_LABEL = re.compile(r"""(?P<keep>(?:(?:la|le|l|the|your|our)\s+)?
    (?:(?:dernier\s+)?delai|(?:date\s+)?limite|echeance|deadline|due))
    (?:\s+date)?\s+(?:de|du|des|d|for|of|pour)\s""", re.X)
_LONGEST_LABEL = 6  # words between the label and the moment


def _patterns(value: object, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, (list, tuple)) and depth < 2:
        for item in value:
            yield from _patterns(item, depth + 1)
    elif isinstance(getattr(value, "rx", None), re.Pattern):
        yield value.rx  # type: ignore[attr-defined]


def _spellings(word: str, rest: str) -> set[str]:
    """``word`` as the regex spells it: « jours? » is « jours » and « jour », « ouvr(?:es|ables?) »
    is « ouvres », « ouvrables » and « ouvrable »."""
    found = {word}
    if rest.startswith("?"):
        found.add(word[:-1])
    elif m := re.match(r"\(\?:([a-z|?]+)\)(\?)?", rest):
        for ending in m[1].split("|"):
            found.add(word + ending.rstrip("?"))
            if ending.endswith("?"):
                found.add(word + ending[:-2])
    return found


def _literal_words(source: str) -> set[str]:
    """The words a regex source spells out."""
    source = re.sub(r"\(\?P<\w+>|\(\?P=\w+\)|\\[a-zA-Z]|\{\d*,?\d*\}|\[[^\]]*\]", " ", source)
    found: set[str] = set()
    for m in re.finditer(r"[a-z](?:[a-z-]*[a-z])?", source):
        found |= _spellings(m.group(0), source[m.end():m.end() + 40])
    return found


def _known_words(modules: Iterable[ModuleType]) -> frozenset[str]:
    known: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            for rx in _patterns(value):
                known |= _literal_words(rx.pattern)
    for table in (words.MONTHS, words.WEEKDAYS, words.ORDINALS, words.NUMBERS):
        known |= set(table)
    known |= {"am", "pm", "a.m", "p.m"}  # spelled by a character class: ``times._AMPM``
    return frozenset((known - _HARMLESS) | words.AMBIGUOUS | words.MEANING_CHANGERS)


_KEPT = _known_words((normalise, times, dayparts, days, periods, deadlines, zones, instants,
                      recurrence, series, past))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


# A kept word of 5 letters or more with a letter missing, added, changed or two swapped
# (« mecredi », « jeudy », "tusday", « demian ») is still that word: never left out.
_NEAR_LENGTH = 5
_NEAR = frozenset(d for w in _KEPT if len(w) >= _NEAR_LENGTH and w.isalpha()
                  for d in _deletions(w) | {w})
# Common words that are one letter away from a kept one (« every », « matin », « heure »…).
_NOT_NEAR = frozenset({"very", "report", "martin", "chere", "cheres", "compte", "comptes"})


def _kept(word: str) -> bool:
    """Whether ``word`` could be, or be part of, a date, a time or a zone."""
    if word in _KEPT or any(c.isdigit() for c in word):
        return True
    if len(word) >= 5 and word.endswith("s") and word[:-1] in _KEPT:  # « les mardis »
        return True
    parts = re.split(r"[-/.]", word)
    if len(parts) > 1 and any(len(part) >= 3 and part not in words.MEANING_CHANGERS
                              and _kept(part) for part in parts):
        return True  # "tuesday-ish", « mi-janvier » (not "kick-off")
    return len(word) >= _NEAR_LENGTH - 1 and word not in _NOT_NEAR and (
        word in _NEAR or not _deletions(word).isdisjoint(_NEAR))


@dataclass(frozen=True)
class Trimmed:
    moment: str  # the normalised text of the moment, to read again
    ignored: tuple[str, ...]  # the words left out before and after it
    # The moment is that of the words before it (« pour la réunion de vendredi », "for the
    # meeting on Friday"): a meeting's day, but no deadline's (before it, or that evening?).
    qualifies: bool = False


def _plain(tokens: list[str], i: int, leading: bool, caps_est: bool) -> bool:
    word = tokens[i]
    if (word, tokens[i + 1] if i + 1 < len(tokens) else "") in _HARMLESS_PHRASES or (
            i and (tokens[i - 1], word) in _HARMLESS_PHRASES):
        return True
    if word == "est":
        return leading and not caps_est
    if word in ("lieu", "place"):
        return not i or (tokens[i - 1], word) not in _CHANGING_PAIRS
    return not _kept(word)


def trim(s: str, original: str, tz: str) -> Trimmed | None:
    """The moment inside ``s`` (normalised) with the plain words around it left out; None when
    there are none to leave out, or nothing would remain. ``original`` is the text as written
    (« EST » in capitals is Eastern time), ``tz`` the zone it is read in."""
    tokens = s.split()
    own = zones.own_zone_words(tz)
    caps_est = re.search(r"\bEST\b", original) is not None
    # Written in capitals and ending in T (« QZT », "XST"): a time zone we do not know, never
    # a plain word to leave out after a time (agency acronyms such as OIM or PNUD are not).
    zone_like = {w.lower() for w in re.findall(r"\b[A-Z]{1,4}T\b", original)}
    kinds: list[str] = []  # "p" plain, "l" linking, "k" kept
    leading = True
    for i, word in enumerate(tokens):
        if word in _LINKING:
            kinds.append("l")
        elif word in own or _plain(tokens, i, leading, caps_est):
            kinds.append("p")
        else:
            kinds.append("k")
            leading = False
    if "k" not in kinds:
        return None
    first, last = kinds.index("k"), len(kinds) - 1 - kinds[::-1].index("k")
    start = max((i + 1 for i in range(first) if kinds[i] == "p"), default=0)
    end = last + 1 if "p" in kinds[last + 1:] else len(tokens)
    if end < len(tokens) and tokens[end] in zone_like:
        return None  # « mardi 10h QZT »: in which zone?
    label = _label_end(tokens, kinds, start, end)
    if start == 0 and end == len(tokens) and label is None:
        return None
    dropped_inside = tokens[label[0]:label[1]] if label else []
    kept_tokens = tokens[start:label[0]] + tokens[label[1]:end] if label else tokens[start:end]
    moment = " ".join(kept_tokens)
    if start and (m := _DURATION.match(moment)) and times.number(m["h"]) <= _LONGEST_DURATION:
        return None  # « réunion de 2h mardi »: a length, or 02:00?
    ignored = tuple(part for part in (" ".join(tokens[:start]), " ".join(dropped_inside),
                                      " ".join(tokens[end:])) if part)
    return Trimmed(moment, ignored, qualifies=bool(start and _OF.match(moment)))


def _label_end(tokens: list[str], kinds: list[str], start: int,
               end: int) -> tuple[int, int] | None:
    """« Délai de réponse : vendredi », "Deadline for comments: Friday": the plain words that
    say what is due, between a deadline label and the moment (their first and last index + 1).
    Only after a label noun: « avant la réunion de vendredi » is not « avant vendredi »."""
    m = _LABEL.match(" ".join(tokens[start:end]))
    if m is None:
        return None
    first = start + len(m["keep"].split())  # "date for comments" of "due date for comments"
    last = next((i for i in range(first, end) if kinds[i] == "k"), None)
    if last is None or "p" not in kinds[first:last] or last - first > _LONGEST_LABEL:
        return None
    return first, last
