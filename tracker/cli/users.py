"""CLI commands on accounts: `tracker user add|list|role|disable|enable|reset-password`.

Passwords are read from a prompt (twice) or, with ``--password-stdin``, from the first line of
standard input; never from an argument, which other users of the machine could see in `ps`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tracker import output
from tracker.cli.base import Obj, cli, json_option, pass_obj, wants_json

if TYPE_CHECKING:
    from tracker.usecases.accounts import Changed

ROLE_CHOICE = click.Choice(["viewer", "clerk", "supervisor", "admin", "unit"])
password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input."
)


@cli.group()
def user() -> None:
    """Accounts: who may use the tracker and in which role (see README, Accounts)."""


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice at a hidden prompt."""
    from tracker.refusals import Refusal

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt("密码", hide_input=True, default="", show_default=False, err=True)
    if not first:
        raise Refusal("password_empty")
    if click.prompt("再次输入密码", hide_input=True, default="", show_default=False, err=True) != first:
        raise Refusal("password_mismatch")
    return str(first)


def _show(changed: Changed, as_json: bool, message: str) -> None:
    """The account as changed (JSON: its row and ``database_login``), or ``message`` and what
    became of its database login on PostgreSQL."""
    login = changed.login
    if as_json:
        output.emit_json(_row(changed.account) | {"database_login": {"state": login.state, "sql": login.sql}})
        return
    output.done(message)
    note = _LOGIN_NOTES.get(login.state, "")
    if note:
        output.done(note.format(name=changed.account.login))
    if login.sql:
        output.done(login.sql)


# What became of the account's PostgreSQL login role (tracker/pg_roles.py's Login.state); nothing
# on SQLite. The SQL for the DBA is printed after "dba", never with a password.
_LOGIN_NOTES = {
    "unit": "单位账号不设数据库登录：单位人员将通过网页端登录",
    "done": "数据库登录角色“{name}”已同步",
    "dba": "本连接无权管理数据库角色：账号已改好，数据库登录须由 DBA 在 psql 中执行：",
    "foreign": "数据库中已有角色“{name}”，不是本系统所建（或是超级用户），未改动：请 DBA 核对",
    "exists": "数据库中已有角色“{name}”，未改动（其组与密码照旧，请 DBA 核对）",
    "absent": "账号“{name}”没有数据库登录角色，未改动",
}


def _row(view: object) -> dict[str, object]:
    from dataclasses import asdict

    row = asdict(view)  # type: ignore[call-overload]
    row["created_at"] = row["created_at"].isoformat()
    return dict(row)


@user.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, help="viewer 查看, clerk 督查员, supervisor 科长/分管领导, admin, unit 单位.")
@click.option("--unit", default="", help="A unit account's unit, by name (that unit in every ledger).")
@click.option("--display", default="", help="The name shown for the account (default: NAME).")
@click.option("--admin", "as_admin", is_flag=True, help="An admin account (the first account must be one).")
@password_stdin
@json_option
@pass_obj
def add(
    obj: Obj,
    name: str,
    role: str | None,
    unit: str,
    display: str,
    as_admin: bool,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Add the account NAME, with a password asked for (twice)."""
    from tracker.usecases.accounts import add_account
    from tracker.usecases.work import actor_of

    if as_admin and role not in (None, "admin"):
        raise click.BadParameter(f"--admin 与 --role {role} 只能选一个", param_hint="--role")
    chosen = "admin" if as_admin else role
    if chosen is None:
        raise click.BadParameter("请写明账号的角色（--role ROLE，或 --admin）", param_hint="--role")
    tracker = obj.tracker
    actor = actor_of(tracker)
    changed = add_account(
        tracker, actor, name, role=chosen, unit=unit, display=display, password=_password(password_stdin)
    )
    view = changed.account
    unit_part = f"，{view.unit}" if view.unit else ""
    _show(changed, wants_json(obj, as_json), f"已添加账号 {view.login}（{_role(view.role)}{unit_part}）")


@user.command("list")
@json_option
@pass_obj
def list_(obj: Obj, as_json: bool) -> None:
    """The accounts (never their passwords)."""
    from tracker.usecases.accounts import list_accounts
    from tracker.usecases.work import actor_of

    rows = [_row(v) for v in list_accounts(obj.tracker, actor_of(obj.tracker))]
    if wants_json(obj, as_json):
        output.emit_json(rows)
        return
    shown = [
        {
            "账号": row["login"],
            "显示名": row["display"],
            "角色": _role(str(row["role"])),
            "单位": row["unit"],
            "状态": "停用" if row["disabled"] else "",
            "密码": "须改密码" if row["must_change_password"] else "",
            "创建日期": str(row["created_at"])[:10],
        }
        for row in rows
    ]
    output.simple_table("账号", shown, ["账号", "显示名", "角色", "单位", "状态", "密码", "创建日期"])


@user.command("role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--unit", default="", help="The unit, when the role is unit.")
@json_option
@pass_obj
def role(obj: Obj, name: str, role: str, unit: str, as_json: bool) -> None:
    """Give the account NAME the role ROLE."""
    from tracker.usecases.accounts import set_role
    from tracker.usecases.work import actor_of

    changed = set_role(obj.tracker, actor_of(obj.tracker), name, role, unit=unit)
    view = changed.account
    _show(changed, wants_json(obj, as_json), f"账号 {view.login} 的角色现为 {_role(view.role)}")


def _switch(command: str, *, enable: bool, doc: str) -> None:
    """`user enable` / `user disable` NAME: refused (nothing written) when it already is so."""

    @user.command(command, help=doc)
    @click.argument("name")
    @json_option
    @pass_obj
    def switch(obj: Obj, name: str, as_json: bool) -> None:
        from tracker.usecases.accounts import disable_account, enable_account
        from tracker.usecases.work import actor_of

        change, done = (enable_account, "已启用") if enable else (disable_account, "已停用")
        changed = change(obj.tracker, actor_of(obj.tracker), name)
        _show(changed, wants_json(obj, as_json), f"{done}账号 {changed.account.login}")


_switch("disable", enable=False, doc="Disable the account NAME (its audit rows stay; `user enable` undoes it).")
_switch("enable", enable=True, doc="Enable the disabled account NAME again (its role, unit and password as before).")


@user.command("reset-password")
@click.argument("name")
@password_stdin
@json_option
@pass_obj
def reset_password(obj: Obj, name: str, password_stdin: bool, as_json: bool) -> None:
    """Give the account NAME a new password, to be changed at its next login."""
    from tracker.usecases.accounts import reset_password as reset
    from tracker.usecases.work import actor_of

    changed = reset(obj.tracker, actor_of(obj.tracker), name, _password(password_stdin))
    _show(changed, wants_json(obj, as_json), f"已重设账号 {changed.account.login} 的密码（下次登录须修改）")


def _role(role: str) -> str:
    """A role as the bureau says it (管理员), with the word the commands take (admin)."""
    from tracker.permissions import ROLE_LABELS

    return f"{ROLE_LABELS.get(role, role)} {role}" if role in ROLE_LABELS else role


@user.command("link")
@click.argument("name")
@click.option(
    "--send", is_flag=True, help="Send the link at once to the account's own email/webhook (never a group robot)."
)
@json_option
@pass_obj
def link(obj: Obj, name: str, send: bool, as_json: bool) -> None:
    """A one-time login link for the account NAME (valid [web] link_minutes; see README, 网页门户)."""
    import zoneinfo

    from tracker.usecases.links import make_link
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    made = make_link(tracker, actor_of(tracker), name, send=send)
    sent = [{"channel": s.channel, "to": s.address, "delivered": s.delivered, "reason": s.reason} for s in made.sent]
    if wants_json(obj, as_json):
        output.emit_json(
            {"login": made.login, "url": made.url, "expires_at": made.expires_at.isoformat(), "sent": sent}
        )
        return
    until = made.expires_at.astimezone(zoneinfo.ZoneInfo(tracker.settings.timezone)).strftime("%Y-%m-%d %H:%M")
    click.echo(made.url)
    output.done(f"账号 {made.login} 的一次性登录链接，{until} 前有效，仅可使用一次")
    if not tracker.settings.web.base_url:
        output.done("配置文件未写 [web] base_url：上面只是路径，请在前面加上门户的网址")
    for one in made.sent:
        if one.delivered:
            output.done(f"已发送：{one.channel} {one.address}")
        else:
            output.done(f"未能发送：{one.channel} {one.address}：{one.reason}")
    if send and not any(one.delivered for one in made.sent):
        raise SystemExit(1)
