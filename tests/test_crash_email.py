"""A SIGKILL between the mail server's acceptance and the outbox mark, with real processes: the
bot (``reseau-bot run``) sends by SMTP to an ``aiosmtpd`` server in this process, which accepts
a chosen message and kills the bot before it can record that it went.

SMTP has no idempotency key, and the bot does not record before sending (it records that it is
*about to* send, ``attempting``, then the result): after the restart the copy is sent again.
What makes it the same message to the receiver is its ``Message-ID``, derived from the outbox
row's key and the address — so the copy sent again carries the one the server already has.

Where the kill lands: aiosmtplib sends QUIT only once it has read the 250 that accepts the DATA,
and waits for the 221 before ``deliver`` returns; the dispatcher records the target as reached
only after ``deliver`` returns. So the server kills the bot when the connection that carried the
chosen message says QUIT, before answering it: the bot has heard « accepted » and cannot yet have
written, let alone made durable, the mark."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import BotApp
from bot.config.network import load_network
from handlers.types import Inbound
from storage.models import OutboxRow
from storage.store import Store
from tests.support.fake_slack import SECRET, FakeSlack
from tests.support.previews import handle_and_send
from tests.support.process import free_port, healthy, outbox_empty, start_slack_bot
from tests.support.smtp_server import Mailbox, Received, smtp_server

SENDER = "Réseau migrations <bot@reseau.example.org>"
AWA = "awa.traore@unicef.org"
IBRAHIM = "ibrahim.keita@ilo.org"

Aim = Callable[[Received], bool]


def invitation(mail: Received) -> bool:
    """A meeting invitation carries its iTIP part; a welcome does not."""
    return any(part.get_content_type() == "text/calendar" for part in mail.mail.walk())


def welcome_to(address: str) -> Aim:
    return lambda mail: mail.recipients == [address] and not invitation(mail)


def invitation_to(address: str) -> Aim:
    return lambda mail: mail.recipients == [address] and invitation(mail)


@dataclass
class KillingMailbox(Mailbox):
    """Accepts every message. The first time it accepts one that ``aim`` picks, it SIGKILLs
    ``bot`` when that connection says QUIT, before answering: the bot has read the 250 (it says
    QUIT only after) and is waiting for the 221 (it records nothing before)."""

    bot: subprocess.Popen[bytes] | None = None
    aim: Aim | None = None
    killed: list[Received] = field(default_factory=list)
    _doomed: object = None  # the SMTP session whose QUIT kills the bot

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        status = await super().handle_DATA(server, session, envelope)
        if self.aim is not None and self.aim(self.received[-1]):
            self.aim, self._doomed = None, session
            self.killed.append(self.received[-1])
        return status

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if session is self._doomed and self.bot is not None:
            self._doomed = None
            self.bot.send_signal(signal.SIGKILL)  # at once: the bot never reads the 221
        return "221 Bye"


def prepare(tmp_path: Path) -> tuple[Path, Path]:
    """The network with its organizer mailbox and two focal points reached by email only; their
    welcomes and a meeting's invitations queued (by email, Slack, and held for the others)."""
    data, config = tmp_path / "data", tmp_path / "reseau.toml"
    config.write_text('[calendar]\norganizer_email = "secretariat.reseau@iom.int"\n')
    queue(data, config, [("mariam", f"membre ajouter UNICEF email:{AWA} Awa Traoré"),
                         ("mariam", f"membre ajouter OIT email:{IBRAHIM} Ibrahim Keïta"),
                         ("aminata", "réunion dans 10 jours 10h")])
    return data, config


def queue(data: Path, config: Path, commands: list[tuple[str, str]]) -> None:
    """Run ``commands`` on the stopped bot's data (a preview sent with its « Envoyer »): what
    they queue waits in the outbox."""
    store = Store.open(data)
    try:
        app = BotApp(store, load_network(config))
        for who, text in commands:
            handle_and_send(app, Inbound(platform="console", user_id=who, text=text))
    finally:
        store.close()


def rows_on_disk(data: Path) -> list[OutboxRow]:
    """The outbox as the stopped bot left it (read-only: no lock, no write)."""
    store = Store.open(data, lock=False)
    try:
        return store.outbox.all()
    finally:
        store.close()


def email_targets(rows: list[OutboxRow]) -> dict[tuple[str, str], OutboxRow]:
    """The rows that go by email, by their key and target (``email:<address>``)."""
    addresses = {"awa-traore": AWA, "ibrahim-keita": IBRAHIM}
    return {(row.key, f"email:{addresses[row.recipient['ref']]}"): row for row in rows
            if row.recipient.get("ref") in addresses}


def message_ids(mailbox: Mailbox) -> Counter[str]:
    return Counter(str(received.mail["Message-ID"]) for received in mailbox.received)


async def test_a_sigkill_between_smtp_acceptance_and_the_outbox_mark_sends_the_same_message_id(
        tmp_path: Path) -> None:
    data, config = prepare(tmp_path)
    emails = email_targets(rows_on_disk(data))
    assert len(emails) == 4  # two welcomes, two invitations
    # Killed on, in turn: a welcome (the first email), an invitation in the middle of the
    # invitations, the last email of all.
    trials = [(welcome_to(AWA), ("member:added:awa-traore", f"email:{AWA}")),
              (invitation_to(AWA), ("meeting:1:invite:0:awa-traore", f"email:{AWA}")),
              (invitation_to(IBRAHIM), ("meeting:1:invite:0:ibrahim-keita", f"email:{IBRAHIM}"))]
    assert {target for _, target in trials} <= set(emails)
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    mailbox = KillingMailbox()
    with smtp_server(mailbox=mailbox) as (smtp_url, _):
        def start() -> subprocess.Popen[bytes]:
            return start_slack_bot(data, fake.url, SECRET, port, SMTP_URL=smtp_url,
                                   SMTP_FROM=SENDER, RESEAU_CONFIG=str(config))

        async def stopped(bot: subprocess.Popen[bytes], sig: int) -> None:
            if sig != signal.SIGKILL:
                bot.send_signal(sig)
            try:
                code = await asyncio.to_thread(bot.wait, 30)
            except subprocess.TimeoutExpired:
                raise AssertionError("the bot still runs (the aimed mail never came?)") from None
            assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0)

        try:
            for aim, (key, identity) in trials:
                mailbox.aim = aim
                mailbox.bot = bot = start()
                await stopped(bot, signal.SIGKILL)  # the server kills it, on the aimed mail
                assert mailbox.aim is None  # it was the aimed message that was accepted
                killed = str(mailbox.killed[-1].mail["Message-ID"])
                assert message_ids(mailbox)[killed] == 1
                [row] = [r for r in rows_on_disk(data) if r.key == key]
                assert row.status == "pending" and identity not in row.done  # no mark on disk
                assert row.attempting == [identity]  # the send it was making when killed

            mailbox.bot = bot = start()  # the copies of the three, and the rest
            try:
                await healthy(port, bot)
                await mailbox.until(lambda got: len(got) >= len(emails) + len(trials))
                await outbox_empty(port)
            finally:
                await stopped(bot, signal.SIGTERM)

            counted = message_ids(mailbox)
            twice = {str(mail.mail["Message-ID"]) for mail in mailbox.killed}
            assert len(twice) == len(trials)
            assert {mid: n for mid, n in counted.items() if n != 1} == dict.fromkeys(twice, 2)
            assert len(counted) == len(emails)  # every other message exactly once
            for mail in mailbox.killed:  # the copy went to the same person
                copies = [r.recipients for r in mailbox.received
                          if r.mail["Message-ID"] == mail.mail["Message-ID"]]
                assert copies == [mail.recipients] * 2
            on_disk = email_targets(rows_on_disk(data))
            assert all(row.status == "sent" and identity in row.done and not row.attempting
                       for (_, identity), row in on_disk.items())
            slack = Counter((p["channel"], p["text"]) for p in fake.posted())
            assert slack and set(slack.values()) == {1}  # what was not being sent: once

            # Another restart, with a second meeting queued while the bot is stopped: once
            # its invitations have arrived (later rows, so after anything owed), nothing else
            # has been sent again.
            before = len(mailbox.received)
            queue(data, config, [("aminata", "réunion dans 12 jours 10h")])
            mailbox.bot = bot = start()
            try:
                await healthy(port, bot)
                await mailbox.until(lambda got: len(got) >= before + 2)
                await outbox_empty(port)
            finally:
                await stopped(bot, signal.SIGTERM)
            new = mailbox.received[before:]
            assert sorted(r.recipients for r in new) == [[AWA], [IBRAHIM]]
            assert all(invitation(r) for r in new)
            assert not {str(r.mail["Message-ID"]) for r in new} & set(counted)  # no copy
            slack = Counter((p["channel"], p["text"]) for p in fake.posted())
            assert set(slack.values()) == {1}
        finally:
            if mailbox.bot is not None and mailbox.bot.poll() is None:
                mailbox.bot.kill()
                mailbox.bot.wait()
            await fake.stop()
