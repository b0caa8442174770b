"""The messages that tell people of a meeting — the invitation with its calendar file and
answer buttons, a series' single invitation, a change — and their sending, recorded on the
meeting so that changes and reminders reach exactly who was invited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.context import Context
from handlers.later.buttons import later_button
from handlers.meetings.calendar_links import add_links, subscribe_button
from handlers.meetings.ics import calendar_file
from handlers.meetings.invitees import invitees, kind_invites
from handlers.meetings.rsvp import SERIES, rsvp_buttons
from handlers.meetings.wording import details, full_line, kind_label
from handlers.types import Message
from storage.models import Meeting, Member


def invite_message(ctx: Context, lang: str, meeting: Meeting, title_key: str,
                   change: str = "") -> Message:
    """The meeting with its calendar file; ``change`` says what changed, when something did."""
    return Message(
        title=ctx.t(lang, title_key, kind=kind_label(ctx, lang, meeting), number=meeting.id),
        paragraphs=([change] if change else []) + details(ctx, lang, meeting)
        + [ctx.t(lang, "meeting.answer_hint"), add_links(ctx, lang, meeting)],
        buttons=[*rsvp_buttons(ctx, lang, meeting),
                 later_button(ctx, lang, "meeting", meeting.id), *subscribe_button(ctx, lang)],
        attachments=[calendar_file(ctx, lang, meeting)])


def series_invite(ctx: Context, lang: str, occurrences: list[Meeting]) -> Message:
    """One invitation for the occurrences of a series, with the file of the whole series; its
    buttons ask, once tapped, whether the answer is for the whole series or the first."""
    first = occurrences[0]
    dates = [f"{ctx.t(lang, 'word.number', number=m.id)} — {full_line(ctx, lang, m)}"
             for m in occurrences]
    return Message(
        title=ctx.t(lang, "meeting.series_invite_title", count=len(occurrences)),
        paragraphs=["\n".join(dates), ctx.t(lang, "meeting.series_answer_hint",
                                            number=first.id)],
        buttons=[*rsvp_buttons(ctx, lang, first, f"{SERIES}{first.series_id}"),
                 later_button(ctx, lang, "meeting", first.id), *subscribe_button(ctx, lang)],
        attachments=[calendar_file(ctx, lang, first)])


def invite(ctx: Context, occurrences: list[Meeting], people: list[Member], key: str,
           build: Callable[[str], Message]) -> int:
    """Send the invitation ``build(lang)`` to ``people`` (once per ``key`` and person), then
    record them as invited to each of ``occurrences``. Queued first: a crash in between may
    leave someone invited and not yet recorded (no reminders), never reminded and not invited.
    The invitation matters until the last of them starts: it is retried until then."""
    until = max(datetime.fromisoformat(m.start) for m in occurrences) if occurrences else None
    sent = ctx.send_to_members(people, key, build, until=until)
    ids = [m.id for m in people]
    for meeting in occurrences:
        recorded = list(meeting.invited or [])
        meeting.invited = recorded + [i for i in ids if i not in recorded]
        ctx.store.meetings.save(meeting)
    return sent


def notify(ctx: Context, meeting: Meeting, key: str,
           build: Callable[[str], Message]) -> int:
    """Send ``build(lang)`` to everyone invited to ``meeting``, once per ``key``; it matters
    until the meeting starts."""
    return ctx.send_to_members(invitees(ctx, meeting), key, build,
                               until=datetime.fromisoformat(meeting.start))


def invite_to_coming(ctx: Context, member: Member) -> int:
    """Invite ``member`` to every meeting to come that the kind of meeting invites them to and
    that they were not invited to: a focal point just approved or added, someone who joined a
    working group. Each invitation is sent once and recorded, so reminders and changes reach
    them from then on; a series is one invitation for its occurrences still to come."""
    now = ctx.now()
    sent = 0
    seen_series: set[int] = set()
    for meeting in ctx.store.meetings.upcoming(ctx.now_iso()):
        if (datetime.fromisoformat(meeting.start) <= now or meeting.invited is None
                or member.id in meeting.invited or not kind_invites(ctx, meeting, member)):
            continue
        if meeting.series_id is None:
            sent += invite(ctx, [meeting], [member], f"meeting:{meeting.id}:invited",
                           lambda lang, m=meeting: invite_message(ctx, lang, m,
                                                                  "meeting.invite_title"))
        elif meeting.series_id not in seen_series:
            seen_series.add(meeting.series_id)
            coming = [m for m in ctx.store.meetings.of_series(meeting.series_id)
                      if m.status == "scheduled" and datetime.fromisoformat(m.start) > now
                      and m.invited is not None and member.id not in m.invited]
            sent += invite(ctx, coming, [member], f"series:{meeting.series_id}:invite",
                           lambda lang, c=coming: series_invite(ctx, lang, c))
    return sent
