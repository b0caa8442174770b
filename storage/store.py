"""The data dir: every collection opened (and checked) at start-up, under one process lock, and
the transactions that change them (``storage/engine.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.answer_links import AnswerLinks
from storage.calendar_replies import CalendarReplies
from storage.calendar_tokens import CalendarTokens
from storage.cards import Cards
from storage.collection import Collection
from storage.consultations import Consultations, Positions
from storage.conversations import Conversations
from storage.delivery_failures import DeliveryFailures
from storage.deployment import DeploymentInfo
from storage.drafts import Drafts
from storage.email_claims import EmailClaims
from storage.engine import COMPACT_AFTER, Engine
from storage.events import FOLDER as EVENTS
from storage.events import ProcessedEvents
from storage.followups import Followups
from storage.groups import Groups
from storage.items import Items
from storage.job_failures import JobFailures
from storage.jobs_done import JobsDone
from storage.join_requests import JoinRequests
from storage.laters import Laters
from storage.link_codes import LinkAttemptsLog, LinkCodes
from storage.lock import DataDirLock
from storage.meetings import Meetings, Rsvps, Series
from storage.member_invites import MemberInvites
from storage.members import Members
from storage.outbox import Outbox
from storage.outbox_archive import archive_closed_months, archive_loaded_months
from storage.pending_overrides import PendingOverrides
from storage.plan import Plan
from storage.position_readings import PositionReadings
from storage.prompts import Prompts
from storage.sharded import ShardedCollection
from storage.signing_keys import SigningKeys
from storage.statements import Statements
from storage.todo_views import TodoViews
from storage.web_tokens import WebTokens

DIR_MODE = 0o700


class Changes:
    """The records written since they were last taken, as (collection, record id), for the
    collections whose records the schedule is derived from (meetings, consultations, the
    workplan, the marks and failures of jobs): what ``BotApp`` derives jobs again for."""

    def __init__(self) -> None:
        self._changed: set[tuple[str, object]] = set()

    def add_change(self, collection: str, record_id: object) -> None:
        self._changed.add((collection, record_id))

    def take(self) -> set[tuple[str, object]]:
        taken, self._changed = self._changed, set()
        return taken


class Store:
    """All of the bot's data. Open it once per process: ``Store.open(Path("data"))``.

    Opening reads every collection file and replays the journal over them, so a corrupt file or
    journal line stops start-up (``CorruptFileError`` names it) before anything runs, and never
    gets replaced by an empty database.

    Changes: ``with store.transaction():`` groups what one request (one job, one delivery) does
    into one journal line; ``await store.durable()`` returns once it survives a power cut (one
    fsync shared with every request that came meanwhile); ``sync_now()`` blocks for the same.
    Opened without the lock (``reseau-bot check``), a store only reads.
    """

    def __init__(self, data_dir: Path, lock: DataDirLock | None, *,
                 compact_after: int = COMPACT_AFTER) -> None:
        self.data_dir = data_dir
        self._lock = lock
        self._collections: list[Collection | ShardedCollection] = []
        self.changes = Changes()
        self.engine: Engine | None = None
        try:
            self.engine = Engine(data_dir, read_only=lock is None, compact_after=compact_after,
                                 key_logs=(EVENTS,))
            self.members = Members(self._open("members", Members.record))
            self.join_requests = JoinRequests(self._open("join_requests", JoinRequests.record))
            archive_closed_months(self.engine)  # before loading: closed months stay on disk
            self.outbox = Outbox(self._open_sharded("outbox", Outbox.record,
                                                    lambda row: row.created_at[:7] or "undated"))
            self.meetings = Meetings(self._open("meetings", Meetings.record, watch=True))
            self.series = Series(self._open("series", Series.record))
            self.rsvps = Rsvps(self._open("rsvps", Rsvps.record))
            self.jobs_done = JobsDone(self._open("jobs_done", JobsDone.record, watch=True))
            self.job_failures = JobFailures(self._open("job_failures", JobFailures.record,
                                                       watch=True))
            self.consultations = Consultations(self._open("consultations",
                                                          Consultations.record, watch=True))
            self.positions = Positions(self._open_sharded(
                "positions", Positions.record, lambda p: f"{p.consultation_id:06d}"))
            self.statements = Statements(self._open("statements", Statements.record))
            self.events = ProcessedEvents(self.engine)
            self.items = Items(self._open("items", Items.record))
            self.link_codes = LinkCodes(self._open("link_codes", LinkCodes.record))
            self.link_attempts = LinkAttemptsLog(self._open("link_attempts",
                                                            LinkAttemptsLog.record))
            self.groups = Groups(self._open("groups", Groups.record))
            self.plan = Plan(self._open("plan", Plan.record, watch=True))
            self.web_tokens = WebTokens(self._open("web_tokens", WebTokens.record))
            self.deployment = DeploymentInfo(self._open("deployment", DeploymentInfo.record))
            self.todo_views = TodoViews(self._open("todo_views", TodoViews.record))
            self.later = Laters(self._open("later", Laters.record, watch=True))
            self.overrides = PendingOverrides(self._open("overrides", PendingOverrides.record))
            self.readings = PositionReadings(self._open("readings", PositionReadings.record))
            self.prompts = Prompts(self._open("prompts", Prompts.record))
            self.cards = Cards(self._open("cards", Cards.record))
            self.member_invites = MemberInvites(self._open("member_invites",
                                                           MemberInvites.record))
            self.calendar_tokens = CalendarTokens(self._open("calendar_tokens",
                                                             CalendarTokens.record))
            self.drafts = Drafts(self._open("drafts", Drafts.record))
            self.conversations = Conversations(self._open("conversations",
                                                          Conversations.record, watch=True))
            self.signing_keys = SigningKeys(self._open("signing_keys", SigningKeys.record))
            self.answer_links = AnswerLinks(self._open("answer_links", AnswerLinks.record))
            self.email_claims = EmailClaims(self._open("email_claims", EmailClaims.record))
            self.delivery_failures = DeliveryFailures(self._open("delivery_failures",
                                                                 DeliveryFailures.record))
            self.calendar_replies = CalendarReplies(self._open("calendar_replies",
                                                               CalendarReplies.record))
            self.followups = Followups(self._open("followups", Followups.record))
            self.engine.on_rollback(self._reindex)
        except BaseException:
            self.close(compact=False)
            raise

    @classmethod
    def open(cls, data_dir: Path, *, lock: bool = True,
             compact_after: int = COMPACT_AFTER) -> Store:
        """``lock=False``: read-only, for looking at a data dir a running bot may own."""
        if lock:
            data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        owner = DataDirLock(data_dir) if lock else None
        if owner:
            owner.acquire()
        try:
            return cls(data_dir, owner, compact_after=compact_after)
        except BaseException:
            if owner:
                owner.release()
            raise

    def archive_done_months(self) -> list[str]:
        """The outbox's months done with leave memory, their files archived
        (``storage/outbox_archive.py``); the months. For a long-running bot, now and then."""
        return archive_loaded_months(self._engine, self.outbox)

    def _reindex(self) -> None:
        """After a transaction was taken back (``Engine.on_rollback``): every repository is
        built again over its collection, so what it derived from memory (keys seen, rows
        pending, indexes) matches memory again. Rare (a write the disk refused), so simple."""
        for name, repository in list(vars(self).items()):
            collection = getattr(repository, "_c", None)
            if isinstance(collection, (Collection, ShardedCollection)):
                setattr(self, name, type(repository)(collection))

    def _open(self, name: str, record: type, watch: bool = False) -> Collection:
        collection = Collection(self.data_dir, name, record, engine=self.engine,
                                watch=self.changes.add_change if watch else None)
        self._collections.append(collection)
        return collection

    def _open_sharded(self, name: str, record: type,
                      shard_of: Callable[[Any], str]) -> ShardedCollection:
        collection = ShardedCollection(self.data_dir, name, record, shard_of, engine=self.engine)
        self._collections.append(collection)
        return collection

    # Transactions and durability (see storage/engine.py).

    @property
    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("the store is closed")
        return self.engine

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything changed inside is written as one journal line at the end (synchronous:
        never ``await`` inside)."""
        with self._engine.transaction():
            yield

    def commit(self) -> int:
        """Write what is pending (no fsync); the sequence number covering it."""
        return self._engine.commit()

    def writes_to(self, collections: tuple[str, ...]) -> tuple[int, ...]:
        """How many changes were recorded so far in each of ``collections``: compared before
        and after a request, it tells whether the request wrote there."""
        writes = self._engine.writes
        return tuple(writes[name] for name in collections)

    async def durable(self, seq: int | None = None, *, inline: bool = False) -> None:
        """Once this returns, everything written so far (or up to ``seq``) is on disk
        (``inline``: nobody else waits, fsync here rather than in a worker thread)."""
        await self._engine.durable(seq, inline=inline)

    def sync_now(self) -> int:
        """Commit and fsync, blocking: for callers without an event loop."""
        return self._engine.sync_now()

    def compact(self) -> None:
        """Write every changed file now and empty the journal of what they hold (blocking)."""
        self._engine.checkpoint(wait=True)

    @property
    def files(self) -> list[Path]:
        """The collection files (a new one appears at the first compaction after its first
        change)."""
        return [path for c in self._collections
                for path in (c.paths if isinstance(c, ShardedCollection) else [c.path])]

    def close(self, *, compact: bool = True) -> None:
        """Stop cleanly: every change into its file, the journal emptied (unless ``compact`` is
        false: opening failed half-way and nothing must be written)."""
        if self.engine is not None:
            self.engine.close(compact=compact)
            self.engine = None
        for collection in self._collections:
            collection.close()
        self._collections.clear()
        if self._lock:
            self._lock.release()
            self._lock = None

