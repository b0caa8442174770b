"""Messages that cannot be delivered yet: what that means for the network, who is told, and
when they go after all.

The dispatcher (``bot/dispatcher.py``) only reports what happened to an outbox row: which
identities it could not reach and why, and whether the row now waits (``held``). Here that
becomes the network's business: the member's unreachable account is marked, so later messages
go through another of their accounts; the secretariat is told at once, by direct message, with
what to do (for someone who never opened the bot on Telegram, the link that opens it); and a
held row is released when the person writes to the bot, when the member gets an account, or at
start-up (an adapter may have been added).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import Context
from handlers.deeplinks import OPEN_PAYLOAD
from handlers.types import Inbound, Message, Recipient
from storage.models import SECRETARIAT, OutboxRow

# Only the person can lift these, by writing to the bot there (Telegram: opening the bot or
# restarting it after a block); the others are for the network to fix.
PERSON_REASONS = frozenset({"not_started", "blocked", "deactivated"})
REASONS = PERSON_REASONS | {"no_adapter", "no_identity", "inactive", "not_in_channel"}
NOTICE = "undelivered"  # the key prefix of the secretariat's notices


def report(ctx: Context, row: OutboxRow, unreachable: dict[str, str]) -> None:
    """After a delivery attempt: ``unreachable`` maps each identity the dispatcher could not
    reach to the reason; ``row.status`` is ``held`` if the row itself waits."""
    recipient = Recipient.from_dict(row.recipient)
    if recipient.kind == "member":
        member = ctx.store.members.get(recipient.ref)
        marks = {identity: reason for identity, reason in unreachable.items()
                 if reason in PERSON_REASONS}
        if member is not None and any(member.unreachable.get(i) != r for i, r in marks.items()):
            member.unreachable.update(marks)
            ctx.store.members.save(member)
    if row.status == "held":
        tell_secretariat(ctx, row, recipient)


def tell_secretariat(ctx: Context, row: OutboxRow, recipient: Recipient) -> None:
    """One notice per recipient, reason and stretch of unreachability (the oldest row held for
    the same reason names it), not one per row or retry. Answers to someone who just wrote
    (``identity`` recipients) and the notices themselves are not reported."""
    if recipient.kind == "identity" or row.key.startswith(NOTICE + ":"):
        return
    reason = row.held_reason or "no_adapter"
    first = min(r.id for r in ctx.store.outbox.held()
                if r.recipient == row.recipient and r.held_reason == reason)
    platform = row.held_target.split(":", 1)[0] if row.held_target else ""
    member = ctx.store.members.get(recipient.ref) if recipient.kind == "member" else None
    subject = row.message.get("title") or next(iter(row.message.get("paragraphs") or []), "")
    subject = " ".join(str(subject).split())[:80] or "—"

    def build(lang: str) -> Message:
        if member is not None:
            who = f"{member.name} ({ctx.agency_label(member.agency, lang)})"
        else:
            who = ctx.t(lang, "undelivered.channel", channel=recipient.ref)
        link = ctx.start_link(platform, OPEN_PAYLOAD) if platform else None
        paragraphs = [ctx.t(lang, f"undelivered.{reason}", who=who, subject=subject,
                            platform=platform.capitalize() or "—")]
        if link and reason in ("not_started", "blocked"):
            paragraphs.append(ctx.t(lang, "undelivered.send_link", link=link))
        paragraphs.append(ctx.t(lang, "undelivered.waiting"))
        return Message(title=ctx.t(lang, "undelivered.title"), paragraphs=paragraphs)

    key = f"{NOTICE}:{recipient.kind}:{recipient.ref}:{reason}:{first}"
    ctx.send_to_members(ctx.store.members.with_role(SECRETARIAT), key, build)


def heard_from(ctx: Context, inbound: Inbound) -> int:
    """Someone wrote to the bot in a one-to-one chat: the bot can write to them there now.
    Their account's mark goes, and what waited for that account is released."""
    if not inbound.private or inbound.capture:
        return 0
    identity = inbound.identity
    member = inbound.member
    if member is not None and identity in member.unreachable:
        del member.unreachable[identity]
        ctx.store.members.save(member)
    rows = [row for row in ctx.store.outbox.held(identity) if row.held_reason in PERSON_REASONS]
    for row in rows:
        ctx.store.outbox.release(row, ctx.now_iso())
    return len(rows)


def release_member(ctx: Context, member_id: str) -> int:
    """The member changed (an account added): everything waiting for them is tried again."""
    wanted = Recipient("member", member_id).to_dict()
    return _release(ctx, lambda row: row.recipient == wanted)


def release_at_start(ctx: Context) -> int:
    """At start-up, what the network could have fixed meanwhile (a platform connected, a
    member's account or channel set in the configuration) is tried again."""
    return _release(ctx, lambda row: row.held_reason not in PERSON_REASONS)


def _release(ctx: Context, wanted: Callable[[OutboxRow], bool]) -> int:
    rows = [row for row in ctx.store.outbox.held() if wanted(row)]
    for row in rows:
        ctx.store.outbox.release(row, ctx.now_iso())
    return len(rows)
