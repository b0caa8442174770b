"""The buttons of the guided conversations, and the commands wrapped so that typed with nothing
after them, where the platform converses (``Inbound.converses``) and shows no forms, they start
the conversation instead of answering with their usage."""

from __future__ import annotations

from dataclasses import replace

from handlers.context import UserError
from handlers.flows import asking, engine
from handlers.flows.definitions import FLOWS, STARTS
from handlers.roles import MEMBERS
from handlers.router import Action, Command, Handler, Request
from handlers.types import Message, Reply
from storage.conversations import CANCELLED


def or_flow(name: str, handler: Handler) -> Handler:
    """``handler``, unless nothing was typed after the command, in a private chat that
    converses, by someone the conversation is for."""
    flow = FLOWS[name]

    def run(req: Request) -> Message | Reply:
        inbound = req.inbound
        if (not req.args.strip() and inbound.converses and inbound.private
                and not inbound.forms and req.roles & flow.roles):
            return engine.start(req, flow)
        return handler(req)
    run.__doc__ = handler.__doc__
    run.__name__ = getattr(handler, "__name__", name)
    return run


def wrap(commands: list[Command]) -> list[Command]:
    """The command table with the commands that start a conversation wrapped."""
    return [replace(c, handler=or_flow(STARTS[c.key], c.handler)) if c.key in STARTS else c
            for c in commands]


def pick_click(req: Request, value: str) -> Message | Reply:
    """A choice's button (``<n°>.<field>.<choice>``)."""
    conversation, flow, _, field = engine.question_at(req, value)
    number = value.split(".")[2] if value.count(".") == 2 else ""
    if not number.isdigit() or int(number) >= len(field.choices):
        raise UserError("flow.stale")
    return engine.answered(req, flow, conversation, field, field.choices[int(number)].value)


def skip_click(req: Request, value: str) -> Message | Reply:
    """« Passer » under an optional question."""
    conversation, flow, _, field = engine.question_at(req, value)
    if field.required:
        raise UserError("flow.stale")
    return engine.answered(req, flow, conversation, field, "")


def confirm_click(req: Request, value: str) -> Message | Reply:
    """« Oui » / « Non » under a moment read (``<n°>.yes``)."""
    conversation, flow = engine.load(req, value)
    return engine.confirmed(req, conversation, flow, value.endswith(f".{asking.YES}"))


def cancel_click(req: Request, value: str) -> Message:
    """« Annuler », or « annuler » typed: the conversation left, nothing recorded."""
    conversation, flow = engine.load(req, value)
    engine.close(req.ctx, conversation, CANCELLED)
    return Message(paragraphs=[req.t("flow.cancelled", title=flow.form(req).title)])


ACTIONS: list[Action] = [
    Action(asking.PICK, MEMBERS, pick_click),
    Action(asking.SKIP, MEMBERS, skip_click),
    Action(asking.CONFIRM, MEMBERS, confirm_click),
    Action(asking.CANCEL, MEMBERS, cancel_click),
    Action(asking.ANSWER, MEMBERS, engine.typed),
]
