"""The network's knowledge platform, its neutral part: which items a page shows, the counts
beside its filters, and the sign-in links members ask for in the chat.

No HTTP here (``bot/web`` serves it): the same filtering could feed a report or a chat answer.
Only information items are ever selected; consultations, positions and digests live in other
collections this module never reads.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.context import Context, UserError, is_number
from handlers.info import OBJECTIVES, TYPES, matches
from handlers.router import Request
from handlers.settings import Network, fold
from handlers.types import SECRET_MARK, Message, Secret
from handlers.web_paths import KNOWLEDGE_PATHS
from storage.models import InfoItem, Member
from storage.records import to_iso
from storage.web_tokens import WebToken

PUBLIC = "public"
TOKEN_LIFETIME = timedelta(hours=24)
PAGE_SIZE = 20
MAX_QUERY = 200
MAX_TOKEN = 128
TOKEN_PARAM = "jeton"


@dataclass(frozen=True)
class Filters:
    """What a visitor asked for. Built from an address bar, so anything odd is dropped, never
    an error: a bad link still shows the page."""

    objective: int | None = None
    type: str | None = None
    agency: str | None = None
    year: int | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str], names: Mapping[str, str],
              network: Network) -> Filters:
        """``names`` maps each field to its query parameter in the page's language."""

        def number(field: str) -> int | None:
            text = params.get(names[field], "").strip()
            return int(text) if is_number(text) else None

        objective = number("objective")
        kind = params.get(names["type"], "").strip()
        agency = network.agency(params.get(names["agency"], "").strip())
        year = number("year")
        page = number("page")
        return cls(objective=objective if objective in OBJECTIVES else None,
                   type=kind if kind in TYPES else None,
                   agency=agency.code if agency else None,
                   year=year if year is not None and 1900 < year < 3000 else None,
                   q=" ".join(params.get(names["q"], "").split())[:MAX_QUERY],
                   page=page if page and page > 0 else 1)

    def params(self, names: Mapping[str, str], **changes: object) -> dict[str, str]:
        """The query parameters of this selection (with ``changes``), for links; a filter
        changed sends the reader back to page 1."""
        if changes and "page" not in changes:
            changes["page"] = 1
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        values = {"objective": chosen.objective, "type": chosen.type, "agency": chosen.agency,
                  "year": chosen.year, "q": chosen.q,
                  "page": chosen.page if chosen.page > 1 else None}
        return {names[k]: str(v) for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in (self.objective, self.type, self.agency,
                                                  self.year, self.q))


@dataclass(frozen=True)
class Selection:
    """One page of matching items, newest first, with the counts each filter would give."""

    items: list[InfoItem]
    total: int
    page: int
    pages: int
    objectives: dict[int, int]
    types: dict[str, int]
    agencies: dict[str, int]
    years: dict[int, int]


def item_year(item: InfoItem, tz: str) -> int | None:
    """The year an item was shared, in the network's time zone (31 December 23:30 UTC is
    still that year in Bamako, not always elsewhere)."""
    try:
        return datetime.fromisoformat(item.at).astimezone(ZoneInfo(tz)).year
    except ValueError:
        return None


def _keep(item: InfoItem, filters: Filters, tz: str, words: list[str],
          skip: str | None = None) -> bool:
    """Whether ``item`` passes every filter but ``skip`` (so a facet counts what choosing
    one of its values would show)."""
    return ((skip == "objective" or filters.objective is None
             or filters.objective in item.objectives)
            and (skip == "type" or filters.type is None or item.type == filters.type)
            and (skip == "agency" or filters.agency is None or item.agency == filters.agency)
            and (skip == "year" or filters.year is None or item_year(item, tz) == filters.year)
            and (not words or matches(item, words)))


def search_words(query: str) -> list[str]:
    """The chat's ``recherche``: accents and case ignored, every word must appear."""
    return [fold(w) for w in query.split()]


def matching(items: list[InfoItem], filters: Filters, tz: str) -> list[InfoItem]:
    """Every item the filters keep, in the order given (newest first from the store)."""
    words = search_words(filters.q)
    return [item for item in items if _keep(item, filters, tz, words)]


def select(items: list[InfoItem], filters: Filters, tz: str,
           page_size: int = PAGE_SIZE) -> Selection:
    """The page asked for (the last one if it asked beyond), and the facet counts."""
    words = search_words(filters.q)
    kept = [item for item in items if _keep(item, filters, tz, words)]
    pages = max(1, math.ceil(len(kept) / page_size))
    page = min(filters.page, pages)
    objectives: Counter[int] = Counter()
    types: Counter[str] = Counter()
    agencies: Counter[str] = Counter()
    years: Counter[int] = Counter()
    for item in items:
        if _keep(item, filters, tz, words, "objective"):
            objectives.update(n for n in set(item.objectives) if n in OBJECTIVES)
        if _keep(item, filters, tz, words, "type"):
            types[item.type] += 1
        if item.agency and _keep(item, filters, tz, words, "agency"):
            agencies[item.agency] += 1
        year = item_year(item, tz)
        if year is not None and _keep(item, filters, tz, words, "year"):
            years[year] += 1
    return Selection(
        items=kept[(page - 1) * page_size:page * page_size], total=len(kept), page=page,
        pages=pages, objectives={n: objectives[n] for n in OBJECTIVES},
        types={t: types[t] for t in TYPES}, agencies=dict(agencies),
        years=dict(sorted(years.items(), reverse=True)))


# Sign-in links: a token in the chat reply, only its hash on disk.

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ctx: Context, member: Member) -> tuple[str, datetime]:
    """A fresh random token for ``member``, valid ``TOKEN_LIFETIME``; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    expires = ctx.now() + TOKEN_LIFETIME
    ctx.store.web_tokens.save(WebToken(id=token_hash(token), member_id=member.id,
                                       expires_at=to_iso(expires), created_at=ctx.now_iso()))
    ctx.lifetimes.start(f"web:{token_hash(token)}", TOKEN_LIFETIME)  # ends on both clocks
    return token, expires


def check_token(ctx: Context, token: str | None) -> Member | None:
    """The active member a token was given to, if it exists and has not expired: on the wall
    clock, and on the monotonic clock for a token minted by this process."""
    if not token or len(token) > MAX_TOKEN:
        return None
    stored = ctx.store.web_tokens.get(token_hash(token))
    if (stored is None or datetime.fromisoformat(stored.expires_at) <= ctx.now()
            or ctx.lifetimes.over(f"web:{stored.id}")):
        return None
    member = ctx.store.members.get(stored.member_id)
    return member if member is not None and member.active else None


def is_public(network: Network) -> bool:
    return network.knowledge_access == PUBLIC


def mint_token(ctx: Context, member: Member) -> str:
    """The token of a sign-in link, minted as the message carrying it leaves."""
    return issue_token(ctx, member)[0]


def link_command(req: Request) -> Message:
    """``lien savoirs``: the address of the knowledge page, with a personal sign-in token
    unless the page is public. Asked in a group chat, the link goes by direct message: a
    token shown to a channel would let anyone there in. The token is minted on delivery
    (``handlers/minting.py``), so no copy of the message on disk holds a working one."""
    ctx = req.ctx
    if ctx.web_url is None:  # no web server in this process (the console)
        raise UserError("knowledge.not_served")
    page = ctx.web_url + KNOWLEDGE_PATHS.get(req.lang, KNOWLEDGE_PATHS["fr"])
    if is_public(ctx.network):
        return Message(paragraphs=[req.t("knowledge.link_public", url=page)])
    member = req.member
    assert member is not None  # MEMBERS only, per the command table
    hours = int(TOKEN_LIFETIME.total_seconds() // 3600)
    message = Message(paragraphs=[req.t("knowledge.link", url=f"{page}?{TOKEN_PARAM}="
                                        f"{SECRET_MARK}", hours=hours)],
                      secret=Secret("knowledge", member.id))
    if req.inbound.private:
        return message
    ctx.send_to_identity(req.inbound.identity, req.lang,
                         f"knowledge-link:{secrets.token_hex(8)}", message)
    return Message(paragraphs=[req.t("knowledge.link_sent_privately")])
