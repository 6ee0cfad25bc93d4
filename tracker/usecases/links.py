"""Use cases of one-time login links (tracker/login_links.py): an admin makes one (and sends it),
the portal shows and uses one.

Making a link is account management (action ``account.manage``, an admin's). Looking at a link
and using it are the portal's own acts (``WEB``, action ``session.open``), as logging in is: the
audit rows name the account as the subject, never the token. A wrong link (unknown, used,
expired, replaced, of a disabled account) is a failed login attempt of the address (and of the
account when the link names one): throttled and locked out as wrong passwords are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.refusals import Refusal
from tracker.usecases.accounts import target
from tracker.usecases.sessions import OPEN, WEB, LoggedIn, lockout, visitor_row
from tracker.usecases.work import Actor, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.login_links import Delivery
    from tracker.models import LoginLink
    from tracker.usecases.work import Work

MANAGE = "account.manage"


@dataclass(frozen=True)
class LinkMade:
    login: str
    url: str  # [web] base_url + /login/link/TOKEN (the path alone without a base_url)
    expires_at: dt.datetime
    sent: tuple[Delivery, ...] = ()


def make_link(
    tracker: Tracker,
    actor: Actor,
    login: str,
    *,
    send: bool = False,
    mailer_factory: Callable[[], object] | None = None,
) -> LinkMade:
    """A new one-time login link for ``login`` (its older unused ones end), valid ``[web]
    link_minutes``; with ``send``, delivered at once on the account's personal channels (never
    through the outbox: tracker/login_links.py says why). Refused for a disabled account, and
    for ``send`` without ``[web] base_url`` or without any address to send to."""
    from tracker import login_links

    settings = tracker.settings
    if send and not settings.web.base_url:
        raise Refusal("link_no_base_url")
    with unit_of_work(tracker, actor, action=MANAGE) as work:
        account = target(work.session, login)
        if account.disabled:
            raise Refusal("account_disabled", name=account.login)
        where = login_links.destinations(work.session, account, settings) if send else []
        if send and not where:
            raise Refusal("link_no_address", name=account.login)
        token, ends = login_links.new_link(
            work.session, account.login, now=work.now, by=work.by, minutes=settings.web.link_minutes
        )
        work.audit(
            "login.link.make",
            ledger_id=None,
            subject=account.login,
            after={"expires_at": ends.isoformat(), "send": send},
        )
        display = account.display or account.login
    url = login_links.url_of(settings.web.base_url, token)
    if not send:
        return LinkMade(account.login, url, ends)
    note = login_links.message(url, ends, settings.timezone, display)
    sent = login_links.deliver(
        settings, where, note, now=tracker.now(), hidden=(url, token), mailer_factory=mailer_factory
    )
    with unit_of_work(tracker, actor, action=MANAGE) as work:
        for one in sent:
            after = {"channel": one.channel, "to": one.address, "delivered": one.delivered}
            work.audit("login.link.send", ledger_id=None, subject=account.login, after=after | _reason(one))
    return LinkMade(account.login, url, ends, tuple(sent))


def _reason(one: Delivery) -> dict[str, str]:
    return {"reason": one.reason[:500]} if one.reason else {}


@dataclass(frozen=True)
class LinkShown:
    """What the confirm page says of a usable link: whose it is."""

    login: str
    display: str


def show_link(tracker: Tracker, token: str, *, address: str, actor: Actor = WEB) -> LinkShown:
    """Whose the link ``token`` is, while it may be used; nothing is used up (a mail scanner
    opening the link consumes nothing). A wrong link is a failed attempt; one refusal for every
    reason (``link_invalid``), the lockout's when the address is locked out."""
    from tracker.accounts import find_account

    with _checked(tracker, token, address, actor) as (work, row):
        account = find_account(work.session, row.login)
        assert account is not None  # _checked refused a link of a missing account
        return LinkShown(account.login, account.display or account.login)


def use_link(tracker: Tracker, token: str, *, address: str, actor: Actor = WEB) -> LoggedIn:
    """Use the link ``token`` up and open a session for its account (a session that may set a
    new password without the old one: tracker/usecases/sessions.py ``change_password``)."""
    from tracker import web_sessions

    with _checked(tracker, token, address, actor) as (work, row):
        row.used_at = work.now
        web_sessions.record_attempt(work.session, row.login, address, ok=True, now=work.now)
        opened = web_sessions.open_session(
            work.session, row.login, now=work.now, settings=tracker.settings.web, via_link=True
        )
        work.audit("login.link", ledger_id=None, subject=row.login, after={"address": address})
        visitor = visitor_row(row.login, opened, work.session, by_link=True)
    assert visitor is not None  # _checked refused a disabled account in the same transaction
    return LoggedIn(opened, visitor)


@contextmanager
def _checked(tracker: Tracker, token: str, address: str, actor: Actor) -> Iterator[tuple[Work, LoginLink]]:
    """The unit of work of a link's look or use, yielding the work and the usable link row. A
    wrong link (unknown, used, replaced, expired, its account disabled or gone) is a failed
    attempt of the address (and of the account it names): its attempt and audit row (the reason,
    never the token) are committed, then ``link_invalid`` is raised, the same for every reason;
    the lockout's refusal while the address is locked out."""
    from tracker import login_links, web_sessions
    from tracker.accounts import find_account

    with unit_of_work(tracker, actor, action=OPEN) as work:
        refusal = lockout(work, None, address)
        if refusal is None:
            row = login_links.find(work.session, token)
            why = login_links.why_not(row, work.now)
            account = find_account(work.session, row.login) if row is not None else None
            if row is not None and not why and (account is None or account.disabled):
                why = "disabled"
            if row is None or why:
                login = row.login if row is not None else ""
                web_sessions.record_attempt(work.session, login, address, ok=False, now=work.now)
                after = {"address": address, "why": why}
                work.audit("login.link.failed", ledger_id=None, subject=login, after=after)
                refusal = Refusal("link_invalid")
            else:
                yield work, row
    if refusal is not None:  # raised after the block: the attempt and its audit row are kept
        raise refusal


def has_accounts(tracker: Tracker, *, actor: Actor = WEB) -> bool:
    """Whether any account exists (else the login page says how to make the first admin)."""
    from tracker.accounts import desk_mode

    with reading(tracker, actor, action=OPEN) as session:
        return not desk_mode(session)
