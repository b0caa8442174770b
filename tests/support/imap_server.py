"""A real IMAP server on loopback for the calendar-reply tests: pymap (from PyPI, the test
extra), an asyncio IMAP4rev1 server, with its in-memory ``dict`` backend and demo mailbox,
started in a process of its own on 127.0.0.1 — with STARTTLS on a certificate the test makes,
or without TLS. The test puts mail in with ``APPEND`` and reads the flags back with the
standard library's ``imaplib``, as any mail program would.

When pymap cannot be imported the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import imaplib
import importlib.util
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.smtp_server import free_port

USER, PASSWORD = "demouser", "demopass"  # pymap's demo mailbox
START_TIMEOUT = 20.0  # seconds: pymap's import and start on a busy machine


# pymap, saying when it listens (it prints nothing of its own): ``asyncio.start_server``
# wrapped to write one line once the server is bound.
ANNOUNCED = """
import asyncio
_start = asyncio.start_server
async def announced(*args, **kwargs):
    server = await _start(*args, **kwargs)
    print("listening", flush=True)
    return server
asyncio.start_server = announced
from pymap.main import main
main()
"""


@contextmanager
def imap_server(cert: tuple[Path, Path] | None = None) -> Iterator[int]:
    """pymap listening on 127.0.0.1; yields its port. ``cert``: (certificate, key) for
    STARTTLS; without, the server offers no TLS at all."""
    if importlib.util.find_spec("pymap") is None:
        pytest.skip("pymap (the test extra's IMAP server) is not installed")
    port = free_port()
    tls = ["--cert", str(cert[0]), "--key", str(cert[1])] if cert else ["--no-tls"]
    process = subprocess.Popen(
        [sys.executable, "-c", ANNOUNCED, "--host", "127.0.0.1", "--port", str(port), *tls,
         "dict", "--demo-data"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        # Its line once it listens, or the end of its output if it died: no polling.
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        if not ready or process.stdout.readline().strip() != b"listening":
            process.kill()
            error = process.stderr.read().decode() if process.stderr else ""
            pytest.skip(f"pymap did not start: {error[-300:]}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe:
                pipe.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 no authority signed, and its key (the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the test certificate")
    cert, key = folder / "imap-cert.pem", folder / "imap-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class MailboxClient:
    """The test's own look at the mailbox (plain ``imaplib``): put mail in, read flags."""

    def __init__(self, port: int, mailbox: str = "INBOX") -> None:
        self.conn = imaplib.IMAP4("127.0.0.1", port, timeout=10)
        self.conn.login(USER, PASSWORD)
        self.conn.select(mailbox)

    def append(self, mail: EmailMessage | bytes, flags: str = "") -> int:
        """Deliver ``mail``; its UID."""
        data = mail if isinstance(mail, bytes) else mail.as_bytes()
        typ, answer = self.conn.append("INBOX", flags or None, None, data)
        assert typ == "OK", answer
        return int(answer[0].split(b"APPENDUID ")[1].split()[1].rstrip(b"]"))

    def flags(self) -> dict[int, set[str]]:
        """Every message's flags, by UID."""
        self.conn.noop()
        typ, data = self.conn.uid("FETCH", "1:*", "(FLAGS)")
        assert typ == "OK", data
        found = {}
        for line in data:
            if not isinstance(line, bytes) or b"UID " not in line:
                continue  # an unsolicited update of a message's flags
            text = line.decode()
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            inside = text.split("FLAGS (")[1].split(")")[0]
            found[uid] = set(inside.split())
        return found

    def unseen(self) -> set[int]:
        return {uid for uid, flags in self.flags().items() if "\\Seen" not in flags}

    def mark_unseen(self, uid: int) -> None:
        self.conn.uid("STORE", str(uid), "-FLAGS", r"(\Seen)")

    def close(self) -> None:
        with suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()
