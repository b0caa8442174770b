"""Secrets minted at the last moment: a message names the secret it carries (``Secret``) and
holds ``SECRET_MARK`` where it goes; ``reveal`` mints it — storing only its hash — and writes it
in, just before the message is handed to a platform. Whatever was stored of the message (the
outbox, a deferred answer) holds no working secret, and a retry mints a fresh one, which also
retires the one minted before it (linking codes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from handlers import calendar_feed, identities, invitations, knowledge
from handlers.context import Context
from handlers.email_links import courriel
from handlers.types import SECRET_MARK, Field, Message
from storage.models import Member

MINTERS: dict[str, Callable[[Context, Member], str]] = {
    "link": identities.mint_code,
    "knowledge": knowledge.mint_token,
    "calendar": calendar_feed.mint_personal,
    "calendar-network": calendar_feed.mint_network,
}
# Secrets of a record rather than a member (``Secret.member_id`` holds the record's id):
# ``None`` when it may no longer be minted.
RECORD_MINTERS: dict[str, Callable[[Context, str], str | None]] = {
    "invite": invitations.mint_token,
    courriel.SECRET_KIND: courriel.mint_token,
}


def reveal(ctx: Context, message: Message) -> Message | None:
    """``message`` with its secret minted and written in; unchanged if it carries none;
    ``None`` when nothing may be minted any more (the member left the network)."""
    secret = message.secret
    if secret is None:
        return message
    if secret.kind in RECORD_MINTERS:
        minted = RECORD_MINTERS[secret.kind](ctx, secret.member_id)
        if minted is None:
            return None
        value = minted
    else:
        member = ctx.store.members.get(secret.member_id)
        mint = MINTERS.get(secret.kind)
        if member is None or not member.active or mint is None:
            return None
        value = mint(ctx, member)

    def put(text: str) -> str:
        return text.replace(SECRET_MARK, value)

    return replace(
        message, title=put(message.title), paragraphs=[put(p) for p in message.paragraphs],
        fields=[Field(put(f.label), put(f.value)) for f in message.fields],
        buttons=[replace(b, value=put(b.value), label=put(b.label), hint=put(b.hint))
                 for b in message.buttons],
        secret=None)
