"""Messages that cannot be delivered yet, or ever: what that means for the network, who is told,
and when they go after all.

The dispatcher (``bot/dispatch/dispatcher.py``) only reports what happened to an outbox row: which
identities it could not reach and why, whether the row now waits (``held``), whether it was
given up (``expired``: it stopped mattering before it could go; ``dead``: a platform refused it
for good), and the fate of rows a handler follows (``topic``). Here that becomes the network's
business: the member's unreachable account is marked, so later messages go through another of
their accounts; the secretariat is told at once, by direct message, with what to do (for
someone who never opened the bot on Telegram, the link that opens it), and what was given up,
in one notice per recipient and reason; a consultation learns which agencies its proposal
reached; and a held row is released when the person writes to the bot, when the member gets an
account, or at start-up (an adapter may have been added).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers import reach
from handlers.channel_cards import live
from handlers.consultations import cards
from handlers.consultations.sending import delivery_outcome
from handlers.context import Context
from handlers.deeplinks import OPEN_PAYLOAD
from handlers.types import Inbound, Message, Recipient
from storage.identity import Identity
from storage.models import SECRETARIAT, Member, OutboxRow

# Only the person can lift these, by writing to the bot there (Telegram: opening the bot or
# restarting it after a block); the others (no_adapter, no_identity, inactive, not_in_channel)
# are for the network to fix.
PERSON_REASONS = frozenset({"not_started", "blocked", "deactivated"})
NOTICE = "undelivered"  # the key prefix of the secretariat's notices
GIVEN_UP = ("expired", "rejected")  # why a target was given up, as the secretariat is told
SUBJECTS = 10  # at most this many subjects named in one notice
# Answers to someone who just wrote: they know whether they got one, nobody else is told;
# nor of a card's edit (the card itself was delivered).
ANSWERS = ("identity", "reply", "card")


def report(ctx: Context, row: OutboxRow, unreachable: dict[str, str]) -> None:
    """After a delivery attempt: ``unreachable`` maps each identity the dispatcher could not
    reach to the reason; ``row.status`` is ``held`` if the row itself waits."""
    recipient = Recipient.from_dict(row.recipient)
    if recipient.kind == "member":
        member = ctx.store.members.get(recipient.ref)
        marks = {identity: reason for identity, reason in unreachable.items()
                 if reason in PERSON_REASONS}
        reach.record_unreachable(ctx, member, marks)  # the secretariat's « membres »
        if member is not None and any(member.unreachable.get(i) != r for i, r in marks.items()):
            member.unreachable.update(marks)
            ctx.store.members.save(member)
    if row.status == "held":
        tell_secretariat(ctx, row, recipient)


def tell_secretariat(ctx: Context, row: OutboxRow, recipient: Recipient) -> None:
    """One notice per recipient, reason and stretch of unreachability (the oldest row held for
    the same reason names it), not one per row or retry. Answers to someone who just wrote
    (``ANSWERS``) and the notices themselves are not reported."""
    if recipient.kind in ANSWERS or row.key.startswith(NOTICE + ":"):
        return
    reason = row.held_reason or "no_adapter"
    first = min(r.id for r in ctx.store.outbox.held()
                if r.recipient == row.recipient and r.held_reason == reason)
    platform = Identity.parse(row.held_target).platform if row.held_target else ""
    member = ctx.store.members.get(recipient.ref) if recipient.kind == "member" else None
    subject = row.message.get("title") or next(iter(row.message.get("paragraphs") or []), "")
    subject = " ".join(str(subject).split())[:80] or "—"

    def build(lang: str) -> Message:
        who = _who(ctx, lang, recipient, member)
        link = ctx.start_link(platform, OPEN_PAYLOAD) if platform else None
        paragraphs = [ctx.t(lang, f"undelivered.{reason}", who=who, subject=subject,
                            platform=platform.capitalize() or "—")]
        if link and reason in ("not_started", "blocked"):
            paragraphs.append(ctx.t(lang, "undelivered.send_link", link=link))
        paragraphs.append(ctx.t(lang, "undelivered.waiting"))
        return Message(title=ctx.t(lang, "undelivered.title"), paragraphs=paragraphs)

    key = f"{NOTICE}:{recipient.kind}:{recipient.ref}:{reason}:{first}"
    ctx.send_to_members(ctx.store.members.with_role(SECRETARIAT), key, build)


def _who(ctx: Context, lang: str, recipient: Recipient, member: Member | None) -> str:
    if member is not None:
        return f"{member.name} ({ctx.agency_label(member.agency, lang)})"
    return ctx.t(lang, "undelivered.channel", channel=recipient.ref)


def _subject(row: OutboxRow) -> str:
    subject = row.message.get("title") or next(iter(row.message.get("paragraphs") or []), "")
    return " ".join(str(subject).split())[:80] or "—"


def gave_up(ctx: Context, rows: list[OutboxRow]) -> int:
    """Rows the dispatcher gave up on (``expired``, or refused for good): the secretariat gets
    one notice per recipient and reason naming what did not reach them and on which platform,
    not one per row. Answers to someone who just wrote and the notices themselves are only
    recorded. Returns how many notices were queued."""
    reach.record_given_up(ctx, rows)  # the secretariat's « membres » and digest
    batches: dict[tuple[str, str, str], list[OutboxRow]] = {}
    for row in rows:
        recipient = Recipient.from_dict(row.recipient)
        if recipient.kind in ANSWERS or row.key.startswith(NOTICE + ":"):
            continue
        for reason in sorted({why for why in row.failed.values() if why in GIVEN_UP}):
            batches.setdefault((recipient.kind, recipient.ref, reason), []).append(row)
    queued = 0
    for (kind, ref, reason), batch in batches.items():
        recipient = Recipient(kind, ref)
        member = ctx.store.members.get(ref) if kind == "member" else None
        platforms = sorted({key.split(":", 1)[0].capitalize() for row in batch
                            for key, why in row.failed.items() if why == reason})

        def build(lang: str, batch: list[OutboxRow] = batch, reason: str = reason,
                  recipient: Recipient = recipient, member: Member | None = member,
                  platforms: list[str] = platforms) -> Message:
            subjects = [ctx.t(lang, "undelivered.subject", subject=_subject(row))
                        for row in batch[:SUBJECTS]]
            if len(batch) > SUBJECTS:
                subjects.append("…")
            return Message(title=ctx.t(lang, "undelivered.given_up_title"), paragraphs=[
                ctx.t(lang, f"undelivered.{reason}", who=_who(ctx, lang, recipient, member),
                      subjects=", ".join(subjects), platform=", ".join(platforms) or "—")])

        key = f"{NOTICE}:{kind}:{ref}:{reason}:{batch[0].id}"
        queued += ctx.send_to_members(ctx.store.members.with_role(SECRETARIAT), key, build)
    return queued


def outcome(ctx: Context, row: OutboxRow) -> None:
    """The fate of a row a handler follows (``topic``): a consultation's proposal learns
    whether it reached the agency of the focal point it was for."""
    if row.topic.startswith(live.PREFIX):  # a channel card: where its copies are
        live.remember(ctx, row)
        return
    kind, _, number = row.topic.partition(":")
    recipient = Recipient.from_dict(row.recipient)
    if kind != "poll" or not number.isdigit() or recipient.kind != "member":
        return
    member = ctx.store.members.get(recipient.ref)
    if member is None:
        return
    if row.refs:
        cards.remember(ctx, row, member)
    if row.done:
        state = "reached"
    elif row.status == "held":
        state = row.held_reason or "held"
    elif row.status in ("expired", "dead"):
        state = row.status
    elif row.status == "pending" and row.last_error:
        state = "waiting"
    else:
        return
    delivery_outcome(ctx, int(number), member.agency, state)


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
