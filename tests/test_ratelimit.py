"""The dispatcher's rate limiter, driven by a fake clock: no real waiting."""

from __future__ import annotations

from bot.ratelimit import RateLimiter


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
