"""Faults injected where they happen: the data dir refusing writes (a full disk).

The fault is raised where every change reaches the disk, the journal's append of a transaction's
line (``storage.journal.Journal.append``), as the operating system raises it:
``OSError(ENOSPC)``. No real full file system is needed, and the rest of the bot runs as it
would (a refused transaction is taken back, see ``storage/engine.py``).
"""

from __future__ import annotations

import errno

import pytest

from storage.journal import Journal


class FullDisk:
    """While ``full``, every storage write fails with ENOSPC, except the next ``allowed`` ones
    (to fill the disk between two writes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.allowed = 0
        self.refused = 0
        original = Journal.append

        def append(journal: Journal, changes: list[str]) -> int:
            if self.full:
                if self.allowed > 0:
                    self.allowed -= 1
                else:
                    self.refused += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
            return original(journal, changes)

        monkeypatch.setattr(Journal, "append", append)

    def fill(self, allowed: int = 0) -> None:
        self.full, self.allowed = True, allowed

    def free(self) -> None:
        self.full = False


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    return FullDisk(monkeypatch)
