"""Calendar subscriptions: ``calendrier`` / ``calendar`` gives a member a personal link
(``webcal://<host>/calendrier/<token>.ics``, and its https form) to the meetings they are
invited to; ``calendrier réseau`` gives a lead the network-wide one; ``calendrier renouveler``
revokes every link the member was given and gives a new one.

Only the token's hash is kept (``storage/calendar_tokens.py``) and the token is minted as the
message carrying it leaves (``handlers/minting.py``): the outbox holds no working link. Since a
link cannot be shown twice, each ``calendrier`` gives a new one (for another device or
application); all of them work until ``calendrier renouveler``.
"""

from __future__ import annotations

import hashlib
import secrets

from handlers.context import Context, UserError
from handlers.meetings.calendar_links import SUBSCRIBE as SUBSCRIBE
from handlers.meetings.feed import Feed, member_feed, network_feed
from handlers.roles import LEADS, roles_of
from handlers.router import Request
from handlers.types import SECRET_MARK, Message, Secret
from handlers.web_paths import CALENDAR_PATH
from storage.calendar_tokens import NETWORK, PERSONAL, CalendarToken
from storage.models import Member

MAX_TOKEN = 128
SECRETS = {PERSONAL: "calendar", NETWORK: "calendar-network"}  # Secret kinds, by scope


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(ctx: Context, member: Member, scope: str) -> str:
    token = secrets.token_urlsafe(32)
    ctx.store.calendar_tokens.save(CalendarToken(
        id=token_hash(token), member_id=member.id, scope=scope, created_at=ctx.now_iso()))
    return token


def mint_personal(ctx: Context, member: Member) -> str:
    """A new personal subscription token (``Secret`` kind ``calendar``)."""
    return _issue(ctx, member, PERSONAL)


def mint_network(ctx: Context, member: Member) -> str:
    """A new network-wide subscription token (``Secret`` kind ``calendar-network``)."""
    return _issue(ctx, member, NETWORK)


def revoke_all(ctx: Context, member: Member) -> int:
    """Every link ``member`` was given stops working; how many did."""
    revoked = 0
    for token in ctx.store.calendar_tokens.of_member(member.id):
        if not token.revoked_at:
            token.revoked_at = ctx.now_iso()
            ctx.store.calendar_tokens.save(token)
            revoked += 1
    return revoked


def feed_for(ctx: Context, token: str) -> Feed | None:
    """The feed a token opens, or ``None`` — unknown, revoked, its member gone, or a network
    feed whose member is no longer a lead — without saying which."""
    if not token or len(token) > MAX_TOKEN:
        return None
    stored = ctx.store.calendar_tokens.get(token_hash(token))
    if stored is None or stored.revoked_at:
        return None
    member = ctx.store.members.get(stored.member_id)
    if member is None or not member.active:
        return None
    if stored.scope == PERSONAL:
        return member_feed(ctx, member)
    if stored.scope == NETWORK and roles_of(member, ctx.network) & LEADS:
        return network_feed(ctx, member)
    return None


def links(ctx: Context, token: str) -> tuple[str, str]:
    """The ``webcal://`` link (opens the calendar application) and the https one (to paste)."""
    assert ctx.web_url is not None
    https = f"{ctx.web_url}{CALENDAR_PATH}/{token}.ics"
    return "webcal://" + https.split("://", 1)[1], https


def _link_message(req: Request, scope: str, key: str) -> Message:
    """The link, minted on delivery; asked in a shared chat, sent by direct message."""
    ctx = req.ctx
    if ctx.web_url is None:  # no web server in this process
        raise UserError("feed.not_served")
    member = req.member
    assert member is not None  # MEMBERS only, per the command table
    webcal, https = links(ctx, SECRET_MARK)
    message = Message(paragraphs=[req.t(key, webcal=webcal, https=https),
                                  req.t("feed.link_how", renew=req.t("cmd.calendar_renew.name"))],
                      secret=Secret(SECRETS[scope], member.id))
    if req.inbound.private:
        return message
    ctx.send_to_identity(req.inbound.identity, req.lang,
                         f"calendar-link:{secrets.token_hex(8)}", message)
    return Message(paragraphs=[req.t("feed.sent_privately")])


def calendar_command(req: Request) -> Message:
    """``calendrier``: a personal subscription link."""
    return _link_message(req, PERSONAL, "feed.link")


def network_command(req: Request) -> Message:
    """``calendrier réseau``: the network-wide link (leads)."""
    return _link_message(req, NETWORK, "feed.link_network")


def renew_command(req: Request) -> Message:
    """``calendrier renouveler``: the old links stop at once; a new personal one is sent."""
    if req.ctx.web_url is None:
        raise UserError("feed.not_served")
    assert req.member is not None
    revoke_all(req.ctx, req.member)
    message = _link_message(req, PERSONAL, "feed.link")
    return Message(paragraphs=[req.t("feed.revoked"), *message.paragraphs],
                   secret=message.secret)


def subscribe_click(req: Request, _: str) -> Message:
    """« S'abonner » tapped under an invitation: the same as ``calendrier``."""
    return calendar_command(req)
