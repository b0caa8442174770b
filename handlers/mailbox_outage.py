"""The secretariat told when the network's mailbox cannot be read for a while.

Calendar replies (Accept / Decline in Outlook or Gmail) reach the bot only through the mailbox
(``IMAP_URL``). A mailbox that cannot be read — a changed password, a server down — loses no
reply (they wait there, unread), but nobody would know they wait: the check was only logged.
After ``TELL_AFTER`` of failed checks, the secretariat gets one notice per outage (keyed by when
it began), saying since when and why, and what to check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.context import Context
from handlers.types import Message
from storage.models import SECRETARIAT
from storage.records import to_iso

TELL_AFTER = timedelta(minutes=30)


def unreadable(ctx: Context, since: datetime, error: str) -> int:
    """Tell the secretariat, once for the outage that began ``since``, that the mailbox has not
    been read since then (``error``: why, without any password). How many were told."""
    if ctx.now() - since < TELL_AFTER:
        return 0

    def build(lang: str) -> Message:
        return Message(title=ctx.t(lang, "imap.unreadable_title"), paragraphs=[
            ctx.t(lang, "imap.unreadable", since=ctx.when(lang, since), error=error[:200])])

    return ctx.send_to_members(ctx.store.members.with_role(SECRETARIAT),
                               f"imap:unreadable:{to_iso(since)}", build)
