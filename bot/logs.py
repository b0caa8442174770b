"""Logging for operators: everything in ``<data dir>/reseau-bot.log``, warnings on stderr.

Tracebacks go to the file only, so a chat (or the console chat) never shows one. The file is
size-capped and rotated (``reseau-bot.log.1`` … ``.N``), so no amount of traffic fills the disk.
Under systemd (its journal on stderr, ``JOURNAL_STREAM``) or with ``RESEAU_LOG=stderr``,
everything goes to stderr instead and the journal keeps and rotates it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

LOG_FILE = "reseau-bot.log"
MAX_MB = 10.0  # per file; RESEAU_LOG_MAX_MB
BACKUPS = 5  # rotated files kept; RESEAU_LOG_BACKUPS
MIN_BYTES = 4096

# Fields a log line may carry besides its event: never message content, never secrets.
FIELDS = ("platform", "member", "command", "duration_ms", "job", "outcome")


class JsonLines(logging.Formatter):
    """One JSON object per line (``RESEAU_LOG_FORMAT=json``), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "event": record.getMessage()}
        line.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class Text(logging.Formatter):
    """Readable lines, with the structured fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k))
        return f"{text} {extra}" if extra else text


class NoTraceback(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info = None
        record.exc_text = None
        return super().format(record)


@dataclass(frozen=True)
class LogSettings:
    """Where logs go, from the environment (bad values fall back to the defaults)."""

    to_stderr: bool = False
    json: bool = False
    max_bytes: int = int(MAX_MB * 2**20)
    backups: int = BACKUPS

    @classmethod
    def read(cls, environ: Mapping[str, str], stderr_fd: int | None = None) -> LogSettings:
        where = environ.get("RESEAU_LOG", "").strip().lower()
        to_stderr = where == "stderr" or (where != "file" and under_journal(environ, stderr_fd))
        try:
            max_bytes = max(MIN_BYTES, int(float(environ.get("RESEAU_LOG_MAX_MB", MAX_MB))
                                           * 2**20))
        except ValueError:
            max_bytes = int(MAX_MB * 2**20)
        try:
            backups = max(1, int(environ.get("RESEAU_LOG_BACKUPS", BACKUPS)))
        except ValueError:
            backups = BACKUPS
        return cls(to_stderr, environ.get("RESEAU_LOG_FORMAT", "").lower() == "json",
                   max_bytes, backups)


def under_journal(environ: Mapping[str, str], stderr_fd: int | None = None) -> bool:
    """stderr is systemd's journal: ``JOURNAL_STREAM`` names its device and inode (systemd's
    documented check; a variable inherited by a child whose stderr went elsewhere does not
    count)."""
    device, _, inode = environ.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        stat = os.fstat(sys.stderr.fileno() if stderr_fd is None else stderr_fd)
    except (OSError, ValueError):
        return False
    return (stat.st_dev, stat.st_ino) == (int(device), int(inode))


class PrivateRotatingFile(RotatingFileHandler):
    """A rotating file readable by the bot's user only, the fresh one after a rotation too."""

    def _open(self) -> TextIO:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def setup_logging(data_dir: Path | None, level: int = logging.INFO,
                  settings: LogSettings | None = None) -> None:
    settings = settings or LogSettings.read(os.environ)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(level)
    formatter: logging.Formatter = JsonLines() if settings.json else Text(
        "%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.to_stderr:
        everything = logging.StreamHandler(sys.stderr)
        everything.setFormatter(JsonLines() if settings.json else Text(
            "%(levelname)s %(name)s: %(message)s"))  # the journal adds the time
        root.addHandler(everything)
    else:
        err = logging.StreamHandler(sys.stderr)
        err.setLevel(logging.WARNING)
        err.setFormatter(NoTraceback("reseau-bot: %(levelname)s: %(message)s"))
        root.addHandler(err)
    if data_dir is not None and not settings.to_stderr:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        file_handler = PrivateRotatingFile(data_dir / LOG_FILE, maxBytes=settings.max_bytes,
                                           backupCount=settings.backups, encoding="utf-8")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    for noisy in ("tzlocal", "asyncio", "httpx"):  # httpx logs URLs, which carry tokens
        logging.getLogger(noisy).setLevel(logging.WARNING)
