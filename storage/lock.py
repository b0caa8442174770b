"""One bot process per data dir: TinyDB is not process-safe, so a second process must refuse."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DataDirLocked(RuntimeError):
    """Another process already owns this data dir."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"{path} is locked by process {holder or '?'}")


class DataDirLock:
    """An advisory ``flock`` on the data dir itself; the kernel drops it when the process dies.

    The lock is held on the directory, not on a file in it: an operator who deletes a stale-
    looking ``.lock`` does not let a second process in (a lock on a deleted file would bind
    nobody who opens the new one). ``<data dir>/.lock`` only says which process holds it, for
    the refusal message.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.data_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirLocked(self.data_dir, self.holder()) from None
        self._fd = fd
        try:
            pid = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(pid, str(os.getpid()).encode())
            finally:
                os.close(pid)
        except OSError:
            pass  # only the message of a refused second process would miss the number

    def holder(self) -> str:
        """The pid the lock's holder wrote, if the file is still there."""
        try:
            return self.path.read_text(encoding="ascii", errors="replace").strip()[:32]
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
