"""Reading a position written in words (``handlers/natural/positions.py``), table-driven: French
and English, accents, case and both apostrophes, agencies named by acronym or name in both
languages, reasons cut from what was typed, and what must not read as a position."""

from __future__ import annotations

import pytest

from bot.config.network import load_network
from handlers.natural.positions import Reading, read_position

AGENCIES = load_network().agencies

# text → (choice, reason, agencies named)
POSITIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("d'accord pour l'UNICEF", "agree", "", ("UNICEF",)),
    ("D’accord pour l’ONUDC", "agree", "", ("UNODC",)),
    ("daccord", "agree", "", ()),
    ("ok pour le PNUD", "agree", "", ("UNDP",)),
    ("OK", "agree", "", ()),
    ("oui", "agree", "", ()),
    ("Oui, merci !", "agree", "", ()),
    ("accord", "agree", "", ()),
    ("ACCORD pour le HCR", "agree", "", ("UNHCR",)),
    ("Agreed for UNHCR", "agree", "", ("UNHCR",)),
    ("agreed", "agree", "", ()),
    ("We agree", "agree", "", ()),
    ("yes for UNDP", "agree", "", ("UNDP",)),
    ("Pas d’objection", "agree", "", ()),
    ("pas d'objection de notre part", "agree", "", ()),
    ("aucune objection", "agree", "", ()),
    ("No objection from UNICEF", "agree", "", ("UNICEF",)),
    ("non-objection", "agree", "", ()),
    ("we do not object", "agree", "", ()),
    ("rien contre", "agree", "", ()),
    ("sans réserve", "agree", "", ()),
    ("UNICEF : d'accord, merci", "agree", "", ("UNICEF",)),
    ("OK pour le Programme des Nations Unies pour le développement", "agree", "", ("UNDP",)),
    ("Agreed for the United Nations Children's Fund", "agree", "", ("UNICEF",)),
    ("d'accord pour la consultation 3", "agree", "", ()),
    ("👍", "agree", "", ()),
    ("accord avec réserves : le budget doit être revu", "reservations",
     "le budget doit être revu", ()),
    ("Accord avec réserves", "reservations", "", ()),
    ("sous réserve que le budget soit revu", "reservations", "que le budget soit revu", ()),
    ("agree with reservations on the budget", "reservations", "on the budget", ()),
    ("oui mais il faut revoir le calendrier", "reservations", "il faut revoir le calendrier",
     ()),
    ("Réserves pour l'OIM : la date", "reservations", "la date", ("IOM",)),
    ("objection car le délai est trop court", "objection", "le délai est trop court", ()),
    ("Objection : pourquoi cinq jours ?", "objection", "pourquoi cinq jours ?", ()),
    ("OBJECTION de l'OIM : le texte est flou", "objection", "le texte est flou", ("IOM",)),
    ("pas d'accord", "objection", "", ()),
    ("Je ne suis pas d’accord car le texte oublie l’objectif 7", "objection",
     "le texte oublie l’objectif 7", ()),
    ("we object because the timeline is too short", "objection",
     "the timeline is too short", ()),
    ("We don't agree: the data are old", "objection", "the data are old", ()),
    ("Non, le délai est trop court.", "objection", "le délai est trop court", ()),
    ("disagree", "objection", "", ()),
    ("abstention", "abstain", "", ()),
    ("L'OIM s'abstient", "abstain", "", ("IOM",)),
    ("Nous nous abstenons", "abstain", "", ()),
    ("we abstain", "abstain", "", ()),
    ("Abstention pour le PAM", "abstain", "", ("WFP",)),
]

NOT_POSITIONS = [
    "ok ?",  # a question in a meeting's thread, not an answer
    "d'accord ?",
    "who is coming?",  # "who" is not the WHO
    "merci pour l'info",
    "No idea",
    "Bonjour à tous",
    "La réunion est reportée ?",
    "",
    "oui, objection",  # contradictory: said so, not guessed
]


@pytest.mark.parametrize(("text", "choice", "reason", "agencies"), POSITIONS)
def test_a_position_written_in_words_is_read(text: str, choice: str, reason: str,
                                             agencies: tuple[str, ...]) -> None:
    reading = read_position(text, AGENCIES)
    assert (reading.choice, reading.reason, reading.agencies) == (choice, reason, agencies)
    assert reading.confidence in ("high", "low")


@pytest.mark.parametrize("text", NOT_POSITIONS)
def test_words_that_are_no_position_are_not_read_as_one(text: str) -> None:
    reading = read_position(text, AGENCIES)
    assert reading.choice is None and reading.confidence == "none"


def test_pas_daccord_is_an_objection_not_an_agreement() -> None:
    assert read_position("pas d'accord", AGENCIES).choice == "objection"
    assert read_position("d'accord", AGENCIES).choice == "agree"


def test_what_is_read_says_how_sure_it_is() -> None:
    assert read_position("d'accord", AGENCIES).confidence == "high"
    assert read_position("ok je regarde ça demain", AGENCIES).confidence == "low"
    assert read_position("oui mais le budget", AGENCIES).confidence == "low"


def test_a_consultation_number_and_several_agencies_are_kept() -> None:
    assert read_position("d'accord pour la consultation 3", AGENCIES).number == 3
    assert read_position("ok n° 12", AGENCIES).number == 12
    both = read_position("d'accord pour l'unicef et le pnud", AGENCIES)
    assert both.agencies == ("UNICEF", "UNDP") and both.agency is None
    assert read_position("ok pour l'UNICEF", AGENCIES) == Reading(
        "agree", "", ("UNICEF",), None, "high")
