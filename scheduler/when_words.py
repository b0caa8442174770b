"""Words that ``scheduler.when`` reads, French and English, already normalised.

Normalised means lower case with accents removed (``février`` → ``fevrier``), which is what
``scheduler.when._normalise`` does to the user's text before any pattern is tried. The display
names (``WEEKDAYS_FR``…) keep their accents: they go into error messages.
"""

from __future__ import annotations

from collections.abc import Iterable

# "mar" is left out on purpose: in French it is also Tuesday ("mar. 3" = mardi 3).
MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}

# French abbreviations of weekdays are left out on purpose: "mar" is also March, "mer" the sea.
WEEKDAYS: dict[str, int] = {
    "lundi": 0, "monday": 0, "mon": 0,
    "mardi": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "mercredi": 2, "wednesday": 2, "wed": 2,
    "jeudi": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "vendredi": 4, "friday": 4, "fri": 4,
    "samedi": 5, "saturday": 5, "sat": 5,
    "dimanche": 6, "sunday": 6, "sun": 6,
}

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
    "douze": 12, "twelve": 12, "quinze": 15, "fifteen": 15, "vingt": 20, "twenty": 20,
    "trente": 30, "thirty": 30,
}

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Words that may surround a date without changing it ("à 10h", "on the 15th", "vers midi").
STOPWORDS = frozenset({
    "le", "la", "les", "l", "a", "au", "at", "on", "the", "de", "du", "d", "of", "et", "and",
    "vers", "around", "about", "environ", "pour", "for", "-", "¦",
})


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so "janvier" wins over "jan"."""
    return "|".join(sorted(words, key=len, reverse=True))
