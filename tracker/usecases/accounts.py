"""Use cases on accounts: add, list, change role, disable and enable again, reset a password; and who the desk
acts as. Only an admin may manage accounts (action ``account.manage``); while no account exists
(desk mode) the desk may add the first one, which must be an admin.

On PostgreSQL each change carries through to the account's login role (tracker/pg_roles.py) in
the same transaction as the account's row: both are written, or neither. A connection that may
not manage roles changes the account only, and says what the DBA is to run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.refusals import Refusal
from tracker.usecases.work import Actor, actor_of, permit, reading, unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.accounts import AccountView
    from tracker.app import Tracker
    from tracker.models import Account
    from tracker.pg_roles import Login

MANAGE = "account.manage"


@dataclass(frozen=True)
class Changed:
    """An account as a change left it, and what became of its database login."""

    account: AccountView
    login: Login


def add_account(
    tracker: Tracker, actor: Actor, login: str, *, role: str, password: str, unit: str = "", display: str = ""
) -> Changed:
    """A new account with ``password`` (kept as its argon2 hash only), and on PostgreSQL its login
    role in its role's group with that password (a unit account has none)."""
    from tracker import accounts, pg_roles

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        first = accounts.desk_mode(work.session)
        connection = work.session.connection()
        account = accounts.add_account(
            work.session,
            login=login,
            role=role,
            unit=unit,
            display=display,
            password=password,
            now=work.now,
            by=work.by,
        )
        _known_unit(work.session, account.unit_name)
        if account.role in pg_roles.GROUPS:
            pg_roles.check_login_name(connection, account.login)
        made = pg_roles.create_login(connection, account.login, account.role, password)
        after = {"role": account.role, "unit": account.unit_name, "display": account.display}
        work.audit(
            "account.add",
            ledger_id=None,
            subject=account.login,
            after=after | ({"desk_mode_ends": True} if first else {}) | _login_audit(made),
        )
        return Changed(accounts.view(account), made)


def list_accounts(tracker: Tracker, actor: Actor) -> list[AccountView]:
    """Every account, by login name (never a password hash)."""
    from tracker import accounts

    with reading(tracker, actor, action=MANAGE) as session:
        return accounts.list_accounts(session)


def set_role(tracker: Tracker, actor: Actor, login: str, role: str, *, unit: str = "") -> Changed:
    """Give ``login`` another role (a unit account names its unit); the last admin keeps its role.
    On PostgreSQL its login role moves to the new role's group (a unit account's loses its login)."""
    from tracker import accounts, pg_roles
    from tracker.ledger_spec import clean_name

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = target(work.session, login)
        unit = clean_name(unit)
        accounts.check_role(role, unit)
        _known_unit(work.session, unit)
        if role != "admin":
            accounts.keep_an_admin(work.session, account)
        before = {"role": account.role, "unit": account.unit_name}
        account.role, account.unit_name = role, unit
        connection = work.session.connection()
        if role in pg_roles.GROUPS:
            pg_roles.check_login_name(connection, account.login)
        moved = pg_roles.move_login(connection, account.login, role, disabled=account.disabled)
        work.audit(
            "account.role",
            ledger_id=None,
            subject=account.login,
            before=before,
            after={"role": role, "unit": unit} | _login_audit(moved),
        )
        return Changed(accounts.view(account), moved)


def disable_account(tracker: Tracker, actor: Actor, login: str) -> Changed:
    """Disable ``login``: it can no longer act (its audit rows stay); not the last admin. On
    PostgreSQL its login role can no longer log in (NOLOGIN)."""
    from tracker import accounts, pg_roles

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = target(work.session, login)
        if account.disabled:
            raise Refusal("account_disabled_already", name=account.login)
        accounts.keep_an_admin(work.session, account)
        account.disabled = True
        stopped = pg_roles.disable_login(work.session.connection(), account.login)
        work.audit("account.disable", ledger_id=None, subject=account.login, after=_login_audit(stopped))
        return Changed(accounts.view(account), stopped)


def enable_account(tracker: Tracker, actor: Actor, login: str) -> Changed:
    """Enable ``login`` again, as it was before ``disable_account`` (its role, unit and password
    unchanged). On PostgreSQL its login role may log in again (LOGIN; a unit account has none)."""
    from tracker import accounts, pg_roles

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = target(work.session, login)
        if not account.disabled:
            raise Refusal("account_enabled_already", name=account.login)
        account.disabled = False
        started = pg_roles.enable_login(work.session.connection(), account.login, account.role)
        work.audit("account.enable", ledger_id=None, subject=account.login, after=_login_audit(started))
        return Changed(accounts.view(account), started)


def reset_password(tracker: Tracker, actor: Actor, login: str, password: str) -> Changed:
    """Give ``login`` a new password, to be changed at its next login (the audit row says that it
    happened, never the password or its hash). On PostgreSQL its login role takes it too, sent as
    a SCRAM verifier only."""
    from tracker import accounts, passwords, pg_roles

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = target(work.session, login)
        account.password_hash = passwords.hash_new(password, login=account.login)
        account.must_change_password = True
        renewed = pg_roles.set_login_password(work.session.connection(), account.login, account.role, password)
        work.audit("account.password", ledger_id=None, subject=account.login, after=_login_audit(renewed))
        return Changed(accounts.view(account), renewed)


def target(session: Session, login: str) -> Account:
    """The account ``login`` that a command acts on (not the one acting): a missing one is refused
    naming the list to look in. (``accounts.existing``'s wording is for the acting account: it asks
    for --as, which is not what is wrong here.)"""
    from tracker import accounts
    from tracker.errors import NotFoundError
    from tracker.ledger_spec import clean_name

    account = accounts.find_account(session, login)
    if account is None:
        name = clean_name(login)
        raise NotFoundError(f"没有账号“{name}”（见 tracker user list）", key="account_target_unknown", name=name)
    return account


def _known_unit(session: Session, unit: str) -> None:
    """A unit account's unit must be a unit of some ledger, as the ledgers name it (``mine`` and
    every unit check compare whole names), once any ledger is imported; before that (accounts made
    first) any name is taken. A part of one unit's name (南乐县) is refused, naming the whole one."""
    if not unit:
        return
    from sqlmodel import col, select

    from tracker.errors import InputError
    from tracker.models import Ledger, Unit

    if session.exec(select(Ledger.id).limit(1)).first() is None:
        return
    if session.exec(select(Unit.id).where(Unit.name == unit).limit(1)).first() is not None:
        return
    near = sorted(set(session.exec(select(Unit.name).where(col(Unit.name).contains(unit)))))
    hint = (
        f"；是否指 {'、'.join(near[:5])}{'等' if len(near) > 5 else ''}？"
        if near
        else "（单位名须与台账中的写法完全一致）"
    )
    raise InputError(f"--unit：没有名为“{unit}”的责任单位{hint}", key="account_unit_unknown", unit=unit, near=near)


def _login_audit(login: Login) -> dict[str, str]:
    """What the audit row says of the database login (nothing on SQLite; never a password)."""
    return {} if login.state == "none" else {"database_login": login.state}


@dataclass(frozen=True)
class Acting:
    """Who the desk acts as, for a front end's header: an account's login, display name and role,
    or desk mode (no accounts: ``role`` None)."""

    login: str
    display: str
    role: str | None

    @property
    def desk(self) -> bool:
        return self.role is None

    @property
    def role_label(self) -> str:
        from tracker.permissions import ROLE_LABELS

        return ROLE_LABELS.get(self.role or "", self.role or "")


def who_acts(tracker: Tracker, actor: Actor | None = None) -> Acting:
    """The account ``actor`` (default: the desk's user) acts as, as the accounts say now; refused
    (and audited) as every use case is for an unknown or disabled account."""
    found = permit(tracker, actor or actor_of(tracker), "account.whoami")
    return Acting(found.name, found.display, found.role)


def open_desk(tracker: Tracker, actor: Actor | None = None) -> Acting:
    """The account that opens the terminal UI, refused (exit 2, audited) before the UI starts when
    it may not read the bureau's lists, which the UI shows on every screen. A unit account is
    pointed to its own views (`tracker mine`, the web portal) instead."""
    from tracker.permissions import PermissionDenied

    acting = who_acts(tracker, actor)
    try:
        permit(tracker, Actor(acting.login), "read")
    except PermissionDenied:
        if acting.role == "unit":
            raise PermissionDenied("desk_unit_account", name=acting.login) from None
        raise
    return acting
