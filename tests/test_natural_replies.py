"""Positions written in words count, or are answered: a direct message « d'accord pour
l'UNICEF », a reply to a consultation's card, a thread reply in the network channel, a reply in
the Telegram group. The bot asks for one tap (Confirm / the other choices / Cancel), offers the
consultations when several are open, says what it understood when it read no position, refuses
another agency's name — and the confirmation records the position once.

In-process with the neutral types first, then through the real slack-bolt and
python-telegram-bot apps against the loopback fakes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotApp
from handlers.types import CardRef, Message, Reply
from tests.conftest import Clock, click, say
from tests.support.spoken import Spoken

OPEN = "consultation ouvrir {text} | vendredi 4 décembre 17h"


def open_poll(app: BotApp, text: str = "Adopter le plan 2027") -> int:
    say(app, "aminata", OPEN.format(text=text))
    return max(c.id for c in app.store.consultations.all())


def actions(reply: Reply | Message) -> list[tuple[str, str]]:
    message = reply.message if isinstance(reply, Reply) else reply
    return [(b.action, b.value) for b in message.buttons]


def positions(app: BotApp, number: int) -> dict[str, tuple[str, str]]:
    return {agency: (p.choice, p.reason)
            for agency, p in app.store.positions.current(number).items()}


def test_daccord_in_a_direct_message_asks_to_confirm_instead_of_unknown_command(
        app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    spoken.clear()
    reply = say(app, "awa", "d'accord pour l'UNICEF")
    assert "error.unknown_command" not in spoken
    assert spoken.shown(reply, "natural.confirm_title", "fr", number=number)
    assert spoken.has("natural.confirm", "fr", choice=spoken.text("poll.choice.agree", "fr"))
    [reading] = app.store.readings.all()
    assert (reading.member_id, reading.choice, reading.consultation_id) == ("awa", "agree",
                                                                           number)
    # Confirm first, the other choices (no objection without a reason), Cancel.
    assert actions(reply) == [("natural.confirm", f"{reading.id}.agree"),
                              ("natural.confirm", f"{reading.id}.reservations"),
                              ("natural.confirm", f"{reading.id}.abstain"),
                              ("natural.cancel", str(reading.id))]
    assert positions(app, number) == {}  # nothing recorded before the tap


def test_the_confirmation_tap_records_the_position_once(app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "ibrahim", "accord avec réserves : le budget doit être revu")
    [reading] = app.store.readings.all()
    reply = click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.reservations")
    assert spoken.shown(reply, "poll.recorded", "fr", number=number)
    assert positions(app, number) == {"UNDP": ("reservations", "le budget doit être revu")}
    # The card's buttons become the consultation's own, carrying its new version.
    [latest] = app.store.positions.all()
    assert set(actions(reply)) == {(f"position.{c}", f"{number}.{latest.id}")
                                   for c in ("agree", "reservations", "objection", "abstain")}
    history = len(app.store.positions.all())
    spoken.clear()
    again = click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.reservations")
    assert spoken.shown(again, "natural.already_confirmed", number=number)
    assert [a for a, _ in actions(again)][0] == "position.agree"  # to change it, there
    assert len(app.store.positions.all()) == history  # a replayed confirmation writes nothing
    assert app.store.readings.get(reading.id).status == "confirmed"


def test_another_choice_keeps_the_reason_and_english_is_read(app: BotApp,
                                                            spoken: Spoken) -> None:
    number = open_poll(app)
    reply = say(app, "sarah", "we object because the timeline is too short")
    assert spoken.shown(reply, "natural.confirm_title", "en", number=number)
    assert spoken.has("natural.confirm_reason", "en", reason="the timeline is too short")
    [reading] = app.store.readings.all()
    assert ("natural.confirm", f"{reading.id}.objection") == actions(reply)[0]
    click(app, "console:sarah", "natural.confirm", f"{reading.id}.reservations")
    assert positions(app, number) == {"UNHCR": ("reservations", "the timeline is too short")}


def test_several_open_consultations_are_offered_as_buttons(app: BotApp,
                                                          spoken: Spoken) -> None:
    first = open_poll(app, "Premier texte")
    second = open_poll(app, "Second texte")
    reply = say(app, "awa", "ok")
    assert spoken.shown(reply, "natural.which", "fr")
    [reading] = app.store.readings.all()
    assert actions(reply) == [("natural.pick", f"{reading.id}.{first}"),
                              ("natural.pick", f"{reading.id}.{second}"),
                              ("natural.cancel", str(reading.id))]
    picked = click(app, "console:awa", "natural.pick", f"{reading.id}.{second}")
    assert spoken.shown(picked, "natural.confirm_title", number=second)
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert positions(app, second) == {"UNICEF": ("agree", "")}
    assert positions(app, first) == {}


def test_a_number_in_the_words_names_the_consultation(app: BotApp, spoken: Spoken) -> None:
    open_poll(app, "Premier texte")
    second = open_poll(app, "Second texte")
    reply = say(app, "awa", f"d'accord pour la consultation {second}")
    assert spoken.shown(reply, "natural.confirm_title", number=second)


def test_a_reply_naming_another_agency_is_refused(app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    reply = say(app, "awa", "ok pour le PNUD")
    assert spoken.shown(reply, "natural.other_agency", "fr", named="PNUD")
    assert app.store.readings.all() == [] and positions(app, number) == {}
    say(app, "sarah", "Agreed for UNICEF and UNHCR")
    assert spoken.has("natural.other_agency", "en", named="UNICEF")


def test_an_objection_without_reason_is_asked_for_one(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    reply = say(app, "awa", "pas d'accord")
    assert spoken.shown(reply, "natural.reason_needed", "fr")
    assert app.store.readings.all() == []


def test_no_open_consultation_is_said(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "awa", "d'accord")
    assert spoken.shown(reply, "natural.none_open", "fr")


def test_chatter_in_a_direct_message_stays_an_unknown_command(app: BotApp,
                                                             spoken: Spoken) -> None:
    open_poll(app)
    say(app, "awa", "bonjour à tous")
    assert "error.unknown_command" in spoken and "natural.not_understood" not in spoken


def test_a_reply_to_a_card_that_reads_as_nothing_shows_the_buttons(app: BotApp,
                                                                  spoken: Spoken) -> None:
    number = open_poll(app)
    card = CardRef("77", (("position.agree", f"{number}.0"),))
    reply = say(app, "awa", "je regarde et je reviens", in_reply_to=card)
    assert spoken.shown(reply, "natural.not_understood", "fr")
    assert spoken.shown(reply, "natural.use_buttons", number=number)
    assert [a for a, _ in actions(reply)] == ["position.agree", "position.reservations",
                                              "position.objection", "position.abstain"]


def test_a_reply_to_a_card_names_its_consultation(app: BotApp, spoken: Spoken) -> None:
    first = open_poll(app, "Premier texte")
    open_poll(app, "Second texte")
    card = CardRef("77", (("position.agree", f"{first}.0"), ("position.abstain", f"{first}.0")))
    reply = say(app, "awa", "oui", in_reply_to=card)
    assert spoken.shown(reply, "natural.confirm_title", number=first)  # not « which one? »


def test_only_the_author_confirms_and_cancel_records_nothing(app: BotApp,
                                                            spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "awa", "d'accord")
    [reading] = app.store.readings.all()
    click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("natural.not_yours") and positions(app, number) == {}
    click(app, "console:awa", "natural.cancel", str(reading.id))
    assert spoken.has("natural.cancelled") and app.store.readings.get(reading.id).status == \
        "cancelled"
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("natural.already_cancelled") and positions(app, number) == {}


def test_a_confirmation_after_the_deadline_is_refused_like_a_click(app: BotApp, clock: Clock,
                                                                  spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "awa", "d'accord")
    [reading] = app.store.readings.all()
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("poll.closed", number=number) and positions(app, number) == {}
    assert app.store.readings.get(reading.id).status == "pending"

