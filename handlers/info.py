"""Information items: share once, reach everyone, find it again.

``partager <lien> [titre] [#N …] [#type]`` (or a message in the network channel with a link and
``#partage`` / ``#info``) stores an item tagged by Global Compact objective and type, posts it to
the network channel of every platform, and refuses duplicates after normalising the link.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from handlers import links
from handlers.context import Context, UserError, is_number, parse_ref
from handlers.links import normalise as normalise_link
from handlers.router import Request, localized
from handlers.settings import fold
from handlers.types import Message, Reply
from storage.models import InfoItem

OBJECTIVES = range(1, 24)
TYPES = ("data", "document", "study", "news", "event", "other")
TYPE_WORDS = {
    "data": "data", "donnees": "data", "donnee": "data", "document": "document", "doc":
    "document", "study": "study", "etude": "study", "etudes": "study", "news": "news",
    "actualite": "news", "actualites": "news", "event": "event", "evenement": "event",
    "other": "other", "autre": "other",
}
CAPTURE_TAGS = ("partage", "info", "share")
PAGE = 8
MAX_TITLE = 200
MAX_TEXT = 2000


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(" ".join(fold(text).split()).encode()).hexdigest()[:32]


def objective_label(ctx: Context, lang: str, number: int) -> str:
    return ctx.t(lang, f"gcm.{number}")


def objective_tags(ctx: Context) -> dict[str, int]:
    """``#donnees``, ``#data``, ``#traite`` …: each objective's label without accents or spaces
    in both languages, and any of its words (five letters or more) no other label uses."""
    tags: dict[str, int] = {}
    users: dict[str, set[int]] = {}
    for number in OBJECTIVES:
        for lang in ("fr", "en"):
            words = re.findall(r"[a-z0-9]+", fold(objective_label(ctx, lang, number)))
            tags["".join(words)] = number
            for word in words:
                if len(word) >= 5:
                    users.setdefault(word, set()).add(number)
    for word, numbers in users.items():
        if len(numbers) == 1:
            tags.setdefault(word, next(iter(numbers)))
    return tags


@dataclass(frozen=True)
class Share:
    """What ``partager <lien> [titre] [#N …] [#type]`` said: the link (checked, without its
    tracking parameters) or none, the title or text typed, the link's label, the tags."""

    link: str | None
    text: str
    label: str
    objectives: list[int]
    kind: str


def parse_share(ctx: Context, text: str) -> Share:
    """The first link is the item's (``UserError`` with the reason if it is refused); tags are
    read anywhere; the other words are the title (or the text, without a link)."""
    objectives: list[int] = []
    kind = "other"
    tags = objective_tags(ctx)
    link: str | None = None
    label = ""
    words = []
    for token in links.tokens(text):
        found = links.as_link(token)
        if found is not None and link is None:
            link, label = links.checked(found[0]), found[1]
            continue
        if token.startswith("#") and len(token) > 1:
            tag = fold(token[1:]).strip(".,;:")
            if is_number(tag) and int(tag) in OBJECTIVES:
                objectives.append(int(tag))
                continue
            if tag in TYPE_WORDS or tag in tags:
                # "#donnees" / "#data" name both objective 1 and the type "data": take both.
                kind = TYPE_WORDS.get(tag, kind)
                if tag in tags:
                    objectives.append(tags[tag])
                continue
            if tag in CAPTURE_TAGS:
                continue
            raise UserError("info.unknown_tag", tag=token[:40])
        words.append(token)
    return Share(link, " ".join(words).strip(), label, sorted(set(objectives)), kind)


def share(ctx: Context, req: Request, text: str) -> InfoItem | Message:
    """Store an item unless the same link (or text) exists; tell the network about it (except
    in the chat where the person's own message already shows it)."""
    return share_parsed(ctx, req, parse_share(ctx, text))


def share_parsed(ctx: Context, req: Request, parsed: Share) -> InfoItem | Message:
    """``share`` of what was already read (typed, or chosen in a form)."""
    link, rest = parsed.link, parsed.text
    if link is None and not rest:
        raise UserError("info.share_usage", name=req.t("cmd.share.name"))
    if len(rest) > (MAX_TITLE if link else MAX_TEXT):
        raise UserError("error.text_too_long", limit=MAX_TITLE if link else MAX_TEXT)
    key = normalise_link(link) if link else text_key(rest)
    existing = ctx.store.items.by_key(key)
    if existing is not None:
        sharer = ctx.store.members.get(existing.shared_by)
        return Message(paragraphs=[req.t("info.duplicate", number=existing.id,
                                         name=sharer.name if sharer else "—",
                                         agency=ctx.agency_label(existing.agency, req.lang),
                                         date=ctx.catalog.date(req.lang, _at(existing),
                                                               ctx.network.timezone))])
    member = req.member
    assert member is not None
    title = (rest or parsed.label)[:MAX_TITLE] if link else rest[:80]
    item = ctx.store.items.add(lambda n: InfoItem(
        id=n, key=key, url=link, title=title, text="" if link else rest,
        objectives=parsed.objectives, type=parsed.kind, shared_by=member.id,
        agency=member.agency, platform=req.inbound.platform, at=ctx.now_iso()))
    inbound = req.inbound
    shown_in = (f"{inbound.platform}:{inbound.chat_id}" if inbound.visible or inbound.capture
                else "")
    ctx.announce(f"item:{item.id}", lambda lang: item_message(ctx, lang, item, announce=True),
                 skip=shown_in)
    return item


def _at(item: InfoItem) -> datetime:
    return datetime.fromisoformat(item.at)


def objectives_words(ctx: Context, lang: str, objectives: list[int]) -> str:
    if not objectives:
        return ctx.t(lang, "info.no_objective")
    return "; ".join(f"{n}. {objective_label(ctx, lang, n)}" for n in objectives)


def item_message(ctx: Context, lang: str, item: InfoItem, announce: bool = False) -> Message:
    sharer = ctx.store.members.get(item.shared_by)
    paragraphs = []
    if item.url:
        paragraphs.append(item.url)
    if item.text:
        paragraphs.append(item.text)
    paragraphs.append(ctx.t(lang, "info.objectives_line",
                            objectives=objectives_words(ctx, lang, item.objectives)))
    paragraphs.append(ctx.t(lang, "info.shared_by", name=sharer.name if sharer else "—",
                            agency=ctx.agency_label(item.agency, lang),
                            type=ctx.t(lang, f"info.type.{item.type}")))
    key = "info.announce_title" if announce else "info.item_title"
    return Message(title=ctx.t(lang, key, number=item.id, title=item.title or item.url or ""),
                   paragraphs=paragraphs)


def share_command(req: Request) -> Message:
    return shared_reply(req, share(req.ctx, req, req.args))


def shared_reply(req: Request, result: InfoItem | Message) -> Message:
    """What the sharer is told: the item stored with its objectives, or why it was not."""
    if isinstance(result, Message):
        return result
    return Message(paragraphs=[req.t("info.shared", number=result.id,
                                     objectives=objectives_words(req.ctx, req.lang,
                                                                 result.objectives))])


def meant_for_capture(text: str) -> bool:
    """A message in the network channel is for the bot only with a link and ``#partage`` (or
    ``#info``): adapters ask before recording anything, so conversation costs no write."""
    tags = {fold(w[1:]).strip(".,;:!") for w in text.split() if w.startswith("#")}
    return bool(tags & set(CAPTURE_TAGS)) and links.mentions_a_link(text)


def capture(req: Request) -> Message | Reply:
    """A message posted in the network channel: an item if it has a link and ``#partage``.
    Anything else there is conversation and gets no answer; a message meant as an item that
    cannot be one gets the reason, for its author only."""
    text = req.inbound.text or ""
    if not meant_for_capture(text):
        return Message()
    if req.member is None:
        return _not_captured(req, req.t("info.capture_not_member",
                                        join=req.t("cmd.join.name")))
    try:
        result = share(req.ctx, req, text)
    except UserError as error:
        return _not_captured(req, req.t(error.key, **localized(error.params, req.lang)))
    if isinstance(result, Message):
        return _not_captured(req, result.plain_text())
    return Reply(Message(paragraphs=[req.t("info.captured", number=result.id)]), req.lang,
                 accepted=True)


def _not_captured(req: Request, reason: str) -> Message:
    return Message(paragraphs=[req.t("info.capture_refused", reason=reason)])


# Finding.

def matches(item: InfoItem, words: list[str]) -> bool:
    haystack = fold(" ".join([item.title, item.text, item.url or ""]))
    return all(word in haystack for word in words)


def _results(req: Request, items: list[InfoItem], title_key: str, offset: int,
             **params: object) -> Message:
    ctx = req.ctx
    page = items[offset:offset + PAGE]
    if not page:
        return Message(paragraphs=[req.t("info.none")])
    lines = []
    for item in page:
        label = (item.title or item.url or "")[:120]
        link = f" — {item.url}" if item.url and item.title else ""
        objectives = ",".join(str(n) for n in item.objectives)
        lines.append(req.t("info.result_line", number=item.id, title=label, link=link,
                           agency=ctx.agency_label(item.agency, req.lang),
                           objectives=objectives or "—"))
    paragraphs = ["\n".join(lines)]
    if offset + PAGE < len(items):
        paragraphs.append(req.t("info.more", shown=offset + len(page), total=len(items),
                                more=req.t("cmd.more.name")))
    return Message(title=req.t(title_key, count=len(items), **params), paragraphs=paragraphs)


def _remember(req: Request, kind: str, value: str) -> None:
    req.ctx.pages[req.inbound.identity] = (kind, value, 0)


def _select(req: Request, kind: str, value: str) -> tuple[list[InfoItem], str, dict]:
    ctx = req.ctx
    items = ctx.store.items.newest_first()
    if kind == "objective":
        number = int(value)
        return ([i for i in items if number in i.objectives], "info.by_objective_title",
                {"number": number, "label": objective_label(ctx, req.lang, number)})
    if kind == "type":
        return ([i for i in items if i.type == value], "info.by_type_title",
                {"type": ctx.t(req.lang, f"info.type.{value}")})
    if kind == "search":
        words = [fold(w) for w in value.split()]
        return ([i for i in items if matches(i, words)], "info.search_title",
                {"words": value[:80]})
    return items, "info.latest_title", {}


def list_command(req: Request) -> Message:
    """``infos``, ``infos objectif <N>``, ``infos <type>``."""
    words = req.args.split()
    kind, value = "latest", ""
    if words and fold(words[0]) in ("objectif", "objective", "obj") and len(words) > 1:
        if not is_number(words[1]) or int(words[1]) not in OBJECTIVES:
            raise UserError("info.bad_objective")
        kind, value = "objective", words[1]
    elif words and is_number(words[0]) and int(words[0]) in OBJECTIVES:
        kind, value = "objective", words[0]
    elif words and fold(words[0]) in TYPE_WORDS:
        kind, value = "type", TYPE_WORDS[fold(words[0])]
    elif words:
        raise UserError("info.list_usage", name=req.name)
    _remember(req, kind, value)
    items, title, params = _select(req, kind, value)
    return _results(req, items, title, 0, **params)


def search_command(req: Request) -> Message:
    """``recherche <mots>``: every word must appear (accents and case ignored)."""
    if not req.args.strip():
        raise UserError("info.search_usage", name=req.name)
    _remember(req, "search", req.args.strip()[:200])
    items, title, params = _select(req, "search", req.args.strip()[:200])
    return _results(req, items, title, 0, **params)


def more_command(req: Request) -> Message:
    """``suite``: the next page of the last list or search."""
    state = req.ctx.pages.get(req.inbound.identity)
    if state is None:
        raise UserError("info.no_more")
    kind, value, offset = state
    offset += PAGE
    items, title, params = _select(req, kind, value)
    if offset >= len(items):
        raise UserError("info.no_more")
    req.ctx.pages[req.inbound.identity] = (kind, value, offset)
    return _results(req, items, title, offset, **params)


def show_command(req: Request) -> Message:
    """``info <n°>``: one item in full."""
    number = parse_ref(req.args, "info.bad_number")
    item = req.ctx.store.items.get(number)
    if item is None:
        raise UserError("info.not_found", number=number)
    return item_message(req.ctx, req.lang, item)
