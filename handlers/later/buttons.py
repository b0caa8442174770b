"""The « Plus tard » button cards carry: ``later`` with ``<kind>.<n°>`` (``meeting`` or
``poll``); tapped, it offers the moments (``later.set`` with ``<kind>.<n°>.<moment>``)."""

from __future__ import annotations

from handlers.context import Context
from handlers.types import Button

LATER = "later"
KINDS = ("meeting", "poll")


def later_button(ctx: Context, lang: str, kind: str, number: int) -> Button:
    return Button(LATER, f"{kind}.{number}", ctx.t(lang, "later.button"))
