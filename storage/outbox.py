"""The outbox: every message the bot owes someone, kept until delivered or given up on.

One file per month of creation, so queuing or confirming a message costs what this month's rows
weigh, not the whole history; the rows still pending, held or given up are indexed in memory.
A row delivered (``sent``) or replaced by a newer one (``skipped``, superseded) keeps its
receipt — key, recipient, when, where (``refs``), the title — not its body: the message is in
the chat now, and a month of bodies (two hundred copies of each opening, a card edit per
click) was held in memory for nothing. Rows that did not reach everyone (held, expired, dead,
skipped for want of a channel) keep it."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import re
from collections.abc import Collection
from typing import Any

from storage.models import OutboxRow
from storage.repository import Numbered
from storage.sharded import ShardedCollection

MONTH = re.compile(r"\d{4}-\d{2}")  # a month's shard, as rows are filed by ``created_at``
_WRITES = itertools.count(1)  # versions of pending rows, never reused in this process
SUPERSEDED = "superseded"  # how the ``last_error`` of a row a newer one replaced begins


class Outbox(Numbered[OutboxRow]):
    """Rows keyed by an idempotency key: adding the same key twice stores one row."""

    def __init__(self, collection: ShardedCollection[OutboxRow]) -> None:
        super().__init__(collection)
        self._keys: dict[str, int] = {}  # idempotency key → row number
        self._pending: dict[int, str] = {}  # pending row → when it is next tried
        self._queued_at: dict[int, str] = {}  # pending row → when it was queued (``/healthz``)
        self._versions: dict[int, int] = {}  # pending row → its version (``version``)
        # The pending rows by their key's family (the key up to its last ":"): a card's edits
        # are "card:<n>:<version>", so its waiting edit is found without a scan (``supersede``).
        self._families: dict[str, set[int]] = {}
        self._held: dict[int, str] = {}  # held row → the identity it could not reach
        self._given_up: dict[int, str] = {}  # expired or dead row → its status
        self._answers: set[int] = set()  # pending rows answering someone (``due_numbers``)
        self._next_in: dict[str, int] = {}  # key family → its next free number (``next_in``)
        for row in collection:
            self._keys[row.key] = row.id
            self._index(row)

    def add(self, key: str, recipient: dict[str, Any],  # type: ignore[override]
            message: dict[str, Any],
            now_iso: str, language: str = "", relevant_until: str = "",
            topic: str = "") -> OutboxRow | None:
        """Queue a message; ``None`` when that key was already queued (the work ran twice)."""
        if key in self._keys:
            return None
        row = super().add(lambda n: OutboxRow(
            id=n, key=key, recipient=recipient, message=message, created_at=now_iso,
            next_attempt_at=now_iso, language=language, relevant_until=relevant_until,
            topic=topic))
        self._keys[key] = row.id
        self._count(key)
        self._index(row)
        return row

    def next_in(self, family: str) -> int:
        """The first ``n`` for which ``<family><n>`` was never queued (as far as the loaded
        months know): a card's edits are ``channelcard-edit:<card>:<n>``, and finding the next
        by trying each key cost every edit the card ever had, at each edit. Tried once per
        family, then counted as keys are added."""
        n = self._next_in.get(family)
        if n is None:
            n = 0
            while f"{family}{n}" in self._keys:
                n += 1
            self._next_in[family] = n
        return n

    def _count(self, key: str) -> None:
        family, colon, tail = key.rpartition(":")
        family += colon
        if tail.isdigit() and family in self._next_in:
            self._next_in[family] = max(self._next_in[family], int(tail) + 1)

    def number_of(self, key: str) -> int | None:
        """The number of the row queued under ``key``, if any."""
        return self._keys.get(key)

    def pending(self) -> list[OutboxRow]:
        rows = (self._c.get_number(number) for number in sorted(self._pending))
        return [row for row in rows if row is not None]

    def due(self, now_iso: str) -> list[OutboxRow]:
        """Pending rows whose next attempt time has come, oldest first: only they are decoded."""
        rows = (self._c.get_number(number) for number in self.due_numbers(now_iso))
        return [row for row in rows if row is not None and row.next_attempt_at <= now_iso]

    def due_numbers(self, now_iso: str, skip: Collection[int] = (),
                    limit: int | None = None) -> list[int]:
        """The numbers of the pending rows whose time has come, but those in ``skip``, from
        memory (the dispatcher asks after every request; rows waiting for a retry, an edit's
        turn or their chat's were decoded each time, a third of a click's work). With
        ``limit``, the first that many: answers to people first, then the oldest."""
        numbers = [n for n, at in self._pending.items() if at <= now_iso and n not in skip]
        if limit is None:
            return sorted(numbers)
        return heapq.nsmallest(limit, numbers, key=lambda n: (n not in self._answers, n))

    def pending_queued_before(self, iso: str) -> int:
        """How many pending rows were queued before ``iso``: from memory (``/healthz`` asks
        while a backlog of thousands waits; decoding each took 6 ms, requests waiting)."""
        return sum(1 for at in self._queued_at.values() if at < iso)

    def version(self, number: int) -> int:
        """A number that changes whenever row ``number`` is written (unique across the
        repository's rebuilds after a rollback): a copy read at the same version is still
        what storage holds, and need not be decoded again."""
        return self._versions.get(number, 0)

    def held(self, target: str | None = None) -> list[OutboxRow]:
        """Rows waiting for their recipient to become reachable (those that could not reach
        the identity ``target``, if given), oldest first; looked up in memory, so asking
        costs nothing when nothing waits."""
        numbers = sorted(n for n, held_target in self._held.items()
                         if target is None or held_target == target)
        rows = (self._c.get_number(number) for number in numbers)
        return [row for row in rows if row is not None]

    def release(self, row: OutboxRow, now_iso: str) -> None:
        """A held row becomes pending again, due now; the targets already reached stay done."""
        row.status, row.held_reason, row.held_target = "pending", None, ""
        row.next_attempt_at = now_iso
        self.save(row)

    def given_up(self) -> list[OutboxRow]:
        """Rows that will never reach every target (``expired``, ``dead``), oldest first."""
        rows = (self._c.get_number(number) for number in sorted(self._given_up))
        return [row for row in rows if row is not None]

    def counts(self) -> dict[str, int]:
        """How many rows wait, are held, expired or dead: from memory, for ``/healthz``."""
        given_up = list(self._given_up.values())
        return {"pending": len(self._pending), "held": len(self._held),
                "expired": given_up.count("expired"), "dead": given_up.count("dead")}

    def with_status(self, status: str) -> list[OutboxRow]:
        if status == "pending":
            return self.pending()
        if status == "held":
            return self.held()
        if status in ("expired", "dead"):
            return [row for row in self.given_up() if row.status == status]
        return self._c.find(lambda r: r.status == status)

    def pending_in(self, family: str) -> list[OutboxRow]:
        """The pending rows of a key ``family`` — the key up to its last ":", as
        ``card:12:`` for ``card:12:<version>`` —, oldest first: found by an index and only
        they decoded, however many other rows wait (under a burst every click looks here)."""
        numbers = sorted(self._families.get(family, ()))
        return [row for row in map(self._c.get_number, numbers) if row is not None]

    def waiting_in(self, family: str) -> bool:
        """Whether a row of ``family`` waits that no delivery has begun (none of its targets
        tried or reached): a live message there will still be written when it leaves."""
        return bool(self.waiting(family))

    def waiting(self, family: str) -> list[OutboxRow]:
        """The rows of ``family`` that wait, no delivery begun (``waiting_in``)."""
        return [row for row in self.pending_in(family) if not row.attempting and not row.done]

    def supersede(self, family: str, now_iso: str, *, only_waiting: bool = False) -> int:
        """The pending rows of ``family`` are dropped (``skipped``): a newer row says the same
        thing better (a card's later edit); with ``only_waiting``, those no delivery has
        begun. How many."""
        rows = self.waiting(family) if only_waiting else self.pending_in(family)
        for row in rows:
            row.status, row.last_error, row.next_attempt_at = "skipped", SUPERSEDED, now_iso
            self.save(row)
        return len(rows)

    def months_done_with(self, keep: int) -> list[str]:
        """The loaded months (``YYYY-MM`` shards) older than the newest ``keep`` with no row
        pending or held: from the indexes, nothing decoded."""
        months = sorted(key for key in self._c.shards if MONTH.fullmatch(key))
        owed = {self._c.shard_key_of(number) for number in (*self._pending, *self._held)}
        return [month for month in months[:-keep] if month not in owed]

    def forget_month(self, month: str) -> int:
        """Month ``month`` leaves memory (``storage/outbox_archive.py``); how many rows."""
        docs = self._c.forget(month)
        for number, doc in docs.items():
            if self._keys.get(doc.get("key", "")) == number:
                del self._keys[doc["key"]]
            self._given_up.pop(number, None)
        return len(docs)

    def save(self, row: OutboxRow) -> None:
        """Write ``row`` (an ``OSError`` leaves the indexes as the disk is); a delivered or
        replaced one as its receipt (``receipt``), the caller's copy left whole for the
        reports that follow a delivery."""
        super().save(receipt(row) if is_done_with(row) else row)
        self._index(row)

    def _index(self, row: OutboxRow) -> None:
        family = _family(row.key)
        if row.status == "pending" and row.recipient.get("kind") == "reply":
            self._answers.add(row.id)
        else:
            self._answers.discard(row.id)
        if row.status == "pending":
            self._pending[row.id] = row.next_attempt_at
            self._queued_at[row.id] = row.created_at
            self._versions[row.id] = next(_WRITES)
            self._families.setdefault(family, set()).add(row.id)
        else:
            self._pending.pop(row.id, None)
            self._queued_at.pop(row.id, None)
            self._versions.pop(row.id, None)
            members = self._families.get(family)
            if members is not None:
                members.discard(row.id)
                if not members:
                    del self._families[family]
        if row.status == "held":
            self._held[row.id] = row.held_target
        else:
            self._held.pop(row.id, None)
        if row.status in ("expired", "dead"):
            self._given_up[row.id] = row.status
        else:
            self._given_up.pop(row.id, None)


def is_done_with(row: OutboxRow) -> bool:
    """Delivered to every target, or replaced by a newer row before it left (not a row
    skipped for want of a channel: that one reached nobody)."""
    return row.status == "sent" or (
        row.status == "skipped" and (row.last_error or "").startswith(SUPERSEDED))


def receipt(row: OutboxRow) -> OutboxRow:
    """``row`` without its message's body: only the title stays, to say what it was."""
    title = row.message.get("title")
    return dataclasses.replace(row, message={"title": title} if title else {})


def _family(key: str) -> str:
    """``card:12:7`` → ``card:12:``: the rows that replace one another share it."""
    head, colon, _ = key.rpartition(":")
    return head + colon
