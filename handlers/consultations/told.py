"""What a recorded position tells others, after the person who gave it was answered: every card
of the agency's focal points (not the clicked one, whose answer shows it), the channel's card,
and the colleague whose position it replaced. Left as a follow-up in the position's own
transaction (``handlers/followups.py``): the ack waits for one journal line and its fsync, not
for a dozen messages queued, and nothing is lost if the process dies right after."""

from __future__ import annotations

from typing import Any

from handlers.channel_cards import consultation_card
from handlers.consultations.cards import refresh
from handlers.consultations.wording import choice_label
from handlers.context import Context
from handlers.types import Message
from storage.followups import Followup
from storage.models import Position

KIND = "position"


def tell_later(ctx: Context, position: Position, previous: Position | None,
               shown: str | None) -> None:
    """Leave the telling of ``position`` for after the ack (``shown``: the ``platform:user``
    whose clicked card the answer edits)."""
    args: dict[str, Any] = {"consultation": position.consultation_id,
                            "agency": position.agency, "position": position.id, "shown": shown}
    if previous is not None and previous.member_id != position.member_id:
        args.update(colleague=previous.member_id, by=position.member_id,
                    before=previous.choice, after=position.choice)
    ctx.store.followups.add(lambda n: Followup(id=n, kind=KIND, args=args,
                                                created_at=ctx.now_iso()))


def tell(ctx: Context, args: dict[str, Any]) -> None:
    """The follow-up itself: what ``record_position`` told at once before."""
    consultation = ctx.store.consultations.get(int(args["consultation"]))
    if consultation is None:
        return
    refresh(ctx, consultation, str(args["agency"]), skip=args.get("skip"),
            shown=args.get("shown"))
    consultation_card.changed(ctx, consultation)
    colleague = args.get("colleague")
    if not colleague:
        return
    earlier, by = ctx.store.members.get(colleague), ctx.store.members.get(str(args.get("by")))
    if earlier is None or not earlier.active:
        return
    ctx.send_to_member(earlier, f"poll:{consultation.id}:changed:{args['position']}",
                       lambda lang: Message(paragraphs=[ctx.t(
                           lang, "poll.changed_by_colleague", name=by.name if by else "—",
                           number=consultation.id,
                           before=choice_label(ctx, lang, str(args["before"])),
                           after=choice_label(ctx, lang, str(args["after"])))]))
