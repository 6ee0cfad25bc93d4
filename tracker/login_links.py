"""One-time login links (`tracker user link NAME [--send]`, the portal's /login/link/TOKEN).

A link carries a random 256-bit token; the ``login_link`` row keeps only its SHA-256, the account,
who made it and when it ends (``[web] link_minutes``, 15 by default). It opens one session, once:
it ends when used, when it expires, and when a newer link for the same account is made.

How a link travels (``--send``): **never through the outbox.** The outbox keeps a message's text
in clear (the token would sit in the database and in `tracker outbox`), waits for approval and
the quiet hours, and rebuilds and merges digests; a link that waits is a dead link. So the link is
sent at once, by the admin's command, on the account's *personal* channels only: email and the
webhook (an SMS gateway, a 政务 platform) of the present responsible person of a unit account's
unit, in every ledger that has the unit. Group robots (DingTalk, WeCom) are never used: everyone in
the group would read the link. The token is never logged or audited: a delivery's audit row names
the channel and the address, and a failure's reason has the token and the link redacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.channel_settings import PERSON_FIELDS, Target, contact_of
from tracker.channels.base import ChannelMessage, Recipient, SendOutcome, redact
from tracker.config import Settings
from tracker.models import Account, LoginLink, Person, Unit
from tracker.people import in_office

PATH = "/login/link/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(session: Session, login: str, *, now: dt.datetime, by: str, minutes: int) -> tuple[str, dt.datetime]:
    """A new link for ``login`` (its older unused links end now); the token (never stored) and
    when the link ends."""
    for older in session.exec(
        select(LoginLink).where(
            LoginLink.login == login, col(LoginLink.used_at).is_(None), col(LoginLink.revoked_at).is_(None)
        )
    ):
        older.revoked_at = now
    token = secrets.token_urlsafe(32)
    ends = now + dt.timedelta(minutes=minutes)
    session.add(LoginLink(token_hash=token_hash(token), login=login, created_at=now, created_by=by, expires_at=ends))
    return token, ends


def find(session: Session, token: str) -> LoginLink | None:
    if not token or len(token) > 200:
        return None
    return session.exec(select(LoginLink).where(LoginLink.token_hash == token_hash(token))).first()


def why_not(row: LoginLink | None, now: dt.datetime) -> str:
    """Why the link cannot be used now ("" when it can): unknown, used, revoked, expired."""
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    if row.revoked_at is not None:
        return "revoked"
    if now >= row.expires_at:
        return "expired"
    return ""


def url_of(base_url: str, token: str) -> str:
    """The link as people open it: ``[web] base_url`` + the path (the path alone without one)."""
    return f"{base_url}{PATH}{token}"


@dataclass(frozen=True)
class Destination:
    channel: str
    target: Target


def destinations(session: Session, account: Account, settings: Settings) -> list[Destination]:
    """Where a link for ``account`` may go: the personal channels (those that need no ledger or unit
    name: email, the webhook; never a group robot) of the present person of each unit named as the
    account's unit; one per channel and address."""
    if not account.unit_name:
        return []
    personal = {name: channel for name, channel in settings.active_channels().items() if not channel.needs_names}
    query = (
        sa.select(*(col(getattr(Person, f)) for f in PERSON_FIELDS))
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(col(Unit.name) == account.unit_name, in_office())
        .order_by(col(Person.id))
    )
    found: dict[tuple[str, str], Destination] = {}
    for row in session.execute(query):
        contact = contact_of("", account.unit_name, dict(zip(PERSON_FIELDS, row, strict=True)))
        for name, channel in personal.items():
            for target in channel.targets(contact):
                found.setdefault((name, target.key), Destination(name, target))
    return list(found.values())


def message(url: str, ends: dt.datetime, timezone: str, display: str) -> ChannelMessage:
    from zoneinfo import ZoneInfo

    until = ends.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    text = (
        f"{display}：\n\n请点击下面的链接登录督查台账门户（仅可使用一次，{until}前有效）：\n\n{url}\n\n"
        "如非本人申请，请忽略本消息，并告知督查室。"
    )
    return ChannelMessage(title="督查台账门户登录链接", markdown=text)


@dataclass(frozen=True)
class Delivery:
    channel: str
    address: str
    delivered: bool
    reason: str = ""


def deliver(
    settings: Settings,
    where: list[Destination],
    note: ChannelMessage,
    *,
    now: dt.datetime,
    hidden: tuple[str, ...],
    mailer_factory: Callable[[], object] | None = None,
) -> list[Delivery]:
    """Send ``note`` to each destination at once (email through one SMTP connection); what became
    of each, the reasons with ``hidden`` (the token, the link) and the channels' secrets redacted."""
    from tracker.channels.email import EmailChannel
    from tracker.mailer import Mailer, MailServerError, smtp_password

    done: list[Delivery] = []
    active = settings.active_channels()
    emails = [d for d in where if d.channel == "email"]
    if emails:
        assert settings.smtp is not None
        mailer: object | None = None
        try:
            made = mailer_factory() if mailer_factory else Mailer(settings.smtp, smtp_password(settings.smtp))
            mailer = made.open()  # type: ignore[attr-defined]
        except MailServerError as exc:
            done += [Delivery("email", d.target.address, False, redact(exc.reason, hidden)) for d in emails]
        if mailer is not None:
            sender = EmailChannel(mailer, settings.smtp.user, settings.smtp.sender_name, settings.timezone)  # type: ignore[arg-type]
            try:
                for d in emails:
                    recipient = Recipient(name=d.target.name, email=d.target.email)
                    done.append(_record(d, sender.send(note, recipient, now=now), hidden))
            finally:
                mailer.close()  # type: ignore[attr-defined]
    for d in where:
        if d.channel == "email":
            continue
        channel = active[d.channel]
        webhook = ""
        try:
            sender_of, webhook = channel.connect(d.target.key)
            recipient = Recipient(d.target.name, d.target.email, d.target.mobiles, d.target.user_ids, webhook)
            outcome = sender_of.send(note, recipient, now=now)
        except Exception as exc:  # a missing secret, a sender's bug: said, never raised past the others
            outcome = SendOutcome.refused(f"{type(exc).__name__}: {exc}")
        done.append(_record(d, outcome, (*hidden, *channel.secrets(d.target.key), webhook)))
    return done


def _record(d: Destination, outcome: SendOutcome, hidden: tuple[str, ...]) -> Delivery:
    from tracker.channels.base import Delivery as Outcome

    ok = outcome.delivery is Outcome.DELIVERED
    return Delivery(d.channel, d.target.address, ok, "" if ok else redact(outcome.reason, hidden))
