"""A generator of ten years of network life, written straight into a data dir: 25 agencies,
100 members, 60 meetings, 500 consultations with a position from each agency, 5,000 information
items and 50,000 processed event ids. Other benchmarks load it."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_network  # noqa: E402
from handlers.settings import Agency, Network  # noqa: E402
from storage.models import (  # noqa: E402
    FOCAL_POINT,
    Consultation,
    InfoItem,
    Meeting,
    Member,
    Position,
    ProcessedEvent,
    Rsvp,
)
from storage.records import to_iso  # noqa: E402
from storage.store import Store  # noqa: E402

START = datetime(2016, 11, 28, 9, 0, tzinfo=UTC)
CHOICES = ("agree", "reservations", "objection", "abstain")


def network_of_25() -> Network:
    """The built-in network plus two agencies, 25 in all."""
    base = load_network()
    extra = (Agency("ITC", "CCI", "ITC", "Centre du commerce international",
                    "International Trade Centre"),
             Agency("UNV", "VNU", "UNV", "Volontaires des Nations Unies", "UN Volunteers"))
    return replace(base, agencies=base.agencies + extra)


def generate(data_dir: Path, seed: int = 7) -> Network:
    """Fill ``data_dir`` with ten years of history (each collection written in one go)."""
    rng = random.Random(seed)
    network = network_of_25()
    codes = [a.code for a in network.agencies]
    store = Store.open(data_dir)
    try:
        members = [Member(id=f"m{n}", name=f"Membre {n}", agency=codes[n % len(codes)],
                          roles=[FOCAL_POINT], identities=[f"slack:U{n:06d}"],
                          created_at=to_iso(START)) for n in range(100)]
        _bulk(store.members._c, [m.to_doc() for m in members], numbered=False)
        meetings, rsvps = [], []
        for n in range(1, 61):
            start = START + timedelta(days=61 * n)
            meetings.append(Meeting(id=n, kind="network", start=to_iso(start),
                                    end=to_iso(start + timedelta(hours=2)),
                                    created_at=to_iso(start - timedelta(days=20)),
                                    invited=[m.id for m in members]).to_doc())
            for member in rng.sample(members, 30):
                rsvps.append(Rsvp(id=f"{n}:{member.id}", meeting_id=n, member_id=member.id,
                                  agency=member.agency, status=rng.choice(
                                      ("present", "online", "excused")),
                                  at=to_iso(start - timedelta(days=3))).to_doc())
        _bulk(store.meetings._c, meetings)
        _bulk(store.rsvps._c, rsvps, numbered=False)
        consultations, positions = [], []
        number = 0
        for n in range(1, 501):
            opened = START + timedelta(days=7 * n)
            consultations.append(Consultation(
                id=n, proposal=f"Proposition {n}", deadline=to_iso(opened + timedelta(days=7)),
                status="closed", outcome=rng.choice(("adopted", "not_adopted")),
                opened_at=to_iso(opened), told_at=to_iso(opened),
                closed_at=to_iso(opened + timedelta(days=7))).to_doc())
            for code in codes:
                number += 1
                positions.append(Position(id=number, consultation_id=n, agency=code,
                                          member_id=f"m{codes.index(code)}",
                                          choice=rng.choice(CHOICES), reason="Raison",
                                          at=to_iso(opened + timedelta(days=2))).to_doc())
        _bulk(store.consultations._c, consultations)
        by_consultation: dict[int, list[dict]] = {}
        for doc in positions:
            by_consultation.setdefault(doc["consultation_id"], []).append(doc)
        for consultation_id, docs in by_consultation.items():
            _bulk(store.positions._c.shard(f"{consultation_id:06d}"), docs)
        items = [InfoItem(id=n, key=f"example.org/item/{n}", url=f"https://example.org/item/{n}",
                          title=f"Étude {n} sur les migrations", objectives=[1 + n % 23],
                          type="study", shared_by=f"m{n % 100}", agency=codes[n % len(codes)],
                          at=to_iso(START + timedelta(hours=17 * n))).to_doc()
                 for n in range(1, 5001)]
        _bulk(store.items._c, items)
        events = [ProcessedEvent(id=f"slack:Ev{n:08d}",
                                 at=to_iso(START + timedelta(minutes=105 * n))).to_doc()
                  for n in range(50_000)]
        by_month: dict[str, list[dict]] = {}
        for doc in events:
            by_month.setdefault(doc["at"][:7], []).append(doc)
        for month, docs in by_month.items():
            _bulk(store.events._c.shard(month), docs, numbered=False)
    finally:
        store.close()
    return network


def _bulk(collection, docs: list[dict], numbered: bool = True) -> None:
    """One write for a whole collection (TinyDB's insert_multiple)."""
    from tinydb.table import Document

    if numbered:
        collection._table.insert_multiple(Document(d, doc_id=d["id"]) for d in docs)
    else:
        collection._table.insert_multiple(docs)


def main() -> None:
    import tempfile
    import time

    folder = Path(tempfile.mkdtemp()) / "data"
    started = time.perf_counter()
    generate(folder)
    files = list(folder.rglob("*.json"))
    size = sum(p.stat().st_size for p in files)
    print(f"Ten years of history generated in {time.perf_counter() - started:.1f} s: "
          f"{size / 1e6:.1f} MB in {len(files)} files ({folder})")


if __name__ == "__main__":
    main()
