"""One person, several platforms: joining a Slack and a Telegram identity with a one-time code,
and choosing where direct messages go."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from handlers.context import UserError
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message
from storage.models import LinkCode

CODE_LIFETIME = timedelta(minutes=15)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed on a phone
PLATFORM_CHOICES = {"slack": "slack", "telegram": "telegram", "les deux": "both",
                    "les_deux": "both",
                    "both": "both", "lesdeux": "both", "deux": "both"}


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace(" ", "").encode()).hexdigest()


def link_command(req: Request) -> Message:
    """``lier``: a member gets a code; ``lier <code>`` typed on the other platform joins the
    identity to that member."""
    ctx = req.ctx
    typed = req.args.strip()
    if not typed:
        if req.member is None:
            raise UserError("link.not_member")
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        expires = ctx.now() + CODE_LIFETIME
        ctx.store.link_codes.save(LinkCode(id=code_hash(code), member_id=req.member.id,
                                           expires_at=expires.isoformat()))
        ctx.lifetimes.start(f"link:{code_hash(code)}", CODE_LIFETIME)  # the wall clock may go back
        return Message(paragraphs=[req.t("link.code", code=code, name=req.name,
                                         minutes=int(CODE_LIFETIME.total_seconds() // 60))])
    stored = ctx.store.link_codes.get(code_hash(typed))
    if (stored is None or stored.used or datetime.fromisoformat(stored.expires_at) < ctx.now()
            or ctx.lifetimes.over(f"link:{stored.id}")):
        raise UserError("link.bad_code", name=req.name)
    member = ctx.store.members.get(stored.member_id)
    if member is None or not member.active:
        raise UserError("link.bad_code", name=req.name)
    identity = req.inbound.identity
    if req.member is not None and req.member.id != member.id:
        raise UserError("link.other_member", name=req.member.name)
    stored.used = True
    ctx.store.link_codes.save(stored)
    if identity not in member.identities:
        member.identities.append(identity)
        ctx.store.members.save(member)
    return Message(paragraphs=[ctx.t(ctx.language_of(member), "link.done", name=member.name,
                                     platforms=", ".join(sorted({
                                         i.split(":", 1)[0] for i in member.identities})))])


def preference_command(req: Request) -> Message:
    """``préférence slack|telegram|les deux``: where this member's direct messages go."""
    choice = PLATFORM_CHOICES.get(" ".join(fold(req.args).split()))
    member = req.member
    if choice is None or member is None:
        raise UserError("preference.usage", name=req.name)
    platforms = {i.split(":", 1)[0] for i in member.identities}
    if choice != "both" and choice not in platforms:
        raise UserError("preference.no_identity", platform=choice,
                        link=req.t("cmd.link.name"))
    member.preference = choice
    req.ctx.store.members.save(member)
    return Message(paragraphs=[req.t(f"preference.set.{choice}")])
