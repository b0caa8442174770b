"""One question of a guided conversation as a neutral ``Message``: a choice as buttons (each
also typed by its number), several choices as numbers to type, a text as a reply prompt (an
``Ask``: Telegram's ForceReply), an optional answer with « Passer », a typed moment confirmed in
full words with « Oui » / « Non »; « Annuler » under each, and « annuler » typed leaves too.

Buttons carry only the conversation's number, the field's place in the form and the choice's
place in the field, so that they survive a restart and a click from an older question is
recognised as such."""

from __future__ import annotations

from datetime import datetime

from handlers.router import Request
from handlers.types import Ask, Button, Form, FormField, Message
from handlers.when_text import reading_lines
from scheduler.when import Reading
from storage.conversations import IDLE_LIMIT, Conversation
from storage.records import to_iso

PICK, SKIP, CONFIRM, CANCEL, ANSWER = (
    "flow.pick", "flow.skip", "flow.confirm", "flow.cancel", "flow.answer")
# A question's buttons answer it once: after a tap, an answer without buttons of its own does
# not leave them on the message (a platform that keeps a clicked message's buttons asks here).
ONE_TIME = frozenset({PICK, SKIP, CONFIRM, CANCEL, ANSWER})
YES, NO = "yes", "no"
LABEL = 60  # of a choice on a button (Telegram shows 64 characters)
MAX_LISTED = 30  # choices listed with their numbers, to type


def cancel_button(req: Request, conversation: Conversation) -> Button:
    return Button(CANCEL, str(conversation.id), req.t("flow.button.cancel"),
                  hint=req.t("flow.word.cancel"))


def question(req: Request, form: Form, conversation: Conversation, field: FormField,
             said: list[str], moment: bool) -> Message:
    """``field`` asked, after what ``said`` holds (the answer noted, or why it was refused)."""
    index = form.fields.index(field)
    value = f"{conversation.id}.{index}"
    paragraphs = [*said, req.t("flow.moment_label" if moment else "flow.label",
                               label=field.label)]
    if field.hint:
        paragraphs.append(field.hint)
    buttons: list[Button] = []
    ask = None
    if moment:
        paragraphs.append(req.t("flow.hint.moment"))
    elif field.kind == "choice":
        paragraphs.append(req.t("flow.hint.choice"))
        buttons = [Button(PICK, f"{value}.{n}", choice.label[:LABEL], hint=str(n + 1))
                   for n, choice in enumerate(field.choices)]
    elif field.kind == "choices":
        paragraphs.append("\n".join(f"{n + 1}. {choice.label}"
                                    for n, choice in enumerate(field.choices[:MAX_LISTED])))
        paragraphs.append(req.t("flow.hint.choices"))
    elif field.kind == "url":
        paragraphs.append(req.t("flow.hint.url"))
    if not field.required and field.placeholder and field.kind in ("text", "multiline"):
        paragraphs.append(req.t("flow.hint.default", value=field.placeholder))
    if not field.required:
        buttons.append(Button(SKIP, value, req.t("flow.button.skip"),
                              hint=req.t("flow.word.skip")))
    elif field.kind not in ("choice", "choices"):
        # A text to write: a reply prompt where the platform has one (no buttons there).
        until = to_iso(req.ctx.now() + IDLE_LIMIT)
        ask = Ask(action=ANSWER, value=str(conversation.id), title=form.title,
                  label=field.label, placeholder=field.placeholder, required=True, until=until)
        paragraphs.append(req.t("flow.hint.leave"))
    if ask is None:
        buttons.append(cancel_button(req, conversation))
    return Message(title=form.title, paragraphs=paragraphs, buttons=buttons, ask=ask)


def confirmation(req: Request, form: Form, conversation: Conversation, start: datetime,
                 reading: Reading) -> Message:
    """« jeudi 12 mars 2027 à 10:00 — c'est bien ça ? » with « Oui » and « Non »."""
    value = str(conversation.id)
    return Message(
        title=form.title,
        paragraphs=[req.t("flow.confirm_moment", when=req.ctx.when(req.lang, start)),
                    *reading_lines(req.ctx, req.lang, reading)],
        buttons=[Button(CONFIRM, f"{value}.{YES}", req.t("flow.button.yes"),
                        hint=req.t("flow.word.yes"), style="primary"),
                 Button(CONFIRM, f"{value}.{NO}", req.t("flow.button.no"),
                        hint=req.t("flow.word.no")),
                 cancel_button(req, conversation)])
