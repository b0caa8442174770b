"""Closed months of the outbox stay on disk, out of memory.

Every message the bot ever owed stays in its month's file (``outbox/<YYYY-MM>.json``). Loaded
at every start, a year of them (invitations, answers, card edits: some ten thousand rows a month
for the network, each ~1.9 KB in memory even as a receipt) made the bot's memory and start-up
grow with its age. A month older than the newest ``KEEP`` whose every row is final (sent,
skipped, expired, dead) is done with: nothing will deliver, retry, release or report it again,
and the cards it posted keep their references in ``cards``. Before the outbox is loaded, such
a month's file is moved whole into ``outbox/archive/`` (one rename: the same bytes, readable as
before) and not loaded again.

A month the journal still changes (replayed at this start) is left loaded, as is one with a row
still pending or held: they are looked at again at the next start. Row numbers keep growing:
they are given in time order, so the newest months hold the highest ones.

A bot that runs for months does the same while it runs (``archive_loaded_months``, every few
hours from ``bot/runtime.py``): a month done with is dropped from the outbox's memory, then its
file moved — only once that file holds all of it (not changed since it was last written, no
compaction still running: no journal line left that a restart would replay over it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from storage.compaction import DIR_MODE
from storage.files import fsync_dir, read_json_file
from storage.outbox import MONTH, Outbox

if TYPE_CHECKING:
    from storage.engine import Engine

log = logging.getLogger(__name__)

KEEP = 2  # the newest months always loaded: this one and the last
FINAL = frozenset({"sent", "skipped", "expired", "dead"})
ARCHIVE = "archive"


def archive_closed_months(engine: Engine, folder: str = "outbox", keep: int = KEEP) -> list[str]:
    """Move the closed months of ``folder`` into its archive (read-write stores only, before
    the collection is opened); the months moved, oldest first."""
    if engine.read_only:
        return []
    shards = engine.data_dir / folder
    prefix = f"{folder}/"
    replayed = {rel[len(prefix):] for rel in engine.storages if rel.startswith(prefix)}
    on_disk = {path.stem for path in shards.glob("*.json")}
    months = sorted(key for key in on_disk | replayed if MONTH.fullmatch(key))
    moved = [key for key in months[:-keep] if key in on_disk and key not in replayed
             and _closed(shards / f"{key}.json")]
    _move(shards, moved)
    return moved


def archive_loaded_months(engine: Engine, outbox: Outbox, folder: str = "outbox",
                          keep: int = KEEP) -> list[str]:
    """While the bot runs (outside any transaction): the loaded months done with leave memory
    and go to the archive; the months moved."""
    if engine.read_only:
        return []
    moved = []
    for month in outbox.months_done_with(keep):
        if not (engine.data_dir / folder / f"{month}.json").exists():
            continue  # never written yet: a compaction will, then it can go
        rel = f"{folder}/{month}"
        if not engine.file_holds_all(rel):
            continue  # its file does not hold all of it yet: another time
        outbox.forget_month(month)
        engine.let_go(rel)
        moved.append(month)
    _move(engine.data_dir / folder, moved)
    return moved


def _move(shards: Path, months: list[str]) -> None:
    """The months' files into the archive, durably (both folders synced)."""
    if not months:
        return
    archive = shards / ARCHIVE
    archive.mkdir(mode=DIR_MODE, exist_ok=True)
    for month in months:
        os.replace(shards / f"{month}.json", _free_name(archive, month))
    fsync_dir(archive)
    fsync_dir(shards)
    log.info("outbox: %s month(s) done with, archived and no longer in memory: %s",
             len(months), ", ".join(months))


def _free_name(archive: Path, month: str) -> Path:
    """``<month>.json``, or ``<month>-2.json``… when a file of that month is archived already
    (a row of it written again after it left, filed back under its month): never replaced."""
    path, n = archive / f"{month}.json", 1
    while path.exists():
        n += 1
        path = archive / f"{month}-{n}.json"
    return path


def _closed(path: Path) -> bool:
    """Every row of the month's file final."""
    data = read_json_file(path)
    return data is not None and all(
        isinstance(doc, dict) and doc.get("status") in FINAL
        for table in data.values() for doc in table.values())
