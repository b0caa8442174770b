"""How the open transaction is taken back when its journal line cannot be written (a full
disk): each storage hands over, just before it changes its memory, the step that puts it back;
the steps run newest first, then whatever was derived from memory (the repositories' indexes)
is derived again."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("storage.engine")  # the engine's log, as before this module


class UndoLog:
    """The undo steps of one open transaction, and who to tell after a rollback."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []
        self._listeners: list[Callable[[], None]] = []

    def add(self, step: Callable[[], None]) -> None:
        self._steps.append(step)

    def on_rollback(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def clear(self) -> None:
        """The transaction was written: nothing to take back any more."""
        self._steps.clear()

    def rollback(self) -> None:
        """Take back every change of the transaction, newest first, then tell the listeners."""
        steps, self._steps = self._steps, []
        for step in reversed(steps):
            step()
        log.error("journal: a transaction of %s changes could not be written and was taken back",
                  len(steps))
        for listener in self._listeners:
            listener()
