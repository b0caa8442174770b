"""The time-expression corpus: every expression gives exactly the expected moment, or is refused
with the expected reason; recurrences give a first occurrence and a rule that agree."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from handlers.i18n import Catalog
from handlers.router import localized
from scheduler.when import REASONS, WhenError, parse_recurrence, parse_when, parse_when_range
from tests.support.when_cases import CASES, NOW, RECURRENCES

BAMAKO = ZoneInfo("Africa/Bamako")


def test_the_corpus_is_large_and_bilingual() -> None:
    assert len(CASES) >= 150
    assert sum(1 for _, e in CASES if e.startswith("!")) >= 25


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_expression(text: str, expected: str) -> None:
    if expected.startswith("!"):
        with pytest.raises(WhenError) as refused:
            parse_when(text, now=NOW)
        assert refused.value.reason == expected[1:]
        assert_reads_in_both_languages(refused.value)
        return
    moment = parse_when(text, now=NOW)
    assert moment.tzinfo is not None and moment > NOW
    assert moment.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M") == expected


def assert_reads_in_both_languages(error: WhenError) -> None:
    """The catalogs say every refusal, with every placeholder filled, in French and English."""
    catalog = Catalog.load()
    for lang in ("fr", "en"):
        sentence = catalog.t(lang, f"when.{error.reason}", **localized(error.params, lang))
        assert "{" not in sentence and sentence != f"when.{error.reason}"


def test_every_reason_has_its_sentence_in_both_catalogs() -> None:
    assert all(Catalog.load().has(f"when.{reason}") for reason in REASONS)


def test_a_refusal_carries_a_reason_and_params_not_a_sentence() -> None:
    """The scheduler does not speak to people: ``str()`` of a refusal is a description for
    logs; the sentence comes from the catalog in the reader's language."""
    with pytest.raises(WhenError) as refused:
        parse_when("mardi 13 janvier 2027", now=NOW)
    assert str(refused.value).startswith("when.weekday_mismatch (")
    assert "n'" not in str(refused.value) and "not a" not in str(refused.value)
    with pytest.raises(ValueError):
        WhenError("no_such_reason")


def test_weekday_mismatch_says_which_day_it_is() -> None:
    with pytest.raises(WhenError) as refused:
        parse_when("mardi 13 janvier 2027", now=NOW)
    assert refused.value.params["weekday_fr"] == "mercredi"
    assert refused.value.params["weekday_en"] == "Wednesday"


def test_unrecognised_shows_an_example_that_works() -> None:
    with pytest.raises(WhenError) as refused:
        parse_when("blabla", now=NOW)
    example = refused.value.params["example_fr"]
    assert parse_when(example, now=NOW) > NOW


def test_ranges_give_start_and_end() -> None:
    start, end = parse_when_range("mardi 8 décembre de 10h à 12h30", now=NOW)
    assert (start.hour, end.hour, end.minute) == (10, 12, 30)
    start, end = parse_when_range("tuesday 8 december 10am", now=NOW)
    assert end - start == timedelta(hours=2)  # the default length


@pytest.mark.parametrize(("text", "first", "rule"), RECURRENCES)
def test_recurrence(text: str, first: str, rule: str) -> None:
    start, rrule = parse_recurrence(text, now=NOW)
    assert start.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M") == first
    assert rrule == rule
    local = start.astimezone(BAMAKO).replace(tzinfo=None)
    occurrences = list(rrulestr(rrule, dtstart=local))[:4] if "COUNT" in rrule else [
        o for _, o in zip(range(4), rrulestr(rrule, dtstart=local), strict=False)]
    assert occurrences[0] == local and len(occurrences) == 4


def test_bimonthly_first_tuesdays() -> None:
    start, rrule = parse_recurrence("tous les deux mois le premier mardi à 10h", now=NOW)
    local = start.astimezone(BAMAKO).replace(tzinfo=None)
    dates = [d for _, d in zip(range(4), rrulestr(rrule, dtstart=local), strict=False)]
    assert dates == [datetime(2026, 12, 1, 10), datetime(2027, 2, 2, 10),
                     datetime(2027, 4, 6, 10), datetime(2027, 6, 1, 10)]


def test_an_instant_in_minutes_keeps_no_seconds() -> None:
    """"dans 62 minutes" said at 02:18:13.5 is 03:20, not 03:20:13.5: a meeting time is a whole
    minute, whatever the second it was typed at (an ISO time with seconds too)."""
    now = datetime(2026, 11, 28, 2, 18, 13, 500_000, tzinfo=BAMAKO)
    for text in ("dans 62 minutes", "in 62 minutes", "dans 1 heure 2 minutes"):
        assert parse_when(text, now=now) == datetime(2026, 11, 28, 3, 20, tzinfo=BAMAKO), text
    start, end = parse_when_range("dans 62 minutes", now=now)
    assert (start.second, start.microsecond, end.second, end.microsecond) == (0, 0, 0, 0)
    assert parse_when("2026-11-28 09:30:45+00:00", now=now) == datetime(2026, 11, 28, 9, 30,
                                                                       tzinfo=BAMAKO)
