"""Consultations the Loomio way, but per agency: one position per member agency, the Executive
Committee's positions decide, the silent are reminded, and the outcome is recorded.

Consensus: adopted when every Executive Committee entity has a position and none objects.
Silence procedure: adopted unless an Executive Committee entity objects before the deadline.
Other agencies' positions are recorded and shown; they do not decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import groups
from handlers.context import Context, UserError, parse_ref
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import Agency, fold, slugify
from handlers.spreadsheet import MEDIA_TYPE, csv_bytes
from handlers.types import Attachment, Button, Message
from scheduler.jobs import consultation_close_id, consultation_reminder_id
from scheduler.when import WhenError, parse_when
from storage.models import FOCAL_POINT, Consultation, Member, Position
from storage.records import to_iso

CHOICES = ("agree", "reservations", "objection", "abstain")
CHOICE_WORDS = {
    "accord": "agree", "agree": "agree", "oui": "agree", "yes": "agree",
    "reserves": "reservations", "reserve": "reservations", "reservations": "reservations",
    "reservation": "reservations", "objection": "objection", "object": "objection",
    "abstention": "abstain", "abstain": "abstain", "abstenir": "abstain",
}
DEFAULT_DEADLINE = timedelta(days=7)
MAX_PROPOSAL = 3000
MAX_REASON = 1000


# Who is consulted, who decides.

def consulted_agencies(ctx: Context, consultation: Consultation) -> list[Agency]:
    """The agencies asked: the Executive Committee for a statement, a group's members' agencies
    for a group, otherwise every agency of the network. Executive Committee first."""
    network = ctx.network
    if consultation.scope == "executive":
        agencies = list(network.executive_committee)
    elif consultation.scope == "group":
        group = ctx.store.groups.get(slugify(consultation.group or ""))
        codes = set()
        for member_id in (group.members if group else ()):
            member = ctx.store.members.get(member_id)
            if member is not None and member.active:
                codes.add(member.agency)
        agencies = [a for a in network.agencies if a.code in codes]
    else:
        agencies = list(network.agencies)
    return sorted(agencies, key=lambda a: (not a.executive, network.agencies.index(a)))


def focal_points(ctx: Context, agency_code: str) -> list[Member]:
    return [m for m in ctx.store.members.of_agency(agency_code) if FOCAL_POINT in m.roles]


def consulted_people(ctx: Context, consultation: Consultation,
                     agencies: list[str] | None = None) -> list[Member]:
    codes = agencies if agencies is not None else [
        a.code for a in consulted_agencies(ctx, consultation)]
    return [m for code in codes for m in focal_points(ctx, code)]


def outcome_of(ctx: Context, consultation: Consultation) -> str:
    """``adopted`` or ``not_adopted`` by the mode's rule, from the Executive Committee alone."""
    current = ctx.store.positions.current(consultation.id)
    executive = [a.code for a in ctx.network.executive_committee]
    objected = any(current[c].choice == "objection" for c in executive if c in current)
    if consultation.mode == "silence":
        return "not_adopted" if objected else "adopted"
    everyone = all(code in current for code in executive)
    return "adopted" if everyone and not objected else "not_adopted"


# Reading what people typed.

def number_of(req: Request, text: str) -> Consultation:
    number = parse_ref(text, "poll.bad_number")
    consultation = req.ctx.store.consultations.get(number)
    if consultation is None:
        raise UserError("poll.not_found", number=number)
    return consultation


def deadline_from(req: Request, text: str) -> datetime:
    if not text.strip():
        return req.ctx.now() + DEFAULT_DEADLINE
    try:
        return parse_when(text, now=req.ctx.now(), tz=req.ctx.network.timezone,
                          default_time=None)
    except WhenError as error:
        if error.reason == "missing_time":
            return parse_when(text, now=req.ctx.now(), tz=req.ctx.network.timezone)
        raise UserError(f"when.{error.reason}", **error.params) from None


# How a consultation reads.

def choice_label(ctx: Context, lang: str, choice: str) -> str:
    return ctx.t(lang, f"poll.choice.{choice}")


def position_buttons(ctx: Context, lang: str, consultation: Consultation) -> list[Button]:
    styles = {"agree": "primary", "objection": "danger"}
    hint_name = ctx.t(lang, "cmd.position.name")
    words = {"agree": ctx.t(lang, "poll.word.agree"),
             "reservations": ctx.t(lang, "poll.word.reservations"),
             "objection": ctx.t(lang, "poll.word.objection"),
             "abstain": ctx.t(lang, "poll.word.abstain")}
    return [Button(f"position.{choice}", str(consultation.id), choice_label(ctx, lang, choice),
                   hint=f"{hint_name} {consultation.id} {words[choice]}"
                   + (f" <{ctx.t(lang, 'poll.reason_word')}>" if choice == "objection" else ""),
                   style=styles.get(choice))
            for choice in CHOICES]


def deadline_line(ctx: Context, lang: str, consultation: Consultation) -> str:
    deadline = datetime.fromisoformat(consultation.deadline)
    return ctx.t(lang, f"poll.deadline.{consultation.mode}", when=ctx.when(lang, deadline))


def proposal_message(ctx: Context, lang: str, consultation: Consultation,
                     title_key: str) -> Message:
    return Message(title=ctx.t(lang, title_key, number=consultation.id),
                   paragraphs=[consultation.proposal, deadline_line(ctx, lang, consultation),
                               ctx.t(lang, f"poll.rule.{consultation.mode}")],
                   buttons=position_buttons(ctx, lang, consultation))


def tally_lines(ctx: Context, lang: str, consultation: Consultation) -> list[str]:
    """One line per agency that answered, Executive Committee first, with its reason."""
    current = ctx.store.positions.current(consultation.id)
    lines = []
    for agency in consulted_agencies(ctx, consultation):
        position = current.get(agency.code)
        if position is None:
            continue
        key = "poll.tally_line_reason" if position.reason else "poll.tally_line"
        lines.append(ctx.t(lang, key, mark="★ " if agency.executive else "",
                           agency=agency.acronym(lang),
                           choice=choice_label(ctx, lang, position.choice),
                           reason=position.reason))
    return lines


def silent_agencies(ctx: Context, consultation: Consultation) -> tuple[list[Agency],
                                                                         list[Agency]]:
    current = ctx.store.positions.current(consultation.id)
    silent = [a for a in consulted_agencies(ctx, consultation) if a.code not in current]
    return [a for a in silent if a.executive], [a for a in silent if not a.executive]


def status_message(ctx: Context, lang: str, consultation: Consultation) -> Message:
    key = "poll.status_title" if consultation.status == "open" else "poll.status_title_closed"
    paragraphs = [consultation.proposal, deadline_line(ctx, lang, consultation)]
    lines = tally_lines(ctx, lang, consultation)
    paragraphs.append(ctx.t(lang, "poll.positions_heading") + "\n" + "\n".join(lines)
                      if lines else ctx.t(lang, "poll.no_positions"))
    executive, others = silent_agencies(ctx, consultation)
    if executive or others:
        paragraphs.append(ctx.t(lang, "poll.silent",
                                executive=", ".join(a.acronym(lang) for a in executive) or "—",
                                others=", ".join(a.acronym(lang) for a in others) or "—"))
    if consultation.status == "closed":
        paragraphs.append(ctx.t(lang, f"poll.outcome.{consultation.outcome}"))
        if consultation.outcome_note:
            paragraphs.append(ctx.t(lang, "poll.outcome_note", note=consultation.outcome_note))
    return Message(title=ctx.t(lang, key, number=consultation.id), paragraphs=paragraphs)


# Opening, answering, closing.

def open_consultation(ctx: Context, *, proposal: str, deadline: datetime, mode: str,
                      scope: str, group: str | None, opened_by: str,
                      statement: tuple[int, int] | None = None) -> Consultation:
    """Store a consultation and send the proposal, with the buttons, to every consulted focal
    point; announce it on the network channel."""
    now = ctx.now_iso()
    consultation = ctx.store.consultations.add(lambda n: Consultation(
        id=n, proposal=proposal, deadline=to_iso(deadline), mode=mode, scope=scope, group=group,
        opened_by=opened_by, opened_at=now, told_at=now,
        statement_id=statement[0] if statement else None,
        statement_version=statement[1] if statement else None))
    ctx.send_to_members(consulted_people(ctx, consultation), f"poll:{consultation.id}:open",
                        lambda lang: proposal_message(ctx, lang, consultation, "poll.open_title"))
    ctx.announce(f"poll:{consultation.id}:open", channel=slugify(group) if group else "network",
                 build=lambda lang: Message(
        title=ctx.t(lang, "poll.announce_title", number=consultation.id),
        paragraphs=[consultation.proposal, deadline_line(ctx, lang, consultation)]))
    return consultation


def open_command(req: Request) -> Message:
    """``consultation ouvrir <proposition> | <échéance> [| silence] [| groupe <nom>]``."""
    ctx = req.ctx
    fields = [f.strip() for f in req.args.split("|")]
    proposal = fields[0]
    if not proposal:
        raise UserError("poll.open_usage", name=req.name)
    if len(proposal) > MAX_PROPOSAL:
        raise UserError("error.text_too_long", limit=MAX_PROPOSAL)
    mode, group, deadline_text = "consensus", None, ""
    for extra in fields[1:]:
        folded = fold(extra)
        if folded in ("silence", "tacite", "approbation tacite", "silence procedure"):
            mode = "silence"
        elif folded in ("consensus",):
            mode = "consensus"
        elif folded.split(" ", 1)[0] in ("groupe", "group"):
            found = groups.find_group(ctx, extra.split(None, 1)[1] if " " in extra else "")
            if found is None:
                raise UserError("meeting.unknown_group", name=req.name,
                                groups=groups.group_names(ctx))
            group = found.name
        elif extra:
            deadline_text = extra
    if not req.roles & LEADS:  # a group's chairs consult their own group only
        found = groups.find_group(ctx, group or "")
        if found is None:
            raise UserError("group.scope_needed")
        groups.require_group_lead(req, found)
    deadline = deadline_from(req, deadline_text)
    consultation = open_consultation(
        ctx, proposal=proposal, deadline=deadline, mode=mode,
        scope="group" if group else "network", group=group,
        opened_by=req.member.id if req.member else "")
    asked = len(consulted_agencies(ctx, consultation))
    return Message(title=req.t("poll.opened", number=consultation.id),
                   paragraphs=[deadline_line(ctx, req.lang, consultation),
                               req.t(f"poll.rule.{mode}"),
                               req.t("poll.asked", agencies=asked,
                                     people=len(consulted_people(ctx, consultation)))])


def record_position(req: Request, consultation: Consultation, choice: str,
                    reason: str) -> Message:
    """Give or change the agency's position; every earlier one stays in the history."""
    ctx, member = req.ctx, req.member
    assert member is not None
    if consultation.status != "open" or datetime.fromisoformat(
            consultation.deadline) <= ctx.now():
        raise UserError("poll.closed", number=consultation.id)
    if FOCAL_POINT not in member.roles:
        raise UserError("poll.not_focal_point")
    if member.agency not in {a.code for a in consulted_agencies(ctx, consultation)}:
        raise UserError("poll.agency_not_consulted", number=consultation.id,
                        agency=ctx.agency_label(member.agency, req.lang))
    reason = reason.strip()[:MAX_REASON]
    if choice == "objection" and not reason:
        raise UserError("poll.reason_needed", number=consultation.id,
                        command=f"{req.t('cmd.position.name')} {consultation.id} "
                                f"{req.t('poll.word.objection')}")
    previous = ctx.store.positions.current(consultation.id).get(member.agency)
    if previous and (previous.member_id, previous.choice, previous.reason) == (
            member.id, choice, reason):
        return Message(paragraphs=[req.t("poll.unchanged", number=consultation.id,
                                         choice=choice_label(ctx, req.lang, choice))])
    position = ctx.store.positions.add(lambda n: Position(
        id=n, consultation_id=consultation.id, agency=member.agency, member_id=member.id,
        choice=choice, reason=reason, at=ctx.now_iso()))
    if previous is not None and previous.member_id != member.id:
        earlier = ctx.store.members.get(previous.member_id)
        if earlier is not None and earlier.active:
            ctx.send_to_member(earlier, f"poll:{consultation.id}:changed:{position.id}",
                               lambda lang: Message(paragraphs=[ctx.t(
                                   lang, "poll.changed_by_colleague", name=member.name,
                                   number=consultation.id,
                                   before=choice_label(ctx, lang, previous.choice),
                                   after=choice_label(ctx, lang, choice))]))
    return Message(paragraphs=[req.t("poll.recorded", number=consultation.id,
                                     agency=ctx.agency_label(member.agency, req.lang),
                                     choice=choice_label(ctx, req.lang, choice))])


def position_command(req: Request) -> Message:
    """``position <n°> accord|réserves|objection|abstention [raison]``."""
    words = req.args.split(None, 2)
    if len(words) < 2:
        raise UserError("poll.position_usage", name=req.name)
    consultation = number_of(req, words[0])
    choice = CHOICE_WORDS.get(fold(words[1]))
    if choice is None:
        raise UserError("poll.position_usage", name=req.name)
    return record_position(req, consultation, choice, words[2] if len(words) > 2 else "")


def position_click(choice: str) -> Callable[[Request, str], Message]:
    def handler(req: Request, value: str) -> Message:
        return record_position(req, number_of(req, value), choice, "")
    return handler


def status_command(req: Request) -> Message:
    """``consultation <n°>``: proposal, deadline, positions, reasons, who has not answered."""
    return status_message(req.ctx, req.lang, number_of(req, req.args))


def list_command(req: Request) -> Message:
    ctx = req.ctx
    open_ones = ctx.store.consultations.open()
    if not open_ones:
        return Message(paragraphs=[req.t("poll.none_open")])
    lines = []
    for consultation in open_ones:
        executive, others = silent_agencies(ctx, consultation)
        lines.append(req.t("poll.list_line", number=consultation.id,
                           proposal=consultation.proposal[:80],
                           deadline=ctx.when(req.lang, datetime.fromisoformat(
                               consultation.deadline)),
                           silent=len(executive) + len(others)))
    return Message(title=req.t("poll.list_title", count=len(open_ones)),
                   paragraphs=["\n".join(lines)])


def close(ctx: Context, consultation: Consultation, by: str) -> str:
    """Decide by the mode's rule, record it, tell the network and every consulted focal point."""
    consultation.outcome = outcome_of(ctx, consultation)
    consultation.status = "closed"
    consultation.closed_at = ctx.now_iso()
    consultation.closed_by = by
    ctx.store.consultations.save(consultation)
    ctx.store.jobs_done.mark(consultation_close_id(consultation), ctx.now_iso())
    if consultation.statement_id is not None:
        from handlers.statements import round_closed  # statements build on consultations

        round_closed(ctx, consultation)

    def build(lang: str) -> Message:
        message = status_message(ctx, lang, consultation)
        message.title = ctx.t(lang, f"poll.outcome_title.{consultation.outcome}",
                              number=consultation.id)
        return message

    key = f"poll:{consultation.id}:outcome"
    ctx.send_to_members(consulted_people(ctx, consultation), key, build)
    ctx.announce(key, build)
    return consultation.outcome


def close_command(req: Request) -> Message:
    ctx = req.ctx
    consultation = number_of(req, req.args)
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    outcome = close(ctx, consultation, req.member.id if req.member else "")
    return Message(paragraphs=[req.t(f"poll.outcome.{outcome}")])


def extend_command(req: Request) -> Message:
    """``consultation prolonger <n°> <échéance>``: a later deadline; everyone consulted is told."""
    ctx = req.ctx
    words = req.args.split(None, 1)
    if len(words) < 2:
        raise UserError("poll.extend_usage", name=req.name)
    consultation = number_of(req, words[0])
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    deadline = deadline_from(req, words[1])
    if to_iso(deadline) <= consultation.deadline:
        raise UserError("poll.extend_earlier", when=ctx.when(
            req.lang, datetime.fromisoformat(consultation.deadline)))
    consultation.previous_deadlines.append(consultation.deadline)
    consultation.deadline = to_iso(deadline)
    consultation.told_at = ctx.now_iso()
    ctx.store.consultations.save(consultation)
    key = f"poll:{consultation.id}:extended:{consultation.deadline}"
    ctx.send_to_members(consulted_people(ctx, consultation), key, lambda lang: proposal_message(
        ctx, lang, consultation, "poll.extended_title"))
    ctx.announce(key, lambda lang: Message(
        title=ctx.t(lang, "poll.extended_title", number=consultation.id),
        paragraphs=[deadline_line(ctx, lang, consultation)]))
    return Message(paragraphs=[req.t("poll.extended", number=consultation.id),
                               deadline_line(ctx, req.lang, consultation)])


def outcome_note_command(req: Request) -> Message:
    """``consultation conclusion <n°> <texte>``: a co-chair's statement on the outcome."""
    words = req.args.split(None, 1)
    if len(words) < 2:
        raise UserError("poll.note_usage", name=req.name)
    consultation = number_of(req, words[0])
    if consultation.status != "closed":
        raise UserError("poll.still_open", number=consultation.id)
    consultation.outcome_note = words[1].strip()[:MAX_PROPOSAL]
    req.ctx.store.consultations.save(consultation)
    req.ctx.announce(f"poll:{consultation.id}:note", lambda lang: status_message(
        req.ctx, lang, consultation))
    return Message(paragraphs=[req.t("poll.note_saved", number=consultation.id)])


def decisions_command(req: Request) -> Message:
    """``décisions`` lists the decision register; ``décisions csv`` attaches it as a file."""
    ctx, lang = req.ctx, req.lang
    closed = [c for c in ctx.store.consultations.all() if c.status == "closed"]
    if fold(req.args.strip()) == "csv":
        return Message(paragraphs=[req.t("poll.csv_ready", count=len(closed))],
                       attachments=[decisions_csv(ctx, lang, closed)])
    if not closed:
        return Message(paragraphs=[req.t("poll.no_decisions")])
    lines = [req.t("poll.decision_line", number=c.id, proposal=c.proposal[:100],
                   outcome=req.t(f"poll.outcome_short.{c.outcome}"),
                   date=ctx.catalog.date(lang, datetime.fromisoformat(c.closed_at or c.deadline),
                                         ctx.network.timezone))
             for c in reversed(closed[-30:])]
    return Message(title=req.t("poll.decisions_title", count=len(closed)),
                   paragraphs=["\n".join(lines), req.t("poll.csv_hint")])


def decisions_csv(ctx: Context, lang: str, closed: list[Consultation]) -> Attachment:
    """The decision register as a file that opens right in a spreadsheet (``spreadsheet``)."""
    header = [ctx.t(lang, f"poll.csv.{h}") for h in (
        "number", "proposal", "mode", "opened", "deadline", "closed", "outcome", "note",
        "positions")]
    rows = []
    for c in closed:
        current = ctx.store.positions.current(c.id)
        positions = "; ".join(f"{ctx.agency_label(code, lang)}={p.choice}"
                              for code, p in current.items())
        rows.append([str(c.id), c.proposal, c.mode, c.opened_at, c.deadline, c.closed_at or "",
                     c.outcome or "", c.outcome_note or "", positions])
    return Attachment("decisions.csv", csv_bytes(lang, header, rows), MEDIA_TYPE)


# Scheduled work.

def send_reminder(ctx: Context, ref: str) -> int:
    """The job ``consultation.reminder``: the focal points of agencies that have not answered,
    and only those, get the proposal and the buttons again."""
    number, deadline_iso, seconds = ref.split("|")
    consultation = ctx.store.consultations.get(int(number))
    if consultation is None:
        return 0
    offset = timedelta(seconds=int(seconds))
    job_id = consultation_reminder_id(consultation, offset)
    if (consultation.status != "open" or consultation.deadline != deadline_iso
            or datetime.fromisoformat(deadline_iso) <= ctx.now()
            or job_id in ctx.store.jobs_done):
        return 0
    executive, others = silent_agencies(ctx, consultation)
    people = consulted_people(ctx, consultation, [a.code for a in executive + others])
    sent = ctx.send_to_members(people, job_id, lambda lang: proposal_message(
        ctx, lang, consultation, "poll.reminder_title"))
    for other in ctx.network.consultation_reminders:
        if other >= offset:
            ctx.store.jobs_done.mark(consultation_reminder_id(consultation, other),
                                     ctx.now_iso(), "sent" if other == offset else "skipped")
    return sent


def close_job(ctx: Context, ref: str) -> str | None:
    """The job ``consultation.close``: at the deadline (or on start-up if it passed meanwhile)."""
    number, deadline_iso = ref.split("|")
    consultation = ctx.store.consultations.get(int(number))
    if (consultation is None or consultation.status != "open"
            or consultation.deadline != deadline_iso
            or datetime.fromisoformat(deadline_iso) > ctx.now()):
        return None
    return close(ctx, consultation, "deadline")
