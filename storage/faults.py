"""What a failed write means for the rest of the bot.

A write that cannot be made durable (a full disk, a read-only or failing volume) is not a bug in
a handler: nothing was recorded, so nothing may be acknowledged or announced as done. Whoever
catches an ``OSError`` from storage raises ``StorageUnavailable`` instead: the platform adapters
then refuse the request (so Slack and Telegram show an error or deliver it again) and the
dispatcher pauses rather than sending what it could not record.
"""

from __future__ import annotations

import errno


class StorageUnavailable(OSError):
    """The data dir refused a write; ``reason`` is a short word for logs and ``/healthz``."""

    def __init__(self, cause: BaseException | None = None) -> None:
        code = getattr(cause, "errno", None)
        self.reason = {errno.ENOSPC: "disk full", errno.EDQUOT: "quota exceeded",
                       errno.EROFS: "read-only file system"}.get(code or 0, "write failed")
        detail = f": {cause}" if cause is not None else ""
        super().__init__(code or errno.EIO, f"storage unavailable ({self.reason}){detail}")
