"""Why a text was refused: a stable reason and plain-string params, never a sentence.

The sentences live in the handlers' catalogs under ``when.<reason>`` (``handlers/locales``): the
scheduler may not import the handlers, and a reader gets the reason in their own language.
A param ending in ``_fr`` / ``_en`` has one value per language (the router gives the catalog
text the reader's one under the short name).

Reasons and params (values are strings; dates "YYYY-MM-DD", times "HH:MM"):

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
- ``future`` {date}: a look back (« depuis le 1er décembre ») from a day still to come.
- ``unknown_zone`` {zone}: a time-zone word we do not convert (« heure de Tokyo », « PST »).
- ``zone_in_series`` {zone}: a series said in a zone whose offset to the network's changes
  during the year (daylight saving time): its meetings would move by an hour.
- ``exception_not_month`` {text}: « sauf … » / « except … » of something other than months.
"""

from __future__ import annotations

REASONS = frozenset({
    "empty", "unrecognised", "missing_day", "missing_time", "past", "impossible_date",
    "impossible_time", "weekday_mismatch", "ambiguous", "end_before_start", "future",
    "unknown_zone", "zone_in_series", "exception_not_month",
})

EXAMPLE_WHEN = {"example_fr": "mardi prochain à 10h", "example_en": "next Tuesday at 10am"}
EXAMPLE_DAY = {"example_fr": "le 15 janvier à 10h", "example_en": "January 15 at 10am"}
EXAMPLE_RULE = {"example_fr": "tous les lundis à 9h", "example_en": "every Monday at 9am"}
EXAMPLE_RULE_DAY = {"example_fr": "tous les mois le 15 à 10h",
                    "example_en": "every month on the 15th at 10am"}


class WhenError(ValueError):
    """A refused text: ``reason`` is a stable code, ``params`` plain strings for the catalogs.
    ``str()`` is a description for logs and developers, not a sentence for people."""

    def __init__(self, reason: str, **params: object) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown WhenError reason {reason!r}")
        self.reason = reason
        self.params: dict[str, str] = {key: str(value) for key, value in params.items()}
        shown = ", ".join(f"{key}={value!r}" for key, value in sorted(self.params.items()))
        super().__init__(f"when.{reason}" + (f" ({shown})" if shown else ""))


class Unsure(Exception):
    """Raised deep inside; the public functions turn it into ``unrecognised`` with examples."""
