"""An apology's reason and delegate, as people write them after ``excusé <n°>``
(« mission terrain, représenté·e par Moussa Diarra », « field mission, represented by …»),
and how leads read them in the meeting's attendance view."""

from __future__ import annotations

import re

from handlers.context import Context
from storage.models import Rsvp

MAX_REASON = 300
MAX_DELEGATE = 120
DELEGATE = re.compile(
    r"[,;]?\s*(?:repr[ée]sent[ée](?:[·.]?e)?|represented)\s+(?:par|by)\s+(?P<who>.+)$",
    re.IGNORECASE)


def read_apology(text: str) -> tuple[str, str]:
    """The reason and the delegate written after the number (either may be empty)."""
    text = " ".join(text.split())
    found = DELEGATE.search(text)
    if found is None:
        return text[:MAX_REASON], ""
    reason = text[:found.start()].strip(" ,;")
    return reason[:MAX_REASON], found.group("who").strip(" .")[:MAX_DELEGATE]


def apology_parts(ctx: Context, lang: str, rsvp: Rsvp) -> list[str]:
    """« mission terrain », « représenté·e par Moussa Diarra »: what an apology says."""
    parts = [rsvp.reason] if rsvp.reason else []
    if rsvp.delegate:
        parts.append(ctx.t(lang, "apology.delegate", name=rsvp.delegate))
    return parts


def apology_lines(ctx: Context, lang: str, rsvps: list[Rsvp]) -> list[str]:
    """For leads: each apology with its reason and delegate, one line each."""
    lines = []
    for rsvp in rsvps:
        if rsvp.status != "excused":
            continue
        member = ctx.store.members.get(rsvp.member_id)
        who = f"{member.name if member else rsvp.member_id} " \
              f"({ctx.agency_label(rsvp.agency, lang)})"
        lines.append(" — ".join([who, *apology_parts(ctx, lang, rsvp)]))
    return [ctx.t(lang, "apology.heading") + "\n" + "\n".join(lines)] if lines else []
