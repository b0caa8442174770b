"""The forms' actions for the command table, and the one-line commands wrapped so that typed
with nothing after them, where the platform shows forms (``Inbound.forms``), they open the
form instead of answering with their usage."""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import UserError
from handlers.forms import consultation, meeting, share
from handlers.forms.fields import Refused, refused
from handlers.roles import LEADS_AND_GROUP_CHAIRS, MEMBERS
from handlers.router import Action, Request
from handlers.types import Form, Message

Handler = Callable[[Request], Message]
FORMS: dict[str, tuple[frozenset[str], Callable[[Request], Form], Handler]] = {
    meeting.NAME: (LEADS_AND_GROUP_CHAIRS, meeting.meeting_form, meeting.submit),
    consultation.NAME: (LEADS_AND_GROUP_CHAIRS, consultation.consultation_form,
                        consultation.submit),
    share.NAME: (MEMBERS, share.share_form, share.submit),
}


def offer(req: Request, name: str) -> Message:
    """The form, with the one-line way to do the same (what the person reads where the form
    cannot be shown)."""
    return Message(paragraphs=[req.t(f"form.{name}.typed")], form=FORMS[name][1](req))


def open_click(name: str) -> Callable[[Request, str], Message]:
    def run(req: Request, value: str) -> Message:
        return offer(req, name)
    return run


def submit_click(name: str) -> Callable[[Request, str], Message]:
    """The answers checked and the record created; a refusal is the form again with why, by
    the field (or by its first field when the one-line command's code refused it)."""
    def run(req: Request, value: str) -> Message:
        try:
            return FORMS[name][2](req)
        except Refused as error:
            return refused(req, FORMS[name][1](req), error.field, error.key, error.params)
        except UserError as error:
            return refused(req, FORMS[name][1](req), "", error.key, error.params)
    return run


def or_form(name: str, handler: Handler) -> Handler:
    """``handler``, unless nothing was typed after the command by someone the form is for,
    on a platform that shows forms."""
    def run(req: Request) -> Message:
        if not req.args.strip() and req.inbound.forms and req.roles & FORMS[name][0]:
            return offer(req, name)
        return handler(req)
    run.__doc__ = handler.__doc__
    run.__name__ = getattr(handler, "__name__", name)
    return run


ACTIONS: list[Action] = [
    action
    for name, (roles, _, _) in FORMS.items()
    for action in (Action(f"form.{name}", roles, open_click(name)),
                   Action(f"form.{name}.send", roles, submit_click(name)))
]
