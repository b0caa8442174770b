"""Membership: who is in the network, joining it, the secretariat's approvals, languages."""

from __future__ import annotations

import re

from handlers import consensus, reach
from handlers.consultations.newcomers import ask_newcomer
from handlers.consultations.seats import staffed_agencies
from handlers.context import Context, UserError, parse_ref
from handlers.email_identity import is_email_identity
from handlers.meetings.invitations import invite_to_coming
from handlers.router import Request
from handlers.settings import Agency, fold
from handlers.types import Button, Message, Reply
from storage.identity import Identity
from storage.models import CO_CHAIR, FOCAL_POINT, SECRETARIAT, JoinRequest, Member

IDENTITY = re.compile(r"^(console|slack|telegram):([A-Za-z0-9_.@-]{1,64})$")
MAX_NAME = 80
CONFIRM_WORDS = ("confirmer", "confirm")  # ``membre approuver <n°> confirmer``


def name_key(name: str) -> tuple[str, ...]:
    """A person's name as compared for look-alikes: accents, case, punctuation and word order
    ignored (``KEÏTA Moussa`` is ``Moussa Keita``)."""
    return tuple(sorted(re.findall(r"[^\W_]+", fold(name))))


def same_name(ctx: Context, name: str) -> Member | None:
    """An active member whose name folds to ``name``'s: a newcomer who gives it may be someone
    else taking their place, so the secretariat is told and approval needs a confirmation."""
    key = name_key(name)
    if not key:
        return None
    return next((m for m in ctx.store.members.active() if name_key(m.name) == key), None)


def pending_line(ctx: Context, lang: str, request: JoinRequest) -> str:
    """A waiting request in ``demandes`` and the digest, flagged when the name is taken."""
    line = ctx.t(lang, "join.pending_line", number=request.id, name=request.name,
                 identity=account_label(request),
                 agency=ctx.agency_label(request.agency, lang))
    twin = same_name(ctx, request.name)
    if twin is not None:
        line += " " + ctx.t(lang, "join.pending_same_name", name=twin.name,
                            agency=ctx.agency_label(twin.agency, lang))
    return line


def list_join_requests(req: Request) -> Message:
    """``demandes``: join requests waiting for a decision, oldest first."""
    pending = req.ctx.store.join_requests.pending()
    if not pending:
        return Message(paragraphs=[req.t("join.none_pending")])
    lines = [pending_line(req.ctx, req.lang, r) for r in pending]
    return Message(title=req.t("join.pending_title", count=len(pending)),
                   paragraphs=["\n".join(lines), req.t("join.pending_hint")])


def seed_members(ctx: Context) -> int:
    """Bring the configuration's members into storage once; later edits and removals stand."""
    added = 0
    for seed in ctx.network.members:
        added += ctx.store.members.add_if_new(Member(
            id=seed.id, name=seed.name, agency=seed.agency, roles=list(seed.roles),
            identities=list(seed.identities), language=seed.language,
            created_at=ctx.now_iso()))
    return added


def _agency(req: Request, typed: str) -> Agency:
    agency = req.ctx.network.find_agency(typed) if typed else None
    if agency is None:
        codes = ", ".join(a.acronym(req.lang) for a in req.ctx.network.agencies)
        raise UserError("members.unknown_agency", typed=typed[:40], codes=codes)
    return agency


def _number(req: Request, text: str) -> int:
    return parse_ref(text, "error.not_a_number")


def _member_line(ctx: Context, member: Member, lang: str) -> str:
    tags = []
    if CO_CHAIR in member.roles:
        tags.append(ctx.t(lang, "role.co_chair"))
    if SECRETARIAT in member.roles:
        tags.append(ctx.t(lang, "role.secretariat"))
    platforms = sorted(member.platforms() - {"console"})
    suffix = f" ({', '.join(tags)})" if tags else ""
    where = f" · {', '.join(platforms)}" if platforms else ""
    return f"{member.name}{suffix}{where}"


def list_members(req: Request) -> Message:
    """``membres``: agencies with their focal points, the Executive Committee first and marked."""
    ctx, lang = req.ctx, req.lang
    network = ctx.network
    active = ctx.store.members.active()
    lead = reach.sees_reach(req)  # where each is reached: the secretariat's and co-chairs'
    by_agency: dict[str, list[Member]] = {}
    for member in active:
        by_agency.setdefault(member.agency, []).append(member)

    def block(agencies: list[Agency], mark: str) -> list[str]:
        lines = []
        for agency in agencies:
            people = sorted(by_agency.get(agency.code, []), key=lambda m: fold(m.name))
            names = "; ".join(_member_line(ctx, m, lang) + reach.member_suffix(ctx, lang, m, lead)
                              for m in people) or ctx.t(lang, "members.no_focal_point")
            lines.append(f"{mark}{agency.acronym(lang)} — {names}")
        return lines

    executive = [a for a in network.agencies if a.executive]
    others = sorted((a for a in network.agencies if not a.executive),
                    key=lambda a: fold(a.acronym(lang)))
    chairs = [m for m in active if CO_CHAIR in m.roles]
    secretariat = ctx.catalog.join(lang, [ctx.agency_label(c, lang) for c in network.secretariat])
    paragraphs = [
        ctx.t(lang, "members.summary", agencies=len(network.agencies), members=len(active),
              executive=len(executive)),
        ctx.t(lang, "members.co_chairs", names=ctx.catalog.join(
            lang, [f"{m.name} ({ctx.agency_label(m.agency, lang)})" for m in chairs]) or "—"),
        ctx.t(lang, "members.secretariat", agencies=secretariat),
        ctx.t(lang, "members.executive_heading"),
        "\n".join(block(executive, "★ ")),
    ]
    empty = consensus.empty_executive_seats(network, staffed_agencies(ctx))
    if empty:  # never silent: an empty seat changes how consultations are decided
        paragraphs.append(ctx.t(lang, "members.empty_seats_block" if network.empty_seat_blocks
                                else "members.empty_seats",
                                agencies=ctx.catalog.join(lang, [a.acronym(lang) for a in empty]),
                                count=len(empty)))
    paragraphs += [ctx.t(lang, "members.others_heading"), "\n".join(block(others, ""))]
    if lead:
        paragraphs += reach.summary(ctx, lang, active)
    return Message(title=network.name(lang), paragraphs=paragraphs)


def set_language(req: Request) -> Reply:
    """``langue fr|en``: the member's language for everything the bot sends them; ``langue
    auto`` forgets the choice, so the language their Slack or Telegram is set to applies again."""
    choice = fold(req.args.strip())[:10]
    aliases = {"fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en",
               "english": "en", "auto": None, "automatique": None, "automatic": None}
    if choice not in aliases or req.member is None:
        raise UserError("language.usage", name=req.name)
    member = req.member
    member.language = aliases[choice]
    req.ctx.store.members.save(member)
    lang = req.ctx.language_of(member, req.inbound.locale)
    key = "language.auto" if member.language is None else "language.set"
    return Reply(Message(paragraphs=[req.ctx.t(lang, key)]), lang)


def request_join(req: Request) -> Message:
    """``rejoindre <agence>``: an unknown user asks; each secretariat member gets the buttons."""
    ctx, inbound = req.ctx, req.inbound
    if req.member is not None:
        return Message(paragraphs=[req.t("join.already_member",
                                         agency=ctx.agency_label(req.member.agency, req.lang))])
    words = req.args.split()
    if not words:
        raise UserError("join.usage", name=req.name)
    agency = _agency(req, words[0])
    typed_name = " ".join(words[1:]).strip()
    pending = ctx.store.join_requests.pending_for(inbound.identity)
    if pending is not None:
        return Message(paragraphs=[req.t("join.already_pending", number=pending.id,
                                         agency=ctx.agency_label(pending.agency, req.lang))])
    request = file_request(req, agency, typed_name)
    return Message(paragraphs=[req.t("join.sent", number=request.id,
                                     agency=agency.acronym(req.lang))])


def account_label(request: JoinRequest) -> str:
    """How the secretariat reads the account a request came from: the platform and the
    person's username there (``Telegram @awa_t``), never a number nobody can check (the
    console's accounts are names already)."""
    identity = Identity.parse(request.identity)
    if identity.platform == "console":
        return request.identity
    platform = identity.platform.capitalize()
    return f"{platform} @{request.handle}" if request.handle else platform


def file_request(req: Request, agency: Agency, typed_name: str = "",
                 invite: int | None = None) -> JoinRequest:
    """Record the person's request for ``agency`` (the name typed, else their name on the
    platform) and send each secretariat member the buttons that decide it."""
    ctx, inbound = req.ctx, req.inbound
    name = (typed_name or inbound.display_name or inbound.user_id)[:MAX_NAME]
    request = ctx.store.join_requests.add(inbound.identity, name, agency.code,
                                          ctx.language_of(None, inbound.locale)
                                          if inbound.locale else req.lang, ctx.now_iso())
    request.handle, request.invite = inbound.handle[:MAX_NAME], invite
    ctx.store.join_requests.save(request)
    secretariat = ctx.store.members.with_role(SECRETARIAT)
    twin = same_name(ctx, request.name)

    def build(lang: str) -> Message:
        paragraphs = [ctx.t(lang, "join.request_body", name=request.name,
                            agency=agency.acronym(lang), agency_name=agency.name(lang),
                            identity=account_label(request))]
        if invite is not None:
            paragraphs.append(ctx.t(lang, "invite.request_came_through", number=invite))
        if twin is not None:
            paragraphs.append(_same_name_warning(ctx, lang, twin))
        return Message(
            title=ctx.t(lang, "join.request_title", number=request.id),
            paragraphs=paragraphs,
            buttons=[
                Button("join.approve", str(request.id), ctx.t(lang, "button.approve"),
                       hint=f"{ctx.t(lang, 'cmd.member_approve.name')} {request.id}",
                       style="primary"),
                Button("join.refuse", str(request.id), ctx.t(lang, "button.refuse"),
                       hint=f"{ctx.t(lang, 'cmd.member_refuse.name')} {request.id}",
                       style="danger"),
            ])

    ctx.send_to_members(secretariat, f"join:{request.id}:ask", build)
    return request


def _same_name_warning(ctx: Context, lang: str, twin: Member) -> str:
    accounts = sorted(twin.platforms() - {"console"})
    return ctx.t(lang, "join.same_name_warning", name=twin.name,
                 agency=ctx.agency_label(twin.agency, lang), accounts=", ".join(accounts) or "—")


def _confirm_first(req: Request, request: JoinRequest, twin: Member) -> Message:
    """Approval refused until confirmed: the secretariat sees who has the same name, and the
    button or the typed confirmation that approves all the same."""
    confirm = f"{req.t('cmd.member_approve.name')} {request.id} {req.t('join.confirm_word')}"
    return Message(
        paragraphs=[req.t("join.same_name_not_approved", number=request.id, name=request.name),
                    _same_name_warning(req.ctx, req.lang, twin),
                    req.t("join.same_name_confirm_hint", command=confirm)],
        buttons=[Button("join.approve_duplicate", str(request.id),
                        req.t("button.approve_anyway"), hint=confirm, style="danger"),
                 Button("join.refuse", str(request.id), req.t("button.refuse"),
                        hint=f"{req.t('cmd.member_refuse.name')} {request.id}")])


def _decide(req: Request, number: int, approve: bool, reason: str = "",
            confirmed: bool = False) -> Message | Reply:
    ctx = req.ctx
    request = ctx.store.join_requests.get(number)
    if request is None:
        raise UserError("join.not_found", number=number)
    if request.status != "pending":
        decider = ctx.store.members.get(request.decided_by or "")
        key = "join.already_approved" if request.status == "approved" else "join.already_refused"
        return Message(paragraphs=[req.t(key, number=number, name=request.name,
                                         by=decider.name if decider else "—")])
    if approve and not confirmed:
        twin = same_name(ctx, request.name)
        if twin is not None:
            return _confirm_first(req, request, twin)
    assert req.member is not None
    request.decided_at = ctx.now_iso()
    request.decided_by = req.member.id
    agency_code = request.agency
    if approve:
        existing = ctx.store.members.by_identity(request.identity)
        member = existing or Member(
            id=_new_member_id(ctx, request.name), name=request.name, agency=agency_code,
            roles=[FOCAL_POINT], identities=[request.identity], locale=request.language,
            created_at=ctx.now_iso())  # how they wrote to us; ``langue`` is their own choice
        ctx.store.members.save(member)
        request.status, request.member_id = "approved", member.id
        ctx.store.join_requests.save(request)
        ctx.send_to_member(member, f"join:{number}:welcome", lambda lang: Message(
            title=ctx.t(lang, "join.welcome_title", network=ctx.network.name(lang)),
            paragraphs=[ctx.t(lang, "join.welcome_body", agency=ctx.agency_label(
                agency_code, lang), help=ctx.t(lang, "cmd.help.name"))]))
        invite_to_coming(ctx, member)
        ask_newcomer(ctx, member)
        text = req.t("join.approved", number=number, name=member.name,
                     agency=ctx.agency_label(agency_code, req.lang))
    else:
        request.status = "refused"
        ctx.store.join_requests.save(request)
        lang = request.language or ctx.network.language
        body = [ctx.t(lang, "join.refused_body", agency=ctx.agency_label(agency_code, lang))]
        if reason:
            body.append(ctx.t(lang, "join.refused_reason", reason=reason[:500]))
        ctx.send_to_identity(request.identity, lang, f"join:{number}:refused",
                             Message(paragraphs=body))
        text = req.t("join.refused", number=number, name=request.name)
    return Message(paragraphs=[text])


def _new_member_id(ctx: Context, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:30] or "membre"
    candidate, n = base, 1
    while ctx.store.members.get(candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def approve_command(req: Request) -> Message | Reply:
    """``membre approuver <n°> [confirmer]``: the word confirms a look-alike name."""
    words = req.args.split()
    confirmed = any(fold(word) in CONFIRM_WORDS for word in words[1:])
    return _decide(req, _number(req, words[0] if words else ""), True, confirmed=confirmed)


def refuse_command(req: Request) -> Message | Reply:
    words = req.args.split(None, 1)
    return _decide(req, _number(req, words[0] if words else ""), False,
                   words[1] if len(words) > 1 else "")


def approve_click(req: Request, value: str) -> Message | Reply:
    return _decide(req, _number(req, value), True)


def approve_duplicate_click(req: Request, value: str) -> Message | Reply:
    """« Approuver quand même »: the confirmation for a look-alike name."""
    return _decide(req, _number(req, value), True, confirmed=True)


def refuse_click(req: Request, value: str) -> Message | Reply:
    return _decide(req, _number(req, value), False)


def add_member(req: Request) -> Message:
    """``membre ajouter <agence> <plateforme:id> <nom>``: the secretariat adds a focal point."""
    ctx = req.ctx
    words = req.args.split()
    if len(words) < 3:
        raise UserError("member_add.usage", name=req.name)
    agency = _agency(req, words[0])
    identity = words[1]
    if not (IDENTITY.match(identity) or is_email_identity(identity)):
        raise UserError("member_add.bad_identity", typed=identity[:70])
    existing = ctx.store.members.by_identity(identity)
    if existing is not None:
        raise UserError("member_add.identity_taken", identity=identity, name=existing.name)
    name = " ".join(words[2:])[:MAX_NAME]
    member = Member(id=_new_member_id(ctx, name), name=name, agency=agency.code,
                    roles=[FOCAL_POINT], identities=[identity], created_at=ctx.now_iso())
    ctx.store.members.save(member)
    ctx.send_to_member(member, "member:added", lambda lang: Message(
        title=ctx.t(lang, "join.welcome_title", network=ctx.network.name(lang)),
        paragraphs=[ctx.t(lang, "join.welcome_body", agency=agency.acronym(lang),
                          help=ctx.t(lang, "cmd.help.name"))]))
    invite_to_coming(ctx, member)
    return Message(paragraphs=[req.t("member_add.done", name=name, id=member.id,
                                     agency=agency.acronym(req.lang))])


def remove_member(req: Request) -> Message:
    """``membre retirer <id|plateforme:id>``: the member stays in the record, inactive. Given
    one account of a member who has others, only that account is taken off them: what the
    secretariat does when told that an account it does not recognise was linked to someone."""
    ctx = req.ctx
    typed = req.args.strip()
    if not typed:
        raise UserError("member_remove.usage", name=req.name)
    member = ctx.store.members.get(typed.lower()) or ctx.store.members.by_identity(typed)
    if member is None or not member.active:
        raise UserError("member_remove.not_found", typed=typed[:70])
    if typed in member.identities and len(member.identities) > 1:
        member.identities.remove(typed)
        member.unreachable.pop(typed, None)
        ctx.store.members.save(member)
        return Message(paragraphs=[req.t("member_remove.identity_done", identity=typed,
                                         name=member.name,
                                         agency=ctx.agency_label(member.agency, req.lang))])
    if req.member is not None and member.id == req.member.id:
        raise UserError("member_remove.self")
    member.active = False
    ctx.store.members.save(member)
    return Message(paragraphs=[req.t("member_remove.done", name=member.name,
                                     agency=ctx.agency_label(member.agency, req.lang))])


def whoami(req: Request) -> Message:
    """``moi``: who the bot thinks you are — useful when identities are linked or added.
    Accounts are shown only in a one-to-one conversation: in a shared chat, a member's other
    accounts are nobody else's business."""
    ctx, member, private = req.ctx, req.member, req.inbound.private
    if member is None:
        return Message(paragraphs=[req.t("whoami.unknown" if private else "whoami.unknown_shared",
                                         identity=req.inbound.identity,
                                         join=ctx.t(req.lang, "cmd.join.name"))])
    roles = ctx.catalog.join(req.lang, [ctx.t(req.lang, f"role.{r}") for r in member.roles])
    return Message(paragraphs=[req.t("whoami.member" if private else "whoami.member_shared",
                                     name=member.name,
                                     agency=ctx.agency_label(member.agency, req.lang),
                                     roles=roles or "—", identities=", ".join(member.identities),
                                     language=req.lang)])

