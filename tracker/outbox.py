"""The outbox: emails are rows first, sent second, marked third.

For each message: the row is claimed (``sending``, attempts + 1, logged) and committed before the
SMTP conversation, and marked ``sent`` (or ``failed``, with the server's reason and the time of
the next attempt) and committed after it. A crash before the claim sends nothing; a crash after
it leaves a ``sending`` row that the next run sends again with the same Message-ID, so the only
possible duplicate (a crash between the server's 250 and our mark) is recognisable as one. A
retry goes only to the recipients who do not have the message yet.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import Settings
from tracker.errors import InputError
from tracker.mailer import Attachment, Mail, Mailer, MailServerError, Outcome, SendResult
from tracker.models import Notice, OutboxMessage, OutboxStatus, SendLog

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNSENT = (OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value, OutboxStatus.FAILED.value)
Clock = Callable[[], dt.datetime]


@dataclass
class NotifyResult:
    sent: int = 0
    failed: int = 0
    queued: int = 0  # still waiting after this run (failed ones included)
    awaiting_approval: int = 0
    quiet: bool = False
    problems: list[str] = field(default_factory=list)  # "to: reason", one per failed message
    server_error: MailServerError | None = None  # the server could not be used at all
    preview: list[dict[str, Any]] = field(default_factory=list)  # a dry run's messages

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sent": self.sent, "failed": self.failed, "queued": self.queued}
        if self.awaiting_approval:
            data["awaiting_approval"] = self.awaiting_approval
        if self.quiet:
            data["quiet"] = True
        if self.problems:
            data["problems"] = self.problems
        if self.preview:
            data["messages"] = self.preview
        return data


def unsent_rows(session: Session, as_of: dt.date | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(col(OutboxMessage.status).in_(UNSENT))
    if as_of is not None:
        query = query.where(col(OutboxMessage.as_of) <= as_of)
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def outbox_rows(session: Session, *, include_sent: bool = False) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if not include_sent:
        query = query.where(col(OutboxMessage.status).in_(UNSENT))
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def approve_outbox(session: Session, *, now: dt.datetime, by: str, as_of: dt.date | None = None) -> int:
    """Approve every unsent message not yet approved (up to ``as_of``); the caller commits."""
    approved = 0
    for row in unsent_rows(session, as_of):
        if row.approved_at is None:
            row.approved_at, row.approved_by = now, by
            session.add(SendLog(outbox_id=_id(row), at=now, event="approved", detail=by))
            approved += 1
    if approved:
        audit.record(session, at=now, by=by, action="outbox.approve", ledger_id=None, after={"messages": approved})
    return approved


def _ready(row: OutboxMessage, settings: Settings, now: dt.datetime, honour_backoff: bool) -> bool:
    if settings.notify.require_approval and row.approved_at is None:
        return False
    return not (honour_backoff and row.next_attempt_at is not None and row.next_attempt_at > now)


def compose(session: Session, row: OutboxMessage, settings: Settings) -> Mail:
    """The email of an outbox row, its notices rendered as .docx attachments."""
    from pathlib import Path

    from tracker.notices import notice_detail
    from tracker.render import docx_bytes

    assert settings.smtp is not None
    attachments = []
    for notice_id in json.loads(row.notice_ids):
        notice = session.get(Notice, notice_id)
        if notice is not None:
            detail = notice_detail(session, notice, settings.notices.issuer)
            data = docx_bytes(detail, settings.notices.templates)
            attachments.append(Attachment(f"{detail.title}（{detail.number}）.docx", data, DOCX))
    for name in json.loads(row.files):
        path = Path(name)
        try:
            attachments.append(Attachment(path.name, path.read_bytes()))
        except OSError as exc:
            raise InputError(f"outbox message {row.id}: cannot attach {path}: {exc.strerror}") from None
    return Mail(
        sender=settings.smtp.user,
        sender_name=settings.smtp.sender_name,
        to=((row.person, row.to_addr),),
        cc=tuple(json.loads(row.cc)),
        subject=row.subject,
        text=row.text,
        html=row.html,
        message_id=row.message_id,
        attachments=tuple(attachments),
    )


def _retry_at(settings: Settings, attempts: int, now: dt.datetime) -> dt.datetime:
    waits = settings.notify.retry_minutes
    return now + dt.timedelta(minutes=waits[min(attempts, len(waits)) - 1])


@contextmanager
def _step(engine: Engine) -> Iterator[Session]:
    """One committed step: a crash between two steps loses neither."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def send_outbox(
    engine: Engine,
    *,
    settings: Settings,
    clock: Clock,
    as_of: dt.date,
    password: str | None,
    honour_backoff: bool,
    dry_run: bool = False,
    mailer_factory: Callable[[], Mailer] | None = None,
) -> NotifyResult:
    """Send what is queued (up to ``as_of``), one committed step at a time."""
    result = NotifyResult()
    with Session(engine) as session:
        rows = unsent_rows(session, as_of)
        ready = [r for r in rows if _ready(r, settings, clock(), honour_backoff)]
        result.awaiting_approval = sum(1 for r in rows if settings.notify.require_approval and r.approved_at is None)
        if dry_run:
            result.preview = [
                {"id": r.id, "to": r.to_addr, "cc": json.loads(r.cc), "subject": r.subject, "text": r.text}
                for r in ready
            ]
            result.queued = len(rows)
            return result
        # Everything is composed before the first claim: a broken template or a missing file is
        # an error before anything is sent, and the queue stays as it was.
        mails = {r.id: compose(session, r, settings) for r in ready}
        ids = [r.id for r in ready]
    if not ids:
        result.queued = len(rows)
        return result
    assert settings.smtp is not None
    factory = mailer_factory or (lambda: Mailer(settings.smtp, password))  # type: ignore[arg-type]
    try:
        mailer = factory().open()
    except MailServerError as exc:
        result.failed, result.queued = 0, len(rows)
        result.problems.append(exc.reason)
        result.server_error = exc
        return result
    try:
        for outbox_id in ids:
            assert outbox_id is not None
            if _send_one(engine, mailer, outbox_id, mails[outbox_id], settings, clock, result) is Outcome.SERVER_DOWN:
                break  # the rest stay queued as they are: no point in knocking on every one

    finally:
        mailer.close()
    with Session(engine) as session:
        result.queued = len(unsent_rows(session, as_of))
    return result


def _send_one(
    engine: Engine,
    mailer: Mailer,
    outbox_id: int,
    mail: Mail,
    settings: Settings,
    clock: Clock,
    result: NotifyResult,
) -> Outcome | None:
    with _step(engine) as session:  # 1. claim
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.status == OutboxStatus.SENT.value:
            return None  # someone else sent it meanwhile
        row.status, row.attempts = OutboxStatus.SENDING.value, row.attempts + 1
        session.add(SendLog(outbox_id=outbox_id, at=clock(), event="claimed", detail=f"attempt {row.attempts}"))
        delivered = set(json.loads(row.delivered))
    remaining = [a for a in mail.recipients() if a not in delivered]
    sent = mailer.send(mail, only=remaining)  # 2. send
    with _step(engine) as session:  # 3. mark
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        _mark(session, row, sent, delivered, settings, clock())
    if row.status == OutboxStatus.SENT.value:
        result.sent += 1
    else:
        result.failed += 1
        result.problems.append(f"{row.to_addr}: {sent.describe()}")
        result.server_error = sent.server_error or result.server_error
    return sent.outcome


def _mark(
    session: Session,
    row: OutboxMessage,
    sent: SendResult,
    delivered: set[str],
    settings: Settings,
    now: dt.datetime,
) -> None:
    delivered |= set(sent.accepted)
    row.delivered = json.dumps(sorted(delivered))
    if sent.outcome is Outcome.SENT:
        row.status, row.sent_at, row.last_error, row.next_attempt_at = OutboxStatus.SENT.value, now, "", None
        session.add(SendLog(outbox_id=_id(row), at=now, event="sent", detail=", ".join(sent.accepted)))
        return
    row.status, row.last_error = OutboxStatus.FAILED.value, sent.describe()
    row.next_attempt_at = _retry_at(settings, row.attempts, now)
    detail = f"{sent.outcome.value}: {sent.describe()}"
    if sent.accepted:
        detail += f" (delivered to {', '.join(sent.accepted)})"
    session.add(SendLog(outbox_id=_id(row), at=now, event="failed", detail=detail))


def _id(row: OutboxMessage) -> int:
    assert row.id is not None, "an outbox row is flushed before it is logged"
    return row.id
