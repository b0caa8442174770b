"""The key that signs the links the bot sends by email (one-tap answers to a consultation, the
confirmation of an address): random, made once for this deployment and kept in the data dir —
never in the repository or the configuration, so two deployments never accept each other's
links. Losing it only makes the links already sent stop working."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from storage.collection import Collection
from storage.records import Record
from storage.repository import Repository

KEY = "links"
KEY_BYTES = 32  # HMAC-SHA256's block of security: 256 bits


@dataclass
class SigningKey(Record):
    id: str  # always ``links``: the collection holds one record
    secret: str  # hex


class SigningKeys(Repository[SigningKey]):
    """The one key, made on first use (``BotApp`` asks for it at start-up, in a transaction)
    and never changed afterwards."""

    def __init__(self, collection: Collection[SigningKey]) -> None:
        super().__init__(collection)
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            found = self._c.get_keyed(KEY)
            if found is None:
                found = SigningKey(id=KEY, secret=secrets.token_hex(KEY_BYTES))
                self._c.save_keyed(found)
            self._key = bytes.fromhex(found.secret)
        return self._key
