"""The data dir: every collection opened (and checked) at start-up, under one process lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from storage.collection import Collection
from storage.consultations import Consultations, Positions, Statements
from storage.deployment import DeploymentInfo
from storage.events import ProcessedEvents
from storage.groups import Groups, Plan
from storage.items import Items
from storage.job_failures import JobFailures
from storage.lock import DataDirLock
from storage.meetings import JobsDone, Meetings, Rsvps, Series
from storage.members import JoinRequests, LinkAttemptsLog, LinkCodes, Members
from storage.outbox import Outbox
from storage.sharded import ShardedCollection
from storage.web_tokens import WebTokens

DIR_MODE = 0o700


class Store:
    """All of the bot's data. Open it once per process: ``Store.open(Path("data"))``.

    Opening reads every collection file, so a corrupt one stops start-up (``CorruptFileError``
    names it) before anything runs, and never gets replaced by an empty database.
    """

    def __init__(self, data_dir: Path, lock: DataDirLock | None) -> None:
        self.data_dir = data_dir
        self._lock = lock
        self._collections: list[Collection | ShardedCollection] = []
        try:
            self.members = Members(self._open("members", Members.record))
            self.join_requests = JoinRequests(self._open("join_requests", JoinRequests.record))
            self.outbox = Outbox(self._open_sharded("outbox", Outbox.record,
                                                    lambda row: row.created_at[:7] or "undated"))
            self.meetings = Meetings(self._open("meetings", Meetings.record))
            self.series = Series(self._open("series", Series.record))
            self.rsvps = Rsvps(self._open("rsvps", Rsvps.record))
            self.jobs_done = JobsDone(self._open("jobs_done", JobsDone.record))
            self.job_failures = JobFailures(self._open("job_failures", JobFailures.record))
            self.consultations = Consultations(self._open("consultations",
                                                          Consultations.record))
            self.positions = Positions(self._open_sharded(
                "positions", Positions.record, lambda p: f"{p.consultation_id:06d}"))
            self.statements = Statements(self._open("statements", Statements.record))
            self.events = ProcessedEvents(self._open_sharded(
                "events", ProcessedEvents.record, lambda e: e.at[:7]))
            self.items = Items(self._open("items", Items.record))
            self.link_codes = LinkCodes(self._open("link_codes", LinkCodes.record))
            self.link_attempts = LinkAttemptsLog(self._open("link_attempts",
                                                            LinkAttemptsLog.record))
            self.groups = Groups(self._open("groups", Groups.record))
            self.plan = Plan(self._open("plan", Plan.record))
            self.web_tokens = WebTokens(self._open("web_tokens", WebTokens.record))
            self.deployment = DeploymentInfo(self._open("deployment", DeploymentInfo.record))
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, data_dir: Path, *, lock: bool = True) -> Store:
        data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        owner = DataDirLock(data_dir) if lock else None
        if owner:
            owner.acquire()
        try:
            return cls(data_dir, owner)
        except BaseException:
            if owner:
                owner.release()
            raise

    def _open(self, name: str, record: type) -> Collection:
        collection = Collection(self.data_dir, name, record)
        self._collections.append(collection)
        return collection

    def _open_sharded(self, name: str, record: type,
                      shard_of: Callable[[Any], str]) -> ShardedCollection:
        collection = ShardedCollection(self.data_dir, name, record, shard_of)
        self._collections.append(collection)
        return collection

    @property
    def files(self) -> list[Path]:
        return [path for c in self._collections
                for path in (c.paths if isinstance(c, ShardedCollection) else [c.path])]

    def close(self) -> None:
        for collection in self._collections:
            collection.close()
        self._collections.clear()
        if self._lock:
            self._lock.release()
            self._lock = None

