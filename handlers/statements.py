"""Joint statements: a member asks, a co-chair drafts, the Executive Committee approves that
exact text (each amendment is a new version and a new round), a co-chair publishes."""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.deadline import read_deadline
from handlers.consultations.opening import cannot_answer_lines, open_consultation
from handlers.consultations.wording import deadline_line
from handlers.context import UserError, find_numbered
from handlers.roles import EXEC_FOCAL_POINT, LEADS
from handlers.router import Request
from handlers.types import Message
from handlers.when_text import reading_lines
from scheduler.when import Reading
from storage.models import CO_CHAIR, Statement
from storage.parts import StatementVersion

MAX_SUBJECT = 300
MAX_TEXT = 3000


def statement_number(req: Request, text: str) -> Statement:
    return find_numbered(req.ctx.store.statements, text, "statement.bad_number",
                         "statement.not_found")


def request_command(req: Request) -> Message:
    """``déclaration demander <sujet>``: any member asks; the co-chairs are told."""
    ctx = req.ctx
    subject = req.args.strip()
    if not subject:
        raise UserError("statement.request_usage", name=req.name)
    if len(subject) > MAX_SUBJECT:
        raise UserError("error.text_too_long", limit=MAX_SUBJECT)
    member = req.member
    assert member is not None
    statement = ctx.store.statements.add(lambda n: Statement(
        id=n, subject=subject, requested_by=member.id, requested_at=ctx.now_iso()))
    ctx.send_to_members(ctx.store.members.with_role(CO_CHAIR), f"statement:{statement.id}:asked",
                        lambda lang: Message(
                            title=ctx.t(lang, "statement.asked_title", number=statement.id),
                            paragraphs=[ctx.t(lang, "statement.asked_body", name=member.name,
                                              agency=ctx.agency_label(member.agency, lang),
                                              subject=subject),
                                        ctx.t(lang, "statement.draft_hint",
                                              number=statement.id)]))
    return Message(paragraphs=[req.t("statement.requested", number=statement.id)])


def read_draft(req: Request) -> tuple[Statement, str, Reading]:
    """``déclaration projet <n°> <texte> [| <échéance>]`` read without changing anything: the
    statement, the text of its new version and the round's deadline."""
    words = req.args.split(None, 1)
    if len(words) < 2:
        raise UserError("statement.draft_usage", name=req.name)
    statement = statement_number(req, words[0])
    if statement.status == "published":
        raise UserError("statement.already_published", number=statement.id)
    text, _, deadline_text = words[1].partition("|")
    text = text.strip()
    if not text:
        raise UserError("statement.draft_usage", name=req.name)
    if len(text) > MAX_TEXT:
        raise UserError("error.text_too_long", limit=MAX_TEXT)
    return statement, text, read_deadline(req, deadline_text)


def draft_command(req: Request) -> Message:
    """``déclaration projet <n°> <texte> [| <échéance>]``: a new version, put to the Executive
    Committee; an open round on an older version is closed, its positions no longer count."""
    ctx = req.ctx
    statement, text, reading = read_draft(req)
    number = len(statement.versions) + 1
    by = req.member.id if req.member else ""
    poll = open_consultation(  # first: it may refuse, and then nothing changed
        ctx, proposal=text, deadline=reading.start, mode="consensus", scope="executive",
        group=None,
        opened_by=by, statement=(statement.id, number), lang=req.lang)
    for version in statement.versions:
        old = ctx.store.consultations.get(version.poll or 0)
        if old is not None and old.status == "open":
            old.status, old.outcome, old.closed_by = "closed", "superseded", "superseded"
            old.closed_at = ctx.now_iso()
            ctx.store.consultations.save(old)
    statement.versions.append(StatementVersion(number=number, text=text, by=by,
                                               at=ctx.now_iso(), poll=poll.id))
    statement.status = "in_approval"
    ctx.store.statements.save(statement)
    return Message(title=req.t("statement.draft_sent", number=statement.id, version=number),
                   paragraphs=[req.t("statement.round", poll=poll.id),
                               deadline_line(ctx, req.lang, poll),
                               *reading_lines(ctx, req.lang, reading),
                               *cannot_answer_lines(req, poll)])


def publish_command(req: Request) -> Message:
    """``déclaration publier <n°>``: only an adopted latest version goes out, to every platform's
    network channel, marked as a statement of the network."""
    ctx = req.ctx
    statement = statement_number(req, req.args)
    if statement.status == "published":
        raise UserError("statement.already_published", number=statement.id)
    if statement.status != "adopted":
        raise UserError("statement.not_adopted", number=statement.id)
    version = statement.versions[-1]
    statement.status = "published"
    statement.published_at = ctx.now_iso()
    statement.published_by = req.member.id if req.member else ""
    ctx.store.statements.save(statement)
    ctx.announce(f"statement:{statement.id}:published", lambda lang: Message(
        title=ctx.t(lang, "statement.published_title", network=ctx.network.name(lang)),
        paragraphs=[version.text, ctx.t(lang, "statement.published_footer",
                                           date=ctx.catalog.date(lang, ctx.now(),
                                                                 ctx.network.timezone))]))
    return Message(paragraphs=[req.t("statement.published", number=statement.id)])


def show_command(req: Request) -> Message:
    ctx, lang = req.ctx, req.lang
    if not req.args.strip():
        statements = ctx.store.statements.all()
        if not statements:
            return Message(paragraphs=[req.t("statement.none")])
        lines = [req.t("statement.list_line", number=s.id, subject=s.subject[:80],
                       status=req.t(f"statement.status.{s.status}")) for s in statements]
        return Message(title=req.t("statement.list_title"), paragraphs=["\n".join(lines)])
    statement = statement_number(req, req.args)
    paragraphs = [req.t("statement.subject", subject=statement.subject),
                  req.t("statement.status_line", status=req.t(
                      f"statement.status.{statement.status}"))]
    if statement.versions and statement.status != "published" and not req.roles & (
            LEADS | {EXEC_FOCAL_POINT}):
        paragraphs.append(req.t("statement.draft_hidden"))  # a draft is the Committee's only
    elif statement.versions:
        latest = statement.versions[-1]
        paragraphs += [req.t("statement.version_heading", version=latest.number,
                             date=ctx.catalog.date(lang, datetime.fromisoformat(latest.at),
                                                   ctx.network.timezone)), latest.text]
    return Message(title=req.t("statement.title", number=statement.id), paragraphs=paragraphs)
