"""The console chat, through the real ``reseau-bot`` process's stdin and stdout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from bot.config.network import load_network
from handlers.i18n import Catalog
from handlers.router import MAX_TEXT
from storage.store import Store
from tests.conftest import BIN, REPO, cli_env

NETWORK = load_network()
UNICEF = NETWORK.agency("UNICEF").acronym("fr")  # knows its article: « l'UNICEF »


def t(key: str, lang: str = "fr", /, **params: object) -> str:
    """What the child process prints for ``key``: tests read the catalog, not the wording."""
    return Catalog.load().t(lang, key, **params)


def around(key: str, gap: str, /, **params: object) -> list[str]:
    """The French text of ``key`` on either side of the value ``gap`` (a date, a path's reason),
    for output where that value is worded elsewhere."""
    return t(key, **{gap: "\0"}, **params).split("\0")


def chat(data: Path, lines: list[str], *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "reseau-bot", *args], cwd=REPO, input="\n".join(lines) + "\n",
                          capture_output=True, text=True, env=cli_env(data, **env), timeout=60)


def test_run_starts_the_console_as_the_demo_co_chair(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = chat(data, ["membres", "moi"], "run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(t("console.welcome", network=NETWORK.name("fr"), name="Aminata Diallo"))
    assert "> membres\n" in out and "★ UNICEF — Awa Traoré · telegram" in out
    assert t("members.summary", agencies=len(NETWORK.agencies), members=len(NETWORK.members),
             executive=len(NETWORK.executive_committee)) in out
    stored = json.loads((data / "members.json").read_text())["members"]
    aminata = next(m for m in stored.values() if m["id"] == "aminata")
    assert t("whoami.member", name="Aminata Diallo", agency="BCR", roles=t("role.co_chair"),
             identities=", ".join(aminata["identities"]), language="fr") in out
    assert out.rstrip().endswith(t("console.bye"))
    assert (data / "members.json").exists()
    assert "Traceback" not in result.stderr


def test_join_approve_and_list_across_sessions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = chat(data, ["rejoindre UNICEF Kadiatou Konaté"], "console", "--as", "Kadiatou")
    assert first.returncode == 0, first.stderr
    assert t("console.welcome_unknown", network=NETWORK.name("fr"), name="Kadiatou") in \
        first.stdout
    assert t("join.sent", number=1, agency=UNICEF) in first.stdout
    # The secretariat's message, shown with its recipient and the typed equivalent of buttons.
    assert f"→ OIM (Mariam Coulibaly, console) :\n    {t('join.request_title', number=1)}\n" \
        in first.stdout
    assert f"[{t('button.approve')}]{t('console.button_hint', command='membre approuver 1')}" \
        in first.stdout

    second = chat(data, ["demandes", "membre approuver 1", "membres"], "console", "--as",
                  "mariam")
    assert t("join.pending_line", number=1, name="Kadiatou Konaté", agency=UNICEF,
             identity="console:kadiatou") in second.stdout
    assert t("join.approved", number=1, name="Kadiatou Konaté", agency=UNICEF) in second.stdout
    welcome = t("join.welcome_title", network=NETWORK.name("fr"))
    assert f"→ UNICEF (Kadiatou Konaté, console) :\n    {welcome}" in second.stdout
    # The secretariat sees where each member is reached.
    assert (f"★ UNICEF — Awa Traoré · telegram {t('reach.line', where='Telegram')}; "
            f"Kadiatou Konaté {t('reach.line', where=t('reach.where.console'))}") in second.stdout

    third = chat(data, ["moi"], "console", "--as", "Kadiatou Konaté")
    assert t("whoami.member", name="Kadiatou Konaté", agency="UNICEF",
             roles=t("role.focal_point"), identities="console:kadiatou", language="fr") in \
        third.stdout


def test_replies_follow_the_terminal_language_for_members_without_a_choice(tmp_path) -> None:
    result = chat(tmp_path / "data", ["help network"], "console", "--as", "ibrahim",
                  LANG="en_US.UTF-8")
    assert t("console.welcome", "en", network=NETWORK.name("en"), name="Ibrahim Maïga") in \
        result.stdout
    assert f"• members — {t('cmd.members.help', 'en')}" in result.stdout


def test_junk_input_never_shows_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    junk = b"\xff\xfe\x00garbage\n" + b"x" * 10_000 + b"\n'\"unbalanced\nmembres\n"
    result = subprocess.run([BIN / "reseau-bot", "run"], cwd=REPO, input=junk,
                            capture_output=True, env=cli_env(data), timeout=60)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Traceback" not in out + result.stderr.decode()
    assert t("error.too_long", length=10_000, limit=MAX_TEXT) in out
    assert t("members.executive_heading") in out  # « membres », after the junk, answered


def test_ctrl_c_ends_the_chat_cleanly(tmp_path: Path) -> None:
    process = subprocess.Popen([BIN / "reseau-bot", "run"], cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=cli_env(tmp_path / "data"))
    assert process.stdout is not None and process.stdin is not None
    process.stdin.write("moi\n")
    process.stdin.flush()
    seen = ""
    while "Aminata Diallo, BCR" not in seen:  # the answer to « moi »
        seen += process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert t("console.bye") in out and "Traceback" not in err


def test_a_second_bot_on_the_same_data_dir_refuses_to_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = subprocess.Popen([BIN / "reseau-bot", "run"], cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=cli_env(data))
    assert first.stdout is not None
    first.stdout.readline()  # started and holding the lock
    second = chat(data, ["membres"], "run")
    first.communicate(input="", timeout=30)
    assert second.returncode == 1
    assert t("cli.locked", path=str(data.resolve()), pid=first.pid) in second.stderr


def test_a_corrupt_file_stops_start_up_and_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "members.json").write_text('{"members": {')
    result = chat(data, ["membres"], "run")
    assert result.returncode == 1
    assert str((data / "members.json").resolve()) in result.stderr
    assert t("cli.corrupt_invalid_json") in result.stderr
    assert all(part in result.stderr for part in around(
        "cli.corrupt", "detail", path=str((data / "members.json").resolve())))
    assert (data / "members.json").read_text() == '{"members": {'


def test_data_dir_defaults_to_data_in_the_working_directory(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "unused")
    env.pop("RESEAU_DATA_DIR")
    result = subprocess.run([BIN / "reseau-bot", "run"], cwd=tmp_path, input="langue en\n",
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    stored = json.loads((tmp_path / "data" / "members.json").read_text())
    assert any(m["id"] == "aminata" and m["language"] == "en"
               for m in stored["members"].values())
    assert oct(os.stat(tmp_path / "data").st_mode & 0o777) == "0o700"


def test_a_meeting_scheduled_and_answered_in_the_console(tmp_path: Path) -> None:
    import icalendar

    data = tmp_path / "data"
    send = f"{t('cmd.preview.name')} 1 {t('preview.word.send')}"
    first = chat(data, ["réunion mardi 15 janvier 2030 10h", send,
                        "ordre du jour 1 ajouter Bilan"], "run")
    assert first.returncode == 0, first.stderr
    # The preview's buttons say how to press them by typing, as the console shows no buttons.
    assert f"[{t('preview.button.send')}]{t('console.button_hint', command=send)}" \
        in first.stdout
    assert ("mardi 15 janvier 2030, 10:00–12:00 (GMT), Maison Commune des Nations Unies (MCNU),"
            " Bamako") in first.stdout
    network_meeting = t("meeting.kind.network")
    invitation = t("meeting.invite_title", kind=network_meeting, number=1)
    assert f"→ UNICEF (Awa Traoré, telegram) :\n    {invitation}" in first.stdout
    present = f"{t('cmd.rsvp_present.name')} 1"
    assert f"[{t('rsvp.button.present')}]{t('console.button_hint', command=present)}" \
        in first.stdout
    saved = data / "files" / "telegram-100000001" / "reunion-1.ics"
    assert t("console.attachment", name="reunion-1.ics", path=str(saved)) in first.stdout
    event = icalendar.Calendar.from_ical(saved.read_bytes()).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Africa/Bamako"

    second = chat(data, ["présent 1", "réunions"], "console", "--as", "awa")
    assert all(part in second.stdout for part in around("rsvp.done.present", "line", number=1))
    assert all(part in second.stdout for part in around(
        "meeting.list_line", "line", number=1, kind=network_meeting, present=1, online=0,
        excused=0))
    third = chat(data, ["réunion voir 1"], "run")
    assert t("meeting.agency_line", agency="UNICEF", present=1, online=0, excused=0) in \
        third.stdout
    assert "1. Bilan" in third.stdout


def test_a_damaged_journal_line_stops_start_up_with_its_segment_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    for n in range(3):
        store.join_requests.add(f"console:u{n}", f"User {n}", "IOM", None, "t")
    store.close(compact=False)  # as a crash leaves it: the changes only in the journal
    (segment,) = (data / "journal").glob("*.jsonl")
    damaged = segment.read_bytes().replace(b"User 0", b"User X")
    segment.write_bytes(damaged)
    result = chat(data, ["membres"], "run")
    assert result.returncode == 1
    assert str(segment.resolve()) in result.stderr and " 1 " in result.stderr
    assert "cli.corrupt" not in result.stderr  # said in words, from the catalog
    assert segment.read_bytes() == damaged


def test_a_torn_last_journal_line_is_dropped_and_the_bot_starts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    store.join_requests.add("console:u1", "User 1", "IOM", None, "t")
    store.close(compact=False)
    (segment,) = (data / "journal").glob("*.jsonl")
    with segment.open("ab") as out:
        out.write(b'{"crc":"5d2c1f00","tx":{"seq":2,"chan')
    result = chat(data, ["demandes"], "console", "--as", "mariam")
    assert result.returncode == 0, result.stderr
    assert "User 1" in result.stdout
    assert "dropped the unfinished last line 2" in (data / "reseau-bot.log").read_text()
