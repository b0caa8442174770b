"""A neutral ``Message`` (a person's to-do) as the ``home`` view ``views.publish`` shows in the
App Home tab: the same blocks as a message, within a view's 100 blocks; what does not fit ends
with a « … » line (the to-do itself already counts what it left out, ``handlers/todo.py``)."""

from __future__ import annotations

from typing import Any

from bot.platforms.slack.render import MORE, Block, _buttons, _mrkdwn, content_blocks
from handlers.types import Message

HOME_MAX_BLOCKS = 100


def home_view(message: Message) -> dict[str, Any]:
    """The ``view`` argument of ``views.publish``."""
    seen: dict[str, int] = {}
    blocks: list[Block] = content_blocks(message, seen)
    actions = _buttons(message.buttons, seen)[: HOME_MAX_BLOCKS - 1]
    room = HOME_MAX_BLOCKS - len(actions)
    if len(blocks) > room:
        blocks = blocks[: room - 1]
        if blocks and blocks[-1].get("type") == "section":  # keep no line without its buttons
            blocks = blocks[:-1]
        blocks.append({"type": "context", "elements": [_mrkdwn(MORE)]})
    return {"type": "home", "blocks": blocks + actions}
