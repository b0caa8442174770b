"""``aide``/``help``: a first screen that fits a phone — what waits for the person, then the
topics (réunions, consultations, informations, réseau) — and ``aide <sujet>``, the commands of
one topic this person may use. Generated from the command table and the permission the person
holds, so what a person is told they may do is what they may do."""

from __future__ import annotations

from handlers.context import UserError
from handlers.help_topics import TOPICS, topic_named, topic_of
from handlers.router import Command, Request
from handlers.settings import fold
from handlers.todo import build_todo
from handlers.types import Button, Message


def _allowed(req: Request) -> list[Command]:
    return [c for c in req.router.commands
            if not c.hidden and req.router.allowed(req.roles, c.roles)]


def command_line(req: Request, command: Command) -> str:
    """« • réunion <quand> — convoquer une réunion … »."""
    usage = req.t(f"cmd.{command.key}.usage")
    name = req.router.name(command, req.lang)
    return (f"• {name}{(' ' + usage) if usage.strip() else ''} — "
            f"{req.t(f'cmd.{command.key}.help')}")


def first_screen(req: Request) -> Message:
    """What waits for the person (how many things, and how to see them), then one line per
    topic they have commands in; at most a dozen lines."""
    ctx = req.ctx
    lines = []
    if req.member is not None:
        pending = build_todo(ctx, req.member).pending
        if pending:
            todo = next(c for c in req.router.commands if c.key == "todo")
            lines.append(req.t("help.pending", count=pending,
                               command=req.router.name(todo, req.lang)))
    lines.append(req.t("help.intro_unknown" if req.member is None else "help.intro",
                       network=ctx.network.name(req.lang)))
    topics = {topic_of(c.key) for c in _allowed(req)}
    help_name = req.router.name(next(c for c in req.router.commands if c.key == "help"),
                                req.lang)
    buttons = []
    for topic in TOPICS:
        if topic not in topics:
            continue
        name = req.t(f"help.topic.{topic}.name")
        lines.append(req.t("help.topic_line", topic=name.capitalize(),
                           about=req.t(f"help.topic.{topic}.about"),
                           command=f"{help_name} {name}"))
        buttons.append(Button("help.topic", topic, name.capitalize(),
                              hint=f"{help_name} {name}"))
    lines.append(req.t("help.outro"))
    return Message(title=req.t("help.title"), paragraphs=["\n".join(lines)], buttons=buttons)


def topic_screen(req: Request, topic: str) -> Message:
    """The commands of ``topic`` this person may use, one line each."""
    lines = [command_line(req, c) for c in _allowed(req) if topic_of(c.key) == topic]
    if not lines:
        raise UserError("help.topic_empty", topic=req.t(f"help.topic.{topic}.name"))
    return Message(title=req.t("help.topic_title", topic=req.t(f"help.topic.{topic}.name")
                               .capitalize()),
                   paragraphs=["\n".join(lines), req.t("help.outro")])


def help_command(req: Request) -> Message:
    """``aide``: the first screen; ``aide <sujet>``: one topic (a command's name also gives
    the topic it belongs to)."""
    asked = req.args.strip()
    if not asked:
        return first_screen(req)
    topic = topic_named(req.ctx.catalog, asked)
    if topic is None:
        found = req.router.find(asked)
        if found is not None:
            topic = topic_of(found[0].key)
    if topic is None:
        raise UserError("help.unknown_topic", typed=fold(asked)[:30], topics=", ".join(
            req.t(f"help.topic.{t}.name") for t in TOPICS))
    return topic_screen(req, topic)


def topic_click(req: Request, value: str) -> Message:
    """The topic buttons of the first screen."""
    if value not in TOPICS:
        raise UserError("help.unknown_topic", typed=value[:30], topics=", ".join(
            req.t(f"help.topic.{t}.name") for t in TOPICS))
    return topic_screen(req, value)
