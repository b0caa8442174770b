"""Understanding a moment as people write it, in French and English.

``parse_when`` gives one aware datetime, ``parse_when_range`` a start and an end,
``parse_recurrence`` a first occurrence and an RFC 5545 RRULE; ``parse_since``, ``parse_day``
and ``parse_period`` read days to look back from (a digest, a report). All refuse with
``WhenError`` (a reason and params; the handlers' catalogs hold the sentences under
``when.<reason>``).

The text is normalised (case, accents, dashes, apostrophes, « mar » read from its neighbours;
``normalise``), then patterns take out each piece — zone words (``zones``), deadline words
(``deadlines``), times and parts of the day (``times``, ``dayparts``), conventional periods
(``periods``), days (``days``, with the calendar arithmetic of ``dates``), instants counted from
now (``instants``) — and every word must be understood: a leftover word is a refusal. Only the
plain words typed around a moment (« Merci d'envoyer vos commentaires d'ici mercredi 12h ») are
left out, never one that could change it (``filler``). Month and day names come from Babel's
locale data (``words``) and month names are confirmed by dateparser (``crosscheck``). ``build``
puts the pieces together and checks the result again: strictly after now, on every weekday, day,
month, year and time that was written; ``read_when`` returns it as a ``Reading`` (the zone named,
the conventional readings used, the words left out) for confirmations. ``recurrence`` reads a
rule, ``series`` its start, end and exceptions; ``past`` reads days to look back from. When unsure
we refuse; we never return a guessed date silently.
"""

from scheduler.when.api import (
    DEFAULT_TIME,
    parse_deadline,
    parse_recurrence,
    parse_when,
    parse_when_range,
    read_when,
)
from scheduler.when.build import END_OF_DAY
from scheduler.when.context import DEFAULT_TZ, whole_minute
from scheduler.when.crosscheck import DATEPARSER_LANGUAGES, dateparser_settings, warm_up
from scheduler.when.dates import RECENT_PAST_DAYS
from scheduler.when.dayparts import PART_TIMES
from scheduler.when.errors import REASONS, WhenError
from scheduler.when.past import parse_day, parse_period, parse_since
from scheduler.when.reading import Reading
from scheduler.when.zones import PLACE_KEYS, NamedZone

__all__ = [
    "DATEPARSER_LANGUAGES", "DEFAULT_TIME", "DEFAULT_TZ", "END_OF_DAY", "PART_TIMES", "PLACE_KEYS",
    "REASONS",
    "RECENT_PAST_DAYS", "NamedZone", "Reading", "WhenError", "dateparser_settings", "parse_day",
    "parse_deadline", "parse_period", "parse_recurrence", "parse_since", "parse_when",
    "parse_when_range", "read_when", "warm_up", "whole_minute",
]
