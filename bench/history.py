"""Ten years of network life, written straight into a data dir as the TinyDB files a cleanly
stopped bot leaves: the benchmarks load it, and tests that need volume use it at a small scale.

At full scale (``Scale()``): the built-in network's 23 agencies with 200 focal points (eight or
nine per agency, every one on Slack, one in three on Telegram too), three working groups, a
network and an Executive Committee meeting every two months with every invitee's answer, a
consultation a week with several positions per agency, 5,000 information items, the workplan,
the marks of every reminder already sent, this month's outbox (every message of the month's
consultations and meetings, sent) and 200,000 processed event ids this month. The last
consultations are still open and the next meetings still to come, so the schedule has work.
Everything leads up to ``now``: the real clock, so a real ``reseau-bot`` process reads it as
today's data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config.network import load_network
from handlers.settings import Network
from storage.files import dumps, write_atomically
from storage.jobs_done import JobDone
from storage.models import (
    CO_CHAIR,
    FOCAL_POINT,
    SECRETARIAT,
    Consultation,
    Group,
    InfoItem,
    Meeting,
    Member,
    OutboxRow,
    PlanAction,
    Position,
    Rsvp,
)
from storage.records import to_iso
from storage.store import Store

CHOICES = ("agree", "reservations", "abstain", "objection")
FILE_MODE_DIR = 0o700


@dataclass(frozen=True)
class Scale:
    """How much history: the defaults are the benchmarks'; tests shrink them."""

    members: int = 200
    years: int = 10
    items: int = 5000
    event_ids: int = 200_000
    open_consultations: int = 2
    telegram_every: int = 3  # one member in N also has a Telegram account


SMALL = Scale(members=46, years=2, items=200, event_ids=2000)


def slack_user(n: int) -> str:
    """The Slack user id of generated member ``n`` (``U000007``)."""
    return f"U{n:06d}"


def telegram_user(n: int) -> int:
    return 700_000_000 + n


def member_id(n: int) -> str:
    return f"m{n}"


def generate(data_dir: Path, scale: Scale = Scale(), *, now: datetime | None = None,
             seed: int = 7) -> Network:
    """Fill ``data_dir`` with ``scale`` of history up to ``now`` (default: the wall clock), then
    open it once as the bot would (every record checked) and close it. Returns the network."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    network = load_network()
    codes = [a.code for a in network.agencies]
    executive = {a.code for a in network.executive_committee}
    start = now - timedelta(days=365 * scale.years)
    files: dict[str, dict[str, dict[str, Any]]] = {}

    def table(rel: str, name: str) -> dict[str, Any]:
        return files.setdefault(rel, {}).setdefault(name, {})

    # People: several focal points per agency, on Slack, some on Telegram too.
    members = []
    for n in range(scale.members):
        identities = [f"slack:{slack_user(n)}"]
        if n % scale.telegram_every == 0:
            identities.append(f"telegram:{telegram_user(n)}")
        roles = [FOCAL_POINT]
        if n == 1:
            roles.append(SECRETARIAT)
        members.append(Member(id=member_id(n), name=f"Membre {n}", agency=codes[n % len(codes)],
                              roles=roles, identities=identities,
                              language="en" if n % 4 == 1 else None,
                              locale="en-US" if n % 4 == 3 else "fr-FR",
                              created_at=to_iso(start)))
    members.append(Member(id="chair", name="Co-présidente", agency="RCO", roles=[CO_CHAIR],
                          identities=["slack:UCHAIR"], created_at=to_iso(start)))
    _numbered_by_order(table("members", "members"), [m.to_doc() for m in members])
    by_agency: dict[str, list[Member]] = {}
    for member in members[:-1]:
        by_agency.setdefault(member.agency, []).append(member)
    staffed = set(by_agency)

    groups = []
    for g, name in enumerate(("Protection", "Données", "Retours")):
        people = [m.id for m in members[g::7][:15]]
        groups.append(Group(id=name.lower().replace("é", "e"), name=name, members=people,
                            chairs=people[:1], created_at=to_iso(start)).to_doc())
    _numbered_by_order(table("groups", "groups"), groups)

    done: list[dict[str, Any]] = [JobDone(id="bot:installed", done_at=to_iso(start)).to_doc()]
    outbox_rows: list[OutboxRow] = []
    month = now.strftime("%Y-%m")

    def sent(key: str, member: Member, at: datetime, title: str) -> None:
        """A message of this month, delivered (older months' outboxes are not kept here)."""
        if to_iso(at)[:7] != month:
            return
        outbox_rows.append(OutboxRow(
            id=len(outbox_rows) + 1, key=f"{key}:{member.id}",
            recipient={"kind": "member", "ref": member.id},
            message={"title": title, "paragraphs": ["Texte " * 40]}, status="sent",
            attempts=1, created_at=to_iso(at), next_attempt_at=to_iso(at),
            sent_at=to_iso(at), done=[member.identities[0]], language="fr"))

    # Meetings every two months, the network's and the Executive Committee's, each with the
    # answers of most invitees, the reminders marked sent; the next ones still to come.
    meetings, rsvps = [], []
    number = 0
    day = start + timedelta(days=30)
    while day < now + timedelta(days=70):
        for kind in ("network", "executive"):
            number += 1
            begins = (day + timedelta(days=3 if kind == "executive" else 0)).replace(
                hour=10, minute=0, second=0)
            invited = [m for m in members
                       if kind == "network" or m.agency in executive or CO_CHAIR in m.roles]
            meetings.append(Meeting(
                id=number, kind=kind, start=to_iso(begins),
                end=to_iso(begins + timedelta(hours=2)), created_by="chair",
                created_at=to_iso(begins - timedelta(days=20)),
                invited=[m.id for m in invited]).to_doc())
            if begins > now:
                continue
            for member in invited:
                if rng.random() < 0.7:
                    rsvps.append(Rsvp(id=f"{number}:{member.id}", meeting_id=number,
                                      member_id=member.id, agency=member.agency,
                                      status=rng.choice(("present", "online", "excused")),
                                      at=to_iso(begins - timedelta(days=3))).to_doc())
            for offset in (7 * 86400, 86400, 3600):
                done.append(JobDone(id=f"meeting-reminder:{number}:{to_iso(begins)}:{offset}",
                                    done_at=to_iso(begins - timedelta(seconds=offset)),
                                    outcome="sent").to_doc())
            for member in invited:
                sent(f"meeting:{number}:invite", member, begins - timedelta(days=20),
                     f"Réunion n° {number}")
        day += timedelta(days=61)
    _numbered(table("meetings", "meetings"), meetings)
    _numbered_by_order(table("rsvps", "rsvps"), rsvps)

    # A consultation a week: every agency answers, some change their position through a
    # colleague; reminders and closing marked done; the last ones still open.
    consultations = []
    position_id = 0
    weeks = scale.years * 52
    for n in range(1, weeks + 1):
        opened = start + timedelta(days=7 * n)
        is_open = n > weeks - scale.open_consultations
        deadline = (now + timedelta(days=10 + n % 5) if is_open
                    else opened + timedelta(days=7)).replace(hour=17, minute=0, second=0)
        deciding = sorted(executive & staffed)
        consultations.append(Consultation(
            id=n, proposal=f"Proposition {n} : adopter le document de travail.",
            deadline=to_iso(deadline), status="open" if is_open else "closed",
            outcome=None if is_open else rng.choice(("adopted", "not_adopted")),
            opened_by="chair", opened_at=to_iso(opened), told_at=to_iso(opened),
            closed_at=None if is_open else to_iso(deadline),
            closed_by=None if is_open else "deadline", deciding=deciding,
            empty_seats=sorted(executive - staffed)).to_doc())
        shard = table(f"positions/{n:06d}", "positions")
        for code in codes:
            if is_open and rng.random() < 0.5:
                continue
            people = by_agency.get(code, [])
            for member in rng.sample(people, min(len(people), rng.choice((1, 1, 2, 3)))):
                position_id += 1
                choice = rng.choice(CHOICES)
                shard[str(position_id)] = Position(
                    id=position_id, consultation_id=n, agency=code, member_id=member.id,
                    choice=choice, reason="Raison" if choice == "objection" else "",
                    at=to_iso(opened + timedelta(days=1, minutes=position_id % 600))).to_doc()
        for member in members:
            sent(f"poll:{n}:open", member, opened, f"Consultation n° {n}")
        if not is_open:
            done.append(JobDone(id=f"consultation-close:{n}:{to_iso(deadline)}",
                                done_at=to_iso(deadline)).to_doc())
            for offset in (48 * 3600, 4 * 3600):
                done.append(JobDone(
                    id=f"consultation-reminder:{n}:{to_iso(deadline)}:{offset}",
                    done_at=to_iso(deadline - timedelta(seconds=offset)),
                    outcome="sent").to_doc())
    _numbered(table("consultations", "consultations"), consultations)

    # The workplan: twenty actions a year, the current year's still open.
    actions = []
    for n in range(1, 20 * scale.years + 1):
        due = start + timedelta(days=18 * n + 20)
        actions.append(PlanAction(
            id=n, year=due.year, title=f"Action {n}", lead_agency=codes[n % len(codes)],
            due=to_iso(due.replace(hour=17, minute=0, second=0)),
            status="planned" if due > now else "done", created_by="chair",
            created_at=to_iso(due - timedelta(days=200))).to_doc())
    _numbered(table("plan", "plan"), actions)

    # Digests every Monday, marked sent.
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    while monday < now:
        done.append(JobDone(id=f"digest:{monday.date().isoformat()}",
                            done_at=to_iso(monday.replace(hour=8, minute=0))).to_doc())
        monday += timedelta(days=7)
    _numbered_by_order(table("jobs_done", "jobs_done"), done)

    items = [InfoItem(id=n, key=f"example.org/item/{n}", url=f"https://example.org/item/{n}",
                      title=f"Étude {n} sur les migrations", objectives=[1 + n % 23],
                      type="study", shared_by=member_id(n % scale.members),
                      agency=codes[n % len(codes)],
                      at=to_iso(start + timedelta(hours=n * 24 * 365 * scale.years
                                                  // max(scale.items, 1)))).to_doc()
             for n in range(1, scale.items + 1)]
    _numbered(table("items", "items"), items)

    outbox: dict[str, list[dict[str, Any]]] = {}
    for row in outbox_rows:
        outbox.setdefault(row.created_at[:7], []).append(row.to_doc())
    for key, docs in outbox.items():
        _numbered(table(f"outbox/{key}", "outbox"), docs)

    # Processed event ids: this month's platforms' traffic (older months are forgotten).
    events = data_dir / "events" / f"{month}.txt"
    events.parent.mkdir(mode=FILE_MODE_DIR, parents=True, exist_ok=True)
    write_atomically(events, "".join(f"slack:Ev{n:08d}\n" for n in range(scale.event_ids)))

    for rel, tables in files.items():
        path = data_dir / f"{rel}.json"
        path.parent.mkdir(mode=FILE_MODE_DIR, parents=True, exist_ok=True)
        write_atomically(path, dumps(tables))
    Store.open(data_dir).close()  # every record checked as at start-up
    return network


def _numbered(table: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        table[str(doc["id"])] = doc


def _numbered_by_order(table: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    for n, doc in enumerate(docs, start=1):
        table[str(n)] = doc


def _bulk(collection: Any, docs: list[dict[str, Any]], numbered: bool = True) -> None:
    """Add many documents to an open store's collection in one write (TinyDB's
    ``insert_multiple``), for benchmarks that add their own volume."""
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
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"Ten years of history generated in {time.perf_counter() - started:.1f} s: "
          f"{size / 1e6:.1f} MB in {len(files)} files ({folder})")


if __name__ == "__main__":
    main()
