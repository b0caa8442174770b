"""``aide``/``help``: the commands this person may use, generated from the command table and
the permission it holds, so what a person is told they may do is what they may do."""

from __future__ import annotations

from handlers.router import Request
from handlers.types import Message


def help_command(req: Request) -> Message:
    """``aide``: the commands this person may use, in their language."""
    router = req.router
    lines = []
    for command in router.commands:
        if command.hidden or not router.allowed(req.roles, command.roles):
            continue
        usage = req.t(f"cmd.{command.key}.usage")
        name = router.name(command, req.lang)
        lines.append(f"• {name}{(' ' + usage) if usage.strip() else ''} — "
                     f"{req.t(f'cmd.{command.key}.help')}")
    intro = req.t("help.intro_unknown" if req.member is None else "help.intro",
                  network=req.ctx.network.name(req.lang))
    return Message(title=req.t("help.title"), paragraphs=[intro, "\n".join(lines),
                                                          req.t("help.outro")])
