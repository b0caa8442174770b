"""Inviting a focal point without asking anyone for an id: ``membre inviter <agence> [nom]``
gives the secretariat a one-time link (Telegram's ``/start`` deep link) and a code to type
(``rejoindre <code>`` to the bot on Slack); whoever opens it asks to join that agency with the
account they opened it from, and the secretariat approves as for any join request.

The token is a key to the network, handled like the linking codes: minted when the message
carrying it leaves (only its hash is kept; a retry mints a fresh one and retires the previous),
valid seven days and once, refused in a shared chat — and burnt there, since others read it —
and a few wrong tries per account and hour.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import members
from handlers.context import Context, UserError
from handlers.deeplinks import INVITE_PREFIX, OPEN_PAYLOAD
from handlers.identities import ALPHABET, MAX_WRONG, WRONG_WINDOW
from handlers.router import Handler, Request
from handlers.settings import Agency
from handlers.types import SECRET_MARK, Message, Reply, Secret
from storage.member_invites import MemberInvite
from storage.records import to_iso

INVITE_LIFETIME = timedelta(days=7)
TOKEN_LENGTH = 16  # from a 32-letter alphabet: 80 bits
# An invitation's link pasted in a message (``…?start=join-<code>``).
LINK_IN_TEXT = re.compile(
    rf"{re.escape(INVITE_PREFIX)}([A-Za-z0-9]{{{TOKEN_LENGTH}}})(?![A-Za-z0-9])")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def looks_like_token(word: str) -> bool:
    """A word that can only be an invitation's code (no agency is spelled like one)."""
    return len(word) == TOKEN_LENGTH and all(char in ALPHABET for char in word.upper())


def _agency(req: Request, typed: str) -> Agency:
    agency = req.ctx.network.find_agency(typed) if typed else None
    if agency is None:
        codes = ", ".join(a.acronym(req.lang) for a in req.ctx.network.agencies)
        raise UserError("members.unknown_agency", typed=typed[:40], codes=codes)
    return agency


def invite_command(req: Request) -> Message:
    """``membre inviter <agence> [nom]``: a new invitation, its link and code shown only in a
    one-to-one conversation (sent there when asked in a shared chat)."""
    ctx = req.ctx
    words = req.args.split()
    if not words:
        raise UserError("invite.usage", name=req.name)
    agency = _agency(req, words[0])
    now = ctx.now()
    invite = ctx.store.member_invites.add(lambda n: MemberInvite(
        id=n, agency=agency.code, created_by=req.member.id if req.member else "",
        created_at=to_iso(now), expires_at=to_iso(now + INVITE_LIFETIME),
        name=" ".join(words[1:])[:members.MAX_NAME]))
    message = invite_message(ctx, req.lang, invite)
    if req.inbound.private:
        return message
    ctx.send_to_identity(req.inbound.identity, req.lang, f"invite:{invite.id}:link", message)
    paragraphs = [req.t("invite.sent_privately", number=invite.id)]
    opener = ctx.start_link(req.inbound.platform, OPEN_PAYLOAD)
    if opener:
        paragraphs.append(req.t("link.open_private", url=opener))
    return Message(paragraphs=paragraphs)


def invite_message(ctx: Context, lang: str, invite: MemberInvite) -> Message:
    """What the secretariat forwards to the person: the Telegram link, the Slack code; the
    token (``SECRET_MARK``) is minted when the message leaves."""
    agency = ctx.agency_label(invite.agency, lang)
    expires = datetime.fromisoformat(invite.expires_at)
    paragraphs = [ctx.t(lang, "invite.body", agency=agency, name=invite.name or "—",
                        when=ctx.when(lang, expires))]
    telegram = ctx.start_link("telegram", INVITE_PREFIX + SECRET_MARK)
    if telegram:
        paragraphs.append(ctx.t(lang, "invite.telegram", url=telegram))
    paragraphs.append(ctx.t(lang, "invite.slack", command=f"{ctx.t(lang, 'cmd.join.name')} "
                                                          f"{SECRET_MARK}"))
    paragraphs.append(ctx.t(lang, "invite.forward_hint"))
    return Message(title=ctx.t(lang, "invite.title", number=invite.id, agency=agency),
                   paragraphs=paragraphs, secret=Secret("invite", str(invite.id)))


def mint_token(ctx: Context, number: str) -> str | None:
    """A fresh token for invitation ``number`` (its hash replaces the previous one's), or
    ``None`` when it can no longer be used."""
    invite = ctx.store.member_invites.get(int(number)) if number.isdigit() else None
    if invite is None or invite.status != "open" \
            or datetime.fromisoformat(invite.expires_at) <= ctx.now():
        return None
    token = "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))
    invite.token_hash = token_hash(token)
    ctx.store.member_invites.save(invite)
    return token


def join_command(req: Request) -> Message:
    """``rejoindre <code>`` (what an invitation's link types) uses the invitation; ``rejoindre
    <agence> [nom]`` asks to join as before."""
    words = req.args.split()
    if len(words) == 1 and looks_like_token(words[0]) \
            and req.ctx.network.find_agency(words[0]) is None:
        return use_invite(req, words[0])
    return members.request_join(req)


def _refused(req: Request, key: str) -> UserError:
    """A wrong code counted against this account (``lier``'s counter: the same door)."""
    attempts = req.ctx.store.link_attempts.get(req.inbound.identity)
    attempts.failures.append(req.ctx.now_iso())
    req.ctx.store.link_attempts.save(attempts)
    return UserError(key)


def use_invite(req: Request, typed: str) -> Message:
    """The person who opened the invitation asks to join its agency with this account."""
    ctx, inbound = req.ctx, req.inbound
    invite = ctx.store.member_invites.by_token_hash(token_hash(typed))
    if not inbound.private:
        if invite is not None and invite.status == "open":
            burn(ctx, invite)
        raise UserError("invite.not_private")
    attempts = ctx.store.link_attempts.get(inbound.identity)
    recent = [at for at in attempts.failures if at > to_iso(ctx.now() - WRONG_WINDOW)]
    if len(recent) >= MAX_WRONG:
        again = datetime.fromisoformat(recent[0]) + WRONG_WINDOW
        raise UserError("link.too_many", when=ctx.when(req.lang, again))
    if invite is None:
        raise _refused(req, "invite.unknown")
    if invite.status != "open":
        raise _refused(req, "invite.used")
    if datetime.fromisoformat(invite.expires_at) <= ctx.now():
        raise _refused(req, "invite.expired")
    agency = ctx.network.agency(invite.agency)
    if req.member is not None or agency is None:  # the invitation stays open
        return Message(paragraphs=[req.t("join.already_member", agency=ctx.agency_label(
            req.member.agency if req.member else invite.agency, req.lang))])
    pending = ctx.store.join_requests.pending_for(inbound.identity)
    if pending is not None:  # the invitation stays open for the one it was meant for
        return Message(paragraphs=[req.t("join.already_pending", number=pending.id,
                                         agency=ctx.agency_label(pending.agency, req.lang))])
    request = members.file_request(req, agency, invite.name, invite=invite.id)
    invite.status, invite.used_by, invite.used_at = "used", inbound.identity, ctx.now_iso()
    invite.join_request = request.id
    ctx.store.member_invites.save(invite)
    return Message(paragraphs=[req.t("invite.accepted", number=request.id,
                                     agency=agency.acronym(req.lang))])


def burn(ctx: Context, invite: MemberInvite) -> None:
    """Posted where others read it: nobody may use it, and whoever made it is told to make
    another."""
    invite.status = "burnt"
    ctx.store.member_invites.save(invite)
    creator = ctx.store.members.get(invite.created_by)
    if creator is not None:
        ctx.send_to_member(creator, f"invite:{invite.id}:burnt", lambda lang: Message(
            paragraphs=[ctx.t(lang, "invite.burnt_notice", number=invite.id,
                              agency=ctx.agency_label(invite.agency, lang),
                              command=ctx.t(lang, "cmd.member_invite.name"))]))


def guard_capture(capture: Handler) -> Callable[[Request], Message | Reply]:
    """``capture`` (a message shared in a group chat) except for one carrying an invitation's
    link: that one is never kept as an item for the network to read, and the invitation,
    seen by others, is burnt."""
    def guarded(req: Request) -> Message | Reply:
        found = LINK_IN_TEXT.findall(req.inbound.text or "")
        if not found:
            return capture(req)
        for token in found:
            invite = req.ctx.store.member_invites.by_token_hash(token_hash(token))
            if invite is not None and invite.status == "open":
                burn(req.ctx, invite)
        return Message(paragraphs=[req.t("invite.not_private")])
    return guarded
