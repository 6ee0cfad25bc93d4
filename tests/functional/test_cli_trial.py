"""Defects found by trying the newest commands as a clerk, a supervisor and a county liaison
would, tired: accounts on units that no ledger has, the wording of a missing account, a report
submitted on a ledger that asks for none."""

from __future__ import annotations

import functools
import io
from typing import Any

import pytest
from sqlmodel import select

from tests.conftest import LEDGERS
from tracker.app import build
from tracker.models import Account

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
GOOD = "correct horse 42"


@pytest.fixture
def run(cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`tracker --as 张三 ARGS`, with a password on standard input for `user add`."""

    def go(*args: str) -> Any:
        monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
        return cli("--as", "张三", *args)

    return go


def accounts(db_url: str) -> dict[str, str]:
    tracker = build(db_url, None, "t")
    try:
        with tracker.session() as session:
            return {a.login: a.unit_name for a in session.exec(select(Account))}
    finally:
        tracker.engine.dispose()


def test_a_unit_account_must_name_a_unit_the_ledgers_have(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    # Before any ledger is imported, accounts may be made first: any name is taken.
    assert run("user", "add", "早联络员", "--role", "unit", "--unit", "南乐县政府", "--password-stdin").code == 0
    assert run("import", str(PUYANG)).code == 0
    # A part of the name (as `progress` takes it) would make an account that reaches nothing:
    # `mine` then said "no unit '南乐县' in any ledger". Refused, naming the whole name.
    part = run("user", "add", "南乐联络员", "--role", "unit", "--unit", "南乐县", "--password-stdin")
    assert part.code == 2 and "--unit" in part.err and "“南乐县”" in part.err and "南乐县政府" in part.err
    typo = run("user", "add", "错联络员", "--role", "unit", "--unit", "南乐县正府", "--password-stdin")
    assert typo.code == 2 and "没有名为“南乐县正府”的责任单位" in typo.err
    assert run("user", "add", "南乐联络员", "--role", "unit", "--unit", "南乐县政府", "--password-stdin").code == 0
    moved = run("user", "role", "南乐联络员", "unit", "--unit", "濮阳")
    assert moved.code == 2 and "濮阳县政府" in moved.err
    assert accounts(db_url) == {
        "张三": "",
        "早联络员": "南乐县政府",
        "南乐联络员": "南乐县政府",
    }  # nothing half-written
    assert run("user", "role", "南乐联络员", "unit", "--unit", "濮阳县政府").code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("user", "role", "李四", "viewer"),
        ("user", "disable", "李四"),
        ("user", "reset-password", "李四", "--password-stdin"),
        ("user", "link", "李四"),
    ],
)
def test_a_missing_account_acted_on_is_named_as_such(run, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """The admin acting is known; the account named is not. The refusal said the admin's own
    identity was unknown (请用 --as 指定您的账号), which is not what is wrong."""
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    refused = run(*args)
    assert refused.code == 2 and "没有账号“李四”" in refused.err and "user list" in refused.err
    assert "--as" not in refused.err


def test_a_report_on_a_ledger_that_asks_for_none_says_so(run) -> None:  # type: ignore[no-untyped-def]
    """It said "name one report duty with --report (has: none)": no --report could ever do."""
    assert run("import", str(PUYANG), str(LEDGERS / "smart-city-pilots-2013.toml")).code == 0
    none = run("submit-report", "濮阳市所辖县", "--unit", "南乐县政府")
    assert none.code == 2 and "本台账没有要求报送的定期报告" in none.err and "--report" not in none.err
    assert run("received", "濮阳市所辖县", "南乐县政府", "--on", "2017-04-01").code == 2
    wrong = run("submit-report", "第一批", "--unit", "北京东城区", "--report", "年报")
    assert wrong.code == 2 and "没有名称含“年报”的报告" in wrong.err and "季度工作动态简报" in wrong.err
    done = run("submit-report", "第一批", "--unit", "北京东城区", "--report", "简报", "--json")
    assert done.code == 0 and done.json()["unit"] == "北京东城区"


def test_mine_names_a_unit_as_the_other_commands_do(run) -> None:  # type: ignore[no-untyped-def]
    """Staff typed 南乐县 (as `progress` takes it) and were told, in English, "no unit '南乐县' in
    any ledger"; a unit account is still told nothing of other units' names."""
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    assert run("import", str(PUYANG)).code == 0
    assert run("user", "add", "南乐联络员", "--role", "unit", "--unit", "南乐县政府", "--password-stdin").code == 0
    part = run("mine", "--unit", "南乐县", "--as-of", "2017-09-15", "--json")
    assert part.code == 0 and part.json()["unit"] == "南乐县政府"
    several = run("mine", "--unit", "县", "--as-of", "2017-09-15")
    assert several.code == 2 and "可指多个单位" in several.err and "南乐县政府" in several.err
    absent = run("mine", "--unit", "华县", "--as-of", "2017-09-15")
    assert absent.code == 2 and "没有名为“华县”的责任单位" in absent.err
    own = run("--as", "南乐联络员", "mine", "--unit", "南乐县政府", "--as-of", "2017-09-15", "--json")
    assert own.code == 0 and own.json()["unit"] == "南乐县政府"
    for other in ("濮阳县政府", "濮阳县", "县"):
        refused = run("--as", "南乐联络员", "mine", "--unit", other)
        assert refused.code == 2 and refused.err.strip() == f"tracker: --unit：没有名为“{other}”的责任单位"


def test_requests_and_decisions_are_told_in_chinese(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """They ended in English: "(pending)", "延期申请 2: approved", "… P2: refused"; the last did
    not say what the decision did."""
    config = tmp_path / "chain.toml"
    config.write_text('[approval]\nextension = ["supervisor"]\ntermination = ["supervisor"]\n', encoding="utf-8")
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    assert run("user", "add", "王五", "--role", "supervisor", "--password-stdin").code == 0
    assert run("import", str(PUYANG)).code == 0
    said = []
    asker = ("--as", "王五")  # who asks does not decide: 张三 (admin) does
    late = ("--late", "--as-of", "2017-09-15")
    for args in (
        (*asker, "extend", "1", "6", "南乐县", "--to", "2017-12-31", "--reason", "流标", "--as-of", "2017-09-15"),
        (*asker, "extend", "1", "5", "范县", "--to", "2017-12-31", "--reason", "资金", *late),
        ("approve", "1"),
        ("refuse", "2", "--reason", "理由不足"),
        (*asker, "terminate", "1", "台前县", "--reason", "撤并", "--on", "2017-09-20"),
        ("approve", "T1"),
    ):
        done = run("--config", str(config), *args)
        assert done.code == 0, done.err
        said.append(done.out.strip())
    assert said == [
        "延期申请 1：任务 6 / 南乐县政府 2017-11-30 → 2017-12-31，待审批",
        "延期申请 2：任务 5 / 范县政府 2017-08-31 → 2017-12-31（逾期后申请），待审批",
        "已批准延期申请 1：新期限 2017-12-31",
        "已驳回延期申请 2：原期限 2017-08-31 继续计算",
        "终止申请 T1：台前县政府，等待科长/分管领导审批",
        "已批准终止申请 T1：该单位未完成的任务已终止",
    ]


def test_signing_a_notice_twice_says_who_signed_when_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    """It said "already acknowledged by 张三 at 2026-12-07 13:59:01.171985+00:00" (UTC, in English)."""
    import re

    assert run("import", str(PUYANG)).code == 0
    assert run("check", "--as-of", "2017-09-15").code == 0
    which = run("ack", "1", "--by", "李四")  # a bulletin: each unit it names signs for itself
    assert which.code == 2 and "各单位分别签收" in which.err and "--unit" in which.err and "南乐县政府" in which.err
    first = run("ack", "1", "--by", "李四", "--unit", "南乐县政府")
    assert first.code == 0 and re.fullmatch(r"督查〔2017〕\d+号：南乐县政府已签收（李四）", first.out.strip()), (
        first.out
    )
    again = run("ack", "1", "--by", "王五", "--unit", "南乐县政府")
    assert again.code == 0
    assert re.fullmatch(
        r"督查〔2017〕\d+号：南乐县政府已由 李四 于 \d{4}-\d\d-\d\d \d\d:\d\d 签收，无需再签", again.out.strip()
    ), again.out
    other = run("ack", "1", "--by", "王五", "--unit", "濮阳县政府")  # another unit named: its own 签收
    assert other.code == 0 and "濮阳县政府已签收（王五）" in other.out, other.out


def test_mine_for_an_account_whose_unit_no_ledger_has_says_so(run) -> None:  # type: ignore[no-untyped-def]
    """Made before the ledgers came (or renamed since): it said the --unit nobody typed was unknown."""
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    assert run("user", "add", "早联络员", "--role", "unit", "--unit", "南乐县", "--password-stdin").code == 0
    assert run("import", str(PUYANG)).code == 0
    stale = run("--as", "早联络员", "mine")
    assert (
        stale.code == 2 and "账号“早联络员”所属的单位“南乐县”不在任何台账中" in stale.err and "user role" in stale.err
    )
    staff = run("mine")
    assert staff.code == 2 and "--unit：请写明责任单位" in staff.err


def test_the_queues_are_headed_in_chinese(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`queue` headed ref/ledger/task/unit/from/to/step/role/reason and showed the role as
    `supervisor`; an empty one said "none"."""
    config = tmp_path / "chain.toml"
    config.write_text("[review]\nrequired = true\n", encoding="utf-8")
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    assert run("import", str(PUYANG)).code == 0
    assert run("--config", str(config), "queue").out.strip() == "待我审批：无"
    assert run("--config", str(config), "review").out.strip() == "待复核：无"
    assert run("user", "add", "王五", "--role", "supervisor", "--password-stdin").code == 0
    asked = ("extend", "1", "6", "南乐县", "--to", "2017-12-31", "--reason", "流标", "--as-of", "2017-09-15")
    args = ("--as", "王五", *asked)
    assert run("--config", str(config), *args).code == 0
    assert run("--config", str(config), "submit", "1", "1", "南乐县", "--on", "2017-03-30").code == 0
    table = run("--config", str(config), "queue").out
    assert all(head in table for head in ("编号", "类型", "台账", "单位", "步骤", "理由")) and "科长" in table
    assert "supervisor" not in table and "ledger" not in table
    waiting = run("--config", str(config), "review").out
    assert all(head in waiting for head in ("编号", "单位", "完成日期", "按期")) and "done_on" not in waiting


def test_user_add_and_list_speak_chinese(run) -> None:  # type: ignore[no-untyped-def]
    """`user add` without a role said "give the account a role …" and `user list` was headed
    login/display/role/must_change_password with the role as `supervisor`."""
    assert run("user", "add", "张三", "--admin", "--password-stdin").code == 0
    none = run("user", "add", "李四", "--password-stdin")
    assert none.code == 2 and "请写明账号的角色" in none.err
    both = run("user", "add", "李四", "--admin", "--role", "clerk", "--password-stdin")
    assert both.code == 2 and "只能选一个" in both.err
    assert run("user", "add", "李四", "--role", "supervisor", "--password-stdin").code == 0
    listed = run("user", "list").out
    assert all(head in listed for head in ("账号", "角色", "单位", "密码", "创建日期")) and "须改密码" in listed
    assert "科长" in listed and "must_change" not in listed and "login" not in listed


def test_the_notices_list_is_headed_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    """It was titled `notices`, headed id/kind/number/ledger/units/as_of, the kind `criticism`."""
    assert run("notices").out.strip() == "通知：无"
    assert run("import", str(PUYANG)).code == 0
    assert run("check", "--as-of", "2017-09-15").code == 0
    listed = run("notices").out
    assert all(head in listed for head in ("编号", "类型", "文号", "台账", "单位", "印发日期", "签收"))
    assert "约谈通知" in listed and "interview" not in listed and "as_of" not in listed


def test_notify_says_what_it_did_in_chinese(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """It said "dry run: 0 message(s) would be sent, 0 waiting" and "sent 0, failed 0, still queued 0";
    without a mail server, "[smtp] is not configured: …"; in quiet hours "quiet hours (…): nothing sent"."""
    unset = run("notify")
    assert unset.code == 2 and "配置文件中没有 [smtp]" in unset.err
    config = tmp_path / "mail.toml"
    config.write_text('[smtp]\nhost = "127.0.0.1"\nport = 9\nuser = "a@b.cn"\nssl = false\nlogin = false\n')
    quiet = tmp_path / "quiet.toml"
    quiet.write_text(config.read_text() + '[notify]\nquiet_hours = "00:00-23:59"\n')
    assert run("--config", str(quiet), "notify").out.strip().startswith("免打扰时段（00:00-23:59）：未发送，待发 0 条")
    run = functools.partial(run, "--config", str(config))
    assert run("notify", "--dry-run").out.strip() == "试发送（未发出）：将发送 0 条，待发 0 条"
    assert run("notify", "--now").out.strip() == "已发送 0 条，失败 0 条，仍待发 0 条"


def test_an_empty_list_in_mine_says_so_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    """A unit owing no report read "南乐县政府：应报送的进展报告: none"."""
    assert run("import", str(PUYANG)).code == 0
    shown = run("mine", "--unit", "南乐县政府", "--as-of", "2017-09-15").out
    assert "应报送的进展报告：无" in shown and "none" not in shown


def test_a_request_named_in_full_width_is_found(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`approve １` and `approve Ｔ１` (a Chinese input method's digits) said "no extension request '１'"."""
    config = tmp_path / "chain.toml"
    config.write_text('[approval]\ntermination = ["supervisor"]\n', encoding="utf-8")
    run = functools.partial(run, "--config", str(config))
    assert run("import", str(PUYANG)).code == 0
    args = ("extend", "1", "6", "南乐县", "--to", "2017-12-31", "--reason", "流标", "--as-of", "2017-09-15")
    assert run(*args).code == 0
    assert run("terminate", "1", "台前县", "--reason", "撤并", "--on", "2017-09-20").code == 0
    assert run("approve", "１").out.startswith("已批准延期申请 1")
    assert run("refuse", "Ｔ１", "--reason", "不同意").out.startswith("已驳回终止申请 T")
