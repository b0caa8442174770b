"""This deployment's own identity: a random id made once and kept in the data dir.

Two networks running the bot must not publish the same ids (an Atom feed's, its entries'), or a
feed reader subscribed to both would mix them up. The id is random rather than taken from the
public address, which can change while the deployment stays the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from storage.collection import Collection
from storage.records import Record
from storage.repository import Repository

KEY = "this"


@dataclass
class Deployment(Record):
    id: str  # always ``this``: the collection holds one record
    uid: str  # a random UUID (hex)


class DeploymentInfo(Repository[Deployment]):
    """The one record, made on first use and never changed afterwards."""

    def __init__(self, collection: Collection[Deployment]) -> None:
        super().__init__(collection)
        self._uid: uuid.UUID | None = None

    def uid(self) -> uuid.UUID:
        if self._uid is None:
            found = self._c.get_keyed(KEY)
            if found is None:
                found = Deployment(id=KEY, uid=uuid.uuid4().hex)
                self._c.save_keyed(found)
            self._uid = uuid.UUID(found.uid)
        return self._uid
