"""A real bot process for crash tests: the real storage, scheduler jobs and dispatcher, with the
clock fixed by the test and an adapter that records deliveries in a file (one line each).

``python -m tests.crash_harness <data dir> <deliveries file> <iso now> <mode>``; mode
``schedule`` convenes a meeting and exits, ``hang`` runs the due jobs then blocks inside the
first delivery (the test kills it there), ``deliver`` runs the due jobs and delivers everything.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.app import BotApp
from bot.config import load_network
from bot.dispatcher import Target
from handlers.types import Inbound, Message
from storage.store import Store


class FileAdapter:
    platform = "telegram"

    def __init__(self, path: Path, hang: bool) -> None:
        self.path = path
        self.hang = hang

    async def deliver(self, target: Target, message: Message) -> None:
        if self.hang:
            print("delivering", flush=True)
            await asyncio.Event().wait()  # the platform never answers; the test kills us
        with self.path.open("a") as out:
            out.write(f"{target.address}\t{message.title}\n")

    async def probe(self) -> None:
        pass


async def main(data: Path, deliveries: Path, now: datetime, mode: str) -> None:
    store = Store.open(data)
    app = BotApp(store, load_network(), clock=lambda: now)
    app.add_adapter(FileAdapter(deliveries, hang=mode == "hang"), fallback=True)
    if mode == "schedule":
        reply = app.handle(Inbound(platform="console", user_id="aminata",
                                   text="réunion mardi 15 décembre 2026 10h"))
        print(reply.message.title, flush=True)
        await app.dispatcher.flush()
    else:
        await app.run_due_jobs()
    print("done", flush=True)
    store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]),
                     sys.argv[4]))
