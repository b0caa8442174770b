"""The words ``scheduler.when`` reads, French and English, already folded.

Folded means lower case, accents and a final dot removed (``févr.`` → ``fevr``), which is what
``normalise`` does to the person's text before any pattern is tried. Month and day names come
from Babel's locale data (CLDR), wide and abbreviated, in both languages; the few spellings
people use that CLDR has not are added by hand below. The display names (``WEEKDAYS_FR``…) keep
their accents: they go into the params of refusals.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from babel.dates import get_day_names, get_month_names

LANGUAGES = ("fr", "en")


def fold(word: str) -> str:
    """Lower case, no accents, no final dot: how a name is compared with what people type."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().rstrip(".")


def _names(getter, width: str, lang: str) -> dict[int, str]:
    return dict(getter(width, context="format", locale=lang))


MONTHS_FR = tuple(_names(get_month_names, "wide", "fr")[m] for m in range(1, 13))
MONTHS_EN = tuple(_names(get_month_names, "wide", "en")[m] for m in range(1, 13))
WEEKDAYS_FR = tuple(_names(get_day_names, "wide", "fr")[d] for d in range(7))
WEEKDAYS_EN = tuple(_names(get_day_names, "wide", "en")[d] for d in range(7))
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# "mar" is left out on purpose: French abbreviates Tuesday so ("mar. 3" = mardi 3) and English
# abbreviates March so; ``normalise`` decides which one it is from its neighbours, or refuses.
AMBIGUOUS = frozenset({"mar"})
# Spellings people write that CLDR does not list.
_EXTRA_MONTHS = {"fev": 2}
_EXTRA_WEEKDAYS = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_WEEKDAY_WIDTHS = {lang: ("wide", "abbreviated") for lang in LANGUAGES}


def _table(getter, widths: dict[str, tuple[str, ...]], extra: dict[str, int]) -> dict[str, int]:
    table: dict[str, int] = {}
    for lang, lang_widths in widths.items():
        for width in lang_widths:
            for number, name in _names(getter, width, lang).items():
                key = fold(name)
                if key not in AMBIGUOUS:
                    table[key] = number
    return table | extra


MONTHS: dict[str, int] = _table(
    get_month_names, {lang: ("wide", "abbreviated") for lang in LANGUAGES}, _EXTRA_MONTHS)
WEEKDAYS: dict[str, int] = _table(get_day_names, _WEEKDAY_WIDTHS, _EXTRA_WEEKDAYS)

# The n-th weekday of a month ("premier mardi", "last Friday"); -1 is the last one.
ORDINALS: dict[str, int] = {
    "premier": 1, "premiere": 1, "1er": 1, "1re": 1, "1ere": 1, "first": 1, "1st": 1,
    "deuxieme": 2, "second": 2, "seconde": 2, "2e": 2, "2eme": 2, "2nd": 2,
    "troisieme": 3, "3e": 3, "3eme": 3, "third": 3, "3rd": 3,
    "quatrieme": 4, "4e": 4, "4eme": 4, "fourth": 4, "4th": 4,
    "cinquieme": 5, "5e": 5, "5eme": 5, "fifth": 5, "5th": 5,
    "dernier": -1, "derniere": -1, "last": -1,
}

# Small numbers people spell out: "dans trois jours", "in two weeks", "tous les deux mois".
NUMBERS: dict[str, int] = {
    "un": 1, "une": 1, "one": 1, "a": 1, "an": 1,
    "deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4, "four": 4,
    "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9, "dix": 10, "ten": 10, "onze": 11, "eleven": 11,
    "douze": 12, "twelve": 12, "treize": 13, "thirteen": 13, "quatorze": 14, "fourteen": 14,
    "quinze": 15, "fifteen": 15, "seize": 16, "sixteen": 16, "dix-sept": 17, "seventeen": 17,
    "dix-huit": 18, "eighteen": 18, "dix-neuf": 19, "nineteen": 19, "vingt": 20, "twenty": 20,
    "vingt-et-une": 21, "vingt-deux": 22, "vingt-trois": 23, "vingt-quatre": 24,
    "twenty-four": 24, "trente": 30, "thirty": 30, "quarante-huit": 48, "forty-eight": 48,
    "soixante-douze": 72, "seventy-two": 72,
}
# The numbers that may be an hour in words ("dix heures", "ten o'clock").
HOUR_WORDS = {w: n for w, n in NUMBERS.items() if 1 <= n <= 23 and w not in ("a", "an")}

# Words that may surround a date without changing it ("à 10h", "on the 15th", "vers midi").
STOPWORDS = frozenset({
    "le", "la", "les", "l", "a", "au", "at", "on", "the", "de", "du", "d", "of", "et", "and",
    "vers", "around", "about", "environ", "pour", "for", "-", "¦", "pile", "precises",
    "precise", "sharp", "autour", "svp", "please", "petantes", "tapantes", "tapant", "petant",
})

# Words that turn a moment into another one, or into none: negation, exception, alternative,
# cancellation or move, condition, a moment said in the past or replaced, a day relative to
# another (« la veille »), unavailability, a length. They are never left out as words around a
# moment (see ``filler``): « pas avant jeudi », « réunion annulée mardi », "not before Thursday",
# "Thursday doesn't work", « ancienne date limite : vendredi » are refused.
MEANING_CHANGERS = frozenset({
    # negation (« n'est pas », "doesn't": the « t » of « n't »), exception, alternative, condition
    "pas", "ne", "n", "non", "jamais", "aucun", "aucune", "sauf", "excepte", "exceptee",
    "hormis", "hors", "sans", "ni", "ou", "soit", "sinon", "si", "plutot", "not", "no", "never",
    "none", "nor", "t", "cannot", "except", "excepting", "excluding", "without", "or", "either",
    "otherwise", "unless", "if", "instead", "rather",
    # cancelled, postponed, brought forward, delayed (« déplacé » is left out: « les personnes
    # déplacées » is what the network works on)
    "annule", "annulee", "annules", "annulees", "annulation", "annuler", "reporte", "reportee",
    "reportes", "reportees", "reporter", "decale", "decalee", "decales", "decalees", "avance",
    "avancee", "avances", "avancees", "repousse", "repoussee", "repousses", "repoussees",
    "remplace", "remplacee", "retarde", "retardee", "cancel", "cancels", "cancelled", "canceled",
    "cancellation", "postpone", "postponed", "reschedule", "rescheduled", "moved", "delayed",
    "brought", "replaced", "advance",
    # a moment said in the past, or one that was replaced (« ancienne date limite »)
    "etait", "etaient", "avait", "avaient", "was", "were", "had", "ancien", "ancienne",
    "anciens", "anciennes", "initial", "initiale", "initialement", "auparavant", "precedemment",
    "old", "former", "formerly", "original", "originally", "initially", "previously",
    # a day relative to another, days off
    "veille", "avant-veille", "lendemain", "surlendemain", "eve", "ferie", "feries", "conge",
    "conges", "vacances", "holiday", "holidays", "weekend", "week-end", "noel", "paques",
    "tabaski", "ramadan", "christmas", "easter", "nuit", "nuits",
    # unavailable, closed, impossible
    "absent", "absente", "absents", "absentes", "indisponible", "indisponibles", "fermee",
    "fermees", "away", "unavailable", "closed", "off", "impossible", "impossibles", "busy",
    "occupe", "occupee", "occupes", "occupees", "conflit", "conflict",
    # how long, not when
    "pendant", "durant", "duree", "duration", "lasting", "long",
    # earlier, later, following
    "tot", "tard", "plus", "moins", "earlier", "earliest", "sooner", "later", "prior", "ahead",
    "previous", "precedent", "precedente", "suivant", "suivante", "following",
})


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so "janvier" wins over "jan"."""
    return "|".join(sorted(words, key=len, reverse=True))
