"""`tracker user …` and the CLI's identity (both backends): the first admin, duplicates, weak and
empty passwords, disable, reset, only an admin manages accounts; once accounts exist the CLI acts
as `--as` (or the OS user) and an unknown or disabled account is refused (exit 2) before anything
runs; the audit trail names the account, never a password."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlmodel import col, select

from tests.conftest import LEDGERS
from tracker.app import build
from tracker.models import Account, AuditEntry

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
GOOD = "correct horse 42"


@pytest.fixture
def run(cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`tracker ARGS` with ``password`` on standard input."""

    def go(*args: str, password: str | None = None) -> Any:
        if password is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return cli(*args)

    return go


def rows(db_url: str, model: type[Any]) -> list[Any]:
    tracker = build(db_url, None, "t")
    try:
        with tracker.session() as session:
            return list(session.exec(select(model).order_by(col(model.id))))
    finally:
        tracker.engine.dispose()


def add(run, who: str, name: str, *options: str, password: str = GOOD) -> Any:  # type: ignore[no-untyped-def]
    return run("--as", who, "user", "add", name, *options, "--password-stdin", password=password)


def test_first_admin_then_accounts(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    first = add(run, "张三", "李四", "--role", "clerk")
    assert first.code == 2 and "第一个账号须是管理员" in first.err
    assert add(run, "张三", "张三", "--admin").code == 0
    assert add(run, "张三", "李四", "--role", "clerk", "--display", "李 四").code == 0
    duplicate = add(run, "张三", "李四", "--role", "viewer")
    assert duplicate.code == 2 and "账号“李四”已存在" in duplicate.err
    unit = add(run, "张三", "南乐联络员", "--role", "unit")
    assert unit.code == 2 and "--unit" in unit.err
    assert add(run, "张三", "南乐联络员", "--role", "unit", "--unit", "南乐县政府").code == 0
    listed = run("--as", "张三", "user", "list", "--json").json()
    assert [(a["login"], a["role"], a["unit"], a["must_change_password"]) for a in listed] == [
        ("南乐联络员", "unit", "南乐县政府", True),
        ("张三", "admin", "", False),  # made for oneself: no change needed
        ("李四", "clerk", "", True),
    ]
    assert "argon2" not in str(listed) and "hash" not in str(listed)
    stored = rows(db_url, Account)
    assert all(a.password_hash.startswith("$argon2") and GOOD not in a.password_hash for a in stored)
    # Only an admin manages accounts.
    refused = add(run, "李四", "王五", "--role", "viewer")
    assert refused.code == 2 and "account.manage" in refused.err and "无权限" in refused.err


@pytest.mark.parametrize(("password", "says"), [("", "未输入密码"), ("short", "密码太弱"), ("aaaaaaaaaa", "密码太弱")])
def test_weak_or_empty_password_refused(run, db_url: str, password: str, says: str) -> None:  # type: ignore[no-untyped-def]
    refused = add(run, "张三", "张三", "--admin", password=password)
    assert refused.code == 2 and says in refused.err
    assert rows(db_url, Account) == []
    assert add(run, "张三", "张三", "--admin", password="张三").code == 2  # the account's own name


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")
def test_password_prompt_twice(run, monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{GOOD}\nsomething else\n"))
    differ = run("--as", "张三", "user", "add", "张三", "--admin")
    assert differ.code == 2 and "两次输入的密码不一致" in differ.err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{GOOD}\n{GOOD}\n"))
    assert run("--as", "张三", "user", "add", "张三", "--admin").code == 0
    assert GOOD not in differ.out + differ.err


def test_disable_role_reset(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    add(run, "张三", "张三", "--admin")
    add(run, "张三", "李四", "--role", "clerk")
    last = run("--as", "张三", "user", "disable", "张三")
    assert last.code == 2 and "最后一个可用的管理员" in last.err
    assert run("--as", "张三", "user", "role", "李四", "supervisor").code == 0
    before = {a.login: a.password_hash for a in rows(db_url, Account)}
    reset = run("--as", "张三", "user", "reset-password", "李四", "--password-stdin", password="another pass 7")
    assert reset.code == 0, reset.err
    after = {a.login: a for a in rows(db_url, Account)}
    assert after["李四"].password_hash != before["李四"] and after["李四"].must_change_password
    assert after["李四"].role == "supervisor"
    assert run("--as", "张三", "user", "disable", "李四").code == 0
    assert run("--as", "张三", "user", "reset-password", "无此人", "--password-stdin", password=GOOD).code == 2
    trail = [(e.action, e.by, e.subject) for e in rows(db_url, AuditEntry)]
    assert ("account.role", "张三", "李四") in trail and ("account.disable", "张三", "李四") in trail
    assert ("account.password", "张三", "李四") in trail
    everything = str([(e.before, e.after) for e in rows(db_url, AuditEntry)])
    assert GOOD not in everything and "another pass" not in everything and "argon2" not in everything


def test_cli_identity_once_accounts_exist(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert run("--as", "随便谁", "import", str(PUYANG)).code == 0  # desk mode: anyone
    add(run, "张三", "张三", "--admin")
    add(run, "张三", "李四", "--role", "clerk")
    add(run, "张三", "查看员", "--role", "viewer")
    progress = ("progress", "濮阳市所辖县", "2", "清丰县政府", "--status", "doing")
    stranger = run("--as", "路人", *progress)
    assert stranger.code == 2 and "没有账号“路人”" in stranger.err
    viewer = run("--as", "查看员", *progress)
    assert viewer.code == 2 and "progress.record" in viewer.err
    assert run("--as", "查看员", "ledgers").code == 0  # a viewer reads
    assert run("--as", "李四", *progress).code == 0
    run("--as", "张三", "user", "disable", "李四")
    disabled = run("--as", "李四", *progress)
    assert disabled.code == 2 and "已停用" in disabled.err
    trail = [(e.action, e.by) for e in rows(db_url, AuditEntry)]
    assert ("progress", "李四") in trail
    assert trail.count(("refused", "路人")) == 1 and ("refused", "查看员") in trail and trail[-1] == ("refused", "李四")
    assert trail[0][1] == "随便谁"  # desk mode rows name the desk's user as given


def test_enable_undoes_disable_and_neither_repeats(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """A user trial found `user disable` could not be undone, and a second `disable` said it had
    disabled the account again. `user enable` (an admin's, audited) lets the account act again;
    disabling a disabled account or enabling an enabled one says so and writes nothing."""
    add(run, "张三", "张三", "--admin")
    add(run, "张三", "李四", "--role", "clerk")
    assert run("--as", "张三", "user", "disable", "李四").code == 0
    assert run("--as", "李四", "ledgers").code == 2  # disabled: refused
    before = len(rows(db_url, AuditEntry))
    again = run("--as", "张三", "user", "disable", "李四")
    assert again.code == 2 and "账号“李四”已是停用状态，未作改动" in again.err, again.err
    enabled_twice = run("--as", "张三", "user", "enable", "张三")
    assert enabled_twice.code == 2 and "账号“张三”已是启用状态，未作改动" in enabled_twice.err
    assert len(rows(db_url, AuditEntry)) == before  # nothing written
    not_admin = run("--as", "李四", "user", "enable", "李四")
    assert not_admin.code == 2  # a disabled account cannot enable itself (nor may a clerk)
    missing = run("--as", "张三", "user", "enable", "无此人")
    assert missing.code == 2 and "没有账号“无此人”" in missing.err
    enabled = run("--as", "张三", "user", "enable", "李四")
    assert enabled.code == 0 and enabled.out.splitlines()[0] == "已启用账号 李四", enabled.err  # (PG: and its role)
    assert run("--as", "李四", "ledgers").code == 0  # acts again, in its role as before
    account = next(a for a in rows(db_url, Account) if a.login == "李四")
    assert not account.disabled and account.role == "clerk"
    trail = [(e.action, e.by, e.subject) for e in rows(db_url, AuditEntry)]
    assert ("account.enable", "张三", "李四") in trail
    assert trail.count(("account.disable", "张三", "李四")) == 1
    as_json = run("--as", "张三", "user", "disable", "李四", "--json")
    assert as_json.code == 0 and as_json.json()["disabled"] is True
    assert run("--as", "张三", "user", "enable", "李四", "--json").json()["disabled"] is False
