"""Where an outbox row goes: its recipient (a member, an identity, a channel, the answer to one
event) turned into concrete ``Target``s on the platforms this process has adapters for.

A member's targets follow their preference, skip the accounts found unreachable, and when none
is left the row is ``Held`` with the reason to report. Apart from the delivery pass because it
only reads (members, the network's channels) and decides nothing about sending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, replace

from bot.dispatch.contract import Adapter, Target
from handlers import delivery
from handlers.i18n import Catalog
from handlers.settings import Network
from handlers.types import Recipient
from storage.identity import Identity
from storage.models import Member, OutboxRow
from storage.store import Store


class Held(Exception):
    """No target can be tried for this row now: ``reason`` and the identity concerned."""

    def __init__(self, reason: str, identity: str = "") -> None:
        self.reason = reason
        self.identity = identity
        super().__init__(reason)


def telling(reasons: Mapping[str, str]) -> tuple[str, str]:
    """Of the identities a row could not reach (identity → reason), the one to report: what
    only the person can fix (they never opened the bot) before what the network can (a
    platform not connected), a real platform before the console."""
    identity = min(reasons, key=lambda i: (reasons[i] not in delivery.PERSON_REASONS,
                                           Identity.parse(i).platform == "console"))
    return reasons[identity], identity


def targets_of(row: OutboxRow, *, store: Store, network: Network, catalog: Catalog,
               adapters: Mapping[str, Adapter], fallback: Adapter | None,
               avoid: Mapping[str, str] | None = None) -> list[Target]:
    """``_targets_of``, each target knowing the row's key (an adapter's idempotent id)."""
    return [replace(target, outbox_key=row.key) for target in _targets_of(
        row, store=store, network=network, catalog=catalog, adapters=adapters,
        fallback=fallback, avoid=avoid)]


def _targets_of(row: OutboxRow, *, store: Store, network: Network, catalog: Catalog,
                adapters: Mapping[str, Adapter], fallback: Adapter | None,
                avoid: Mapping[str, str] | None = None) -> list[Target]:
    """Where ``row`` goes, avoiding the identities in ``avoid`` (found unreachable in this
    pass, with why) and those marked unreachable on the member. Raises ``Held`` when a
    member has no target at all."""
    avoid = avoid or {}
    recipient = Recipient.from_dict(row.recipient)
    lang = network.language
    if recipient.kind == "channel":
        targets = []
        for platform in adapters:
            address = (network.group_channel(recipient.ref, platform)
                       or network.channels.get(platform)
                       or (recipient.ref if platform == "console" else ""))
            if address and f"{platform}:{address}" != recipient.skip:
                targets.append(Target(platform, address, catalog.t(
                    lang, "dispatch.channel_label", channel=recipient.ref,
                    platform=platform), channel=True))
        return targets
    if recipient.kind == "reply" and recipient.reply is not None:
        reply = recipient.reply
        return [Target(reply.platform, reply.chat or reply.user, catalog.t(
            lang, "dispatch.identity_label", identity=recipient.ref),
            channel=reply.mode == "chat" and reply.chat not in ("", reply.user),
            reply=reply)]
    if recipient.kind == "card":
        return card_targets(recipient.ref, store, catalog, lang, adapters, recipient.skip)
    if recipient.kind == "identity":
        identity = Identity.parse(recipient.ref)
        return [Target(identity.platform, identity.user, catalog.t(
            lang, "dispatch.identity_label", identity=recipient.ref))]
    member = store.members.get(recipient.ref)
    if member is None or not member.active:
        raise Held("inactive")
    if not member.identities:
        raise Held("no_identity")
    usable = [i for i in member.identities
              if i not in avoid and i not in member.unreachable]
    if not usable:
        raise Held(*telling({i: avoid.get(i) or member.unreachable.get(i) or "no_adapter"
                             for i in member.identities}))
    if member.preference == "both":
        chosen_ones = [i for i in usable  # « les deux »: the two chats, not email as well
                       if Identity.parse(i).platform not in ("console", "email")] or usable[:1]
    else:
        chosen_ones = [preferred_identity(usable, member.preference, adapters, fallback)]
    return [member_target(member, chosen, network, catalog) for chosen in chosen_ones]


def card_targets(card_id: str, store: Store, catalog: Catalog, lang: str,
                 adapters: Mapping[str, Adapter], skip: str = "") -> list[Target]:
    """The copies of a card delivered earlier, to edit: those on a platform this process
    serves (none left: nothing to do), but ``skip`` (the copy a click's answer edits)."""
    card = store.cards.get(card_id)
    if card is None:
        return []
    targets = []
    for key, ref in card.refs.items():
        platform, address = astuple(Identity.parse(key))
        if platform in adapters and key != skip:
            targets.append(Target(platform, address, catalog.t(
                lang, "dispatch.identity_label", identity=key), edit=ref,
                channel=not card.member_id))  # a channel card: paced as a group
    return targets


def member_target(member: Member, identity: str, network: Network, catalog: Catalog) -> Target:
    platform, address = astuple(Identity.parse(identity))
    agency = network.agency(member.agency)
    lang = network.language
    return Target(platform, address, catalog.t(
        lang, "dispatch.member_label", name=member.name, platform=platform,
        agency=agency.acronym(lang) if agency else member.agency))


def preferred_identity(identities: list[str], preference: str | None,
                       adapters: Mapping[str, Adapter], fallback: Adapter | None) -> str:
    """The member's chosen platform; else a platform with its own adapter; else the member's
    real platform (shown through the fallback, as the console does); the console last."""
    def platform(identity: str) -> str:
        return Identity.parse(identity).platform

    chosen = [i for i in identities if platform(i) == preference]
    if chosen:
        return chosen[0]
    for identity in identities:
        adapter = adapters.get(platform(identity))
        if adapter is not None and adapter is not fallback:
            return identity
    real = [i for i in identities if platform(i) != "console"]
    return (real or identities)[0]
