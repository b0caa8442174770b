"""Where the time of a request goes, on ten years of data with 200 members: the position click
(through ``BotApp.handle``, a colleague told) and ``consultation ouvrir``, each profiled with
cProfile in the bot's own process shape (scheduler running). Not part of ``make bench``::

    .venv/bin/python -m bench._profile [clicks|open] [--top N]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bench.history import Scale, generate, slack_user
from bot.app import BotApp
from handlers.types import Inbound
from storage.store import Store
from tests.support.previews import handle_and_send


def _click(app: BotApp, n: int, consultation: int) -> None:
    choice = ("agree", "reservations", "abstain")[n % 3]
    app.handle(Inbound(platform="slack", user_id=slack_user(n % 200), chat_id="D1",
                       action=f"position.{choice}", value=str(consultation)))


async def run(what: str, top: int) -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    network = generate(data, Scale())
    store = Store.open(data)
    app = BotApp(store, network)
    await app.start()
    consultation = max(c.id for c in store.consultations.open())
    profile = cProfile.Profile()
    if what == "clicks":
        for n in range(50):  # warm
            _click(app, n, consultation)
        started = time.perf_counter()
        profile.enable()
        for n in range(50, 450):
            _click(app, n, consultation)
        profile.disable()
        elapsed = (time.perf_counter() - started) / 400
        print(f"click: {elapsed * 1000:.2f} ms per request (profiled)")
    else:
        timings = []
        for n in range(30):
            started = time.perf_counter()
            if n == 29:
                profile.enable()
            handle_and_send(app, Inbound(platform="slack", user_id="UCHAIR", chat_id="D1",
                                         text=f"consultation ouvrir Texte {n} | dans 10 jours"))
            if n == 29:
                profile.disable()
            timings.append((time.perf_counter() - started) * 1000)
            await app.store.durable()
        print("consultation ouvrir, ms at the 1st, 10th, 30th: "
              f"{timings[0]:.1f} {timings[9]:.1f} {timings[29]:.1f}")
    app.stop()
    store.close()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("clicks", "open"), default="clicks", nargs="?")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.what, args.top))


if __name__ == "__main__":
    main()
