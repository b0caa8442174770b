"""The network's mailbox read for calendar replies (``IMAP_URL``): each Accept / Decline becomes
the member's answer, given as their click on « Présent » / « Excusé·e » would be.

Run by ``reseau-bot courrier`` and, while the bot runs with ``IMAP_URL`` set, by the scheduled
job ``mail.check`` every few minutes (``scheduler/jobs/kinds.py``). For each unread message
(``bot/platforms/email/imap.py`` reads it with ``BODY.PEEK[]``, so reading marks nothing):

1. no calendar reply in it (``handlers/calendar_replies.py``): left exactly as it was — unread,
   in its place — and not fetched again by this process;
2. each reply is decided: the UID a meeting of the network, the attendee a member's email
   identity, the mail sent by that attendee (else ``forged``: refused). Known and genuine, the
   answer goes through the router as the member's click (``BotApp.handle``), and the reply's
   key (``storage/calendar_replies.py``) is stored in that same transaction;
3. once that transaction is on disk, the message is flagged ``\\Seen``. A crash in between, or
   the message marked unread again, reads it again: its key is there, nothing is recorded
   twice, and it is flagged then.

A reply the bot cannot use (forged, the meeting past, TENTATIVE) is remembered as such and
stays unread for a person to look at; one whose UID or attendee is unknown is only logged, and
looked at again next time (the member may be given that address meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta

from bot.app import BotApp
from bot.platforms.email.imap import ImapError, ImapSession, in_thread
from bot.platforms.email.imap_settings import ImapSettings, parse_imap_url
from handlers import mailbox_outage
from handlers.calendar_replies import CalendarReply, answered, decide, replies_in
from handlers.types import Inbound
from scheduler.jobs import MailCheck
from storage.calendar_replies import CalendarReply as StoredReply
from storage.identity import Identity

log = logging.getLogger(__name__)

MAX_SIZE = 2_000_000  # bytes: a calendar reply is a few kilobytes; bigger mail is not read
DONE = frozenset({"recorded", "again"})  # a message whose replies all ended so is flagged read
CHECK_EVERY = timedelta(minutes=5)  # how often the running bot reads the mailbox


class MailReader:
    """Reads one mailbox. Remembers, for this process, the messages that hold no calendar
    reply, so that a busy mailbox is not fetched whole every few minutes."""

    def __init__(self, app: BotApp, settings: ImapSettings) -> None:
        self.app = app
        self.settings = settings
        self._not_replies: dict[str, set[int]] = {}  # per UIDVALIDITY
        self._logged: set[str] = set()  # replies left alone, logged once per process
        self.failing_since: datetime | None = None  # the first failed check of an outage

    async def check(self) -> Counter[str]:
        """One pass over the unread messages; how many replies ended how (``recorded``,
        ``again``, ``forged``, ``refused``, ``unsupported``, ``unknown_uid``,
        ``unknown_attendee``, ``kept``) and how many messages were ``other`` mail. Raises
        ``ImapError`` when the mailbox cannot be read."""
        counts: Counter[str] = Counter()
        session = ImapSession(self.settings)
        await in_thread(session.open)
        try:
            skip = self._not_replies.setdefault(session.uidvalidity, set())
            uids = [uid for uid in await in_thread(session.unseen) if uid not in skip]
            sizes = await in_thread(session.sizes, uids)
            for uid in uids:
                raw = None if sizes.get(uid, 0) > MAX_SIZE else await in_thread(
                    session.fetch, uid)
                replies = replies_in(raw) if raw is not None else []
                if not replies:
                    skip.add(uid)
                    counts["other"] += 1
                    continue
                outcomes = await self.app.durably(lambda replies=replies: [
                    self._take(reply) for reply in replies])
                counts.update(outcomes)
                if DONE.issuperset(outcomes):
                    await in_thread(session.mark_seen, uid)
        finally:
            await asyncio.to_thread(session.close)
        if counts:
            log.info("mailbox read: %s", dict(counts))
        return counts

    async def scheduled(self, job: MailCheck) -> None:
        """The job ``mail.check``: one pass. A mailbox that cannot be read now is logged, and
        read at the next one; after half an hour of it the secretariat is told, once per outage
        (``handlers.mailbox_outage``)."""
        try:
            await self.check()
            self.failing_since = None
        except ImapError as error:
            log.error("mailbox not read at %s (%s): tried again in %s", job.at, error,
                      CHECK_EVERY)
            self.failing_since = self.failing_since or self.app.ctx.now()
            since, why = self.failing_since, str(error)
            if await self.app.durably(lambda: mailbox_outage.unreadable(
                    self.app.ctx, since, why)):
                self.app.dispatcher.wake()
        except Exception:
            log.exception("mailbox check at %s failed", job.at)

    def _take(self, reply: CalendarReply) -> str:
        """Decide one reply and record what came of it (inside the caller's transaction)."""
        store, ctx = self.app.store, self.app.ctx
        stored = store.calendar_replies.get(reply.key)
        if stored is not None:
            return "again" if stored.outcome == "recorded" else "kept"
        decision = decide(ctx, reply)
        if decision.outcome in ("unknown_uid", "unknown_attendee"):
            if reply.key not in self._logged:
                self._logged.add(reply.key)
                log.warning("calendar reply %s: %s (UID %s): left in the mailbox",
                            reply.message_id, decision.outcome, reply.uid)
            return decision.outcome
        outcome = decision.outcome
        if outcome == "answer":
            identity = Identity.parse(decision.identity)
            self.app.handle(Inbound(platform=identity.platform, user_id=identity.user,
                                    action=decision.action, value=decision.value,
                                    event=f"email:reply:{reply.key}"))
            outcome = "recorded" if answered(ctx, decision) else "refused"
        if outcome != "recorded":
            log.warning("calendar reply %s: %s (UID %s): left unread in the mailbox",
                        reply.message_id, outcome, reply.uid)
        store.calendar_replies.save(StoredReply(
            id=reply.key, outcome=outcome, at=ctx.now_iso(),
            member_id=decision.member.id if decision.member else "", meeting=decision.value))
        return outcome


def watch_mailbox(app: BotApp, url: str, every: timedelta = CHECK_EVERY) -> MailReader:
    """Read ``url``'s mailbox every ``every`` while ``app`` runs (before ``app.start``)."""
    reader = MailReader(app, parse_imap_url(url))
    app.async_jobs[MailCheck] = reader.scheduled
    app.mail_every = every
    return reader
