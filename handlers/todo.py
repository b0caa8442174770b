"""A person's to-do, wherever they are: their agency's consultations still waiting for its
position, their next meetings with their answer, and for the leads (co-chairs, secretariat) the
agencies still silent on each open consultation, with « Relancer », « Prolonger », « Clore ».

Built once as neutral data (``Todo``), then written as one ``Message`` whose entries carry their
own buttons: Slack shows it as the App Home (``handlers/todo_views.py`` keeps it up to date),
Telegram (``/afaire``, ``/start``) and the console (``à faire``) as a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handlers.consultations.seats import consulted_agencies, silent_agencies
from handlers.consultations.wording import position_buttons
from handlers.context import Context
from handlers.forms.buttons import form_buttons
from handlers.meetings.invitees import kind_invites
from handlers.meetings.rsvp import rsvp_buttons
from handlers.meetings.wording import full_line, kind_label
from handlers.roles import EXEC_FOCAL_POINT, LEADS, roles_of
from handlers.types import Button, Entry, Message
from storage.models import FOCAL_POINT, Consultation, Meeting, Member

MAX_ENTRIES = 15  # what fits a phone screen (and Slack's 100 blocks, Telegram's keyboard)
MAX_MEETINGS = 5
PROPOSAL_CUT = 90


@dataclass
class Todo:
    """What one person has to do now, before any wording."""

    to_answer: list[Consultation] = field(default_factory=list)  # their agency's, unanswered
    meetings: list[tuple[Meeting, str | None]] = field(default_factory=list)  # with their answer
    to_follow: list[tuple[Consultation, list[str]]] = field(default_factory=list)  # silent codes

    @property
    def pending(self) -> int:
        """How many things wait for this person: a position, an answer, silent agencies."""
        return (len(self.to_answer) + sum(1 for _, answer in self.meetings if answer is None)
                + len(self.to_follow))


def _invited(ctx: Context, meeting: Meeting, member: Member) -> bool:
    if meeting.invited is not None:
        return member.id in meeting.invited
    return kind_invites(ctx, meeting, member)


def build_todo(ctx: Context, member: Member) -> Todo:
    """The to-do of ``member`` (an active member), read from storage now."""
    todo = Todo()
    now, now_iso = ctx.now(), ctx.now_iso()
    roles = roles_of(member, ctx.network, ctx.is_group_chair(member))
    open_ones = [c for c in ctx.store.consultations.open()
                 if datetime.fromisoformat(c.deadline) > now
                 and (c.scope != "executive" or not roles.isdisjoint(LEADS | {EXEC_FOCAL_POINT}))]
    if FOCAL_POINT in member.roles:
        for consultation in open_ones:
            if (member.agency in {a.code for a in consulted_agencies(ctx, consultation)}
                    and member.agency not in ctx.store.positions.current(consultation.id)):
                todo.to_answer.append(consultation)
    for meeting in ctx.store.meetings.upcoming(now_iso):
        if meeting.start > now_iso and _invited(ctx, meeting, member):
            answer = ctx.store.rsvps.get(meeting.id, member.id)
            todo.meetings.append((meeting, answer.status if answer else None))
            if len(todo.meetings) >= MAX_MEETINGS:
                break
    if not roles.isdisjoint(LEADS):
        for consultation in open_ones:
            deciding, others = silent_agencies(ctx, consultation)
            if deciding or others:
                todo.to_follow.append((consultation, [a.code for a in deciding + others]))
    return todo


def follow_buttons(ctx: Context, lang: str, consultation: Consultation) -> list[Button]:
    """« Relancer », « Prolonger », « Clore » for a lead (``handlers/todo_actions.py``)."""
    number = str(consultation.id)
    return [Button("todo.nudge", number, ctx.t(lang, "todo.button.nudge"), style="primary"),
            Button("todo.extend", number, ctx.t(lang, "todo.button.extend")),
            Button("todo.close", number, ctx.t(lang, "todo.button.close"), style="danger")]


def _deadline(ctx: Context, lang: str, consultation: Consultation) -> str:
    return ctx.when(lang, datetime.fromisoformat(consultation.deadline))


def todo_message(ctx: Context, lang: str, member: Member, todo: Todo) -> Message:
    """The to-do as one message: a heading per part, then one entry per thing with its
    buttons; at most ``MAX_ENTRIES`` things, the rest counted in a last line."""
    entries: list[Entry] = []
    shown = 0
    left = 0

    def part(heading: str, items: list[Entry]) -> None:
        nonlocal shown, left
        if not items:
            return
        room = MAX_ENTRIES - shown
        if room <= 0:
            left += len(items)
            return
        entries.append(Entry(heading))
        entries.extend(items[:room])
        shown += min(room, len(items))
        left += max(0, len(items) - room)

    part(ctx.t(lang, "todo.heading.polls", agency=ctx.agency_label(member.agency, lang)), [
        Entry(ctx.t(lang, "todo.poll_line", number=c.id, proposal=c.proposal[:PROPOSAL_CUT],
                    deadline=_deadline(ctx, lang, c)),
              tuple(position_buttons(ctx, lang, c)), ctx.t(lang, "todo.tag.poll", number=c.id))
        for c in todo.to_answer])
    part(ctx.t(lang, "todo.heading.meetings"), [
        Entry(ctx.t(lang, "todo.meeting_line", number=m.id, kind=kind_label(ctx, lang, m),
                    line=full_line(ctx, lang, m),
                    answer=ctx.t(lang, f"rsvp.button.{answer}") if answer
                    else ctx.t(lang, "todo.no_answer")),
              tuple(rsvp_buttons(ctx, lang, m)), ctx.t(lang, "todo.tag.meeting", number=m.id))
        for m, answer in todo.meetings])
    part(ctx.t(lang, "todo.heading.follow"), [
        Entry(ctx.t(lang, "todo.follow_line", number=c.id, proposal=c.proposal[:PROPOSAL_CUT],
                    deadline=_deadline(ctx, lang, c), silent=len(codes),
                    agencies=", ".join(ctx.agency_label(code, lang) for code in codes)),
              tuple(follow_buttons(ctx, lang, c)), ctx.t(lang, "todo.tag.poll", number=c.id))
        for c, codes in todo.to_follow])
    if left:
        entries.append(Entry(ctx.t(lang, "todo.more", count=left)))
    paragraphs = [] if entries else [ctx.t(lang, "todo.nothing")]
    return Message(title=ctx.t(lang, "todo.title"), paragraphs=paragraphs, entries=entries,
                   buttons=form_buttons(ctx, lang, roles_of(member, ctx.network)))
