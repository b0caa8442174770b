"""One network, two platforms: linking a Slack and a Telegram identity, and where DMs go."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.types import Message, Outgoing, Recipient
from tests.conftest import Clock, say, text_of
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken


class Recorder:
    rate_limits = RateLimits()

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[Target] = []

    async def deliver(self, target: Target, message: Message) -> None:
        self.sent.append(target)

    async def probe(self) -> None:
        pass


def code_from(reply: str) -> str:
    return re.search(r"code ?: ([A-Z0-9]{8})", reply).group(1)


async def test_link_joins_identities_and_the_tally_treats_them_as_one(app: BotApp,
                                                                       spoken: Spoken) -> None:
    reply = text_of(say(app, "slack:U0DEMOIM", "lier"))  # Ibrahim (UNDP) on Slack
    code = code_from(reply)
    assert spoken.has("link.code", "fr", name="lier") and reply.count(code) == 2
    done = text_of(say(app, "telegram:4444", f"link {code.lower()}"))
    assert done == spoken.text("link.done", "fr", name="Ibrahim Maïga",
                               platforms="console, slack et telegram")
    assert "telegram:4444" in app.store.members.get("ibrahim").identities
    assert spoken.shown(say(app, "telegram:5555", f"lier {code}"), "link.bad_code")  # used once
    assert app.store.members.by_identity("telegram:5555") is None
    # A consultation opened on Slack, answered on Telegram: one agency, one position.
    say_and_send(app, "slack:U0DEMOMK", "consultation ouvrir Texte | vendredi 4 décembre 17h")
    say(app, "telegram:4444", "position 1 accord")
    say(app, "slack:U0DEMOIM", "position 1 abstention")
    assert app.store.positions.current(1)["UNDP"].choice == "abstain"
    assert len(app.store.positions.history(1)) == 2


def test_codes_expire_and_cannot_move_someone_elses_account(app: BotApp, clock: Clock,
                                                            spoken: Spoken) -> None:
    code = code_from(text_of(say(app, "awa", "lier")))
    assert spoken.shown(say(app, "telegram:7", "lier ZZZZZZZZ"), "link.bad_code")
    assert spoken.shown(say(app, "sarah", f"lier {code}"), "link.other_member", "en",
                        name="Sarah Johnson")
    assert set(app.store.members.get("awa").identities) == {"console:awa", "telegram:100000001"}
    clock.now += timedelta(minutes=16)
    assert spoken.shown(say(app, "telegram:7", f"lier {code}"), "link.bad_code")
    assert app.store.members.by_identity("telegram:7") is None
    assert spoken.shown(say(app, "telegram:8", "lier"), "link.not_member")


async def test_preference_decides_where_direct_messages_go(app: BotApp, spoken: Spoken) -> None:
    slack, telegram = Recorder("slack"), Recorder("telegram")
    app.add_adapter(slack)
    app.add_adapter(telegram)
    code = code_from(text_of(say(app, "slack:U0DEMOSJ", "link")))
    say(app, "telegram:9090", f"link {code}")
    await app.dispatcher.flush()  # the notice that an account was joined to her
    slack.sent.clear()

    def send(key: str) -> None:
        app.ctx.queue(Outgoing(Recipient("member", "sarah"), Message(title=key), "en", key))

    send("first")
    await app.dispatcher.flush()
    assert [t.platform for t in slack.sent + telegram.sent] == ["slack"]
    assert spoken.shown(say(app, "sarah", "preference telegram"), "preference.set.telegram")
    send("second")
    await app.dispatcher.flush()
    assert [t.address for t in telegram.sent] == ["9090"]
    say(app, "sarah", "préférence les deux")
    send("third")
    await app.dispatcher.flush()
    assert len(slack.sent) == 2 and len(telegram.sent) == 2
    assert spoken.shown(say(app, "awa", "préférence slack"), "preference.no_identity", "fr",
                        platform="slack")
    assert app.store.members.get("awa").preference is None
