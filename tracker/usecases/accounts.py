"""Use cases on accounts: add, list, change role, disable, reset a password; and who the desk
acts as. Only an admin may manage accounts (action ``account.manage``); while no account exists
(desk mode) the desk may add the first one, which must be an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.usecases.work import Actor, actor_of, permit, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.accounts import AccountView
    from tracker.app import Tracker

MANAGE = "account.manage"


def add_account(
    tracker: Tracker, actor: Actor, login: str, *, role: str, password: str, unit: str = "", display: str = ""
) -> AccountView:
    """A new account with ``password`` (kept as its argon2 hash only)."""
    from tracker import accounts

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        first = accounts.desk_mode(work.session)
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
        after = {"role": account.role, "unit": account.unit_name, "display": account.display}
        work.audit(
            "account.add",
            ledger_id=None,
            subject=account.login,
            after=after | ({"desk_mode_ends": True} if first else {}),
        )
        return accounts.view(account)


def list_accounts(tracker: Tracker, actor: Actor) -> list[AccountView]:
    """Every account, by login name (never a password hash)."""
    from tracker import accounts

    with reading(tracker, actor, action=MANAGE) as session:
        return accounts.list_accounts(session)


def set_role(tracker: Tracker, actor: Actor, login: str, role: str, *, unit: str = "") -> AccountView:
    """Give ``login`` another role (a unit account names its unit); the last admin keeps its role."""
    from tracker import accounts
    from tracker.ledger_spec import clean_name

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = accounts.existing(work.session, login)
        unit = clean_name(unit)
        accounts.check_role(role, unit)
        if role != "admin":
            accounts.keep_an_admin(work.session, account)
        before = {"role": account.role, "unit": account.unit_name}
        account.role, account.unit_name = role, unit
        work.audit(
            "account.role", ledger_id=None, subject=account.login, before=before, after={"role": role, "unit": unit}
        )
        return accounts.view(account)


def disable_account(tracker: Tracker, actor: Actor, login: str) -> AccountView:
    """Disable ``login``: it can no longer act (its audit rows stay); not the last admin."""
    from tracker import accounts

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = accounts.existing(work.session, login)
        accounts.keep_an_admin(work.session, account)
        account.disabled = True
        work.audit("account.disable", ledger_id=None, subject=account.login)
        return accounts.view(account)


def reset_password(tracker: Tracker, actor: Actor, login: str, password: str) -> AccountView:
    """Give ``login`` a new password, to be changed at its next login (the audit row says that it
    happened, never the password or its hash)."""
    from tracker import accounts, passwords

    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = accounts.existing(work.session, login)
        account.password_hash = passwords.hash_new(password, login=account.login)
        account.must_change_password = True
        work.audit("account.password", ledger_id=None, subject=account.login)
        return accounts.view(account)


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
