"""Information items shared at known moments, to browse, filter and search."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.app import BotApp
from tests.support.chat import Clock, say

SEED = [  # (when, who, what they typed)
    (datetime(2025, 3, 10, 9, tzinfo=UTC), "awa",
     "partager https://dtm.iom.int/mali/2025 Suivi des flux 2025 #1 #donnees"),
    (datetime(2025, 6, 2, 9, tzinfo=UTC), "ibrahim",
     "partager https://undp.org/mali/retour Étude sur la réintégration des migrants #21 #etude"),
    (datetime(2026, 1, 15, 9, tzinfo=UTC), "sarah",
     "share https://unhcr.org/mali/remit Remittances and diaspora #20 #19 #document"),
    (datetime(2026, 5, 4, 9, tzinfo=UTC), "awa",
     "partager https://unicef.org/mali/enfants Enfants en mobilité au Mali #7 #actualite"),
    (datetime(2026, 11, 2, 9, tzinfo=UTC), "mariam",
     "partager https://iom.int/mali/atelier <script>alert(1)</script> Atelier traite #10 "
     "#evenement"),
    (datetime(2026, 11, 20, 9, tzinfo=UTC), "awa",
     "partager Réunion des bailleurs reportée à janvier #actualite"),
]


def seed(app: BotApp, clock: Clock,
         entries: list[tuple[datetime, str, str]] | None = None) -> None:
    """Share ``entries`` (``SEED`` by default), each at its own time."""
    entries = SEED if entries is None else entries
    start = clock.now
    for count, (when, who, text) in enumerate(entries, start=1):
        clock.now = when
        say(app, who, text)
        assert len(app.store.items.newest_first()) == count, text
    clock.now = start
    assert len(app.store.items.newest_first()) == len(entries)


def link_of(reply: str) -> str:
    found = re.search(r"https?://\S+", reply)
    assert found, reply
    return found.group(0)
