"""``courriel <adresse>`` (``email <address>``): a member adds their own email address. The bot
sends a confirmation to that address with a signed one-time link, valid 48 hours; only opening it
(and confirming on the page) adds ``email:<adresse>`` to their identities — whoever typed an
address they do not own gets nothing. The link names its member and address (``signing``), is
used once (``storage/email_claims.py``), and is minted as the email leaves (``mint_token``), so
the outbox holds no working link. As for a linked account, the member's other accounts and the
secretariat are told when the address is added."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import delivery
from handlers.context import Context, UserError, to_iso
from handlers.email_identity import is_email_identity
from handlers.email_links.refused import Refused
from handlers.email_links.signing import sign, verify
from handlers.identities import tell_identity_added
from handlers.router import Request
from handlers.types import SECRET_MARK, Message, Secret
from handlers.web_paths import EMAIL_CONFIRM_PATH
from storage.email_claims import EmailClaim
from storage.models import Member

PURPOSE = "courriel"
LIFETIME = timedelta(hours=48)
HOURS = int(LIFETIME.total_seconds() // 3600)
SECRET_KIND = "courriel"  # ``handlers/minting.py``
# Why a confirmation link is refused (``courriel.<why>``) and the page's HTTP status.
REFUSALS = {"forged": 403, "left": 403, "used": 410, "expired": 410, "link_taken": 409}


def refused(why: str, lang: str) -> Refused:
    """The confirmation link may not be used: ``why`` (a key of ``REFUSALS``)."""
    return Refused(why, lang, REFUSALS[why], f"courriel.{why}", "courriel.refused_title")


@dataclass(frozen=True)
class Claimed:
    claim: EmailClaim
    member: Member
    lang: str

    @property
    def identity(self) -> str:
        return f"email:{self.claim.address}"


def courriel_command(req: Request) -> Message:
    """Check the address, keep the claim, and send the confirmation to that address."""
    ctx, member = req.ctx, req.member
    assert member is not None
    typed = req.args.strip()
    if not typed:
        raise UserError("courriel.usage", command=req.t("cmd.email.name"))
    address = typed.removeprefix("mailto:").strip("<>").lower()
    identity = f"email:{address}"
    if not is_email_identity(identity):
        raise UserError("courriel.bad_address", typed=typed[:80])
    if identity in member.identities:
        raise UserError("courriel.already", address=address)
    if ctx.store.members.by_identity(identity) is not None:
        raise UserError("courriel.taken", address=address)
    if not ctx.web_url:
        raise UserError("courriel.no_web")
    expires = ctx.now() + LIFETIME
    claim = EmailClaim(id=secrets.token_hex(16), member_id=member.id, address=address,
                       created_at=ctx.now_iso(), expires_at=to_iso(expires))
    ctx.store.email_claims.save(claim)
    lang = ctx.language_of(member)
    ctx.send_to_identity(identity, lang, f"courriel:{claim.id}", Message(
        title=ctx.t(lang, "courriel.mail_title"),
        paragraphs=[ctx.t(lang, "courriel.mail_body", name=member.name, address=address,
                          link=f"{ctx.web_url}{EMAIL_CONFIRM_PATH}/{SECRET_MARK}",
                          hours=HOURS)],
        secret=Secret(SECRET_KIND, claim.id)), until=expires)
    return Message(paragraphs=[req.t("courriel.sent", address=address, hours=HOURS)])


def mint_token(ctx: Context, claim_id: str) -> str | None:
    """The confirmation link's token, or ``None`` once the claim is used or expired."""
    claim = ctx.store.email_claims.get(claim_id)
    if claim is None or claim.used_at or datetime.fromisoformat(claim.expires_at) <= ctx.now():
        return None
    return sign(ctx.store.signing_keys.key(), PURPOSE,
                {"c": claim.id, "m": claim.member_id, "a": claim.address})


def check(ctx: Context, token: str) -> Claimed:
    """The claim a link confirms; ``Refused`` saying why it may not."""
    lang = ctx.network.language
    fields = verify(ctx.store.signing_keys.key(), PURPOSE, token) or {}
    claim = ctx.store.email_claims.get(str(fields.get("c", "")))
    if claim is None or (fields.get("m"), fields.get("a")) != (claim.member_id, claim.address):
        raise refused("forged", lang)
    member = ctx.store.members.get(claim.member_id)
    if member is None or not member.active:
        raise refused("left", lang)
    lang = ctx.language_of(member)
    if claim.used_at:
        raise refused("used", lang)
    if datetime.fromisoformat(claim.expires_at) <= ctx.now():
        raise refused("expired", lang)
    holder = ctx.store.members.by_identity(f"email:{claim.address}")
    if holder is not None and holder.id != member.id:
        raise refused("link_taken", lang)
    return Claimed(claim, member, lang)


def confirm(ctx: Context, token: str) -> Claimed:
    """Add the address to its member (once), in the transaction the caller opened."""
    claimed = check(ctx, token)
    member, identity = claimed.member, claimed.identity
    if identity not in member.identities:
        before = list(member.identities)
        member.identities.append(identity)
        member.unreachable.pop(identity, None)
        ctx.store.members.save(member)
        tell_identity_added(ctx, member, identity, "", before)
        delivery.release_member(ctx, member.id)
    claimed.claim.used_at = ctx.now_iso()
    ctx.store.email_claims.save(claimed.claim)
    return claimed
