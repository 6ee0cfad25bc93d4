"""Bad CLI arguments on both databases: each is exit 2 with a message naming the argument,
never an internal error (exit 1) or a traceback.

Supported dates run from 1900 to 2200 (the README says so); ids from 1 to 2^31-1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.conftest import LEDGERS, Result
from tracker.cli import DateParam
from tracker.cli import cli as cli_group

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
OUT_OF_RANGE_DATES = ["0000-01-01", "0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31", "10000-01-01"]


def _date_options(group: click.Group = cli_group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every (command path, option) of the CLI that takes a date."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _date_options(command, (*path, name))
            continue
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, DateParam):
                yield (*path, name), param.opts[0]


DATE_OPTIONS = list(_date_options())


def _refused(result: Result, *named: str) -> None:
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    for text in named:
        assert text in result.err, (text, result.err)


@pytest.fixture
def imported(cli):  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    return cli


def test_every_date_option_is_listed() -> None:
    commands = {command[-1] for command, _ in DATE_OPTIONS}
    assert {"check", "show", "notify", "trigger", "received", "extend", "when", "progress"} <= commands


@pytest.mark.parametrize(("command", "option"), DATE_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_dates_outside_the_supported_years_on_every_date_option(imported, command, option) -> None:  # type: ignore[no-untyped-def]
    for value in OUT_OF_RANGE_DATES:
        _refused(imported(*command, option, value), option, "1900", "2200")


@pytest.mark.parametrize(
    "args",
    [
        ("when", "0000-01-01"),
        ("when", "10000-01-01"),
        ("when", "零零零零年底"),
        ("when", "9999年12月31日"),
        ("when", "1899年12月底"),
        ("when", "12月底", "--ref", "9999-12-01"),
        ("when", "一个月内", "--ref", "2200-12-01"),
        ("when", "9999天内", "--ref", "2200-01-01"),
        ("when", "9999个月内", "--ref", "1900-01-01"),
    ],
)
def test_when_outside_the_supported_years(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _refused(cli(*args), "1900", "2200")


def test_trigger_and_check_far_in_the_future(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _refused(imported("check", "--as-of", "9999-12-31"), "--as-of")
    _refused(imported("trigger", "1", "1", "--on", "9999-12-31"), "--on")
    _refused(imported("run", "--once", "--at", "9999-12-31 23:59"), "--at")
    _refused(imported("run", "--once", "--at", "0001-01-01 00:00"), "--at")


@pytest.mark.parametrize("deadline", ["0001-01-01", "9999-12-31"])
def test_ledger_date_values_outside_the_supported_years(cli, tmp_path: Path, deadline: str) -> None:  # type: ignore[no-untyped-def]
    """A TOML date value (not text) is a date already; it is checked all the same."""
    path = tmp_path / "far.toml"
    text = PUYANG.read_text(encoding="utf-8")
    path.write_text(text.replace('deadline = "2017年3月底完成"', f'deadline = "{deadline}"', 1), encoding="utf-8")
    _refused(cli("import", path), "far.toml", "1900", "2200")


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31"])
def test_toml_start_date_outside_the_supported_years(cli, tmp_path: Path, start: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "far.toml"
    text = PUYANG.read_text(encoding="utf-8")
    path.write_text(text.replace('deadline = "2017年3月底完成"', f'deadline = "2017年3月底完成"\nstart = {start}', 1))
    _refused(cli("import", path), "far.toml", "start", "1900", "2200")


@pytest.mark.parametrize("year", [1000, 9999])
def test_xlsx_date_cells_outside_the_supported_years(cli, tmp_path: Path, year: int) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from tests.sheets import date_deadlines, write_puyang

    deadlines = date_deadlines()
    deadlines[2] = dt.datetime(year, 12, 31)
    path = write_puyang(tmp_path / "far.xlsx", deadlines=deadlines)
    _refused(cli("import", path), "far.xlsx", "1900", "2200")


def test_report_periods_are_kept_within_a_horizon(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """A check decades after a ledger's start would write a report row per period per unit for
    each of those years: it is refused, naming the limit, and writes nothing."""
    import sqlalchemy as sa

    from tracker.scan import REPORT_YEARS

    assert cli("import", LEDGERS / "smart-city-pilots-2013.toml").code == 0
    result = cli("check", "--as-of", "2200-12-31")
    _refused(result, f"{REPORT_YEARS} 年", "2200-12-31")
    # The date named is the one typed, not the later one the reminders look ahead to.
    typed = cli("check", "--as-of", "2090-01-01")
    _refused(typed, "日期 2090-01-01 超出", f"只保留 {REPORT_YEARS} 年")
    assert "2090-01-08" not in typed.err
    _refused(cli("--lang", "en", "check", "--as-of", "2090-01-01"), f"{REPORT_YEARS} years", "2090-01-01 is beyond")
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM report_due")).scalar() == 0
    engine.dispose()
    assert cli("check", "--as-of", "2030-12-31").code == 0


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("progress", "1", f"#{HUGE}", "南乐县", "--status", "done"), f"#{HUGE}"),
        (("progress", "1", "#2147483648", "南乐县", "--status", "done"), "#2147483648"),
        (("progress", "1", "#0", "南乐县", "--status", "done"), "#0"),
        (("progress", "1", "1", "南乐县", "--status", "doing", "--expect-version", str(2**63)), "--expect-version"),
        (("progress", "1", "1", "南乐县", "--status", "doing", "--expect-version", "0"), "--expect-version"),
        (("progress", "1", "1", "南乐县", "--status", "doing", "--percent", str(2**63)), "between 0 and 100"),
        (("show", HUGE), HUGE),
        (("show", "9" * 5000), "9999"),
        (("approve", HUGE, "--reason", "x"), HUGE),
        (("refuse", HUGE, "--reason", "x"), HUGE),
        (("ack", HUGE), HUGE),
        (("ack", "²"), "²"),
        (("notice", "show", HUGE), HUGE),
        (("notice", "show", "١٢"), "١٢"),
        (("outbox", "--show", HUGE), "--show"),
        (("outbox", "--show", str(2**31)), "--show"),
        (("outbox", "--show", "-1"), "--show"),
        (("history", "1", f"#{HUGE}"), f"#{HUGE}"),
    ],
    ids=lambda v: " ".join(a[:20] for a in v) if isinstance(v, tuple) else None,
)
def test_ids_outside_the_database_range(imported, args: tuple[str, ...], named: str) -> None:  # type: ignore[no-untyped-def]
    _refused(imported(*args), named)


def _bad_db_urls(tmp_path: Path) -> list[tuple[str, str]]:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are notes, not a database\n" * 100)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    return [
        (f"sqlite:///{not_a_database}", "not a database"),
        (f"sqlite:///{truncated}", "truncated.db"),
        (f"sqlite:///{tmp_path}", str(tmp_path)),
        ("sqlite:////proc/version", "/proc/version"),
        ("sqlite:////proc/no/such/folder/x.db", "/proc/no/such/folder"),
        ("sqlite:////dev/null", "/dev/null"),
        ("sqlite+nodriver:///x.db", "sqlite+nodriver"),
        ("postgresql+nodriver://u@127.0.0.1/x", "postgresql+nodriver"),
        ("mysql://u@127.0.0.1/x", "mysql"),
        ("not a url at all", "not a url at all"),
    ]


def test_bad_database_urls(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for url, named in _bad_db_urls(tmp_path):
        _refused(cli("--db", url, "ledgers"), "--db", named)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[smtp]\nhost = "h"\nuser = "me@y.cn"\ntimeout = inf\n', "smtp.timeout"),
        ('[smtp]\nhost = "h"\nuser = "me@y.cn"\nca_file = "/no/such/ca.pem"\n', "smtp.ca_file"),
        ('[smtp]\nhost = "h"\nuser = "me@y.cn"\nssl = false\n', "allow_plain_login"),
        ("[notify]\nretry_minutes = [99999999999]\n", "notify.retry_minutes[0]"),
        ("[notices]\nfix_days = 99999999\n", "notices.fix_days"),
        ('[[escalation]]\nlevel = "warning"\noverdue_days = 99999999\n', "escalation[0].overdue_days"),
        ('[[escalation]]\nlevel = "reminder"\nbefore_days = [99999999]\n', "escalation[0].before_days[0]"),
        ("[scoring]\nbase = nan\n", "scoring.base"),
    ],
)
def test_bad_config_values(imported, tmp_path: Path, text: str, key: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad-config.toml"
    path.write_text(text, encoding="utf-8")
    _refused(imported("--config", path, "check", "--as-of", "2017-06-01"), "bad-config.toml", key)
