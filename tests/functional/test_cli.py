"""The CLI contract: `when`, `progress`, `person`, exit codes, help text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from tests.conftest import LEDGERS, ROOT
from tracker.cli import cli as cli_group

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"


def test_when_contract(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("when", "2017年3月底完成", "--json").json() == {
        "text": "2017年3月底完成",
        "kind": "absolute",
        "dates": ["2017-03-31"],
        "explain": "2017-03-31",
    }
    assert cli("when", "12月15日前", "--ref", "2018-01-01", "--json").json()["dates"] == ["2018-12-15"]
    relative = cli("when", "接到通知后15天内", "--ref", "2017-03-20", "--json").json()
    assert (relative["kind"], relative["dates"]) == ("relative", ["2017-04-04"])
    assert cli("when", "十个工作日内", "--ref", "2017-09-28", "--json").json()["dates"] == ["2017-10-18"]
    waiting = cli("when", "一个月内", "--json").json()
    assert (waiting["kind"], waiting["dates"]) == ("relative", [])
    recurring = cli("when", "每年第一、二、三季度末", "--from", "2017-01-01", "--until", "2018-06-30", "--json").json()
    assert recurring["kind"] == "recurring"
    assert recurring["dates"] == ["2017-03-31", "2017-06-30", "2017-09-30", "2018-03-31", "2018-06-30"]
    assert cli("when", "每季度末", "--ref", "2019-05-05", "--json").json()["dates"][0] == "2019-03-31"


def test_when_global_json_flag_and_human_output(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("--json", "when", "2017年底").json()["dates"] == ["2017-12-31"]
    human = cli("when", "2017年3月中旬")
    assert human.code == 0 and "2017-03-20" in human.out
    # The explanation is shown, not swallowed as console markup (it was, in brackets).
    event = cli("when", "收件之日起30个工作日内", "--ref", "2019-01-01")
    assert "解析为：触发日（收件）后30个工作日（relative）" in event.out
    assert "2019-02-15" in event.out
    waiting = cli("when", "[急]收件之日起30个工作日内")
    assert waiting.code in (0, 2) and ("[急]" in waiting.out or "[急]" in waiting.err)


@pytest.mark.parametrize("text", ["2017年13月底", "2017年2月30日前", "尽快", "3月底"])
def test_when_nonsense_exits_2(cli, text: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("when", text, "--json")
    assert result.code == 2 and result.out == "" and text in result.err


def test_when_unknown_working_day_year_is_exit_2(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = cli("when", "10个工作日内", "--ref", "2031-12-25")
    assert result.code == 2 and "2031" in result.err and "calendar" in result.err
    config = tmp_path / "c.toml"
    config.write_text('[calendar."2031"]\nholidays = ["2031-12-26"]\n[calendar."2032"]\nholidays = ["2032-01-01"]\n')
    ok = cli("--config", config, "when", "10个工作日内", "--ref", "2031-12-25", "--json")
    assert ok.code == 0, ok.err
    assert ok.json()["dates"] == ["2032-01-12"]  # 12-26 and 01-01 off: 3 days in 2031, 7 in 2032


def test_progress_and_show(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    done = cli(
        "progress",
        "濮阳市所辖县",
        "2",
        "清丰县政府",
        "--status",
        "已完成",
        "--on",
        "2017-05-10",
        "--note",
        "方案已通过评审",
        "--evidence",
        "评审意见.pdf",
        "--json",
    )
    assert done.code == 0, done.err
    assert done.json()["status"] == "done" and done.json()["version"] == 2
    row = next(
        r
        for r in cli("show", "1", "--as-of", "2017-06-01", "--json").json()["rows"]
        if r["seq"] == "2" and r["unit"] == "清丰县政府"
    )
    assert (row["status"], row["completed_on"], row["days_overdue"], row["percent"]) == ("done", "2017-05-10", 10, 100)
    assert row["note"] == "方案已通过评审"
    assert cli("show", "1", "--as-of", "2017-06-01").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no such ledger", "1", "濮阳县", "--status", "done"), "no ledger"),
        (("1", "42", "濮阳县", "--status", "done"), "no task '42'"),
        (("1", "1", "华县", "--status", "done"), "no unit '华县'"),
        (("1", "1", "县政府", "--status", "done"), "ambiguous"),
        (("1", "1", "濮阳县", "--status", "finished"), "finished"),
        (("1", "1", "濮阳县", "--status", "done", "--on", "2199-01-01"), "in the future"),
        (("1", "1", "濮阳县", "--status", "doing", "--on", "2017-01-01"), "only status done"),
        (("1", "1", "濮阳县", "--status", "doing", "--percent", "120"), "between 0 and 100"),
        (("1", "1", "濮阳县", "--status", "done", "--on", "2017-02-30"), "中的“30日”：2017年2月只有28天"),
        (("1", "1", "濮阳县", "--status", "done", "--on", "1990-01-01"), "早于台账年初（2017-01-01）"),
    ],
)
def test_progress_bad_input(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    result = cli("progress", *args)
    assert result.code == 2 and message in result.err, result.err
    rows = cli("show", "1", "--json", "--as-of", "2017-06-01").json()["rows"]
    assert all(r["status"] == "todo" for r in rows)


def test_stale_version_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    assert cli("progress", "1", "3", "范县", "--status", "doing", "--expect-version", "1").code == 0
    stale = cli("progress", "1", "3", "范县", "--status", "done", "--on", "2017-06-01", "--expect-version", "1")
    assert stale.code == 2 and "任务 3 / 范县政府" in stale.err and "changed by someone else" in stale.err


def test_person_change_is_kept_in_history(cli) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    result = cli(
        "--as", "督查科张三", "person", "1", "南乐县", "--name", "李新", "--email", "lixin@example.gov.cn", "--json"
    )
    assert result.code == 0 and result.json()["person"] == "李新"
    assert cli("person", "1", "南乐县", "--name", "李新", "--phone", "0393-7654321").code == 0
    assert cli("person", "1", "南乐县", "--name", "王五", "--email", "bad address").code == 2
    assert cli("person", "1", "南乐县", "--name", "王五\nBcc: x@y.z").code == 0  # whitespace removed from names
    from sqlmodel import Session, col, select

    from tracker.db import make_engine
    from tracker.models import AuditEntry, Person, Unit

    with Session(make_engine(os.environ["TRACKER_DB"])) as session:
        unit = session.exec(select(Unit).where(Unit.name == "南乐县政府")).one()
        history = list(session.exec(select(Person).where(Person.unit_id == unit.id).order_by(col(Person.id))))
        audit = list(session.exec(select(AuditEntry).where(AuditEntry.action == "person").order_by(col(AuditEntry.id))))
    assert [p.name for p in history] == ["刘冰", "李新", "王五Bcc:x@y.z"]
    assert history[0].until is not None and history[1].until is not None and history[2].until is None
    assert history[1].phone == "0393-7654321" and history[1].email == "lixin@example.gov.cn"
    assert audit[0].by == "督查科张三"
    assert json.loads(audit[0].before)["name"] == "刘冰" and json.loads(audit[0].after)["name"] == "李新"


def test_person_gets_a_mobile_and_chat_ids_for_the_robots(cli) -> None:  # type: ignore[no-untyped-def]
    """How the DingTalk and WeCom channels reach a person is set where the person is set; an option
    left out keeps what was there, and a number that is not a mobile is refused, nothing written."""
    cli("import", PUYANG)
    args = ["--name", "李新", "--mobile", "138-0013 8000", "--dingtalk-id", "lx01", "--json"]
    set_ = cli("person", "1", "南乐县", *args)
    assert set_.code == 0, set_.err
    assert set_.json()["mobile"] == "13800138000" and set_.json()["dingtalk_id"] == "lx01"
    kept = cli("person", "1", "南乐县", "--name", "李新", "--wecom-id", "LiXin", "--json").json()
    assert (kept["mobile"], kept["dingtalk_id"], kept["wecom_id"]) == ("13800138000", "lx01", "LiXin")
    refused = cli("person", "1", "南乐县", "--name", "王五", "--mobile", "0393-7654321")
    assert refused.code == 2 and "0393-7654321" in refused.err and "mobile" in refused.err
    assert cli("show", "1", "--json").code == 0
    again = cli("person", "1", "南乐县", "--name", "李新", "--json").json()
    assert again["person"] == "李新" and again["wecom_id"] == "LiXin"  # the refused change left nothing


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("progress", "1", "2", "濮阳县", "--status", "doing", "--note", "进" * 40_000), "--note"),
        (("person", "1", "南乐县", "--name", "李" * 40_000), "--name"),
        (("person", "1", "南乐县", "--name", "李新", "--phone", "1" * 40_000), "--phone"),
    ],
)
def test_overlong_text_is_refused_not_cut_later(cli, args: tuple[str, ...], field: str) -> None:  # type: ignore[no-untyped-def]
    """A spreadsheet cell holds 32,767 characters: a longer note or name would come back from a
    form (or go out in a table) cut short, so it is refused when typed, naming the field."""
    cli("import", PUYANG)
    result = cli(*args)
    assert result.code == 2, result.err
    assert field in result.err and "32,767" in result.err and "Traceback" not in result.err
    rows = cli("show", "1", "--json").json()["rows"]
    assert all(r["note"] == "" and r["status"] == "todo" for r in rows)  # nothing written
    assert cli("progress", "1", "2", "濮阳县", "--status", "doing", "--note", "进" * 32_767).code == 0


def _commands(group: click.Group) -> list[click.Command]:
    return list(group.commands.values())


@pytest.mark.parametrize("command", _commands(cli_group), ids=lambda c: c.name)
def test_every_command_has_help(cli, command: click.Command) -> None:  # type: ignore[no-untyped-def]
    assert command.help and len(command.help) > 15
    result = cli(command.name or "", "--help")
    assert result.code == 0 and "Usage:" in result.out
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{command.name} {param.opts} has no help text"


def test_a_real_process_never_shows_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TRACKER_DB": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("TRACKER_DEBUG", None)
    bad = subprocess.run(
        [sys.executable, "-m", "tracker", "import", str(ROOT / "README.md")], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "README.md" in bad.stderr
    url = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", "mysql://nowhere/x", "ledgers"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert url.returncode == 2 and "not supported" in url.stderr
    usage = subprocess.run([sys.executable, "-m", "tracker", "progress"], capture_output=True, text=True, env=env)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_user_text_that_looks_like_console_markup_prints_as_written(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A task, unit or title holding "[/red]" or "[b]" is text, not a style tag: printed as
    written, never swallowed and never a failure of the command (it used to be exit 1)."""
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no cell is folded
    text = PUYANG.read_text(encoding="utf-8")
    text = text.replace('title = "濮阳市所辖县', 'title = "[b]濮阳市所辖县', 1)
    text = text.replace("濮阳县政府", "濮阳县[/red]政府")
    ledger = tmp_path / "marked.toml"
    ledger.write_text(text, encoding="utf-8")
    assert cli("import", ledger).code == 0
    table = cli("show", "1", "--as-of", "2017-06-01")
    assert table.code == 0, table.err
    assert "濮阳县[/red]政府" in table.out and "[b]濮阳市所辖县" in table.out
    check = cli("check", "--as-of", "2017-06-01")
    assert check.code == 0, check.err
    assert "濮阳县[/red]政府" in check.out
