"""The wiring: storage, the network, the catalogs, the router and the dispatcher, in one object.

Every platform adapter hands its ``Inbound`` to ``BotApp.handle``: identity, then permission and
handler (the router), then a nudge to the dispatcher to deliver what the handler queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.dispatcher import Adapter, Dispatcher
from handlers.commands import build_router
from handlers.context import Context, utc_now
from handlers.i18n import Catalog
from handlers.members import seed_members
from handlers.settings import Network
from handlers.types import Inbound, Reply
from storage.store import Store

log = logging.getLogger(__name__)


class BotApp:
    """One bot process's state. Build it, add adapters, then ``handle`` and ``dispatcher``."""

    def __init__(self, store: Store, network: Network,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.network = network
        self.catalog = Catalog.load()
        self.ctx = Context(store, network, self.catalog, clock)
        self.router = build_router(self.catalog)
        self.dispatcher = Dispatcher(store, network, self.catalog, {}, clock=clock)
        seeded = seed_members(self.ctx)
        if seeded:
            log.info("seeded %s members from the configuration", seeded)

    def add_adapter(self, adapter: Adapter, *, fallback: bool = False) -> None:
        self.dispatcher.adapters[adapter.platform] = adapter
        if fallback:
            self.dispatcher.fallback = adapter

    def handle(self, inbound: Inbound) -> Reply:
        """Answer one event from any platform; what it queued is delivered by the dispatcher."""
        member = self.store.members.by_identity(inbound.identity)
        reply = self.router.handle(self.ctx, inbound.with_member(member))
        self.dispatcher.wake()
        log.info("handled", extra={"platform": inbound.platform,
                                   "member": member.id if member else None})
        return reply
