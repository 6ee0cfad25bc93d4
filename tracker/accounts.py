"""Accounts: who the actor is, resolved against the ``account`` table, and the changes an admin
makes to accounts. The use cases (tracker/usecases/accounts.py, tracker/usecases/work.py) call
these inside their unit of work; the permission check itself is tracker/permissions.py's.

Desk mode: while the table is empty, the actor is who the desk says (``--as`` or the OS user),
with every permission, as before accounts existed. Once an account exists, the actor must name
an enabled account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker import passwords
from tracker.ledger_spec import clean_name
from tracker.models import Account
from tracker.permissions import ROLES, SYSTEM, Actor, PermissionDenied
from tracker.refusals import Refusal


def desk_mode(session: Session) -> bool:
    """No account exists yet: one desk, everything allowed."""
    return session.exec(select(sa.func.count()).select_from(Account)).one() == 0


def find_account(session: Session, name: str) -> Account | None:
    return session.exec(select(Account).where(Account.login == clean_name(name))).first()


def resolve(session: Session, actor: Actor) -> Actor:
    """The actor as the accounts say now: the scheduler as itself; in desk mode the name as given
    (no role: everything allowed); else the enabled account of that name, refused otherwise.
    The role and unit an ``actor`` carries in are never trusted: they are read here."""
    if actor.role == SYSTEM:
        return actor
    account = find_account(session, actor.name)  # found: not desk mode, no need to count (one query a use case)
    if account is None:
        if desk_mode(session):
            return Actor(actor.name)
        raise PermissionDenied("account_unknown", name=actor.name)
    if account.disabled:
        raise PermissionDenied("account_disabled", name=account.login)
    return Actor(account.login, account.role, account.unit_name, account.display)


@dataclass(frozen=True)
class AccountView:
    """An account as listed: never its password hash."""

    login: str
    display: str
    role: str
    unit: str
    disabled: bool
    must_change_password: bool
    created_at: dt.datetime


def view(account: Account) -> AccountView:
    return AccountView(
        account.login,
        account.display,
        account.role,
        account.unit_name,
        account.disabled,
        account.must_change_password,
        account.created_at,
    )


def check_role(role: str, unit: str) -> None:
    if role not in ROLES:
        raise Refusal("account_role", role=role, roles="、".join(ROLES))
    if role == "unit" and not unit:
        raise Refusal("account_unit_needed")
    if role != "unit" and unit:
        raise Refusal("account_unit_only")


def add_account(
    session: Session, *, login: str, role: str, unit: str, display: str, password: str, now: dt.datetime, by: str
) -> Account:
    """A new account; the first one must be an admin (else nobody could manage the others).
    Someone else's account must change its password at first use."""
    name, unit = clean_name(login), clean_name(unit)
    if not name:
        raise Refusal("account_name_empty")
    check_role(role, unit)
    if desk_mode(session) and role != "admin":
        raise Refusal("account_first_admin")
    if find_account(session, name) is not None:
        raise Refusal("account_exists", name=name)
    account = Account(
        login=name,
        display=clean_name(display) or name,
        role=role,
        unit_name=unit,
        password_hash=passwords.hash_new(password, login=name),
        must_change_password=name != clean_name(by),
        created_at=now,
    )
    session.add(account)
    return account


def existing(session: Session, login: str) -> Account:
    account = find_account(session, login)
    if account is None:
        raise Refusal("account_unknown", name=login)
    return account


def keep_an_admin(session: Session, account: Account) -> None:
    """Refuse taking away the last enabled admin: nobody could manage accounts after it."""
    if account.role != "admin" or account.disabled:
        return
    admins = session.exec(
        select(sa.func.count()).select_from(Account).where(Account.role == "admin", Account.disabled == sa.false())
    ).one()
    if admins <= 1:
        raise Refusal("account_last_admin", name=account.login)


def list_accounts(session: Session) -> list[AccountView]:
    return [view(a) for a in session.exec(select(Account).order_by(Account.login)).all()]
