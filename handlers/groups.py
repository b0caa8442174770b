"""Working groups: created by the co-chairs or the secretariat once the Executive Committee
agreed, with members (network members and external partners), a chair or co-chairs among them,
terms of reference, dated reviews; closed groups stay in the record.

Group commands name the group first, then ``|`` and the rest, so names may have any words:
``groupe ajouter Données migratoires | awa``.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import Context, UserError, is_number
from handlers.meetings.invitations import invite_to_coming
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold, slugify
from handlers.types import Message
from storage.models import Group, Member
from storage.parts import GroupReview

MAX_NAME = 80
MAX_NOTE = 1000


def seed_groups(ctx: Context) -> None:
    """The groups the configuration names, brought into storage once."""
    for group in ctx.network.groups:
        ctx.store.groups.add_if_new(Group(id=group.slug, name=group.name,
                                          members=list(group.members),
                                          chairs=list(group.chairs), created_at=ctx.now_iso()))


def find_group(ctx: Context, typed: str, active_only: bool = True) -> Group | None:
    group = ctx.store.groups.get(slugify(typed)) if typed.strip() else None
    if group is None or (active_only and group.status != "active"):
        return None
    return group


def group_names(ctx: Context) -> str:
    return ", ".join(g.name for g in ctx.store.groups.active()) or "—"


def leading_group(ctx: Context, text: str) -> tuple[Group, str] | None:
    """The group named by the longest leading words of ``text`` (or before a ``|``), and the
    rest."""
    if "|" in text:
        name, _, rest = text.partition("|")
        group = find_group(ctx, name)
        return (group, rest.strip()) if group else None
    words = text.split()
    for size in range(len(words), 0, -1):
        group = find_group(ctx, " ".join(words[:size]))
        if group is not None:
            return group, " ".join(words[size:])
    return None


def chairs_group(ctx: Context, member: Member | None, group: Group) -> bool:
    return member is not None and member.id in group.chairs


def require_group_lead(req: Request, group: Group) -> None:
    """Co-chairs and the secretariat act for every group; a group's chairs for theirs only."""
    if req.roles & LEADS or chairs_group(req.ctx, req.member, group):
        return
    raise UserError("group.not_chair", group=group.name)


def _split(req: Request) -> tuple[Group, str]:
    found = leading_group(req.ctx, req.args)
    if found is None:
        raise UserError("group.unknown", groups=group_names(req.ctx), name=req.name)
    return found


def _member(req: Request, typed: str) -> Member:
    ctx = req.ctx
    wanted = typed.strip()
    member = ctx.store.members.get(wanted.lower()) or ctx.store.members.by_identity(wanted) or \
        next((m for m in ctx.store.members.active() if fold(m.name) == fold(wanted)), None)
    if member is None or not member.active:
        raise UserError("member_remove.not_found", typed=wanted[:70])
    return member


def create(req: Request) -> Message:
    """``groupe créer <nom> [| consultation <n°>]``: once the Executive Committee agreed."""
    ctx = req.ctx
    name, _, link = req.args.partition("|")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UserError("group.create_usage", name=req.name)
    if ctx.store.groups.get(slugify(name)) is not None:
        raise UserError("group.exists", group=name)
    consultation_id = None
    if link.strip():
        words = link.split()
        number = words[-1].lstrip("#nN°º")
        consultation = ctx.store.consultations.get(int(number)) if is_number(number) else None
        if consultation is None:
            raise UserError("poll.not_found", number=number[:10] or "—")
        if consultation.outcome != "adopted":
            raise UserError("group.not_adopted", number=consultation.id)
        consultation_id = consultation.id
    group = Group(id=slugify(name), name=name, consultation_id=consultation_id,
                  created_by=req.member.id if req.member else "", created_at=ctx.now_iso())
    ctx.store.groups.save(group)
    ctx.announce(f"group:{group.id}:created", lambda lang: Message(
        title=ctx.t(lang, "group.created_title", group=name),
        paragraphs=[ctx.t(lang, "group.join_hint", group=name)]))
    return Message(paragraphs=[req.t("group.created", group=name)])


def add(req: Request) -> Message:
    """``groupe ajouter <groupe> | <membre>``: chairs and leads add network members or partners."""
    group, rest = _split(req)
    require_group_lead(req, group)
    if not rest:
        raise UserError("group.add_usage", name=req.name)
    member = _member(req, rest)
    return _enrol(req, group, member)


def join(req: Request) -> Message:
    """``groupe rejoindre <groupe>``: a member joins a group."""
    group, _ = _split(req)
    assert req.member is not None
    return _enrol(req, group, req.member)


def _enrol(req: Request, group: Group, member: Member) -> Message:
    if member.id in group.members:
        return Message(paragraphs=[req.t("group.already_member", name=member.name,
                                         group=group.name)])
    group.members.append(member.id)
    req.ctx.store.groups.save(group)
    invite_to_coming(req.ctx, member)  # the group's meetings to come invite its new member
    return Message(paragraphs=[req.t("group.added", name=member.name, group=group.name)])


def set_chairs(req: Request) -> Message:
    """``groupe présidence <groupe> | <membre>[, <membre>]``: chosen among its members."""
    group, rest = _split(req)
    require_group_lead(req, group)
    names = [n for n in (p.strip() for p in rest.split(",")) if n]
    if not names or len(names) > 3:
        raise UserError("group.chair_usage", name=req.name)
    chairs = [_member(req, n) for n in names]
    outside = [m.name for m in chairs if m.id not in group.members]
    if outside:
        raise UserError("group.chair_not_member", names=req.ctx.catalog.join(req.lang, outside),
                        count=len(outside), group=group.name)
    group.chairs = [m.id for m in chairs]
    req.ctx.store.groups.save(group)
    return Message(paragraphs=[req.t("group.chairs_set", group=group.name,
                                     names=req.ctx.catalog.join(req.lang,
                                                                [m.name for m in chairs]))])


def set_terms(req: Request) -> Message:
    """``groupe tdr <groupe> | <lien ou texte>``: the group's terms of reference."""
    group, rest = _split(req)
    require_group_lead(req, group)
    if not rest or len(rest) > MAX_NOTE:
        raise UserError("group.terms_usage", name=req.name)
    group.terms = rest
    req.ctx.store.groups.save(group)
    return Message(paragraphs=[req.t("group.terms_set", group=group.name)])


def review(req: Request) -> Message:
    """``groupe revue <groupe> | <note>``: a dated review note."""
    group, rest = _split(req)
    if not rest or len(rest) > MAX_NOTE:
        raise UserError("group.review_usage", name=req.name)
    group.reviews.append(GroupReview(at=req.ctx.now_iso(),
                                     by=req.member.id if req.member else "", note=rest))
    req.ctx.store.groups.save(group)
    return Message(paragraphs=[req.t("group.reviewed", group=group.name)])


def close(req: Request) -> Message:
    """``groupe clore <groupe>``: no longer active, kept in the record."""
    group, _ = _split(req)
    group.status = "closed"
    group.closed_at = req.ctx.now_iso()
    req.ctx.store.groups.save(group)
    return Message(paragraphs=[req.t("group.closed", group=group.name)])


def _names(ctx: Context, ids: list[str]) -> str:
    people = [ctx.store.members.get(i) for i in ids]
    return ", ".join(m.name for m in people if m is not None) or "—"


def list_groups(req: Request) -> Message:
    """``groupes``: active groups with members and chairs."""
    ctx = req.ctx
    groups = ctx.store.groups.active()
    if not groups:
        return Message(paragraphs=[req.t("group.none")])
    lines = [req.t("group.list_line", group=g.name, chairs=_names(ctx, g.chairs),
                   count=len(g.members), members=_names(ctx, g.members)) for g in groups]
    closed = [g.name for g in ctx.store.groups.all() if g.status == "closed"]
    paragraphs = ["\n".join(lines)]
    if closed:
        paragraphs.append(req.t("group.closed_list", groups=", ".join(closed)))
    return Message(title=req.t("group.list_title", count=len(groups)), paragraphs=paragraphs)


def show(req: Request) -> Message:
    """``groupe <nom>``: one group, closed ones included."""
    ctx = req.ctx
    group = find_group(ctx, req.args.split("|")[0], active_only=False)
    if group is None:
        raise UserError("group.unknown", groups=group_names(ctx), name=req.name)
    lines = [req.t("group.chairs_line", names=_names(ctx, group.chairs)),
             req.t("group.members_line", count=len(group.members),
                   names=_names(ctx, group.members)),
             req.t("group.terms_line", terms=group.terms or "—")]
    if group.consultation_id:
        lines.append(req.t("group.created_by_poll", number=group.consultation_id))
    for note in group.reviews:
        lines.append(req.t("group.review_line", date=ctx.catalog.date(
            req.lang, datetime.fromisoformat(note.at), ctx.network.timezone),
            note=note.note))
    key = "group.title_closed" if group.status == "closed" else "group.title"
    return Message(title=req.t(key, group=group.name), paragraphs=["\n".join(lines)])
