"""The web portal's logins: server-side sessions and the lockout after failed attempts.

The browser holds a random 256-bit token in a cookie; the ``web_session`` row keeps only its
SHA-256, with when it was made, when it ends (``[web] session_hours``), when it was last used
(``idle_minutes`` of disuse end it) and when it was revoked (logout, a password change). The
CSRF token of a session is derived from its token (``csrf_of``): a page from another site can
read neither.

Failed logins are counted per account and per address over the last ``lockout_minutes``; past
``max_failures`` (account) or ``ip_max_failures`` (address) further logins are refused until
the window has passed, whatever the password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.config import WebSettings
from tracker.models import Account, LoginAttempt, WebSession

TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_of(token: str) -> str:
    """The CSRF token of the session whose cookie is ``token``."""
    return hmac.new(token.encode(), b"tracker csrf", hashlib.sha256).hexdigest()


def open_session(
    session: Session, login: str, *, now: dt.datetime, settings: WebSettings, via_link: bool = False
) -> str:
    """A new session for ``login`` (``via_link``: opened by a one-time login link); returns the
    token the browser keeps (never stored)."""
    token = new_token()
    session.add(
        WebSession(
            token_hash=token_hash(token),
            login=login,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_hours),
            last_seen_at=now,
            via_link=via_link,
        )
    )
    return token


def live_session(session: Session, token: str, *, now: dt.datetime, settings: WebSettings) -> WebSession | None:
    """The session of ``token`` while it lasts (not revoked, not expired, not idle too long),
    its last use moved to ``now`` (at most once a minute: ``TOUCH_EVERY``); ``None`` otherwise."""
    if not token:
        return None
    row = session.exec(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
    return _touched(row, now=now, settings=settings)


def live_session_and_account(
    session: Session, token: str, *, now: dt.datetime, settings: WebSettings
) -> tuple[WebSession, Account | None] | None:
    """``live_session`` and its account (``None`` if gone) in one query: every portal request
    asks this first."""
    if not token:
        return None
    found = session.exec(
        select(WebSession, Account)
        .join(Account, col(Account.login) == col(WebSession.login), isouter=True)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, account = found
    return None if _touched(row, now=now, settings=settings) is None else (row, account)


def _touched(row: WebSession | None, *, now: dt.datetime, settings: WebSettings) -> WebSession | None:
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at >= dt.timedelta(minutes=settings.idle_minutes):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def revoke(session: Session, token: str, *, now: dt.datetime) -> str | None:
    """End the session of ``token``; the login it was, if it was live."""
    row = session.exec(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now
    return row.login


def revoke_others(session: Session, login: str, *, keep: str, now: dt.datetime) -> int:
    """End every session of ``login`` but the one of the token ``keep``; how many ended."""
    rows = session.exec(
        select(WebSession).where(
            WebSession.login == login,
            col(WebSession.revoked_at).is_(None),
            WebSession.token_hash != token_hash(keep),
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def record_attempt(session: Session, login: str, address: str, *, ok: bool, now: dt.datetime) -> None:
    session.add(LoginAttempt(login=login, address=address, at=now, ok=ok))


def locked_until(
    session: Session, login: str | None, address: str, *, now: dt.datetime, settings: WebSettings
) -> dt.datetime | None:
    """When logins of ``login`` from ``address`` may be tried again, if they are locked now: too
    many failures of the account (since its last success) or from the address in the window.
    ``login`` None: the address's failures only (a login link names no account until it is read)."""
    since = now - dt.timedelta(minutes=settings.lockout_minutes)
    last_ok = session.exec(
        select(sa.func.max(LoginAttempt.at)).where(LoginAttempt.login == login, LoginAttempt.ok == sa.true())
    ).one()
    account_since = max(since, last_ok) if last_ok is not None else since
    checks = [(LoginAttempt.address == address, settings.ip_max_failures, since)]
    if login is not None:
        checks.insert(0, (LoginAttempt.login == login, settings.max_failures, account_since))
    for where, limit, start in checks:
        failures = session.exec(
            select(LoginAttempt.at)
            .where(where, LoginAttempt.ok == sa.false(), col(LoginAttempt.at) > start)
            .order_by(col(LoginAttempt.at).desc())
            .limit(limit)
        ).all()
        if len(failures) >= limit:
            return failures[-1] + dt.timedelta(minutes=settings.lockout_minutes)
    return None
