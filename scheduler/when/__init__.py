"""Understanding a moment as people write it, in French and English.

``parse_when`` gives one aware datetime, ``parse_when_range`` a start and an end,
``parse_recurrence`` a first occurrence and an RFC 5545 RRULE; ``parse_since`` and
``parse_day`` read a day to look back from (a digest, a report). All refuse with ``WhenError``
(a reason and params; the handlers' catalogs hold the sentences under ``when.<reason>``).

The text is normalised (case, accents, dashes, apostrophes; ``normalise``), then patterns take
out each piece — times (``times``), days (``days``, with the calendar arithmetic of ``dates``) —
and every word must be understood: a leftover word is a refusal. Month names are read by our
table (Babel's locale data, ``words``) *and* by dateparser (``crosscheck``), which must agree.
``build`` puts the pieces together and checks the result again: strictly after now, on every
weekday, day, month, year and time that was written. ``recurrence`` reads rules. When unsure we
refuse; we never return a guessed date silently.
"""

from scheduler.when.api import DEFAULT_TIME, parse_recurrence, parse_when, parse_when_range
from scheduler.when.context import DEFAULT_TZ, whole_minute
from scheduler.when.crosscheck import DATEPARSER_LANGUAGES, dateparser_settings, warm_up
from scheduler.when.dates import RECENT_PAST_DAYS
from scheduler.when.errors import REASONS, WhenError
from scheduler.when.past import parse_day, parse_since

__all__ = [
    "DATEPARSER_LANGUAGES", "DEFAULT_TIME", "DEFAULT_TZ", "REASONS", "RECENT_PAST_DAYS",
    "WhenError", "dateparser_settings", "parse_day", "parse_recurrence", "parse_since",
    "parse_when", "parse_when_range", "warm_up", "whole_minute",
]
