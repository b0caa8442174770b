"""A card's edits are numbered keys (``channelcard-edit:<card>:<n>``): the next one is found
without trying every key the card ever had (a consultation's channel card is edited at every
change of position, hundreds of times)."""

from __future__ import annotations

from storage.store import Store

FAMILY = "channelcard-edit:5:"


class Probes(dict):
    """The outbox's key index, counting the keys looked for."""

    looked = 0

    def __contains__(self, key: object) -> bool:
        Probes.looked += 1
        return super().__contains__(key)


def queue(store: Store, key: str) -> None:
    with store.transaction():
        assert store.outbox.add(key, {"kind": "card", "ref": "5"}, {"title": "x"},
                                "2026-11-28T10:00:00+00:00")


def test_the_next_edit_of_a_card_is_found_without_trying_every_earlier_key(
        store: Store) -> None:
    for n in range(100):
        queue(store, f"{FAMILY}{n}")
    queue(store, "channelcard-edit:6:0")  # another card's
    store.outbox._keys = Probes(store.outbox._keys)
    assert store.outbox.next_in(FAMILY) == 100  # tried once for this family...
    Probes.looked = 0
    for n in range(100, 110):
        assert store.outbox.next_in(FAMILY) == n
        queue(store, f"{FAMILY}{n}")
    assert Probes.looked <= 10  # ...then counted: one look per key added, none per edit
    assert store.outbox.next_in("channelcard-edit:6:") == 1
    assert store.outbox.next_in("channelcard-edit:7:") == 0
