"""Faults injected where they happen: the data dir refusing writes (a full disk).

The fault is raised at the storage write call (``storage.atomic.write_atomically``, which every
collection write goes through), as the operating system raises it: ``OSError(ENOSPC)``. No real
full file system is needed, and the rest of the bot runs as it would.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from storage import atomic


class FullDisk:
    """While ``full``, every storage write fails with ENOSPC, except the next ``allowed`` ones
    (to fill the disk between two writes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.allowed = 0
        self.refused = 0
        original = atomic.write_atomically

        def write(path: Path, text: str) -> None:
            if self.full:
                if self.allowed > 0:
                    self.allowed -= 1
                else:
                    self.refused += 1
                    raise OSError(errno.ENOSPC, "No space left on device", str(path))
            original(path, text)

        monkeypatch.setattr(atomic, "write_atomically", write)

    def fill(self, allowed: int = 0) -> None:
        self.full, self.allowed = True, allowed

    def free(self) -> None:
        self.full = False


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    return FullDisk(monkeypatch)
