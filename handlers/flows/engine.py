"""A guided conversation walked one question at a time, kept in storage so that a restart
resumes it at the same question: the first field not yet answered (and that matters given the
answers so far) is asked; each answer is checked as the form checks it and asked again with why
when refused; a typed moment waits for « Oui »; at the end the form's own submit runs — the same
code as a Slack modal's, so the same record, the same answer (a preview, where the command is
previewed). A refusal of that code brings back the question it is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import prompts
from handlers.context import Context, UserError
from handlers.flows import asking, reading
from handlers.flows.definitions import FLOWS, Flow
from handlers.forms.fields import Refused
from handlers.router import Request, clean, localized
from handlers.types import Form, FormField, Message, Reply
from storage.conversations import CANCELLED, DONE, EXPIRED, IDLE_LIMIT, OPEN, Conversation
from storage.records import to_iso

SHOWN = 80  # of a typed answer, when it is said back
IDLE_MINUTES = int(IDLE_LIMIT / timedelta(minutes=1))


def start(req: Request, flow: Flow) -> Message | Reply:
    """A new conversation in this chat (one still open here is dropped), and its first
    question."""
    ctx, inbound = req.ctx, req.inbound
    earlier = ctx.store.conversations.open_in(inbound.identity, inbound.chat_id)
    if earlier is not None:
        close(ctx, earlier, CANCELLED)
    now = ctx.now_iso()
    conversation = ctx.store.conversations.add(lambda n: Conversation(
        id=n, identity=inbound.identity, chat=inbound.chat_id, flow=flow.name, started_at=now,
        updated_at=now))
    return advance(req, flow, conversation, [req.t("flow.intro", title=flow.form(req).title)])


def close(ctx: Context, conversation: Conversation, status: str) -> None:
    """The conversation ended; a reply prompt it left waiting goes with it."""
    ctx.store.conversations.close(conversation, status, ctx.now_iso())
    prompts.settled(ctx, conversation.identity, asking.ANSWER, "")


def idle(ctx: Context, conversation: Conversation) -> bool:
    """Untouched for longer than ``IDLE_LIMIT``: dropped, whether or not its job ran yet."""
    return datetime.fromisoformat(conversation.updated_at) + IDLE_LIMIT <= ctx.now()


def load(req: Request, value: str) -> tuple[Conversation, Flow]:
    """The open conversation a button or an answer names, if it is this person's in this
    chat and still open; ``UserError`` otherwise (an older question's button, another
    person's), and the conversation closed when it waited too long or the person may no
    longer do what it does."""
    number = value.partition(".")[0]
    conversation = req.ctx.store.conversations.get(int(number)) if number.isdigit() else None
    if (conversation is None or conversation.status != OPEN
            or conversation.identity != req.inbound.identity
            or conversation.chat != req.inbound.chat_id or conversation.flow not in FLOWS):
        raise UserError("flow.stale")
    flow = FLOWS[conversation.flow]
    if idle(req.ctx, conversation):
        close(req.ctx, conversation, EXPIRED)
        raise UserError("flow.expired", title=flow.form(req).title,
                        minutes=IDLE_MINUTES,
                        command=command_name(req, flow))
    if not req.roles & flow.roles:
        close(req.ctx, conversation, CANCELLED)
        raise UserError("flow.not_allowed")
    return conversation, flow


def command_name(req: Request, flow: Flow) -> str:
    return req.t(f"cmd.{flow.command}.name")


def current(flow: Flow, form: Form, conversation: Conversation) -> FormField | None:
    """The question to ask now: the first field not answered that matters; a choice with a
    single option is answered with it, unasked."""
    answers, paired = conversation.answers, flow.time_fields()
    for field in form.fields:
        if field.name in answers or field.name in paired \
                or not flow.applies(field.name, answers):
            continue
        if field.kind == "choice" and len(field.choices) <= 1:
            answers[field.name] = field.choices[0].value if field.choices else ""
            continue
        return field
    return None


def touch(req: Request, conversation: Conversation) -> None:
    conversation.updated_at = req.ctx.now_iso()
    req.ctx.store.conversations.save(conversation)


def ask(req: Request, flow: Flow, form: Form, conversation: Conversation, field: FormField,
        said: list[str]) -> Message:
    touch(req, conversation)
    return asking.question(req, form, conversation, field, said, field.name in flow.moments)


def advance(req: Request, flow: Flow, conversation: Conversation, said: list[str],
            submit: bool = True) -> Message | Reply:
    """The next question, or (all answered) the submit."""
    form = flow.form(req)
    field = current(flow, form, conversation)
    if field is not None:
        return ask(req, flow, form, conversation, field, said)
    if not submit:  # refused with nothing left to ask again: leave rather than loop
        close(req.ctx, conversation, CANCELLED)
        return Message(paragraphs=[*said, req.t("flow.cancelled", title=form.title)])
    return finish(req, flow, form, conversation)


def finish(req: Request, flow: Flow, form: Form, conversation: Conversation) -> Message | Reply:
    """The form's own submit with the answers, as a modal's submission hands them over."""
    command = next((c for c in req.router.commands if c.key == flow.command), None)
    typed = replace(req, args="", name=req.router.name(command, req.lang) if command
                    else req.name,
                    inbound=replace(req.inbound, value=flow.name,
                                    answers=tuple(conversation.answers.items())))
    try:
        result = flow.submit(typed)
    except Refused as error:
        return refused(req, flow, conversation, error.field, error.key, error.params)
    except UserError as error:
        field = flow.error_fields.get(error.key) or next(reversed(conversation.answers), "")
        return refused(req, flow, conversation, field, error.key, error.params)
    close(req.ctx, conversation, DONE)
    return result


def refused(req: Request, flow: Flow, conversation: Conversation, field: str, key: str,
            params: dict[str, object]) -> Message | Reply:
    """Why, and the question the refusal is about asked again."""
    for name in flow.pair(field):
        conversation.answers.pop(name, None)
    conversation.pending = conversation.pending_field = ""
    return advance(req, flow, conversation, [req.t(key, **localized(params, req.lang))],
                   submit=False)


def shown(field: FormField, value: str) -> str:
    """An answer said back: a choice by its label."""
    labels = {choice.value: choice.label for choice in field.choices}
    if field.kind in ("choice", "choices") and value:
        return ", ".join(labels.get(v, v) for v in value.split(","))
    flat = " ".join(value.split())
    return flat if len(flat) <= SHOWN else flat[:SHOWN - 1] + "…"


def answered(req: Request, flow: Flow, conversation: Conversation, field: FormField,
             value: str) -> Message | Reply:
    conversation.answers[field.name] = value
    said = shown(field, value) if value else req.t("flow.skipped")
    return advance(req, flow, conversation, [req.t("flow.noted", label=field.label,
                                                   value=said)])


def typed(req: Request, value: str) -> Message | Reply:
    """A message written while the conversation is open: the answer to its question."""
    conversation, flow = load(req, value)
    text = clean(req.inbound.text or "")
    word = reading.word(text)
    if conversation.pending:
        if word in reading.YES_WORDS | reading.NO_WORDS:
            return confirmed(req, conversation, flow, word in reading.YES_WORDS)
        conversation.pending = conversation.pending_field = ""  # another moment typed
    form = flow.form(req)
    field = current(flow, form, conversation)
    if field is None:
        return finish(req, flow, form, conversation)
    if word in reading.SKIP_WORDS and not field.required:
        return answered(req, flow, conversation, field, "")
    if field.name in flow.moments:
        return moment(req, flow, form, conversation, field, text)
    try:
        found = reading.text(field, text)
    except Refused as error:
        return ask(req, flow, form, conversation, field,
                   [req.t(error.key, **localized(error.params, req.lang))])
    return answered(req, flow, conversation, field, found)


def moment(req: Request, flow: Flow, form: Form, conversation: Conversation,
           field: FormField, text: str) -> Message:
    """A day and time read in words, then shown in full words for « Oui »."""
    try:
        read = flow.moments[field.name].read(req, text)
    except UserError as error:
        return ask(req, flow, form, conversation, field,
                   [req.t(error.key, **localized(error.params, req.lang))])
    conversation.pending, conversation.pending_field = to_iso(read.start), field.name
    touch(req, conversation)
    return asking.confirmation(req, form, conversation, read.start, read)


def confirmed(req: Request, conversation: Conversation, flow: Flow,
              yes: bool) -> Message | Reply:
    """« Oui »: the moment is the answer (its date and its time, in the network's zone);
    « Non »: asked again."""
    if not conversation.pending:
        raise UserError("flow.stale")
    day_field = conversation.pending_field
    start = datetime.fromisoformat(conversation.pending).astimezone(
        ZoneInfo(req.ctx.network.timezone))
    conversation.pending = conversation.pending_field = ""
    form = flow.form(req)
    field = next((f for f in form.fields if f.name == day_field), None)
    if field is None:
        return advance(req, flow, conversation, [])
    if not yes or start <= req.ctx.now():
        return ask(req, flow, form, conversation, field,
                   [req.t("form.error.past")] if yes else [])
    conversation.answers[day_field] = start.date().isoformat()
    conversation.answers[flow.moments[day_field].time_field] = start.strftime("%H:%M")
    return advance(req, flow, conversation, [req.t("flow.noted", label=field.label,
                                                   value=req.ctx.when(req.lang, start))])


def question_at(req: Request, value: str) -> tuple[Conversation, Flow, Form, FormField]:
    """The conversation and the question a button was under (``<n°>.<field>…``): the
    current one, or ``UserError`` for a question already answered."""
    conversation, flow = load(req, value)
    form = flow.form(req)
    field = current(flow, form, conversation)
    parts = value.split(".")
    if (field is None or conversation.pending or len(parts) < 2 or not parts[1].isdigit()
            or form.fields.index(field) != int(parts[1])):
        raise UserError("flow.stale")
    return conversation, flow, form, field

