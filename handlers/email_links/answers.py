"""One-tap answers by email: each consultation email (invitation, reminders) carries four
signed links — Accord, Réserves, Objection, Abstention — to a small page on the bot's web server.

A link is bound to the email identity it was sent to, that person's agency, the consultation
and the position (``signing``: any change breaks the signature); it works while the
consultation is open and before its deadline (an extended deadline extends it), and only while
the identity belongs to an active focal point of that agency. It records once: the page's
answer goes through the same handlers as a click in Slack or Telegram (``inbound_for``), and
the link is then marked used (``storage/answer_links.py``) in the same transaction, so a reload
or a replay records nothing new. Links are made as the email leaves (``link_maker``, given to
the email adapter), so the outbox holds none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.consultations.lookup import CHOICES
from handlers.consultations.positions import REASON_ACTION
from handlers.consultations.reasons import ASKED, NONE_GIVEN
from handlers.consultations.wording import card_version
from handlers.context import Context
from handlers.email_links.refused import Refused
from handlers.email_links.signing import sign, token_hash, verify
from handlers.router import clean
from handlers.types import Button, Inbound
from handlers.web_paths import ANSWER_PATH
from storage.answer_links import UsedAnswerLink
from storage.identity import Identity
from storage.models import FOCAL_POINT, Consultation, Member, Position

PURPOSE = "answer"
PLATFORM = "email"
ACTIONS = {f"position.{choice}": choice for choice in CHOICES}
# Why a link is refused (``link.answer.<why>``) and the HTTP status the page is answered with.
REFUSALS = {"forged": 403, "person": 403, "agency": 403, "closed": 410, "expired": 410}
OVERRIDE_ACTIONS = {"confirm": "override.confirm", "keep": "override.keep"}

LinkMaker = Callable[[str, Button], "str | None"]


def refused(why: str, lang: str) -> Refused:
    """The link may not be used: ``why`` (a key of ``REFUSALS``), in the reader's language."""
    return Refused(why, lang, REFUSALS[why], f"link.answer.{why}", "link.answer.refused_title")


@dataclass(frozen=True)
class Answering:
    """A link that may be used: whose, for what; ``used`` when it already recorded."""

    hash: str
    identity: str
    member: Member
    consultation: Consultation
    choice: str
    lang: str
    used: UsedAnswerLink | None


def make_link(ctx: Context, address: str, button: Button) -> str | None:
    """The signed link doing what ``button`` does, for the email identity ``address``; ``None``
    for any other button, without a web address, or for an address no focal point holds."""
    choice = ACTIONS.get(button.action)
    number = button.value.partition(".")[0]
    if choice is None or not ctx.web_url or not number.isdigit():
        return None
    identity = str(Identity(PLATFORM, address))
    member = ctx.store.members.by_identity(identity)
    if member is None:
        return None
    token = sign(ctx.store.signing_keys.key(), PURPOSE, {
        "i": identity, "a": member.agency, "c": int(number), "p": choice,
        "t": int(ctx.now().timestamp())})  # each email its own links
    return f"{ctx.web_url}{ANSWER_PATH}/{token}"


def link_maker(ctx: Context) -> LinkMaker:
    """What the email adapter calls for each button of a message it sends."""
    return lambda address, button: make_link(ctx, address, button)


def check(ctx: Context, token: str) -> Answering:
    """The link's person, consultation and choice; ``Refused`` saying why it may not be used."""
    lang = ctx.network.language
    fields = verify(ctx.store.signing_keys.key(), PURPOSE, token)
    try:
        assert fields is not None
        identity, agency, number, choice = (str(fields["i"]), str(fields["a"]),
                                            int(fields["c"]), str(fields["p"]))
    except (AssertionError, KeyError, TypeError, ValueError):
        raise refused("forged", lang) from None
    consultation = ctx.store.consultations.get(number)
    if choice not in CHOICES or consultation is None:
        raise refused("forged", lang)
    member = ctx.store.members.by_identity(identity)  # active members only
    if member is not None:
        lang = ctx.language_of(member)
    if member is None or FOCAL_POINT not in member.roles:
        raise refused("person", lang)
    if member.agency != agency:
        raise refused("agency", lang)
    used = ctx.store.answer_links.get(token_hash(token))
    if used is None and consultation.status != "open":
        raise refused("closed", lang)
    if used is None and datetime.fromisoformat(consultation.deadline) <= ctx.now():
        raise refused("expired", lang)
    return Answering(token_hash(token), identity, member, consultation, choice, lang, used)


def reason_missing(choice: str, reason: str) -> bool:
    """An objection needs its reason (as everywhere): the page asks again."""
    return choice == "objection" and clean(reason) in ("", *NONE_GIVEN)


def inbound_for(ctx: Context, answering: Answering, reason: str,
                override: tuple[str, str] | None = None) -> Inbound:
    """The page's answer as the click a chat would have sent: a position button, the reason
    asked for an objection or reservations, or « Confirmer » / « Garder » when it would change
    a colleague's position (``override``: the decision and the question's value)."""
    user = Identity.parse(answering.identity).user
    event = f"{PLATFORM}:link:{answering.hash[:32]}"
    number = answering.consultation.id
    if override is not None:
        decision, value = override
        return Inbound(PLATFORM, user, action=OVERRIDE_ACTIONS[decision], value=value,
                       event=event)
    if answering.choice in ASKED:
        version = card_version(ctx, answering.consultation)
        return Inbound(PLATFORM, user, action=REASON_ACTION,
                       value=f"{number}.{answering.choice}.{version}",
                       text=clean(reason) or "-", event=event)
    return Inbound(PLATFORM, user, action=f"position.{answering.choice}", value=str(number),
                   event=event)


def valid_override(answering: Answering, decision: str, value: str) -> bool:
    """A « Confirmer » / « Garder » posted back names this link's consultation."""
    number, dot, previous = value.partition(".")
    return (decision in OVERRIDE_ACTIONS and dot == "." and previous.isdigit()
            and number == str(answering.consultation.id))


def current_position(ctx: Context, answering: Answering) -> Position | None:
    return ctx.store.positions.latest_of(answering.consultation.id, answering.member.agency)


def settle(ctx: Context, answering: Answering, before: Position | None) -> UsedAnswerLink | None:
    """After the handler ran: if it recorded this person's position, the link is used (in the
    same transaction); otherwise (a question asked, nothing changed) it still works."""
    after = current_position(ctx, answering)
    if after is None or after.member_id != answering.member.id or (
            before is not None and after.id == before.id):
        return None
    used = UsedAnswerLink(id=answering.hash, consultation_id=answering.consultation.id,
                          member_id=answering.member.id, choice=after.choice,
                          position_id=after.id, at=ctx.now_iso())
    ctx.store.answer_links.save(used)
    return used
