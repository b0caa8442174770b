"""A colleague is not overridden by surprise: changing the position another focal point of the
agency gave asks first (who answered what and when, confirm or keep); a confirmation records
once, is told to the colleague, and is refused after the deadline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import BotApp
from storage.models import FOCAL_POINT, Member
from tests.conftest import Clock, click, say
from tests.support.fake_telegram import FakeTelegram, callback_update
from tests.support.followups import followed
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import buttons_of, post, running
from tests.support.telegram_runtime import fake as telegram_fake  # noqa: F401 (fixture)

KADIATOU_TG = 300000001


@pytest.fixture
def opened(app: BotApp) -> BotApp:
    """A consultation where Awa (UNICEF) agreed, and her colleague Kadiatou, on Telegram."""
    app.store.members.save(Member(id="kadiatou", name="Kadiatou Konaté", agency="UNICEF",
                                  roles=[FOCAL_POINT],
                                  identities=["console:kadiatou", f"telegram:{KADIATOU_TG}"]))
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    say(app, "awa", "position 1 accord")
    return app


def test_changing_a_colleagues_position_asks_first_naming_who_what_when(
        opened: BotApp, spoken: Spoken) -> None:
    [awas] = opened.store.positions.history(1)
    spoken.clear()
    asked = say(opened, "kadiatou", "position 1 objection Le budget n'est pas chiffré")
    assert [(b.action, b.value) for b in asked.message.buttons] == [
        ("override.confirm", f"1.{awas.id}"), ("override.keep", f"1.{awas.id}")]
    assert spoken.shown(asked, "override.question", "fr", name="Awa Traoré", number=1,
                        before=spoken.text("poll.choice.agree", "fr"),
                        after=spoken.text("poll.choice.objection", "fr"),
                        when=opened.ctx.when("fr", datetime.fromisoformat(awas.at)))
    assert opened.store.positions.history(1) == [awas]  # nothing recorded yet

    click(opened, "kadiatou", "override.confirm", f"1.{awas.id}")
    current = opened.store.positions.current(1)["UNICEF"]
    assert (current.member_id, current.choice, current.reason) == (
        "kadiatou", "objection", "Le budget n'est pas chiffré")
    assert followed(opened) == 2  # Awa's position told, then this change
    assert any(r.key == f"poll:1:changed:{current.id}:awa" for r in opened.store.outbox.all())

    # A replayed confirmation records nothing twice.
    replay = click(opened, "kadiatou", "override.confirm", f"1.{awas.id}")
    assert spoken.shown(replay, "override.not_pending", number=1)
    assert len(opened.store.positions.history(1)) == 2


def test_keep_leaves_the_colleagues_position(opened: BotApp, spoken: Spoken) -> None:
    asked = click(opened, "kadiatou", "position.abstain", "1.1")
    value = asked.message.buttons[1].value
    assert spoken.shown(click(opened, "kadiatou", "override.keep", value), "override.kept")
    assert spoken.shown(click(opened, "kadiatou", "override.confirm", value),
                        "override.not_pending")
    assert [p.member_id for p in opened.store.positions.history(1)] == ["awa"]


def test_the_same_choice_or_ones_own_change_asks_nothing(opened: BotApp) -> None:
    assert not click(opened, "kadiatou", "position.agree", "1.1").message.buttons[0].action \
        .startswith("override")
    say(opened, "kadiatou", "position 1 abstention")  # her own position now: no question
    asked = say(opened, "kadiatou", "position 1 reserves")
    assert opened.store.positions.current(1)["UNICEF"].choice == "reservations"
    assert not any(b.action.startswith("override") for b in asked.message.buttons)


def test_a_confirmation_after_the_deadline_is_refused(opened: BotApp, clock: Clock,
                                                      spoken: Spoken) -> None:
    asked = say(opened, "kadiatou", "position 1 abstention")
    clock.now = datetime(2026, 12, 4, 17, 1, tzinfo=UTC)
    refused = click(opened, "kadiatou", "override.confirm", asked.message.buttons[0].value)
    assert spoken.shown(refused, "poll.closed", number=1)
    assert [p.member_id for p in opened.store.positions.history(1)] == ["awa"]


async def test_confirm_over_telegram(opened: BotApp,
                                    telegram_fake: FakeTelegram) -> None:  # noqa: F811
    [awas] = opened.store.positions.history(1)
    runtime = await running(opened, telegram_fake)
    try:
        await post(runtime, callback_update(40, KADIATOU_TG, f"position.abstain|1.{awas.id}",
                                            "Consultation n° 1"))
        shown = [buttons_of(c.args) for c in telegram_fake.calls
                 if c.args.get("reply_markup") and "inline_keyboard" in c.args["reply_markup"]]
        assert [f"override.confirm|1.{awas.id}", f"override.keep|1.{awas.id}"] in shown
        assert len(opened.store.positions.history(1)) == 1
        await post(runtime, callback_update(41, KADIATOU_TG, f"override.confirm|1.{awas.id}",
                                            "Consultation n° 1"))
        current = opened.store.positions.current(1)["UNICEF"]
        assert (current.member_id, current.choice) == ("kadiatou", "abstain")
    finally:
        await runtime.stop()
