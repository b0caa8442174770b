"""The three buttons under a preview. « Envoyer » does the command once (a replayed click, or a
click on an expired draft, sends nothing): the draft is marked sent in the same transaction as
what it sends, so a crash sends either both or neither; « Modifier » gives the command back to
retype, or the form again filled in as it was sent; « Annuler » drops the draft. Only the
person who started a draft may decide it."""

from __future__ import annotations

from handlers.context import UserError, is_number
from handlers.forms.fields import filled
from handlers.forms.table import FORMS
from handlers.previews.kinds import PREVIEWED
from handlers.previews.preview import Outdated, command_of, typed_again
from handlers.router import Request
from handlers.types import Message, Reply
from storage.drafts import DROPPED, SENT, WAITING, Draft


def _draft(req: Request, value: str) -> Draft:
    """The draft ``value`` names, if it is this person's; refused otherwise."""
    draft = req.ctx.store.drafts.get(int(value)) if is_number(value) else None
    if draft is None or req.member is None or draft.member_id != req.member.id:
        raise UserError("preview.unknown")
    if draft.status == SENT:
        raise UserError("preview.already_sent")
    if draft.status != WAITING:
        raise UserError("preview.already_dropped")
    return draft


def _retype(req: Request, draft: Draft) -> str:
    typed = typed_again(req, draft)
    return f"{typed.name} {draft.args}".strip()


def send_click(req: Request, value: str) -> Message | Reply:
    """« Envoyer »: the command's effect, once, if the draft is still valid and still reads
    as it was previewed (« demain » the next day is another day)."""
    ctx = req.ctx
    draft = _draft(req, value)
    if draft.expires_at <= ctx.now_iso():
        raise UserError("preview.expired", command=_retype(req, draft))
    command = command_of(req, draft)
    kind = PREVIEWED.get(draft.command)
    if command is None or kind is None:
        raise UserError("preview.unknown")
    if not req.router.allowed(req.roles, command.roles):
        raise UserError("preview.unknown")
    typed = typed_again(req, draft)
    try:
        if kind.deliver is not None:
            result = kind.deliver(typed, draft)
        elif kind.build(typed).parsed != draft.parsed:
            raise Outdated
        else:
            result = kind.send(typed)
    except Outdated:
        ctx.store.drafts.close(draft, DROPPED, ctx.now_iso())
        raise UserError("preview.changed", command=_retype(req, draft)) from None
    ctx.store.drafts.close(draft, SENT, ctx.now_iso())
    return result


def edit_click(req: Request, value: str) -> Message:
    """« Modifier »: this draft is dropped; the command comes back to be corrected and typed
    again, or its form opens again filled in as it was sent (a new preview follows)."""
    draft = _draft(req, value)
    req.ctx.store.drafts.close(draft, DROPPED, req.ctx.now_iso())
    if draft.form in FORMS and not req.inbound.converses:  # else the command asks again
        return Message(paragraphs=[req.t("preview.edit_form")],
                       form=filled(FORMS[draft.form][1](req), draft.answers))
    return Message(paragraphs=[req.t("preview.edit_hint", command=_retype(req, draft))])


def cancel_click(req: Request, value: str) -> Message:
    """« Annuler »: nothing is sent."""
    draft = _draft(req, value)
    req.ctx.store.drafts.close(draft, DROPPED, req.ctx.now_iso())
    return Message(paragraphs=[req.t("preview.cancelled")])
