"""The built-in Mali network, a TOML file overriding it, and problems located precisely."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.config.environment import read_environment
from bot.config.network import load_network
from bot.config.problems import ConfigError
from handlers.i18n import Catalog
from tests.conftest import BIN, REPO, cli_env


def test_builtin_network_is_the_mali_network_of_the_terms_of_reference() -> None:
    network = load_network()
    assert network.timezone == "Africa/Bamako" and network.language == "fr"
    assert [a.code for a in network.executive_committee] == [
        "ILO", "IOM", "UNDP", "UNHCR", "OHCHR", "UNICEF", "UNDESA", "UNODC"]
    assert network.agency("IOM").acronym("fr") == "OIM"
    assert network.agency("UNHCR").name("en").startswith("Office of the United Nations High")
    assert "Maison Commune des Nations Unies" in network.place("fr")
    assert {seat.agency for seat in network.co_chairs} == {"RCO", "IOM"}
    assert network.secretariat == ("IOM", "RCO")
    assert len(network.agencies) >= 20
    assert network.console_member == "aminata"
    assert [m.language for m in network.members if m.id == "sarah"] == ["en"]
    assert network.find_agency("onu femmes").code == "UNWOMEN"
    assert network.find_agency("Hcr").code == "UNHCR"


def test_a_file_overrides_keys_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text('[network]\nplace_fr = "Salle B, MCNU"\n[channels]\nslack = "C0NET"\n'
                    '[reminders]\nmeetings = ["2d"]\n')
    network = load_network(path)
    assert network.place_fr == "Salle B, MCNU"
    assert network.place_en.startswith("UN House")  # untouched key kept
    assert network.channels == {"slack": "C0NET"}
    assert [int(o.total_seconds()) for o in network.meeting_reminders] == [172800]
    assert len(network.agencies) >= 20


def test_problems_name_the_file_the_key_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[network]\ntimezone = "Mars/Olympus"\nlanguage = "de"\ncolour = "blue"\n'
                    '\n[[members]]\nid = "x"\nname = "X"\nagency = "NOPE"\n'
                    'identities = ["fax:1"]\n')
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    shown = [str(p) for p in caught.value.problems]
    assert f"{path}:2: network.timezone: « Mars/Olympus » is not a time zone name " \
           "(e.g. Africa/Bamako)" in shown
    assert any(s.startswith(f"{path}:3: network.language") for s in shown)
    assert any(s.startswith(f"{path}:4: network.colour: unknown key") for s in shown)
    assert any(s.startswith(f"{path}:9: members[1].agency: unknown agency code « NOPE »")
               for s in shown)
    assert any(s.startswith(f"{path}:10: members[1].identities") for s in shown)
    # the built-in console member is gone with the replaced members list
    assert any("console_member" in s for s in shown)


def test_an_agencys_french_article_is_configured_and_checked(tmp_path: Path) -> None:
    network = load_network()
    assert {code: network.agency(code).article_fr for code in ("IOM", "UNDP", "FAO", "UNWOMEN")} \
        == {"IOM": "l'", "UNDP": "le", "FAO": "la", "UNWOMEN": ""}
    path = tmp_path / "agencies.toml"
    path.write_text('[network]\nexecutive_committee = ["A"]\nsecretariat = ["A"]\n'
                    'console_member = ""\n[[co_chairs]]\ntitle_fr = "x"\ntitle_en = "x"\n'
                    'agency = "A"\n[[members]]\nid = "m"\nname = "M"\nagency = "A"\n'
                    'roles = ["focal_point"]\nidentities = ["console:m"]\n'
                    '[[agencies]]\ncode = "A"\nname_fr = "A"\nname_en = "A"\n'
                    '[[agencies]]\ncode = "B"\nname_fr = "B"\nname_en = "B"\narticle_fr = "les"\n')
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    shown = [str(p) for p in caught.value.problems]
    assert [s for s in shown if "article_fr" in s] == [
        f"{path}:23: agencies[2].article_fr: « les » is not one of « l' », « le », « la » or "
        '"" (no article)']
    path.write_text(path.read_text().replace('article_fr = "les"', "article_fr = \"l'\""))
    fixed = load_network(path)
    assert (fixed.agency("A").article_fr, fixed.agency("B").article_fr) == ("", "l'")


def test_the_end_of_the_working_day_is_a_setting(tmp_path: Path) -> None:
    """A deadline without a time is due at the end of the working day: 17:00 unless the
    configuration says otherwise; a time that is not one is pointed out."""
    assert load_network().end_of_day.strftime("%H:%M") == "17:00"
    path = tmp_path / "dates.toml"
    path.write_text('[dates]\nend_of_working_day = "16:30"\n')
    assert load_network(path).end_of_day.strftime("%H:%M") == "16:30"
    path.write_text('[dates]\nend_of_working_day = "5pm"\n')
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    assert [str(p) for p in caught.value.problems] == [
        f'{path}:2: dates.end_of_working_day: « 5pm » is not a time like "17:00"']


def test_toml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[network]\nname_fr = "unterminated\n')
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    assert caught.value.problems[0].line == 2


def test_environment_selects_platforms_and_checks_values() -> None:
    assert read_environment({}).platforms == ["console"]
    env = read_environment({"SLACK_BOT_TOKEN": "xoxb-1", "RESEAU_PORT": "http"})
    assert env.platforms == ["slack"]
    assert {p.key for p in env.problems} == {"RESEAU_PORT", "SLACK_SIGNING_SECRET"}
    assert read_environment({"RESEAU_DATA_DIR": "/srv/x"}).data_dir == Path("/srv/x")
    assert read_environment({}).journal_mb == 8
    assert read_environment({"RESEAU_JOURNAL_MB": "32"}).journal_mb == 32
    wrong = read_environment({"RESEAU_JOURNAL_MB": "0"})
    assert wrong.journal_mb == 8 and [p.key for p in wrong.problems] == ["RESEAU_JOURNAL_MB"]


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIN / "reseau-bot", "check"], cwd=REPO, capture_output=True,
                          text=True, env=cli_env(tmp_path / "data", **env), timeout=60)


def test_check_says_what_would_run(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    t = Catalog.load().t
    assert t("fr", "cli.check_config", source=t("fr", "cli.builtin")) in out
    assert t("fr", "cli.check_network", name=load_network().name("fr"), agencies=23,
             executive=8, members=7, timezone="Africa/Bamako") in out
    assert t("fr", "cli.check_console") in out
    assert t("fr", "cli.check_data_new", path=str((tmp_path / "data").resolve())) in out
    # The built-in organizer of calendar files is a placeholder: check asks for the real one.
    assert t("fr", "cli.check_calendar", email="secretariat@example.org") in out
    assert t("fr", "cli.check_calendar_placeholder", email="secretariat@example.org") in out
    english = check(tmp_path, LANG="en_GB.UTF-8").stdout
    assert Catalog.load().t("en", "cli.check_ok") in english.splitlines()


def test_check_reports_exactly_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[digest]\nschedule = 5\n')
    result = check(tmp_path, RESEAU_CONFIG=str(config))
    assert result.returncode == 1
    assert f"{config}:2: digest.schedule: must be a non-empty text" in result.stderr


def test_check_names_a_corrupt_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "meetings.json").write_text("{not json")
    result = check(tmp_path)
    assert result.returncode == 1
    assert str((data / "meetings.json").resolve()) in result.stderr
    assert (data / "meetings.json").read_text() == "{not json"


def test_the_journal_size_setting_reaches_the_store(tmp_path: Path) -> None:
    from bot.cli import open_store
    from handlers.i18n import Catalog

    env = read_environment({"RESEAU_JOURNAL_MB": "3", "RESEAU_DATA_DIR": str(tmp_path / "d")})
    store = open_store(Catalog.load(), "fr", env.data_dir, env.journal_mb)
    assert store is not None and store.engine.compact_after == 3 * 2**20
    store.close()
