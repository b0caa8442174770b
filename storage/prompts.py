"""Questions the bot asked someone and waits for a text answer to (a reason for an objection),
one per person: who, in which chat, and what the answer is handed to, until when. On disk, so
a reply that comes after a restart is still taken as the answer."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class Prompt(Record):
    """The question waiting for ``id``'s answer: the next text they write in ``chat`` (any
    private chat of theirs when empty) before ``until`` is handed to ``action`` with
    ``value``, once."""

    id: str  # the identity asked (``telegram:100000001``)
    action: str
    value: str
    until: Time
    chat: str = ""
    asked_at: str = ""
    closed: bool = False  # answered, cancelled, or made moot (the position given otherwise)


class Prompts(Keyed[Prompt]):
    """The latest question per identity: a new one replaces the one before."""

    def waiting(self, identity: str, chat: str, now_iso: str) -> Prompt | None:
        """The question ``identity`` may answer by writing in ``chat`` now, if any."""
        prompt = self.get(identity)
        if prompt is None or prompt.closed or prompt.until <= now_iso \
                or prompt.chat not in ("", chat):
            return None
        return prompt

    def close(self, prompt: Prompt) -> None:
        prompt.closed = True
        self.save(prompt)
