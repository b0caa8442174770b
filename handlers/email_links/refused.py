"""A signed link (a one-tap answer, an address confirmation) that may not be used: why, in the
reader's language, and the HTTP status its page is answered with. One type for every kind of
link, so the web server shows every refusal the same way."""

from __future__ import annotations


class Refused(Exception):
    """The page reads ``key`` under ``title_key``; ``why`` says what it was (``expired``)."""

    def __init__(self, why: str, lang: str, status: int, key: str, title_key: str) -> None:
        self.why = why
        self.lang = lang
        self.status = status
        self.key = key
        self.title_key = title_key
        super().__init__(why)
