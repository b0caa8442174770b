"""The dispatcher's rate limiter, driven by a fake clock: no real waiting."""

from __future__ import annotations

from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.ratelimit import RateLimiter, RateLimits
from handlers.types import Message, Outgoing, Recipient


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


async def test_overall_rate_per_chat_interval_and_group_window() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate_per_second=30, per_chat_interval=1.0, group_per_minute=20,
                          clock=t.clock, sleep=t.sleep)
    for n in range(30):
        await limiter.wait(f"user{n}")
    assert t.now - 1000.0 <= 1.0  # 30 different chats within about a second
    assert all(abs(s - 1 / 30) < 1e-6 for s in t.slept)
    t.slept.clear()
    await limiter.wait("user0")
    await limiter.wait("user0")
    assert t.slept[-1] == 1.0  # one per second in the same chat
    start = t.now
    for _ in range(21):
        await limiter.wait("-100group", group=True)
    assert t.now - start >= 60  # the 21st group message waits for the minute to pass


async def test_no_limits_means_no_wait() -> None:
    t = FakeTime()
    limiter = RateLimiter(clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        await limiter.wait("x")
    assert t.slept == []


class Paced:
    """An adapter declaring its limits on the protocol, as every platform does."""

    platform = "telegram"
    rate_limits = RateLimits(per_second=2.0, per_chat_interval=5.0, group_per_minute=3)

    async def deliver(self, target: Target, message: Message) -> None:
        pass

    async def probe(self) -> None:
        pass


async def test_rate_limits_are_read_from_the_platform_protocol_not_guessed(app: BotApp) -> None:
    """The dispatcher paces an adapter by its declared ``rate_limits``: before, it looked for
    loose attributes with ``getattr`` and a platform that named them otherwise was silently
    unlimited."""
    app.add_adapter(Paced())
    app.ctx.queue(Outgoing(Recipient("identity", "telegram:42"), Message(title="x"), "fr",
                           "paced"))
    await app.dispatcher.flush()
    limiter = app.dispatcher.limiters["telegram"]
    assert (limiter.interval, limiter.per_chat_interval, limiter.group_per_minute) == (
        0.5, 5.0, 3)
    assert SlackPlatform.rate_limits == RateLimits(per_chat_interval=1.0)
    assert TelegramPlatform.rate_limits == RateLimits(per_second=30.0, per_chat_interval=1.0,
                                                      group_per_minute=20)
