"""Use cases of the web portal's logins: log in (throttled, locked out after failures), the
account a session cookie stands for, log out, change one's own password.

Logging in and looking a session up are done by the portal itself (``WEB``, a system actor:
action ``session.open``), since nobody is known yet; the audit rows name the account as the
subject. Changing a password is the account's own act (action ``account.password``).
Tokens and passwords never reach the audit trail or a log (tracker/web_sessions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.permissions import Actor
from tracker.refusals import Refusal
from tracker.usecases.work import unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker
    from tracker.models import Account
    from tracker.usecases.work import Work

WEB = Actor.system("web")
OPEN = "session.open"


@dataclass(frozen=True)
class Visitor:
    """Who a live session is: the account as it is now (a disabled account has no session)."""

    login: str
    display: str
    role: str
    unit: str
    must_change_password: bool
    csrf: str
    by_link: bool = False  # the session was opened by a login link: a new password needs no old one

    @property
    def actor(self) -> Actor:
        """The actor the portal's use cases act as: the account's name only (its role is read
        from the accounts again by every use case)."""
        return Actor(self.login)


@dataclass(frozen=True)
class LoggedIn:
    token: str
    visitor: Visitor


def log_in(tracker: Tracker, login: str, password: str, *, address: str, actor: Actor = WEB) -> LoggedIn:
    """A new session for ``login`` when ``password`` is its own and neither the account nor the
    ``address`` is locked out; refused with one message whatever was wrong (unknown account,
    wrong password, disabled), so that the answer tells nothing about which accounts exist."""
    from tracker import passwords, web_sessions
    from tracker.accounts import find_account
    from tracker.ledger_spec import clean_name

    name = clean_name(login)
    settings = tracker.settings.web
    with unit_of_work(tracker, actor, action=OPEN) as work:
        refusal = lockout(work, name, address)
        if refusal is None:
            account = find_account(work.session, name) if name else None
            ok = account is not None and not account.disabled and passwords.verify(account.password_hash, password)
            web_sessions.record_attempt(work.session, name, address, ok=ok, now=work.now)
            if account is None or not ok:
                work.audit("login.failed", ledger_id=None, subject=name, after={"address": address})
                refusal = Refusal("login_failed")
            else:
                token = web_sessions.open_session(work.session, account.login, now=work.now, settings=settings)
                work.audit("login", ledger_id=None, subject=account.login, after={"address": address})
                visitor = visitor_row(account.login, token, work.session)
    if refusal is not None:  # raised after the block: the attempt and its audit row are kept
        raise refusal
    assert visitor is not None  # the account was enabled a moment ago, in the same transaction
    return LoggedIn(token, visitor)


def lockout(work: Work, login: str | None, address: str) -> Refusal | None:
    """The refusal (audited ``login.locked``) while ``login`` (None: a login link, the address
    only) or ``address`` is locked out after failed attempts; ``None`` when it may try."""
    from tracker import web_sessions

    settings = work.tracker.settings.web
    until = web_sessions.locked_until(work.session, login, address, now=work.now, settings=settings)
    if until is None:
        return None
    minutes = max(1, int((until - work.now).total_seconds() // 60) + 1)
    after = {"address": address} | ({} if login is not None else {"link": True})
    work.audit("login.locked", ledger_id=None, subject=login or "", after=after)
    return Refusal("login_locked", minutes=minutes)


def visitor_of(tracker: Tracker, token: str, *, actor: Actor = WEB) -> Visitor | None:
    """Who the session cookie ``token`` stands for, while the session lasts and its account is
    enabled; ``None`` otherwise (the portal then asks to log in)."""
    from tracker import web_sessions

    if not token:
        return None
    with unit_of_work(tracker, actor, action=OPEN) as work:
        found = web_sessions.live_session_and_account(work.session, token, now=work.now, settings=tracker.settings.web)
        if found is None:
            return None
        row, account = found
        return visitor_of_account(account, token, by_link=row.via_link)


def log_out(tracker: Tracker, token: str, *, actor: Actor = WEB) -> None:
    """End the session of ``token`` on the server: the cookie is worth nothing after it."""
    from tracker import web_sessions

    with unit_of_work(tracker, actor, action=OPEN) as work:
        login = web_sessions.revoke(work.session, token, now=work.now)
        if login is not None:
            work.audit("logout", ledger_id=None, subject=login)


def change_password(tracker: Tracker, actor: Actor, old: str, new: str, *, keep: str = "") -> None:
    """The actor's own new password, once ``old`` is its current one; the new one must be
    acceptable (tracker/passwords.py) and differ from the old. Ends the actor's other sessions
    (all but the session of the token ``keep``).

    A session opened by a one-time login link (tracker/login_links.py) is the proof a password
    reset asks for: its first new password needs no ``old`` (the person may never have known one);
    after it, the session is an ordinary one."""
    from tracker import accounts, passwords, web_sessions

    with unit_of_work(tracker, actor, action="account.password") as work:
        account = accounts.existing(work.session, work.by)
        current = web_sessions.live_session(work.session, keep, now=work.now, settings=tracker.settings.web)
        by_link = current is not None and current.via_link and current.login == account.login
        if not by_link and not passwords.verify(account.password_hash, old):
            raise Refusal("password_wrong")
        if passwords.verify(account.password_hash, new):
            raise Refusal("password_same")
        if current is not None:
            current.via_link = False
        account.password_hash = passwords.hash_new(new, login=account.login)
        account.must_change_password = False
        ended = web_sessions.revoke_others(work.session, account.login, keep=keep, now=work.now)
        work.audit("account.password.own", ledger_id=None, subject=account.login, after={"sessions_ended": ended})


def visitor_row(login: str, token: str, session: Session, *, by_link: bool = False) -> Visitor | None:
    from tracker.accounts import find_account

    return visitor_of_account(find_account(session, login), token, by_link=by_link)


def visitor_of_account(account: Account | None, token: str, *, by_link: bool = False) -> Visitor | None:
    from tracker import web_sessions

    if account is None or account.disabled:
        return None
    return Visitor(
        account.login,
        account.display or account.login,
        account.role,
        account.unit_name,
        account.must_change_password,
        web_sessions.csrf_of(token),
        by_link,
    )
