"""Reading a day to look back from (digests, reports): the forward rules reversed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.when import WhenError, parse_day, parse_period, parse_since

BAMAKO = ZoneInfo("Africa/Bamako")
NOW = datetime(2026, 11, 28, 17, 0, tzinfo=BAMAKO)  # a Saturday


@pytest.mark.parametrize(("text", "expected"), [
    ("7 jours", NOW - timedelta(days=7)),
    ("il y a 3 jours", NOW - timedelta(days=3)),
    ("7d", NOW - timedelta(days=7)),
    ("2 semaines", NOW - timedelta(weeks=2)),
    ("3 weeks ago", NOW - timedelta(weeks=3)),
    ("un mois", datetime(2026, 10, 28, 17, 0, tzinfo=BAMAKO)),
    ("le 1er novembre", datetime(2026, 11, 1, tzinfo=BAMAKO)),
    ("1er décembre", datetime(2025, 12, 1, tzinfo=BAMAKO)),  # this year's is still to come
    ("15/11", datetime(2026, 11, 15, tzinfo=BAMAKO)),
    ("15/11/2026", datetime(2026, 11, 15, tzinfo=BAMAKO)),
    ("2026-11-15", datetime(2026, 11, 15, tzinfo=BAMAKO)),
    ("November 3", datetime(2026, 11, 3, tzinfo=BAMAKO)),
    ("hier", datetime(2026, 11, 27, tzinfo=BAMAKO)),
    ("aujourd'hui", datetime(2026, 11, 28, tzinfo=BAMAKO)),
    ("lundi", datetime(2026, 11, 23, tzinfo=BAMAKO)),
    ("last saturday", datetime(2026, 11, 21, tzinfo=BAMAKO)),
])
def test_since(text: str, expected: datetime) -> None:
    assert parse_since(text, now=NOW, tz="Africa/Bamako") == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("hier soir", "unrecognised"), ("31/11/2026", "impossible_date"),
    ("15/12/2026", "future"), ("30 février", "impossible_date"), ("demain", "unrecognised"),
])
def test_since_refusals(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_since(text, now=NOW, tz="Africa/Bamako")
    assert refused.value.reason == reason


def test_a_report_day_with_its_year_may_be_ahead_a_look_back_may_not() -> None:
    assert parse_day("31/12/2026", now=NOW, tz="Africa/Bamako") == date(2026, 12, 31)
    assert parse_day("1er novembre", now=NOW, tz="Africa/Bamako") == date(2026, 11, 1)
    with pytest.raises(WhenError) as refused:
        parse_day("31/12/2026", now=NOW, tz="Africa/Bamako", past_only=True)
    assert refused.value.reason == "future"


@pytest.mark.parametrize(("text", "expected"), [
    ("01/11/2026 04/12/2026", (date(2026, 11, 1), date(2026, 12, 4))),
    ("du 1er novembre au 4 décembre 2026", (date(2026, 11, 1), date(2026, 12, 4))),
    ("from 1 November to 4 December 2026", (date(2026, 11, 1), date(2026, 12, 4))),
    ("1er novembre 2026 - 27 novembre 2026", (date(2026, 11, 1), date(2026, 11, 27))),
    ("Du 1er octobre jusqu'au 15 novembre", (date(2026, 10, 1), date(2026, 11, 15))),
    ("2026-11-01 2026-11-30", (date(2026, 11, 1), date(2026, 11, 30))),
])
def test_a_report_period_is_read_by_the_time_package(text: str,
                                                      expected: tuple[date, date]) -> None:
    """The report's two ends, split and read here rather than by the report itself; a year
    written only at the end is the start's too."""
    assert parse_period(text, now=NOW, tz="Africa/Bamako") == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "unrecognised"), ("2026", "unrecognised"), ("a b c", "unrecognised"),
    ("31/11/2026 04/12/2026", "impossible_date"), ("01/11/2026 demain", "unrecognised"),
])
def test_a_report_period_refusals(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_period(text, now=NOW, tz="Africa/Bamako")
    assert refused.value.reason == reason
