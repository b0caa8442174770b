"""Logging for operators: everything in ``<data dir>/reseau-bot.log``, warnings on stderr.

Tracebacks go to the file only, so a chat (or the console chat) never shows one.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


class NoTraceback(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info = None
        record.exc_text = None
        return super().format(record)


def setup_logging(data_dir: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(level)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    err.setFormatter(NoTraceback("reseau-bot: %(levelname)s: %(message)s"))
    root.addHandler(err)
    if data_dir is not None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = data_dir / "reseau-bot.log"
        path.touch(mode=0o600, exist_ok=True)
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(file_handler)
    for noisy in ("tzlocal", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
