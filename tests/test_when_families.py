"""Dates as the network writes them: the seven families of tests/support/when_cases.py (deadlines,
time zones, abbreviations, conventional periods, relative forms, informal times, recurrences), each
in French and English with refusals beside the answers, at two moments (winter and summer, where
daylight saving time matters)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from handlers.i18n import Catalog
from handlers.router import localized
from scheduler.when import WhenError, parse_deadline, parse_recurrence, read_when
from tests.support.when_cases import FAMILIES, FAMILY_CASES, FAMILY_RULES, NOW, SUMMER, Case, Rule

BAMAKO = ZoneInfo("Africa/Bamako")


def read(case: Case) -> str:
    """What the parser gives for ``case``, written like the corpus' expected values."""
    try:
        found = read_when(case.text, now=case.now, deadline=case.deadline)
    except WhenError as refused:
        assert_reads_in_both_languages(refused)
        return "!" + refused.reason
    assert found.start.tzinfo is not None and found.start > case.now
    shown = found.start.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M")
    return shown + (f" @{found.zone.tz}" if found.zone is not None else "")


def assert_reads_in_both_languages(error: WhenError) -> None:
    catalog = Catalog.load()
    for lang in ("fr", "en"):
        sentence = catalog.t(lang, f"when.{error.reason}", **localized(error.params, lang))
        assert "{" not in sentence


def test_the_families_are_large_bilingual_and_refuse_beside_their_answers() -> None:
    cases = [(c.family, c.lang, c.expected.startswith("!")) for c in FAMILY_CASES] + [
        ("recurrence", r.lang, r.first.startswith("!")) for r in FAMILY_RULES]
    assert len(cases) >= 150
    counts = Counter(cases)
    for family in FAMILIES:
        for lang in ("fr", "en"):
            assert counts[(family, lang, False)] >= 4, (family, lang)
            assert counts[(family, lang, True)] >= 2, (family, lang)


@pytest.mark.parametrize("case", FAMILY_CASES, ids=lambda c: f"{c.family}-{c.lang}-{c.text}")
def test_family_case(case: Case) -> None:
    assert read(case) == case.expected


@pytest.mark.parametrize("rule", FAMILY_RULES, ids=lambda r: f"{r.lang}-{r.text}")
def test_family_recurrence(rule: Rule) -> None:
    if rule.first.startswith("!"):
        with pytest.raises(WhenError) as refused:
            parse_recurrence(rule.text, now=rule.now)
        assert refused.value.reason == rule.first[1:]
        assert_reads_in_both_languages(refused.value)
        return
    first, text_rule = parse_recurrence(rule.text, now=rule.now)
    assert (first.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M"), text_rule) == (rule.first,
                                                                               rule.rule)
    # The series code expands the rule from the first start, as a floating local time.
    local = first.astimezone(BAMAKO).replace(tzinfo=None)
    occurrences = [o for _, o in zip(range(60), rrulestr(text_rule, dtstart=local),
                                     strict=False)]
    assert occurrences[0] == local
    assert all(a < b for a, b in zip(occurrences, occurrences[1:], strict=False))


@pytest.mark.parametrize("now", [
    NOW + timedelta(hours=7), datetime(2026, 12, 31, 23, 30, tzinfo=BAMAKO),
    datetime(2027, 3, 28, 0, 45, tzinfo=BAMAKO), SUMMER + timedelta(days=26, hours=9),
], ids=str)
def test_no_family_answer_is_ever_in_the_past(now: datetime) -> None:
    for case in FAMILY_CASES:
        try:
            found = read_when(case.text, now=now, deadline=case.deadline)
        except WhenError:
            continue
        assert found.start > now, case.text
    for rule in FAMILY_RULES:
        try:
            first, _ = parse_recurrence(rule.text, now=now)
        except WhenError:
            continue
        assert first > now, rule.text


def test_geneva_time_follows_its_summer_time() -> None:
    """Geneva is UTC+1 in winter and UTC+2 in summer: the same wall time is an hour apart in
    Bamako, and the reading keeps the zone so the confirmation can show both."""
    winter = read_when("jeudi 14h heure de Genève", now=NOW)
    summer = read_when("jeudi 14h heure de Genève", now=SUMMER)
    assert winter.start.astimezone(BAMAKO).hour == 13 and summer.start.astimezone(BAMAKO).hour == 12
    assert winter.in_named_zone(winter.start).hour == summer.in_named_zone(summer.start).hour == 14
    assert winter.zone.name("fr") == "Genève" and winter.zone.name("en") == "Geneva"
    assert read_when("mardi 10h GMT", now=NOW).in_named_zone(NOW) is None  # Bamako's own clock


def test_gmt_time_and_zones_written_out_in_words_are_read() -> None:
    """"2pm GMT time", « 14h heure GMT », "Central European Time", « heure d'Afrique de l'Est »,
    "14:00 hrs" were refused (or taken for an unknown zone « european »)."""
    assert read_when("Tuesday 2pm GMT time", now=NOW).start.hour == 14
    assert read_when("lundi 14h heure GMT", now=NOW).zone.tz == "UTC"
    cet = read_when("Tuesday 2pm Central European Time", now=NOW)
    assert cet.start.astimezone(BAMAKO).hour == 13 and cet.zone.key == "CET"
    assert read_when("lundi 14h heure d'Afrique de l'Est", now=NOW).zone.tz == "Africa/Nairobi"
    assert read_when("Tuesday 14:00 hrs", now=NOW).start.hour == 14
    with pytest.raises(WhenError) as refused:  # standard time said of a summer day
        read_when("Thursday 10am Eastern Standard Time", now=SUMMER)
    assert refused.value.reason == "ambiguous"


def test_a_deadline_without_a_time_is_the_end_of_the_working_day_a_setting() -> None:
    assert parse_deadline("vendredi", now=NOW).hour == 17
    assert parse_deadline("vendredi", now=NOW, end_of_day=datetime(1, 1, 1, 16, 30).time()) == (
        datetime(2026, 12, 4, 16, 30, tzinfo=BAMAKO))
    assert read_when("vendredi", now=NOW).start.hour == 10  # a meeting keeps its default hour
    found = read_when("d'ici la fin du mois", now=NOW)
    assert found.deadline and found.meanings == ("end_of_month", "end_of_day")


def test_d_ici_72h_and_sous_72h_are_read_as_deadlines() -> None:
    """« d'ici 72h » was an instant without its deadline mark (the « d'ici » was cut out with
    the hours before it was looked for); « sous 72h », "within 72 hours" had none either. They
    say "at the latest then", as « sous huitaine » does; « dans 72h » does not."""
    for text in ("d'ici 72h", "sous 72h", "dans les 72 heures", "within 72 hours",
                 "in the next 72 hours", "sous huitaine", "within 10 days",
                 "sous 5 jours ouvrables"):
        found = read_when(text, now=NOW)
        assert found.deadline and found.start.hour == 17, text
    for text in ("dans 72h", "in 72 hours", "dans 3 jours", "dans 5 jours ouvrables"):
        assert not read_when(text, now=NOW).deadline, text


def test_ce_soir_a_minuit_is_the_midnight_that_ends_this_evening() -> None:
    """« ce soir à minuit » was refused: midnight is not an evening hour. An evening's midnight
    is 00:00 the next day; the weekday and date written are those of the evening; without an
    evening, midnight with a day stays ambiguous (start or end of that day?)."""
    assert read_when("ce soir à minuit", now=NOW).start == datetime(2026, 11, 29, 0, 0,
                                                                    tzinfo=BAMAKO)
    assert read_when("lundi soir à minuit", now=NOW).start == datetime(2026, 12, 1, 0, 0,
                                                                       tzinfo=BAMAKO)
    geneva = read_when("ce soir à minuit heure de Genève", now=NOW)  # 18:00 there
    assert geneva.in_named_zone(geneva.start).replace(tzinfo=None) == datetime(2026, 11, 29)
    for text in ("demain minuit", "tomorrow at midnight", "ce matin à minuit"):
        with pytest.raises(WhenError) as refused:
            read_when(text, now=NOW)
        assert refused.value.reason == "ambiguous", text


def test_conventional_readings_are_named_for_the_confirmation() -> None:
    assert read_when("demain en fin de matinée", now=NOW).meanings == ("late_morning",)
    assert read_when("sous huitaine", now=NOW).meanings == ("within_8_days", "end_of_day")
    assert read_when("vendredi", now=NOW, deadline=True).meanings == ("end_of_day",)
    assert read_when("vendredi 15h", now=NOW, deadline=True).meanings == ()
