"""Who sits at the console: ``reseau-bot console --as <who>`` names a member (an id, a console
identity or a name) or a newcomer. A member without a console identity is given one, so any
member can try the console. Here rather than in the console chat: adapters never touch
storage."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.settings import fold
from storage.identity import Identity
from storage.models import Member

CONSOLE = "console"


@dataclass(frozen=True)
class Seat:
    """The person at the console: their console user id, how they are greeted, in which
    language, and whether they are a member (``member_id``) still missing a console identity."""

    user_id: str
    display: str
    lang: str
    member_id: str | None = None
    new_identity: bool = False


def find_member(ctx: Context, typed: str) -> Member | None:
    """The member someone means by ``--as``: an id, a console identity, or a name."""
    members = ctx.store.members
    wanted = fold(typed.strip())
    found = members.get(wanted) or members.by_identity(typed) or members.by_identity(
        str(Identity(CONSOLE, wanted)))
    if found is not None and found.active:
        return found
    return next((m for m in members.active() if fold(m.name) == wanted), None)


def seat_for(ctx: Context, who: str, locale: str | None) -> Seat:
    """Who ``who`` is at the console (nothing written: see ``give_console_identity``)."""
    member = find_member(ctx, who)
    if member is None:
        user_id = "-".join(fold(who).split())[:40] or "invite"
        return Seat(user_id, who.strip()[:80] or user_id, ctx.language_of(None, locale))
    console = [identity for identity in map(Identity.parse, member.identities)
               if identity.platform == CONSOLE]
    return Seat(console[0].user if console else member.id, member.name,
                ctx.language_of(member, locale), member.id, new_identity=not console)


def give_console_identity(ctx: Context, seat: Seat) -> None:
    """Let a member without a console identity try the console."""
    member = ctx.store.members.get(seat.member_id or "")
    if member is not None:
        member.identities.append(str(Identity(CONSOLE, seat.user_id)))
        ctx.store.members.save(member)


def language_at_console(ctx: Context, user_id: str, locale: str | None) -> str:
    """The language of whoever uses the console as ``user_id`` now (they may have chosen one,
    or joined, during the session)."""
    return ctx.language_of(ctx.store.members.by_identity(str(Identity(CONSOLE, user_id))), locale)
