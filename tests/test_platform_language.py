"""The language of what the bot sends a member: their choice (``langue``), else the language their
Slack or Telegram app is set to, learned when they write or click and kept, else French."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Inbound, Recipient
from storage.models import OutboxRow
from tests.conftest import say, text_of
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.previews import say_and_send, slack_command_and_send

IBRAHIM, MOUSSA = "U0DEMOIM", "U0DEMOMK"  # UNDP focal point (no language chosen), co-chair


def rows_for(app: BotApp, member_id: str) -> dict[str, OutboxRow]:
    """The outbox rows addressed to one member, by the first part of their key."""
    return {row.key.split(":" + member_id)[0]: row for row in app.store.outbox.all()
            if Recipient.from_dict(row.recipient) == Recipient("member", member_id)}


async def test_a_slack_members_english_locale_is_kept_for_invitations_and_consultations(
        bot: Bot) -> None:
    bot.fake.locales[IBRAHIM] = "en-US"
    await bot.slack.command(IBRAHIM, "membres")  # one command, in French words
    await bot.settle()
    assert bot.app.store.members.get("ibrahim").locale == "en-US"

    # Later, others act; what is queued for Ibrahim is written in English.
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "consultation ouvrir Adopter le plan | vendredi 4 "
                                 "décembre 17h", ref="poll")
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "réunion mardi 8 décembre 10h", ref="meeting")
    await bot.settle()
    queued = rows_for(bot.app, "ibrahim")
    assert queued["poll:1:open"].language == "en"
    assert queued["meeting:1:invite:0"].language == "en"
    assert rows_for(bot.app, "awa")["poll:1:open"].language == "fr"  # never seen: French


def test_a_telegram_language_code_is_remembered_for_later_messages(app: BotApp) -> None:
    say(app, "telegram:100000002", "membres", locale="en")  # Fatoumata, no language chosen
    say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
    assert rows_for(app, "fatoumata")["meeting:1:invite:0"].language == "en"
    assert rows_for(app, "awa")["meeting:1:invite:0"].language == "fr"  # never seen: French


def test_the_choice_still_wins_and_auto_gives_the_platform_language_back(app: BotApp) -> None:
    say(app, "slack:U0DEMOIM", "membres", locale="en-GB")
    assert text_of(say(app, "slack:U0DEMOIM", "langue fr")).startswith("C'est noté")
    assert say(app, "slack:U0DEMOIM", "membres", locale="en-GB").language == "fr"
    assert app.ctx.language_of(app.store.members.get("ibrahim")) == "fr"
    reply = say(app, "slack:U0DEMOIM", "langue auto", locale="en-GB")
    assert reply.language == "en" and text_of(reply) == app.ctx.t("en", "language.auto")
    assert app.store.members.get("ibrahim").language is None
    assert app.ctx.language_of(app.store.members.get("ibrahim")) == "en"


def test_an_unsupported_platform_language_means_french_and_nothing_is_rewritten(
        app: BotApp) -> None:
    say(app, "slack:U0DEMOIM", "membres", locale="en-US")
    say(app, "slack:U0DEMOIM", "membres", locale="es-ES")  # switched to Spanish: French now
    assert app.ctx.language_of(app.store.members.get("ibrahim")) == "fr"
    writes = len(app.store.members.all())
    assert say(app, "slack:U0DEMOIM", "membres", locale="es-ES").language == "fr"
    assert len(app.store.members.all()) == writes


def test_the_consoles_terminal_language_is_not_taken_for_the_members(app: BotApp) -> None:
    reply = app.handle(Inbound(platform="console", user_id="ibrahim", text="membres",
                               locale="en_US.UTF-8", remember_locale=False))
    assert reply.language == "en"
    assert app.store.members.get("ibrahim").locale is None


def test_a_newcomers_language_is_not_frozen_as_a_choice_on_approval(app: BotApp) -> None:
    say(app, "slack:U0NEW", "join UNICEF Kadiatou Konaté", locale="en-US")
    say(app, "mariam", "membre approuver 1")
    [member] = [m for m in app.store.members.all() if "slack:U0NEW" in m.identities]
    assert member.language is None and app.ctx.language_of(member) == "en"
    say(app, "slack:U0NEW", "membres", locale="fr-FR")  # their Slack is now in French
    assert app.ctx.language_of(app.store.members.get(member.id)) == "fr"
