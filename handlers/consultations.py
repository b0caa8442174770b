"""Consultations the Loomio way, but per agency: one position per consulted agency, the deciding
set's positions decide, the silent are reminded, and the outcome is recorded with its reasons.

Who decides (``handlers.consensus``): the Executive Committee for a network consultation or a
statement round, the group's member agencies for a working group's consultation — fixed when the
consultation opens, with the empty seats (no active focal point) named everywhere. Consensus:
adopted when everyone taking part answered and none objects. Silence procedure: adopted unless
someone taking part objects before the deadline. Other agencies' positions are recorded and shown;
they do not decide. A statement round is the Executive Committee's alone: its draft never goes to
a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from handlers import consensus, groups
from handlers.consensus import Decision, Seats
from handlers.context import Context, UserError, parse_ref
from handlers.roles import EXEC_FOCAL_POINT, LEADS
from handlers.router import Request
from handlers.settings import Agency, fold, slugify
from handlers.spreadsheet import MEDIA_TYPE, csv_bytes
from handlers.statement_rounds import round_closed
from handlers.types import Attachment, Button, Message, Reply
from handlers.when_text import reading_lines, refusal
from scheduler.jobs import ConsultationClose, ConsultationReminder, encode
from scheduler.when import Reading, WhenError, read_when
from storage.models import CO_CHAIR, FOCAL_POINT, Consultation, Member, Position
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

def consulted_for(ctx: Context, scope: str, group: str | None) -> list[Agency]:
    """The agencies asked: the Executive Committee for a statement, a group's members' agencies
    for a group, otherwise every agency of the network. Executive Committee first."""
    network = ctx.network
    if scope == "executive":
        agencies = list(network.executive_committee)
    elif scope == "group":
        found = ctx.store.groups.get(slugify(group or ""))
        codes = set()
        for member_id in (found.members if found else ()):
            member = ctx.store.members.get(member_id)
            if member is not None and member.active:
                codes.add(member.agency)
        agencies = [a for a in network.agencies if a.code in codes]
    else:
        agencies = list(network.agencies)
    order = {a.code: n for n, a in enumerate(network.agencies)}
    return sorted(agencies, key=lambda a: (not a.executive, order[a.code]))


def consulted_agencies(ctx: Context, consultation: Consultation) -> list[Agency]:
    return consulted_for(ctx, consultation.scope, consultation.group)


def seats_for(ctx: Context, scope: str, group: str | None) -> Seats:
    """Who can decide now: a group's member agencies decide its consultations, the Executive
    Committee the others; an entity with no active focal point has an empty seat."""
    body = [a.code for a in consulted_for(ctx, scope, group)
            if scope == "group" or a.executive]
    return consensus.seats_of(body, staffed_agencies(ctx), ctx.network.empty_seat_blocks)


def staffed_agencies(ctx: Context) -> set[str]:
    """The agencies with at least one active focal point: those that can answer."""
    return ctx.store.members.agencies_with(FOCAL_POINT)


def seats_of(ctx: Context, consultation: Consultation) -> Seats:
    """As recorded when the consultation opened (one stored before that was recorded: as now)."""
    if consultation.deciding is None:
        return seats_for(ctx, consultation.scope, consultation.group)
    return Seats(tuple(consultation.deciding), tuple(consultation.empty_seats),
                 consultation.empty_seat_blocks)


def decision_of(ctx: Context, consultation: Consultation) -> Decision:
    """The stored decision of a closed consultation; for an open one, what would be decided now."""
    if consultation.decision is not None:
        return Decision.from_dict(consultation.decision)
    if consultation.status == "closed":  # closed before reasons were recorded
        return Decision(consultation.outcome or consensus.NOT_ADOPTED)
    current = {code: p.choice for code, p in ctx.store.positions.current(consultation.id).items()}
    return consensus.decide(consultation.mode, seats_of(ctx, consultation), current,
                            unreached(consultation))


def focal_points(ctx: Context, agency_code: str) -> list[Member]:
    return [m for m in ctx.store.members.of_agency(agency_code) if FOCAL_POINT in m.roles]


def consulted_people(ctx: Context, consultation: Consultation,
                     agencies: list[str] | None = None) -> list[Member]:
    codes = agencies if agencies is not None else [
        a.code for a in consulted_agencies(ctx, consultation)]
    return [m for code in codes for m in focal_points(ctx, code)]


def audience(ctx: Context, consultation: Consultation) -> list[Member]:
    """Who is told of the outcome directly: the consulted focal points, and for a statement
    round (never announced in a channel) the co-chairs, who publish."""
    people = consulted_people(ctx, consultation)
    if consultation.scope == "executive":
        people += ctx.store.members.with_role(CO_CHAIR)
    return people


def channel_of(consultation: Consultation) -> str | None:
    """Where a consultation is announced: its group's channel, the network's, or nowhere for a
    statement round (only the Executive Committee sees a draft)."""
    if consultation.scope == "executive":
        return None
    if consultation.scope == "group" and consultation.group:
        return slugify(consultation.group)
    return "network"


def announce(ctx: Context, consultation: Consultation, key: str,
             build: Callable[[str], Message], until: datetime | None = None) -> None:
    channel = channel_of(consultation)
    if channel is not None:
        ctx.announce(key, build, channel=channel, until=until)


def topic_of(consultation: Consultation) -> str:
    """The outbox topic of the messages carrying its buttons: their fate is reported back
    (``delivery_outcome``), so the consultation knows which agencies it reached."""
    return f"poll:{consultation.id}"


def ask(ctx: Context, consultation: Consultation, people: list[Member], key: str,
        title_key: str) -> int:
    """Send the proposal with its buttons to ``people``: retried until the deadline, and
    each agency's delivery reported back."""
    return ctx.send_to_members(people, key, lambda lang: proposal_message(
        ctx, lang, consultation, title_key), until=datetime.fromisoformat(consultation.deadline),
        topic=topic_of(consultation))


def delivery_outcome(ctx: Context, number: int, agency: str, state: str) -> None:
    """The dispatcher's report on a message carrying the buttons to one of ``agency``'s focal
    points: ``reached``, or why not yet (a held reason, ``waiting``, ``expired``, ``dead``).
    Once one of its focal points got it, the agency is reached for good."""
    consultation = ctx.store.consultations.get(number)
    if consultation is None or consultation.status != "open":
        return
    known = consultation.delivery.get(agency)
    if known == "reached" or known == state:
        return
    consultation.delivery[agency] = state
    ctx.store.consultations.save(consultation)


def unreached(consultation: Consultation) -> set[str]:
    """The agencies whose invitations the dispatcher could not deliver to any focal point."""
    return {code for code, state in consultation.delivery.items() if state != "reached"}


def may_see(req: Request, consultation: Consultation) -> bool:
    """A statement round (a draft) is for the Executive Committee and the leads only."""
    return consultation.scope != "executive" or bool(req.roles & (LEADS | {EXEC_FOCAL_POINT}))


# Reading what people typed.

def number_of(req: Request, text: str) -> Consultation:
    number = parse_ref(text, "poll.bad_number")
    consultation = req.ctx.store.consultations.get(number)
    if consultation is None:
        raise UserError("poll.not_found", number=number)
    return consultation


def read_deadline(req: Request, text: str) -> Reading:
    """A deadline as people write it (« vendredi », « d'ici lundi 12h », « fin du mois », « by
    Monday noon »): without a time, the end of that working day (the network's setting); with
    nothing written, ``DEFAULT_DEADLINE`` from now."""
    ctx = req.ctx
    if not text.strip():
        return Reading(ctx.now() + DEFAULT_DEADLINE)
    try:
        return read_when(text, now=ctx.now(), tz=ctx.network.timezone, deadline=True,
                         end_of_day=ctx.network.end_of_day)
    except WhenError as error:
        raise refusal(ctx, error) from None


def deadline_from(req: Request, text: str) -> datetime:
    return read_deadline(req, text).start


# How a consultation reads.

def choice_label(ctx: Context, lang: str, choice: str) -> str:
    return ctx.t(lang, f"poll.choice.{choice}")


def card_version(ctx: Context, consultation: Consultation) -> int:
    """The number of the consultation's latest position (0 before any): what a card's buttons
    carry, so that a click made on a card older than its agency's position (or a signed click
    replayed after it) is told apart from one made after seeing it (``record_position``)."""
    return ctx.store.positions.last_number(consultation.id)


def position_buttons(ctx: Context, lang: str, consultation: Consultation) -> list[Button]:
    """The four choices; each value is ``<n°>.<card version>`` (a few bytes: Telegram allows
    64 for an action and its value)."""
    value = f"{consultation.id}.{card_version(ctx, consultation)}"
    styles = {"agree": "primary", "objection": "danger"}
    hint_name = ctx.t(lang, "cmd.position.name")
    words = {"agree": ctx.t(lang, "poll.word.agree"),
             "reservations": ctx.t(lang, "poll.word.reservations"),
             "objection": ctx.t(lang, "poll.word.objection"),
             "abstain": ctx.t(lang, "poll.word.abstain")}
    return [Button(f"position.{choice}", value, choice_label(ctx, lang, choice),
                   hint=f"{hint_name} {consultation.id} {words[choice]}"
                   + (f" <{ctx.t(lang, 'poll.reason_word')}>" if choice == "objection" else ""),
                   style=styles.get(choice))
            for choice in CHOICES]


def deadline_line(ctx: Context, lang: str, consultation: Consultation) -> str:
    deadline = datetime.fromisoformat(consultation.deadline)
    return ctx.t(lang, f"poll.deadline.{consultation.mode}", when=ctx.when(lang, deadline))


def rule_line(ctx: Context, lang: str, consultation: Consultation) -> str:
    """The rule that decides, as the consulted read it: the group's for a group."""
    if consultation.scope == "group":
        return ctx.t(lang, f"poll.rule_group.{consultation.mode}", group=consultation.group)
    return ctx.t(lang, f"poll.rule.{consultation.mode}")


def acronyms(ctx: Context, lang: str, codes: tuple[str, ...] | list[str]) -> str:
    """« OIT, HCDH, DAES »: for fields, short lines and the register's cells."""
    return ", ".join(ctx.agency_label(code, lang) for code in codes)


def agency_list(ctx: Context, lang: str, codes: tuple[str, ...] | list[str]) -> str:
    """« OIT, HCDH et DAES »: for a sentence, as the language lists."""
    return ctx.catalog.join(lang, [ctx.agency_label(code, lang) for code in codes])


def left_out_text(ctx: Context, lang: str, left_out: tuple[tuple[str, str], ...]) -> str:
    """« OIT, DAES — aucun point focal », grouped by why."""
    whys: dict[str, list[str]] = {}
    for code, why in left_out:
        whys.setdefault(why, []).append(code)
    return " ; ".join(f"{acronyms(ctx, lang, codes)} — {ctx.t(lang, f'poll.why_left_out.{why}')}"
                      for why, codes in whys.items())


def seats_lines(ctx: Context, lang: str, consultation: Consultation) -> list[str]:
    """While open: the empty seats not (yet) answered — left out, or blocking consensus."""
    decision = decision_of(ctx, consultation)
    lines = []
    if decision.left_out:
        lines.append(ctx.t(lang, "poll.seats_empty",
                           entries=left_out_text(ctx, lang, decision.left_out)))
    if decision.blocking:
        lines.append(ctx.t(lang, "poll.seats_empty_block",
                           agencies=acronyms(ctx, lang, decision.blocking)))
    return lines


def reached_lines(ctx: Context, lang: str, consultation: Consultation) -> list[str]:
    """While open: the consulted agencies the proposal has not reached yet, and that have not
    answered (the dispatcher keeps trying until the deadline)."""
    answered = ctx.store.positions.current(consultation.id)
    missed = [a.code for a in consulted_agencies(ctx, consultation)
              if a.code in unreached(consultation) and a.code not in answered]
    return [ctx.t(lang, "poll.not_reached_yet", agencies=acronyms(ctx, lang, missed))] \
        if missed else []


def proposal_message(ctx: Context, lang: str, consultation: Consultation,
                     title_key: str) -> Message:
    return Message(title=ctx.t(lang, title_key, number=consultation.id),
                   paragraphs=[consultation.proposal, deadline_line(ctx, lang, consultation),
                               rule_line(ctx, lang, consultation),
                               *seats_lines(ctx, lang, consultation)],
                   buttons=position_buttons(ctx, lang, consultation))


def tally_lines(ctx: Context, lang: str, consultation: Consultation) -> list[str]:
    """One line per agency that answered, Executive Committee first (marked, unless a group
    decides), with its reason."""
    current = ctx.store.positions.current(consultation.id)
    lines = []
    for agency in consulted_agencies(ctx, consultation):
        position = current.get(agency.code)
        if position is None:
            continue
        key = "poll.tally_line_reason" if position.reason else "poll.tally_line"
        marked = agency.executive and consultation.scope != "group"  # a group decides alone
        lines.append(ctx.t(lang, key, mark="★ " if marked else "",
                           agency=agency.acronym(lang),
                           choice=choice_label(ctx, lang, position.choice),
                           reason=position.reason))
    return lines


def silent_agencies(ctx: Context, consultation: Consultation) -> tuple[list[Agency],
                                                                         list[Agency]]:
    """The agencies that have not answered: those taking part in the decision, then the others.
    An empty seat left unanswered is neither, nor an agency the proposal never reached: they
    are named apart (``seats_lines``, ``reached_lines``, outcome)."""
    current = ctx.store.positions.current(consultation.id)
    seats = seats_of(ctx, consultation)
    missed = unreached(consultation)
    silent = [a for a in consulted_agencies(ctx, consultation)
              if a.code not in current and a.code not in seats.empty and a.code not in missed]
    return ([a for a in silent if a.code in seats.deciding],
            [a for a in silent if a.code not in seats.deciding])


def outcome_line(ctx: Context, lang: str, consultation: Consultation) -> str:
    if consultation.scope == "group" and consultation.outcome != "superseded":
        return ctx.t(lang, f"poll.outcome_group.{consultation.outcome}", group=consultation.group)
    return ctx.t(lang, f"poll.outcome.{consultation.outcome}")


def outcome_title(ctx: Context, lang: str, consultation: Consultation) -> str:
    if consultation.scope == "group" and consultation.outcome != "superseded":
        return ctx.t(lang, f"poll.outcome_title_group.{consultation.outcome}",
                     number=consultation.id, group=consultation.group)
    return ctx.t(lang, f"poll.outcome_title.{consultation.outcome}", number=consultation.id)


def reason_lines(ctx: Context, lang: str, decision: Decision) -> list[str]:
    """Why, from the stored decision: who objected, who did not answer, whose empty seat blocked,
    who was left out."""
    lines = []
    if decision.nobody:
        lines.append(ctx.t(lang, "poll.why.nobody"))
    for kind in ("objected", "silent", "not_reached", "blocking"):
        codes = getattr(decision, kind)
        if codes:
            lines.append(ctx.t(lang, f"poll.why.{kind}", agencies=agency_list(ctx, lang, codes)))
    if decision.left_out:
        lines.append(ctx.t(lang, "poll.decided_without",
                           entries=left_out_text(ctx, lang, decision.left_out)))
    return lines


def reason_summary(ctx: Context, lang: str, decision: Decision) -> str:
    """The same reasons in one short line, for the register and its CSV."""
    parts = [ctx.t(lang, "poll.short.nobody")] if decision.nobody else []
    for kind in ("objected", "silent", "not_reached", "blocking"):
        codes = getattr(decision, kind)
        if codes:
            parts.append(ctx.t(lang, f"poll.short.{kind}", agencies=acronyms(ctx, lang, codes)))
    if decision.left_out:
        parts.append(ctx.t(lang, "poll.short.left_out",
                           entries=left_out_text(ctx, lang, decision.left_out)))
    return " ; ".join(parts)


def scope_label(ctx: Context, lang: str, consultation: Consultation) -> str:
    return ctx.t(lang, f"poll.scope.{consultation.scope}", group=consultation.group or "")


def status_message(ctx: Context, lang: str, consultation: Consultation) -> Message:
    key = "poll.status_title" if consultation.status == "open" else "poll.status_title_closed"
    paragraphs = [consultation.proposal, deadline_line(ctx, lang, consultation)]
    lines = tally_lines(ctx, lang, consultation)
    heading = "poll.positions_heading_group" if consultation.scope == "group" else \
        "poll.positions_heading"
    paragraphs.append(ctx.t(lang, heading) + "\n" + "\n".join(lines)
                      if lines else ctx.t(lang, "poll.no_positions"))
    deciding, others = silent_agencies(ctx, consultation)
    if consultation.scope == "group" and (deciding or others):
        paragraphs.append(ctx.t(lang, "poll.silent_group", group=consultation.group,
                                agencies=", ".join(a.acronym(lang) for a in deciding + others)))
    elif deciding or others:
        paragraphs.append(ctx.t(lang, "poll.silent",
                                executive=", ".join(a.acronym(lang) for a in deciding) or "—",
                                others=", ".join(a.acronym(lang) for a in others) or "—"))
    if consultation.status == "open":
        paragraphs += seats_lines(ctx, lang, consultation)
        paragraphs += reached_lines(ctx, lang, consultation)
    else:
        paragraphs.append(outcome_line(ctx, lang, consultation))
        paragraphs += reason_lines(ctx, lang, decision_of(ctx, consultation))
        if consultation.outcome_note:
            paragraphs.append(ctx.t(lang, "poll.outcome_note", note=consultation.outcome_note))
    return Message(title=ctx.t(lang, key, number=consultation.id), paragraphs=paragraphs)


# Opening, answering, closing.

def open_consultation(ctx: Context, *, proposal: str, deadline: datetime, mode: str,
                      scope: str, group: str | None, opened_by: str,
                      statement: tuple[int, int] | None = None,
                      lang: str | None = None) -> Consultation:
    """Fix who decides, store the consultation and send the proposal, with the buttons, to
    every consulted focal point; announce it on its channel (none for a statement round).

    Refused (``UserError``, agencies named in ``lang``) when nobody in the deciding body has a
    focal point: such a consultation could never be decided."""
    seats = seats_for(ctx, scope, group)
    if not seats.deciding:
        raise UserError("poll.nobody_can_answer", agencies=agency_list(
            ctx, lang or ctx.network.language, seats.empty) or "—")
    now = ctx.now_iso()
    consultation = ctx.store.consultations.add(lambda n: Consultation(
        id=n, proposal=proposal, deadline=to_iso(deadline), mode=mode, scope=scope, group=group,
        opened_by=opened_by, opened_at=now, told_at=now,
        statement_id=statement[0] if statement else None,
        statement_version=statement[1] if statement else None,
        deciding=list(seats.deciding), empty_seats=list(seats.empty),
        empty_seat_blocks=seats.empty_seat_blocks))
    ask(ctx, consultation, consulted_people(ctx, consultation), f"poll:{consultation.id}:open",
        "poll.open_title")
    announce(ctx, consultation, f"poll:{consultation.id}:open", lambda lang: Message(
        title=ctx.t(lang, "poll.announce_title", number=consultation.id),
        paragraphs=[consultation.proposal, deadline_line(ctx, lang, consultation),
                    rule_line(ctx, lang, consultation), *seats_lines(ctx, lang, consultation)]),
        until=deadline)
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
    reading = read_deadline(req, deadline_text)
    consultation = open_consultation(
        ctx, proposal=proposal, deadline=reading.start, mode=mode,
        scope="group" if group else "network", group=group,
        opened_by=req.member.id if req.member else "", lang=req.lang)
    asked = len(consulted_agencies(ctx, consultation))
    return Message(title=req.t("poll.opened", number=consultation.id),
                   paragraphs=[deadline_line(ctx, req.lang, consultation),
                               *reading_lines(ctx, req.lang, reading),
                               rule_line(ctx, req.lang, consultation),
                               req.t("poll.asked", agencies=asked,
                                     people=len(consulted_people(ctx, consultation))),
                               *cannot_answer_lines(req, consultation)])


def cannot_answer_lines(req: Request, consultation: Consultation) -> list[str]:
    """Told to whoever opens: which entities of the deciding body cannot answer, and what that
    does to the decision under the network's reading."""
    if not consultation.empty_seats:
        return []
    blocks = consultation.empty_seat_blocks and consultation.mode == "consensus"
    return [req.t("poll.cannot_answer_block" if blocks else "poll.cannot_answer",
                  agencies=agency_list(req.ctx, req.lang, consultation.empty_seats),
                  count=len(consultation.empty_seats))]


def record_position(req: Request, consultation: Consultation, choice: str,
                    reason: str, version: int | None = None) -> Message:
    """Give or change the agency's position; every earlier one stays in the history.

    ``version`` is a clicked card's (``card_version``); a typed command has none. A click made
    on a card older than the agency's current position — a colleague answered since, or the
    same signed click is replayed after a later one — does not overwrite it: the same choice
    changes nothing, another is refused with the current position and fresh buttons, so that a
    click made after seeing the current state goes through."""
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
    previous = ctx.store.positions.latest_of(consultation.id, member.agency)
    if previous is not None and version is not None and previous.id > version:
        return _older_card(req, consultation, previous, choice)
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


def _older_card(req: Request, consultation: Consultation, current: Position,
                choice: str) -> Message:
    """A click on a card older than the agency's current position: nothing is written."""
    ctx = req.ctx
    by = ctx.store.members.get(current.member_id)
    params = {"agency": ctx.agency_label(current.agency, req.lang), "number": consultation.id,
              "choice": choice_label(ctx, req.lang, current.choice),
              "name": by.name if by else "—"}
    if current.choice == choice:
        return Message(paragraphs=[req.t("poll.already_current", **params)])
    return Message(paragraphs=[req.t("poll.older_card", **params, when=ctx.when(
                       req.lang, datetime.fromisoformat(current.at)))],
                   buttons=position_buttons(ctx, req.lang, consultation))


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


def position_click(choice: str) -> Callable[[Request, str], Message | Reply]:
    """A position button: ``<n°>.<card version>`` (``<n°>`` alone on cards sent before
    versions: not checked). A click taken in (``accepted``) answers with the card's fresh
    buttons, so the next click on it counts as made after this position; a refused one
    offers them too (``_older_card``)."""
    def handler(req: Request, value: str) -> Message | Reply:
        number, dot, version = value.partition(".")
        consultation = number_of(req, number)
        seen = parse_ref(version, "poll.bad_number") if dot else None
        answer = record_position(req, consultation, choice, "", seen)
        if answer.buttons:
            return answer
        return Reply(replace(answer, buttons=position_buttons(req.ctx, req.lang, consultation)),
                     req.lang, accepted=True)
    return handler


def status_command(req: Request) -> Message:
    """``consultation <n°>``: proposal, deadline, positions, reasons, who has not answered."""
    consultation = number_of(req, req.args)
    if not may_see(req, consultation):
        raise UserError("poll.executive_only", number=consultation.id)
    return status_message(req.ctx, req.lang, consultation)


def list_command(req: Request) -> Message:
    ctx = req.ctx
    open_ones = [c for c in ctx.store.consultations.open() if may_see(req, c)]
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
    """Decide by the mode's rule from the seats fixed at opening, record the decision with its
    reasons, tell the consulted (and announce it where the consultation was announced)."""
    current = {code: p.choice for code, p in ctx.store.positions.current(consultation.id).items()}
    decision = consensus.decide(consultation.mode, seats_of(ctx, consultation), current,
                                unreached(consultation))
    consultation.outcome = decision.outcome
    consultation.decision = decision.to_dict()
    consultation.status = "closed"
    consultation.closed_at = ctx.now_iso()
    consultation.closed_by = by
    ctx.store.consultations.save(consultation)
    ctx.store.jobs_done.mark(encode(ConsultationClose(consultation.id, consultation.deadline)),
                             ctx.now_iso())
    if consultation.statement_id is not None:
        round_closed(ctx, consultation)

    def build(lang: str) -> Message:
        message = status_message(ctx, lang, consultation)
        message.title = outcome_title(ctx, lang, consultation)
        return message

    key = f"poll:{consultation.id}:outcome"
    ctx.send_to_members(audience(ctx, consultation), key, build)
    announce(ctx, consultation, key, build)
    return consultation.outcome


def close_command(req: Request) -> Message:
    ctx = req.ctx
    consultation = number_of(req, req.args)
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    close(ctx, consultation, req.member.id if req.member else "")
    return Message(paragraphs=[outcome_line(ctx, req.lang, consultation),
                               *reason_lines(ctx, req.lang, decision_of(ctx, consultation))])


def extend_command(req: Request) -> Message:
    """``consultation prolonger <n°> <échéance>``: a later deadline; everyone consulted is told."""
    ctx = req.ctx
    words = req.args.split(None, 1)
    if len(words) < 2:
        raise UserError("poll.extend_usage", name=req.name)
    consultation = number_of(req, words[0])
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    reading = read_deadline(req, words[1])
    deadline = reading.start
    if to_iso(deadline) <= consultation.deadline:
        raise UserError("poll.extend_earlier", when=ctx.when(
            req.lang, datetime.fromisoformat(consultation.deadline)))
    consultation.previous_deadlines.append(consultation.deadline)
    consultation.deadline = to_iso(deadline)
    consultation.told_at = ctx.now_iso()
    ctx.store.consultations.save(consultation)
    key = f"poll:{consultation.id}:extended:{consultation.deadline}"
    ask(ctx, consultation, consulted_people(ctx, consultation), key, "poll.extended_title")
    announce(ctx, consultation, key, lambda lang: Message(
        title=ctx.t(lang, "poll.extended_title", number=consultation.id),
        paragraphs=[deadline_line(ctx, lang, consultation)]), until=deadline)
    return Message(paragraphs=[req.t("poll.extended", number=consultation.id),
                               deadline_line(ctx, req.lang, consultation),
                               *reading_lines(ctx, req.lang, reading)])


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
    key = f"poll:{consultation.id}:note"
    if channel_of(consultation) is None:
        req.ctx.send_to_members(audience(req.ctx, consultation), key,
                                lambda lang: status_message(req.ctx, lang, consultation))
    announce(req.ctx, consultation, key, lambda lang: status_message(req.ctx, lang, consultation))
    return Message(paragraphs=[req.t("poll.note_saved", number=consultation.id)])


def decisions_command(req: Request) -> Message:
    """``décisions`` lists the decision register; ``décisions csv`` attaches it as a file. Each
    line says whose decision it is (the network, the Executive Committee, a group) and why."""
    ctx, lang = req.ctx, req.lang
    closed = [c for c in ctx.store.consultations.all()
              if c.status == "closed" and may_see(req, c)]
    if fold(req.args.strip()) == "csv":
        return Message(paragraphs=[req.t("poll.csv_ready", count=len(closed))],
                       attachments=[decisions_csv(ctx, lang, closed)])
    if not closed:
        return Message(paragraphs=[req.t("poll.no_decisions")])
    lines = []
    for c in reversed(closed[-30:]):
        why = reason_summary(ctx, lang, decision_of(ctx, c))
        lines.append(req.t("poll.decision_line_why" if why else "poll.decision_line",
                           number=c.id, proposal=c.proposal[:100],
                           scope=scope_label(ctx, lang, c), why=why,
                           outcome=req.t(f"poll.outcome_short.{c.outcome}"),
                           date=ctx.catalog.date(lang, datetime.fromisoformat(
                               c.closed_at or c.deadline), ctx.network.timezone)))
    return Message(title=req.t("poll.decisions_title", count=len(closed)),
                   paragraphs=["\n".join(lines), req.t("poll.csv_hint")])


def decisions_csv(ctx: Context, lang: str, closed: list[Consultation]) -> Attachment:
    """The decision register as a file that opens right in a spreadsheet (``spreadsheet``)."""
    header = [ctx.t(lang, f"poll.csv.{h}") for h in (
        "number", "proposal", "mode", "opened", "deadline", "closed", "outcome", "note",
        "positions", "scope", "objected", "silent", "left_out", "blocking", "not_reached")]
    rows = []
    for c in closed:
        current = ctx.store.positions.current(c.id)
        positions = "; ".join(f"{ctx.agency_label(code, lang)}={p.choice}"
                              for code, p in current.items())
        decision = decision_of(ctx, c)
        rows.append([
            str(c.id), c.proposal, c.mode, c.opened_at, c.deadline, c.closed_at or "",
            c.outcome or "", c.outcome_note or "", positions, scope_label(ctx, lang, c),
            acronyms(ctx, lang, decision.objected), acronyms(ctx, lang, decision.silent),
            left_out_text(ctx, lang, decision.left_out),
            acronyms(ctx, lang, decision.blocking), acronyms(ctx, lang, decision.not_reached)])
    return Attachment("decisions.csv", csv_bytes(lang, header, rows), MEDIA_TYPE)


# Scheduled work.

def send_reminder(ctx: Context, job: ConsultationReminder) -> int:
    """The job ``consultation.reminder``: the focal points of agencies that have not answered,
    and only those, get the proposal and the buttons again."""
    consultation = ctx.store.consultations.get(job.consultation_id)
    if consultation is None:
        return 0
    job_id = encode(job)
    if (consultation.status != "open" or consultation.deadline != job.deadline
            or datetime.fromisoformat(job.deadline) <= ctx.now()
            or job_id in ctx.store.jobs_done):
        return 0
    answered = ctx.store.positions.current(consultation.id)
    people = consulted_people(ctx, consultation, [a.code for a in consulted_agencies(
        ctx, consultation) if a.code not in answered])  # an empty seat may have been filled
    sent = ask(ctx, consultation, people, job_id, "poll.reminder_title")
    for other in ctx.network.consultation_reminders:
        if other >= job.offset:
            ctx.store.jobs_done.mark(
                encode(ConsultationReminder(consultation.id, consultation.deadline, other)),
                ctx.now_iso(), "sent" if other == job.offset else "skipped")
    return sent


def close_job(ctx: Context, job: ConsultationClose) -> str | None:
    """The job ``consultation.close``: at the deadline (or on start-up if it passed meanwhile)."""
    consultation = ctx.store.consultations.get(job.consultation_id)
    if (consultation is None or consultation.status != "open"
            or consultation.deadline != job.deadline
            or datetime.fromisoformat(job.deadline) > ctx.now()):
        return None
    return close(ctx, consultation, "deadline")
