"""The buttons that open the forms, offered to the leads under their to-do (Slack's App Home).
Kept apart from the forms themselves so the to-do imports nothing heavier than this."""

from __future__ import annotations

from handlers.context import Context
from handlers.roles import LEADS
from handlers.types import Button

FORMS = ("meeting", "consultation", "share")


def form_buttons(ctx: Context, lang: str, roles: set[str] | frozenset[str]) -> list[Button]:
    """« Nouvelle réunion », « Nouvelle consultation », « Partager » for a co-chair or the
    secretariat; nothing for anyone else."""
    if not roles & LEADS:
        return []
    return [Button(f"form.{name}", "", ctx.t(lang, f"form.button.{name}"),
                   hint=ctx.t(lang, f"form.{name}.typed"))
            for name in FORMS]
