"""Words around a moment, as people type it in a free-text field: plain words before and after
it are left out, and nothing that could change the moment ever is. Checked over the whole corpus
(tests/support/when_cases.py): every answer keeps its meaning with plain words around it, and is
refused with a negation, a cancellation or an alternative beside it, or an unknown word
inside it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.when import WhenError, parse_deadline, read_when
from scheduler.when.words import STOPWORDS, fold
from tests.support.when_cases import CASES, FAMILY_CASES, NOW, Case

BAMAKO = ZoneInfo("Africa/Bamako")
ANSWERS = [Case(text, expected, "base", "fr") for text, expected in CASES
           if not expected.startswith("!")] + [
    c for c in FAMILY_CASES if not c.expected.startswith("!")]


def read(text: str, case: Case) -> str:
    try:
        found = read_when(text, now=case.now, deadline=case.deadline)
    except WhenError as refused:
        return "!" + refused.reason
    shown = found.start.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M")
    return shown + (f" @{found.zone.tz}" if found.zone is not None else "")


@pytest.mark.parametrize(("before", "after"), [
    ("réunion", ""), ("Merci d'envoyer vos commentaires", ""), ("Please send inputs", ""),
    ("Call", ""), ("", "merci"), ("", "sur Zoom"), ("Rappel :", "(salle B)"),
])
def test_plain_words_around_a_moment_never_change_it(before: str, after: str) -> None:
    answered = 0
    for case in ANSWERS:
        got = read(f"{before} {case.text} {after}", case)
        assert got.startswith("!") or got == case.expected, (before, case.text, after, got)
        answered += not got.startswith("!")
    assert answered >= 0.9 * len(ANSWERS)


@pytest.mark.parametrize("word", [
    "pas", "not", "sauf", "except", "annulée", "cancelled", "reportée", "postponed", "ou", "or",
    "la veille de", "no meeting", "doesn't work", "impossible", "au plus tôt", "si", "unless",
    "au lieu de", "initialement", "originally", "était",
])
def test_words_that_change_a_moment_are_never_left_out(word: str) -> None:
    for case in ANSWERS:
        for text in (f"réunion {word} {case.text}", f"{case.text} {word} merci"):
            assert read(text, case).startswith("!"), text


def test_an_unknown_word_between_the_parts_of_a_moment_is_refused() -> None:
    checked = 0
    for case in ANSWERS:
        if (read_when(case.text, now=case.now, deadline=case.deadline).ignored
                or "jour pour jour" in case.text):  # part of the text; a phrase that says nothing
            continue
        tokens = case.text.split()
        for i in range(1, len(tokens)):
            if {fold(tokens[i - 1]), fold(tokens[i])} & (STOPWORDS | {"ce", "this", "d'ici"}):
                continue
            text = " ".join([*tokens[:i], "blabla", *tokens[i:]])
            assert read(text, case).startswith("!"), text
            checked += 1
    assert checked >= 300


def test_the_blind_set_is_answered() -> None:
    """Refused before: plain words around the moment, « sous 72h », « ce soir à minuit »."""
    expected = {
        "Merci d'envoyer vos commentaires d'ici mercredi 12h": datetime(2026, 12, 2, 12),
        "retour attendu sous 72h": datetime(2026, 12, 1, 17),
        "Please send inputs by Thursday 3pm": datetime(2026, 12, 3, 15),
        "comments due by 10 Dec": datetime(2026, 12, 10, 17),
        "réunion lundi 14h heure de Genève": datetime(2026, 11, 30, 13),
        "Call Wednesday 9am New York time": datetime(2026, 12, 2, 14),
        "ce soir à minuit": datetime(2026, 11, 29, 0),
    }
    for text, moment in expected.items():
        assert parse_deadline(text, now=NOW) == moment.replace(tzinfo=BAMAKO), text


def test_the_reading_says_which_words_were_left_out() -> None:
    found = read_when("Merci d'envoyer vos commentaires d'ici mercredi 12h, merci", now=NOW)
    assert found.ignored == ("merci d envoyer vos commentaires", "merci")
    assert found.deadline
    assert read_when("d'ici mercredi 12h", now=NOW).ignored == ()


def test_lieu_and_place_change_a_moment_only_in_au_lieu_de_and_a_la_place_de() -> None:
    assert read_when("La réunion aura lieu mardi à 10h", now=NOW).start.hour == 10
    assert read_when("The meeting will take place on Tuesday at 10am", now=NOW).start.hour == 10
    for text in ("au lieu de mardi", "à la place de mardi 10h", "réunion jeudi au lieu de merci"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)


def test_a_deadline_label_keeps_what_is_due_out_of_the_moment() -> None:
    """« Délai de réponse : vendredi », "Deadline for comments: Friday": the words after the
    label say what is due. Only after a label noun: « avant la réunion de vendredi » and « d'ici
    la réunion de vendredi » are not « avant / d'ici vendredi »."""
    found = read_when("Délai de réponse : vendredi 4 décembre", now=NOW)
    assert found.start == datetime(2026, 12, 4, 17, tzinfo=BAMAKO) and found.deadline
    assert found.ignored == ("de reponse",)
    assert read_when("Deadline for comments: Friday 3pm", now=NOW).start.hour == 15
    for text in ("avant la réunion de vendredi", "d'ici la réunion de vendredi 12h",
                 "by the meeting on Friday", "Deadline for the second round: Friday",
                 "Deadline for comments was Friday", "la date limite de réponse était vendredi"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)


def test_a_misspelt_date_word_is_never_left_out() -> None:
    """« réunion mecredi 14h » would otherwise be the coming 14:00, whatever the day."""
    for text in ("réunion mecredi 14h", "réunion jeudy 10h", "Call Tusday 9am",
                 "meeting 9am tomorow", "réunion vendredie 10h", "réunion 10h le 3 decmbre"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)


def test_a_length_is_not_read_as_a_time() -> None:
    """« réunion de 2h mardi »: two hours long, or at 02:00? « de 14h » is a time."""
    for text in ("réunion de 2h mardi", "atelier d'une heure demain", "Call for 2h Tuesday",
                 "réunion de 1h30 lundi"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)
    assert read_when("réunion de 14h mardi", now=NOW).start.hour == 14
    assert read_when("réunion de 9h à 11h mardi", now=NOW).start.hour == 9


def test_a_deadline_said_as_the_day_of_something_else_is_refused() -> None:
    """« pour la réunion de vendredi »: the meeting's day, but the deadline is before it."""
    assert read_when("pour la réunion de vendredi", now=NOW).start.hour == 10  # a meeting's day
    for text in ("pour la réunion de vendredi", "for the meeting on Friday",
                 "comments on the draft of 10 December"):
        with pytest.raises(WhenError):
            parse_deadline(text, now=NOW)
    assert parse_deadline("retour attendu pour vendredi", now=NOW).hour == 17


def test_zone_words_are_left_out_only_when_they_name_the_networks_own_clock() -> None:
    assert read_when("Réunion du réseau Mali mardi 10h", now=NOW).start.hour == 10
    assert read_when("réunion locale mardi 10h", now=NOW).start.hour == 10
    for text in ("réunion Paris mardi 10h", "Geneva call Tuesday 10am", "EST Tuesday 10am",
                 "réunion mardi 10h heure de Tokyo merci"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)
    # In capitals before the moment « EST » is Eastern time; in lower case, the French verb.
    assert read_when("la réunion est mardi à 10h", now=NOW).start.hour == 10
    # With the network in Paris, « Mali » names another zone: kept, and refused.
    with pytest.raises(WhenError):
        read_when("Réunion du réseau Mali mardi 10h", now=NOW, tz="Europe/Paris")


def test_every_word_the_patterns_spell_is_kept() -> None:
    """Words spelled in pieces by a pattern (« ouvr(?:es|ables) ») or by a character class
    ("pm"), plurals and hyphenated words are kept: « sous 5 jours ouvrables merci » is not
    « sous 5 jours », « 13:00 pm merci » is not 13:00."""
    assert read_when("sous 5 jours ouvrables merci", now=NOW).start.day == 4
    for text in ("13:00 pm merci", "réunion les mardis 10h", "Call tuesday-ish 10am",
                 "réunion mardi 10h dans la salle B"):
        with pytest.raises(WhenError):
            read_when(text, now=NOW)
