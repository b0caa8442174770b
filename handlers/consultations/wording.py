"""How a consultation reads: the proposal card with its buttons, the deadline and the rule, the
positions so far, the empty seats and the agencies not reached, the outcome and its reasons —
for the consulted, the channel, the register and its CSV."""

from __future__ import annotations

from datetime import datetime

from handlers.consensus import Decision
from handlers.consultations.lookup import CHOICES
from handlers.consultations.seats import (
    consulted_agencies,
    decision_of,
    silent_agencies,
    unreached,
)
from handlers.context import Context
from handlers.later.buttons import later_button
from handlers.types import Button, Message
from storage.models import Consultation


def choice_label(ctx: Context, lang: str, choice: str) -> str:
    return ctx.t(lang, f"poll.choice.{choice}")


def card_version(ctx: Context, consultation: Consultation) -> int:
    """The number of the consultation's latest position (0 before any): what a card's buttons
    carry, so that a click made on a card older than its agency's position (or a signed click
    replayed after it) is told apart from one made after seeing it (``record_position``)."""
    return ctx.store.positions.last_number(consultation.id)


def position_buttons(ctx: Context, lang: str, consultation: Consultation,
                     current: str | None = None) -> list[Button]:
    """The four choices; each value is ``<n°>.<card version>`` (a few bytes: Telegram allows
    64 for an action and its value). ``current``, the agency's position, is marked (✓, and
    the primary style), so a card shows what its reader's agency answered."""
    value = f"{consultation.id}.{card_version(ctx, consultation)}"
    styles = {"agree": "primary", "objection": "danger"} if current is None else {
        "objection": "danger", current: "primary"}
    hint_name = ctx.t(lang, "cmd.position.name")
    words = {"agree": ctx.t(lang, "poll.word.agree"),
             "reservations": ctx.t(lang, "poll.word.reservations"),
             "objection": ctx.t(lang, "poll.word.objection"),
             "abstain": ctx.t(lang, "poll.word.abstain")}
    return [Button(f"position.{choice}", value,
                   ctx.t(lang, "card.chosen", choice=choice_label(ctx, lang, choice))
                   if choice == current else choice_label(ctx, lang, choice),
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
                   buttons=[*position_buttons(ctx, lang, consultation),
                            later_button(ctx, lang, "poll", consultation.id)])


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
    elif deciding or others:  # the Executive Committee named, the others counted
        paragraphs.append(ctx.t(lang, "poll.silent" if others else "poll.silent_executive",
                                executive=", ".join(a.acronym(lang) for a in deciding) or "—",
                                count=len(others)))
    if consultation.status == "open":
        paragraphs += seats_lines(ctx, lang, consultation)
        paragraphs += reached_lines(ctx, lang, consultation)
    else:
        paragraphs.append(outcome_line(ctx, lang, consultation))
        paragraphs += reason_lines(ctx, lang, decision_of(ctx, consultation))
        if consultation.outcome_note:
            paragraphs.append(ctx.t(lang, "poll.outcome_note", note=consultation.outcome_note))
    return Message(title=ctx.t(lang, key, number=consultation.id), paragraphs=paragraphs)
