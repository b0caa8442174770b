"""One person, several platforms: joining a Slack and a Telegram identity with a one-time code,
and choosing where direct messages go.

A code is a key to someone's membership, so it is handled like one: shown only in a one-to-one
conversation, minted when the message carrying it leaves (only its hash is kept), valid ten
minutes and once, one live code per member, a few wrong tries per identity and hour. When an
identity is added to a member, the member (on the accounts they had) and the secretariat are
told: a code typed by the wrong person does not go unnoticed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from handlers import delivery
from handlers.context import Context, UserError
from handlers.deeplinks import LINK_PREFIX, OPEN_PAYLOAD
from handlers.router import Request
from handlers.settings import fold
from handlers.types import SECRET_MARK, Message, Secret
from storage.identity import Identity
from storage.models import SECRETARIAT, LinkCode, Member
from storage.records import to_iso

CODE_LIFETIME = timedelta(minutes=10)
CODE_LENGTH = 8
MAX_WRONG = 5  # wrong codes an identity may type …
WRONG_WINDOW = timedelta(hours=1)  # … within this time
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed on a phone
PLATFORM_CHOICES = {"slack": "slack", "telegram": "telegram", "les deux": "both",
                    "les_deux": "both",
                    "both": "both", "lesdeux": "both", "deux": "both",
                    "email": "email", "courriel": "email", "mail": "email"}


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace(" ", "").encode()).hexdigest()


def mint_code(ctx: Context, member: Member) -> str:
    """A fresh code for ``member`` (only its hash is stored); earlier unused codes stop
    working, so at most one code per member is ever live."""
    for old in ctx.store.link_codes.live_of(member.id):
        old.used = True
        ctx.store.link_codes.save(old)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    ctx.store.link_codes.save(LinkCode(id=code_hash(code), member_id=member.id,
                                       expires_at=to_iso(ctx.now() + CODE_LIFETIME),
                                       created_at=ctx.now_iso()))
    ctx.lifetimes.start(f"link:{code_hash(code)}", CODE_LIFETIME)  # the wall clock may go back
    return code


def code_message(ctx: Context, lang: str, member: Member, asked_on: str) -> Message:
    """The code, as a mark minted on delivery, with the link that opens the bot on the other
    platform and links at once where the platform has such links (Telegram)."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    paragraphs = [ctx.t(lang, "link.code", code=SECRET_MARK, minutes=minutes,
                        name=ctx.t(lang, "cmd.link.name"))]
    for platform in sorted(ctx.start_links):
        url = ctx.start_link(platform, LINK_PREFIX + SECRET_MARK)
        if platform != asked_on and url:
            paragraphs.append(ctx.t(lang, "link.open_on", platform=platform.capitalize(),
                                    url=url))
    return Message(paragraphs=paragraphs, secret=Secret("link", member.id))


def link_command(req: Request) -> Message:
    """``lier``: a member gets a code (by direct message when asked in a shared chat);
    ``lier <code>`` typed on the other platform joins that identity to the member."""
    ctx = req.ctx
    typed = req.args.strip()
    if typed:
        return use_code(req, typed)
    if req.member is None:
        raise UserError("link.not_member")
    message = code_message(ctx, req.lang, req.member, req.inbound.platform)
    if req.inbound.private:
        return message
    ctx.send_to_identity(req.inbound.identity, req.lang, f"link-code:{secrets.token_hex(8)}",
                         message)
    paragraphs = [req.t("link.sent_privately")]
    opener = ctx.start_link(req.inbound.platform, OPEN_PAYLOAD)
    if opener:
        paragraphs.append(req.t("link.open_private", url=opener))
    return Message(paragraphs=paragraphs)


def use_code(req: Request, typed: str) -> Message:
    """Check ``typed`` for this identity: refused while it has typed too many wrong codes."""
    ctx = req.ctx
    identity = req.inbound.identity
    attempts = ctx.store.link_attempts.get(identity)
    attempts.failures = [at for at in attempts.failures
                         if at > to_iso(ctx.now() - WRONG_WINDOW)]
    if len(attempts.failures) >= MAX_WRONG:
        again = datetime.fromisoformat(attempts.failures[0]) + WRONG_WINDOW
        raise UserError("link.too_many", when=ctx.when(req.lang, again))
    stored = ctx.store.link_codes.get(code_hash(typed))
    member = ctx.store.members.get(stored.member_id) if stored is not None else None
    if (stored is None or stored.used or datetime.fromisoformat(stored.expires_at) <= ctx.now()
            or ctx.lifetimes.over(f"link:{stored.id}") or member is None or not member.active):
        attempts.failures.append(ctx.now_iso())
        ctx.store.link_attempts.save(attempts)
        raise UserError("link.bad_code", name=req.name)
    if req.member is not None and req.member.id != member.id:
        raise UserError("link.other_member", name=req.member.name)
    stored.used = True
    ctx.store.link_codes.save(stored)
    if identity not in member.identities:
        before = list(member.identities)
        member.identities.append(identity)
        member.unreachable.pop(identity, None)
        ctx.store.members.save(member)
        tell_identity_added(ctx, member, identity, req.inbound.display_name, before)
        delivery.release_member(ctx, member.id)
    lang = ctx.language_of(member)
    return Message(paragraphs=[ctx.t(lang, "link.done", name=member.name,
                                     platforms=ctx.catalog.join(lang,
                                                                sorted(member.platforms())))])


def tell_identity_added(ctx: Context, member: Member, identity: str, shown_name: str,
                        before: list[str]) -> None:
    """The member, on the accounts they already had, and the secretariat learn that
    ``identity`` now acts as ``member``: if it was not them, they can say so at once."""
    key = f"identity-added:{member.id}:{identity}"
    who = f"{shown_name} ({identity})" if shown_name else identity
    lang = ctx.language_of(member)
    notice = Message(title=ctx.t(lang, "link.added_title"), paragraphs=[
        ctx.t(lang, "link.added_notice", identity=who, when=ctx.when(lang, ctx.now()))])
    for previous in [i for i in before if Identity.parse(i).platform != "console"] or before:
        ctx.send_to_identity(previous, lang, key, notice)
    ctx.send_to_members(ctx.store.members.with_role(SECRETARIAT), key, lambda lang: Message(
        title=ctx.t(lang, "link.added_title"), paragraphs=[
            ctx.t(lang, "link.added_secretariat", identity=who, name=member.name,
                  agency=ctx.agency_label(member.agency, lang), account=identity,
                  remove=ctx.t(lang, "cmd.member_remove.name"),
                  when=ctx.when(lang, ctx.now()))]))


def preference_command(req: Request) -> Message:
    """``préférence slack|telegram|email|les deux``: where this member's direct messages go."""
    choice = PLATFORM_CHOICES.get(" ".join(fold(req.args).split()))
    member = req.member
    if choice is None or member is None:
        raise UserError("preference.usage", name=req.name)
    platforms = member.platforms()
    if choice != "both" and choice not in platforms:
        raise UserError("preference.no_identity", platform=choice,
                        link=req.t("cmd.link.name"))
    member.preference = choice
    req.ctx.store.members.save(member)
    return Message(paragraphs=[req.t(f"preference.set.{choice}")])
