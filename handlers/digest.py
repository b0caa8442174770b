"""The co-chairs' digest: what is new, who has not answered, what comes next.

Sent on the configured schedule (once per period, a missed one on start-up) to the co-chairs and
the secretariat, and on demand with ``digest [depuis <quand>]``. Empty sections are left out. It
is a message (split by each platform within its limits) and a Markdown file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import info, members, reach
from handlers.consultations.seats import silent_agencies
from handlers.context import Context, UserError
from handlers.markdown import to_markdown
from handlers.meetings.rsvp import RSVP_CHOICES
from handlers.meetings.wording import full_line, kind_label
from handlers.plan_view import action_line
from handlers.router import Request
from handlers.types import Attachment, Message
from handlers.when_text import refusal
from scheduler import when
from scheduler.jobs import Digest, digest_slots, encode
from storage.models import CO_CHAIR, SECRETARIAT, Meeting, Member
from storage.records import to_iso

DEFAULT_SPAN = timedelta(days=7)
COMING_MEETINGS = timedelta(days=14)  # how far ahead « Prochaines réunions » looks


def sections(ctx: Context, lang: str, since: datetime) -> list[tuple[str, list[str]]]:
    """Each non-empty section as a heading and its lines, computed from storage."""
    t = ctx.t
    found: list[tuple[str, list[str]]] = []
    since_iso = to_iso(since)

    items = [i for i in ctx.store.items.newest_first() if i.at >= since_iso]
    if items:
        lines = []
        for number in [*info.OBJECTIVES, 0]:
            group = [i for i in items if (number in i.objectives) or (number == 0
                                                                        and not i.objectives)]
            if not group:
                continue
            label = info.objective_label(ctx, lang, number) if number else t(
                lang, "info.no_objective")
            heading = f"{number}. {label}" if number else label
            for item in reversed(group):
                lines.append(t(lang, "digest.item_line", objective=heading, number=item.id,
                               title=(item.title or item.url or "")[:120],
                               agency=ctx.agency_label(item.agency, lang)))
        found.append((t(lang, "digest.items", count=len(items)), lines))

    open_ones = ctx.store.consultations.open()
    if open_ones:
        lines = []
        for c in open_ones:
            executive, others = silent_agencies(ctx, c)
            lines.append(t(lang, "digest.poll_line", number=c.id, proposal=c.proposal[:100],
                           deadline=ctx.when(lang, datetime.fromisoformat(c.deadline)),
                           executive=", ".join(a.acronym(lang) for a in executive) or "—",
                           others=", ".join(a.acronym(lang) for a in others) or "—"))
        found.append((t(lang, "digest.polls", count=len(open_ones)), lines))

    decided = [c for c in ctx.store.consultations.all() if c.status == "closed"
               and c.outcome in ("adopted", "not_adopted") and (c.closed_at or "") >= since_iso]
    if decided:
        found.append((t(lang, "digest.decisions", count=len(decided)), [
            t(lang, "digest.decision_line", number=c.id, proposal=c.proposal[:100],
              outcome=t(lang, f"poll.outcome_short.{c.outcome}")) for c in decided]))

    coming = coming_meetings(ctx)
    if coming:
        lines = []
        for meeting in coming:
            per_agency: dict[str, dict[str, int]] = {}
            for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
                per_agency.setdefault(rsvp.agency, dict.fromkeys(RSVP_CHOICES, 0))[
                    rsvp.status] += 1
            lines.append(t(lang, "digest.meeting_line", number=meeting.id,
                           kind=kind_label(ctx, lang, meeting),
                           line=full_line(ctx, lang, meeting)))
            lines += [t(lang, "meeting.agency_line", agency=ctx.agency_label(code, lang),
                        **counts) for code, counts in sorted(per_agency.items())]
            lines += [t(lang, "digest.agenda_line", number=n, text=item.text)
                      for n, item in enumerate(meeting.agenda, start=1)]
        found.append((t(lang, "digest.coming_meetings", count=len(coming)), lines))

    soon = to_iso(ctx.now() + timedelta(days=30))
    actions = [a for a in ctx.store.plan.all()
               if a.status in ("planned", "in_progress", "postponed") and a.due <= soon]
    if actions:
        found.append((t(lang, "digest.workplan", count=len(actions)),
                      [action_line(ctx, lang, a) + (t(lang, "digest.overdue")
                                                    if a.due < ctx.now_iso() else "")
                       for a in actions]))

    pending = ctx.store.join_requests.pending()
    if pending:
        found.append((t(lang, "digest.joins", count=len(pending)),
                      [members.pending_line(ctx, lang, r) for r in pending]))

    dead = ctx.store.outbox.given_up()
    if dead:
        found.append((t(lang, "digest.undelivered", count=len(dead)), [
            t(lang, "digest.undelivered_line", number=row.id,
              recipient=_recipient(ctx, row.recipient), title=row.message.get("title", "")[:80],
              error=(row.last_error or "")[:80]) for row in dead]))
    found += reach.digest_section(ctx, lang, since)  # members not reached
    return found


def coming_meetings(ctx: Context) -> list[Meeting]:
    """The meetings of the coming two weeks, soonest first; when there is none, the next one
    (a committee meeting tomorrow must not hide the network's meeting in three days)."""
    upcoming = ctx.store.meetings.upcoming(ctx.now_iso())
    horizon = to_iso(ctx.now() + COMING_MEETINGS)
    return [m for m in upcoming if m.start <= horizon] or upcoming[:1]


def group_sections(ctx: Context, lang: str, member: Member) -> list[tuple[str, list[str]]]:
    """For each working group ``member`` chairs: its upcoming meetings and open consultations."""
    found = []
    for group in ctx.store.groups.active():
        if member.id not in group.chairs:
            continue
        lines = [t for m in ctx.store.meetings.upcoming(ctx.now_iso())
                 if m.kind == "group" and m.group == group.name
                 for t in [ctx.t(lang, "digest.meeting_line", number=m.id,
                                 kind=kind_label(ctx, lang, m),
                                 line=full_line(ctx, lang, m))]]
        for c in ctx.store.consultations.open():
            if c.scope == "group" and c.group == group.name:
                executive, others = silent_agencies(ctx, c)
                lines.append(ctx.t(lang, "digest.poll_line", number=c.id,
                                   proposal=c.proposal[:100],
                                   deadline=ctx.when(lang, datetime.fromisoformat(c.deadline)),
                                   executive=", ".join(a.acronym(lang) for a in executive)
                                   or "—",
                                   others=", ".join(a.acronym(lang) for a in others) or "—"))
        if lines:
            found.append((ctx.t(lang, "digest.group", group=group.name), lines))
    return found


def _recipient(ctx: Context, recipient: dict[str, str]) -> str:
    if recipient.get("kind") == "member":
        member = ctx.store.members.get(recipient.get("ref", ""))
        return member.name if member else recipient.get("ref", "")
    return recipient.get("ref", "")


def digest_message(ctx: Context, lang: str, since: datetime,
                   reader: Member | None = None) -> Message:
    """The full digest for the co-chairs and the secretariat; a group chair who is neither gets
    the sections of the groups they chair, titled as their groups' digest."""
    leads = reader is None or CO_CHAIR in reader.roles or SECRETARIAT in reader.roles
    found = sections(ctx, lang, since) if leads else []
    if reader is not None:
        found += group_sections(ctx, lang, reader)
    since_text = ctx.catalog.date(lang, since, ctx.network.timezone)
    if leads:
        title = ctx.t(lang, "digest.title", since=since_text)
    else:
        chaired = [g.name for g in ctx.store.groups.active() if reader.id in g.chairs]
        title = ctx.t(lang, "digest.group_title", groups=ctx.catalog.join(lang, chaired),
                      since=since_text)
    if not found:
        return Message(title=title, paragraphs=[ctx.t(lang, "digest.nothing")])
    # The file is dated in the network's zone, like everything the network reads.
    stamp = ctx.now().astimezone(ZoneInfo(ctx.network.timezone)).strftime("%Y-%m-%d")
    markdown = to_markdown(title, found)
    return Message(title=title,
                   paragraphs=[heading + "\n" + "\n".join(f"• {line}" for line in lines)
                               for heading, lines in found],
                   attachments=[Attachment(f"synthese-{stamp}.md", markdown.encode("utf-8"),
                                           "text/markdown")])


def readers(ctx: Context) -> list[Member]:
    """The co-chairs, the secretariat and the working groups' chairs."""
    return [m for m in ctx.store.members.active() if CO_CHAIR in m.roles
            or SECRETARIAT in m.roles or ctx.is_group_chair(m)]


def parse_since(req: Request, text: str) -> datetime:
    """``depuis 7 jours``, ``depuis le 1er novembre``, ``since 2026-11-15``: a moment in the
    past, read by the time-expression parser (``scheduler.when.parse_since``)."""
    try:
        return when.parse_since(text, now=req.ctx.now(), tz=req.ctx.network.timezone)
    except when.WhenError as error:
        if error.reason == "future":
            raise UserError("digest.future_since") from None
        if error.reason in ("empty", "unrecognised"):
            raise UserError("digest.bad_since", example=req.t("digest.since_example")) from None
        raise refusal(req.ctx, error) from None


def last_digest_time(ctx: Context) -> datetime | None:
    done = ctx.store.jobs_done.latest("digest:")
    return datetime.fromisoformat(done) if done else None


def digest_command(req: Request) -> Message:
    """``digest [depuis <quand>]``: the digest now, for whoever may see it."""
    words = req.args.split(None, 1)
    since = None
    if words and words[0].lower() in ("depuis", "since"):
        since = parse_since(req, words[1] if len(words) > 1 else "")
    elif words:
        raise UserError("digest.usage", name=req.name)
    if since is None:
        since = last_digest_time(req.ctx) or req.ctx.now() - DEFAULT_SPAN
    return digest_message(req.ctx, req.lang, since, req.member)


def send_scheduled(ctx: Context, job: Digest) -> int:
    """The job ``digest``: once per period to the co-chairs and the secretariat."""
    job_id = encode(job)
    if job_id in ctx.store.jobs_done:
        return 0
    since = last_digest_time(ctx) or ctx.now() - DEFAULT_SPAN
    following = digest_slots(ctx.network.digest_cron, ctx.network.timezone, ctx.now())[1]
    sent = 0
    for reader in readers(ctx):
        message = digest_message(ctx, ctx.language_of(reader), since, reader)
        if message.attachments or CO_CHAIR in reader.roles or SECRETARIAT in reader.roles:
            sent += ctx.send_to_member(reader, job_id, lambda lang, r=reader: digest_message(
                ctx, lang, since, r), until=following)  # the next digest replaces it
    ctx.store.jobs_done.mark(job_id, ctx.now_iso())
    return sent
