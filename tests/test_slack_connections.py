"""The Web API's calls share kept-alive connections (a click's card edits, posts and notices
were each a new connection, and in production a TLS handshake each), while the answers no
history shows — ephemeral messages — go on a connection of their own, which can never be one
Slack has just closed."""

from __future__ import annotations

from typing import Any

from handlers.types import Message, Outgoing, Recipient
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    NETWORK_CHANNEL,
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)

IBRAHIM = "U0DEMOIM"  # UNDP focal point, French


def mention(text: str, ts: str) -> dict[str, Any]:
    return {"type": "app_mention", "channel": "C0OTHER", "user": IBRAHIM,
            "text": f"<@U0BOT> {text}", "ts": ts}


async def test_posts_share_a_connection_and_ephemeral_answers_get_their_own(bot: Bot) -> None:
    for n in range(6):
        bot.app.ctx.queue(Outgoing(Recipient("channel", "network"), Message(title=f"N° {n}"),
                                   "fr", f"k{n}"))
    await bot.settle()
    posts = bot.fake.called("chat.postMessage")
    assert len(posts) == 6
    assert len({c.peer for c in posts}) < len(posts)  # kept alive: fewer connections than calls

    for n in range(2):
        await bot.slack.event(mention("membres", f"1764349100.00050{n}"), f"Ev015{n}")
        await bot.settle()
    first, second = bot.fake.called("chat.postEphemeral")
    pooled = {c.peer for c in bot.fake.calls if c.method != "chat.postEphemeral"}
    assert first.peer != second.peer and not {first.peer, second.peer} & pooled
