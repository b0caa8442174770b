"""Where each member is reached, and when a delivery to them last failed: for the secretariat.

The dispatcher decides where a member's direct messages go (``bot/dispatch/targets.py``): their
preference, then a platform this process serves, their accounts found unreachable skipped (a
Telegram 403: never opened the bot, or blocked it), and when a chosen account cannot be served
the next one, email included. ``reached_on`` follows the same steps without sending, so what
``membres`` shows the secretariat is where the next message would go.

Failures are kept per member and platform (``storage/delivery_failures.py``): the dispatcher's
reports land here — ``handlers.delivery.report`` for an account only the person can make
reachable again (a Telegram 403), ``gave_up`` for a message given up (expired, refused for
good). The co-chairs' digest names the members reached nowhere and those whose last delivery
failed since the previous digest — names only, so it stays short with 200 members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from handlers.context import Context
from handlers.router import Request
from storage.delivery_failures import DeliveryFailure
from storage.identity import Identity
from storage.models import CO_CHAIR, SECRETARIAT, Member, OutboxRow
from storage.records import to_iso

PLACES = ("slack", "telegram", "email")  # counted in the summary, in this order
NOWHERE = "nowhere"
CHATS_ONLY = ("console", "email")  # « les deux » is the two chats, neither of these


def _platform(identity: str) -> str:
    return Identity.parse(identity).platform


def _serves(ctx: Context, platform: str) -> bool:
    """Whether this process can deliver to ``platform``: a fallback (the console) shows
    everything; else only the platforms with an adapter (none known yet: every one)."""
    return ctx.delivers_all or not ctx.delivers_to or platform in ctx.delivers_to


def _preferred(ctx: Context, usable: list[str], preference: str | None) -> str:
    """``targets.preferred_identity``: the chosen platform; else one this process serves with
    an adapter of its own; else a real platform; the console last."""
    chosen = [i for i in usable if _platform(i) == preference]
    if chosen:
        return chosen[0]
    served = [i for i in usable if _platform(i) in ctx.delivers_to]
    if served:
        return served[0]
    real = [i for i in usable if _platform(i) != "console"]
    return (real or usable)[0]


def reached_on(ctx: Context, member: Member) -> list[str]:
    """The identities the member's next direct message would reach: the dispatcher's choice,
    with an account it cannot serve passed over for the next, as a delivery pass does. Empty:
    reached nowhere."""
    if not member.active:
        return []
    passed_over: set[str] = set()
    while True:
        usable = [i for i in member.identities
                  if i not in passed_over and i not in member.unreachable]
        if not usable:
            return []
        if member.preference == "both":
            chosen = [i for i in usable if _platform(i) not in CHATS_ONLY] or usable[:1]
        else:
            chosen = [_preferred(ctx, usable, member.preference)]
        served = [i for i in chosen if _serves(ctx, _platform(i))]
        if served:
            return served
        passed_over.update(chosen)


def where(ctx: Context, lang: str, member: Member) -> str:
    """« Telegram », « courriel », « nulle part » …: where the member is reached now."""
    platforms = list(dict.fromkeys(_platform(i) for i in reached_on(ctx, member)))
    return ctx.catalog.join(lang, [ctx.t(lang, f"reach.where.{p}") for p in platforms]) or (
        ctx.t(lang, f"reach.where.{NOWHERE}"))


def _failure_text(ctx: Context, lang: str, failure: DeliveryFailure) -> str:
    return ctx.t(lang, "reach.failure", platform=ctx.t(lang, f"reach.where.{failure.platform}"),
                 date=ctx.catalog.date(lang, datetime.fromisoformat(failure.at),
                                       ctx.network.timezone))


def sees_reach(req: Request) -> bool:
    """The secretariat and the co-chairs, in a private conversation (a group would show
    everyone where each person is reached)."""
    member = req.member
    return (member is not None and bool({CO_CHAIR, SECRETARIAT} & set(member.roles))
            and req.inbound.private)


def member_suffix(ctx: Context, lang: str, member: Member, lead: bool = True) -> str:
    """What follows a member's line in ``membres`` for the secretariat (``lead``; nothing for
    others): where they are reached, and their last failed delivery if any."""
    if not lead:
        return ""
    suffix = " " + ctx.t(lang, "reach.line", where=where(ctx, lang, member))
    failure = ctx.store.delivery_failures.last_of(member.id)
    if failure is not None:
        suffix += " " + _failure_text(ctx, lang, failure)
    return suffix


def summary(ctx: Context, lang: str, members: Iterable[Member]) -> list[str]:
    """The counts of where members are reached, and the names of those reached nowhere."""
    counts = dict.fromkeys((*PLACES, NOWHERE), 0)
    nowhere = []
    for member in members:
        platforms = {_platform(i) for i in reached_on(ctx, member)}
        for place in PLACES:
            counts[place] += place in platforms
        if not platforms:
            counts[NOWHERE] += 1
            nowhere.append(member.name)
    lines = [ctx.t(lang, "reach.summary", **counts)]
    if nowhere:
        lines.append(ctx.t(lang, "reach.nowhere_names",
                           names=ctx.catalog.join(lang, nowhere)))
    return lines


def digest_section(ctx: Context, lang: str, since: datetime) -> list[tuple[str, list[str]]]:
    """« Not reached »: the members reached nowhere, and those whose last delivery failed
    since ``since`` (the previous digest) with where and when; nothing when all is well."""
    active = sorted(ctx.store.members.active(), key=lambda m: m.name)
    nowhere = [m.name for m in active if not reached_on(ctx, m)]
    since_iso = to_iso(since)
    failed, named = [], set(nowhere)
    for member in active:
        failure = ctx.store.delivery_failures.last_of(member.id)
        if failure is not None and failure.at >= since_iso:
            named.add(member.name)
            failed.append(ctx.t(lang, "reach.failed_name", name=member.name,
                                failure=_failure_text(ctx, lang, failure)))
    lines = []
    if nowhere:
        lines.append(ctx.t(lang, "reach.nowhere_names",
                           names=ctx.catalog.join(lang, nowhere)))
    if failed:
        lines.append(ctx.t(lang, "reach.failed_names", names="; ".join(failed)))
    if not lines:
        return []
    return [(ctx.t(lang, "reach.digest_heading", count=len(named)), lines)]


# What the dispatcher reports (through handlers.delivery).

def record_unreachable(ctx: Context, member: Member | None,
                       unreachable: Mapping[str, str]) -> None:
    """Accounts of ``member`` the dispatcher could not write to, each with why: what only the
    person can lift (a Telegram 403: never opened the bot, blocked it), and messages given up.
    A platform this process does not serve is the network's setting, not a failure of theirs:
    ``reached_on`` shows it as where they are (not) reached."""
    if member is None:
        return
    for identity, reason in unreachable.items():
        if identity in member.identities:
            ctx.store.delivery_failures.note(member.id, _platform(identity), reason,
                                               ctx.now_iso())


def record_given_up(ctx: Context, rows: Iterable[OutboxRow]) -> None:
    """Messages the dispatcher gave up on (expired while waiting, refused for good): the
    member's accounts they missed."""
    for row in rows:
        if row.recipient.get("kind") != "member":
            continue
        member = ctx.store.members.get(row.recipient.get("ref", ""))
        record_unreachable(ctx, member, {key: reason for key, reason in row.failed.items()
                                         if key not in row.done})
