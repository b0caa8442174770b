"""A real bot process for crash tests: the real storage, scheduler jobs and dispatcher, with the
clock fixed by the test and an adapter that records deliveries in a file (one line each).

``python -m tests.support.crash_harness <data dir> <deliveries file> <iso now> <mode>``; mode
``schedule`` convenes a meeting and exits, ``hang`` runs the due jobs then blocks inside the
first delivery (the test kills it there), ``deliver`` runs the due jobs and delivers everything.

Mode ``stall`` is ``reseau-bot run`` (configured by the environment, as the real command)
whose requests never get their acknowledgement: a request's transaction is written to the
journal as always, then ``written`` is printed where the request would wait for the fsync that
its ack waits for, and it waits forever (the test kills the process there).

Mode ``burst`` exercises the journal alone: concurrent writers, each transaction an outbox row
with its event id (and now and then an earlier row marked sent), each printed ``ack <key>`` (or
``sent <key>``) only once ``durable()`` returned, until the test kills the process. Two
variables, read here only, steer it: ``RESEAU_TEST_COMPACT_AFTER`` (bytes of journal before a
compaction, small so that kills land during compactions too) and ``RESEAU_TEST_COMPACTION_STOP``
(a compaction stage, ``file``, ``files`` or ``segments``: the compaction thread prints
``paused <stage>`` there and waits for the kill).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import threading
from datetime import datetime
from pathlib import Path

from bot.ratelimit import RateLimits
from storage.store import Store

WRITERS = 16
MESSAGE = {"title": "Consultation", "paragraphs": ["Texte de la proposition " * 20]}


class FileAdapter:
    platform = "telegram"
    rate_limits = RateLimits()

    def __init__(self, path: Path, hang: bool) -> None:
        self.path = path
        self.hang = hang

    async def deliver(self, target: object, message: object) -> None:
        if self.hang:
            print("delivering", flush=True)
            await asyncio.Event().wait()  # the platform never answers; the test kills us
        with self.path.open("a") as out:
            out.write(f"{target.address}\t{message.title}\n")  # type: ignore[attr-defined]

    async def probe(self) -> None:
        pass


async def bot(data: Path, deliveries: Path, now: datetime, mode: str) -> None:
    from bot.app import BotApp
    from bot.config.network import load_network
    from handlers.types import Inbound
    from tests.support.previews import handle_and_send

    store = Store.open(data)
    app = BotApp(store, load_network(), clock=lambda: now)
    app.add_adapter(FileAdapter(deliveries, hang=mode == "hang"), fallback=True)
    if mode == "schedule":
        reply = handle_and_send(app, Inbound(platform="console", user_id="aminata",
                                             text="réunion mardi 15 décembre 2026 10h"))
        print(reply.message.title, flush=True)
        await app.dispatcher.flush()
    else:
        await app.run_due_jobs()
    print("done", flush=True)
    store.close()


def pause_at(stage: str) -> object:
    """A compaction hook that stops the compaction thread at ``stage`` for good."""
    def hook(reached: str) -> None:
        if reached == stage:
            # Not print: the writers keep stdout's lock so busy that this thread could wait
            # for it for seconds. One small write to a pipe is atomic.
            os.write(sys.stdout.fileno(), f"paused {stage}\n".encode())
            threading.Event().wait()
    return hook


async def burst(data: Path, trial: str) -> None:
    store = Store.open(data, compact_after=int(os.environ.get("RESEAU_TEST_COMPACT_AFTER",
                                                              32 * 1024)))
    stage = os.environ.get("RESEAU_TEST_COMPACTION_STOP")
    if stage:
        store.engine.on_compaction = pause_at(stage)  # type: ignore[union-attr]
    print("ready", flush=True)

    async def writer(number: int) -> None:
        previous = None
        for count in range(100_000):
            key = f"{trial}:w{number}:{count}"
            mark = previous if count % 3 == 0 else None
            with store.transaction():
                row = store.outbox.add(key, {"kind": "member", "ref": f"m{number}"}, MESSAGE,
                                       "2026-11-28T10:00:00.000000+00:00")
                store.events.first_time(f"ev:{key}", "2026-11-28T10:00:00+00:00")
                if mark is not None:
                    mark.status = "sent"
                    store.outbox.save(mark)
            await store.durable()
            print(f"ack {key}", flush=True)
            if mark is not None:
                print(f"sent {mark.key}", flush=True)
            previous = row
            # A pause as people make between clicks: a loop never idle would keep the GIL
            # from the compaction thread until the journal's back-pressure stops the writers.
            await asyncio.sleep(random.random() / 100)

    await asyncio.gather(*(writer(n) for n in range(WRITERS)))


def stall() -> int:
    from bot import cli
    from bot.app import BotApp

    async def stalled(self: BotApp) -> None:
        print("written", flush=True)
        await asyncio.Event().wait()

    BotApp._durable = stalled  # type: ignore[method-assign]
    return cli.main(["run"])


if __name__ == "__main__":
    if sys.argv[4] == "stall":
        sys.exit(stall())
    if sys.argv[4] == "burst":
        asyncio.run(burst(Path(sys.argv[1]), sys.argv[2]))
    else:
        asyncio.run(bot(Path(sys.argv[1]), Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]),
                        sys.argv[4]))
