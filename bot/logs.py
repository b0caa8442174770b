"""Logging for operators: everything in ``<data dir>/reseau-bot.log``, warnings on stderr.

Tracebacks go to the file only, so a chat (or the console chat) never shows one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

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
        if os.environ.get("RESEAU_LOG_FORMAT", "").lower() == "json":
            file_handler.setFormatter(JsonLines())
        else:
            file_handler.setFormatter(Text("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(file_handler)
    for noisy in ("tzlocal", "asyncio", "httpx"):  # httpx logs URLs, which carry tokens
        logging.getLogger(noisy).setLevel(logging.WARNING)
