"""Dates typed on the command line as people write them (今天, 9月10日, 17年9月10日, 20170910 …), "today"
being the day in the configured time zone; anything else is exit 2 naming the option."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import LEDGERS

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
NOW = dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, still the 14th in New York


@pytest.fixture
def at_now(cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import tracker.app

    monkeypatch.setattr(tracker.app, "utc_now", lambda: NOW)
    assert cli("import", PUYANG).code == 0
    return cli


def _row(cli, as_of: str, unit: str = "清丰县政府") -> dict:  # type: ignore[no-untyped-def,type-arg]
    shown = cli("show", "1", "--as-of", as_of, "--json")
    assert shown.code == 0, shown.err
    return next(r for r in shown.json()["rows"] if r["seq"] == "2" and r["unit"] == unit)


def test_progress_on_today_and_show_as_of_a_day_without_a_year(at_now) -> None:  # type: ignore[no-untyped-def]
    done = at_now("progress", "1", "2", "清丰县政府", "--status", "done", "--on", "今天", "--json")
    assert done.code == 0, done.err
    assert at_now("show", "1", "--as-of", "9月10日", "--json").json()["as_of"] == "2017-09-10"
    assert _row(at_now, "9月10日")["completed_on"] == "2017-09-15"
    for typed in ("17年9月10日", "20170910", "2017.9.10", "2017/9/10", "2017-9-10", "2017年9月10日"):
        assert at_now("show", "1", "--as-of", typed, "--json").json()["as_of"] == "2017-09-10", typed
    assert at_now("show", "1", "--as-of", "前天", "--json").json()["as_of"] == "2017-09-13"


def test_yesterday_in_the_configured_time_zone(at_now, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "ny.toml"
    config.write_text('timezone = "America/New_York"\n', encoding="utf-8")
    done = at_now("--config", config, "progress", "1", "2", "南乐县", "--status", "done", "--on", "昨天", "--json")
    assert done.code == 0, done.err
    assert _row(at_now, "2017-09-20", "南乐县政府")["completed_on"] == "2017-09-13"  # the 14th there
    assert at_now("--config", config, "show", "1", "--as-of", "今天", "--json").json()["as_of"] == "2017-09-14"


@pytest.mark.parametrize(
    ("option", "typed", "reason"),
    [
        ("--on", "明年", "无法识别日期“明年”"),
        ("--on", "0910", "无法识别日期“0910”；可写作 9月10日"),
        ("--on", "2月30日", "中的“30日”"),
        ("--on", "13月1日", "中的“13月”"),
        ("--on", "1899年1月1日", "1900–2200"),
    ],
)
def test_refused_naming_the_option(at_now, option: str, typed: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    result = at_now("progress", "1", "2", "清丰县政府", "--status", "done", option, typed)
    assert result.code == 2 and option in result.err and reason in result.err, result.err
    assert "Traceback" not in result.err
    assert _row(at_now, "2017-09-20")["status"] == "todo"


def test_as_of_refused_naming_the_option(at_now) -> None:  # type: ignore[no-untyped-def]
    result = at_now("check", "--as-of", "明天见")
    assert result.code == 2 and "--as-of" in result.err and "明天见" in result.err
