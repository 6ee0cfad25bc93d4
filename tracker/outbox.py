"""The outbox: messages are rows first, sent second, marked third, on every channel (email here;
group robots and webhooks through the same steps in ``channel_sending.py``).

For each message: the row is claimed (``sending``, attempts + 1, logged) and committed before the
SMTP conversation (a batch of rows in one step, ``claims.py``), and marked ``sent`` (or ``failed``,
with the server's reason and the time of the next attempt) and committed after it. A crash before
the claim sends nothing; a crash after it leaves a ``sending`` row that the next run sends again
with the same Message-ID, so the only possible duplicate (a crash between the server's 250 and our
mark) is recognisable as one. A retry goes only to the recipients who do not have the message yet.

Before a send, waiting digests are rebuilt from the current state (``digests.refresh_digests``);
the claim takes only the revision that was composed, and a message the server may have
(``handed``) is never rebuilt, so a resend carries the same content and Message-ID. The sending
policy (quiet hours, approval, backoff) that every front end calls is
``tracker.usecases.sending.send_messages``.

Several senders at once (two `notify`, the scheduler and the TUI) never send a message twice:
the claim is a conditional update that takes a message only while it is unclaimed (``queued``,
``failed``) and still the revision that was composed, so exactly one sender owns it; a message
left ``sending`` by a sender that is gone is taken over (``claims.py`` says how that is told).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker import audit
from tracker.claims import BATCH, UNCLAIMED, UNSENT, Claim, Mark, claim_batch, mark, release, retry_at, sender_name
from tracker.config import Settings
from tracker.digests import refresh_digests
from tracker.errors import InputError
from tracker.mailer import Attachment, Mail, Mailer, MailServerError, Outcome, SendResult
from tracker.models import Notice, OutboxMessage, OutboxStatus, SendLog, table_of
from tracker.workdays import WorkCalendar

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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


def approve_outbox(
    session: Session,
    *,
    now: dt.datetime,
    by: str,
    settings: Settings,
    calendar: WorkCalendar,
    as_of: dt.date | None = None,
) -> int:
    """Approve every unsent message not yet approved (up to ``as_of``), the digests as they are
    now (rebuilt first); the caller commits."""
    refresh_digests(session, now=now, settings=settings, calendar=calendar, up_to=as_of)
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


def compose(
    session: Session,
    row: OutboxMessage,
    settings: Settings,
    now: dt.datetime,
    rendered: dict[int, Attachment] | None = None,
) -> Mail:
    """The email of an outbox row, its notices rendered as .docx attachments, dated ``now``.
    ``rendered`` keeps each notice's .docx across the rows of one run: a notice sent to many
    persons is rendered once (about 60 ms each)."""
    from pathlib import Path

    rendered = {} if rendered is None else rendered
    assert settings.smtp is not None
    attachments = []
    for notice_id in json.loads(row.notice_ids):
        if notice_id not in rendered:
            notice = session.get(Notice, notice_id)
            if notice is None:
                continue
            rendered[notice_id] = _notice_docx(session, notice, settings)
        attachments.append(rendered[notice_id])
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
        date=now,
        timezone=settings.timezone,
    )


def _read_notices(session: Session, rows: list[OutboxMessage]) -> list[Notice]:
    """Every notice the rows attach, read a thousand to a statement: ``compose`` then finds each
    in the session instead of reading it alone (a query per digest)."""
    ids = sorted({notice_id for row in rows for notice_id in json.loads(row.notice_ids)})
    found: list[Notice] = []
    for start in range(0, len(ids), 1000):
        found += session.exec(select(Notice).where(col(Notice.id).in_(ids[start : start + 1000]))).all()
    return found


def _notice_docx(session: Session, notice: Notice, settings: Settings) -> Attachment:
    from tracker.notices import notice_detail
    from tracker.render import docx_bytes

    detail = notice_detail(session, notice, settings.notices.issuer)
    data = docx_bytes(detail, settings.notices.templates, settings.notices)
    return Attachment(f"{detail.title}（{detail.number}）.docx", data, DOCX)


def send_outbox(
    engine: Engine,
    *,
    settings: Settings,
    calendar: WorkCalendar,
    clock: Clock,
    as_of: dt.date,
    password: str | None,
    honour_backoff: bool,
    dry_run: bool = False,
    mailer_factory: Callable[[], Mailer] | None = None,
) -> NotifyResult:
    """Send what is queued (up to ``as_of``) on every channel, one committed step at a time;
    ``tracker.usecases.sending`` decides whether to. Waiting digests are rebuilt from the current
    state first (a dry run shows them rebuilt and keeps nothing)."""
    from tracker.channel_sending import Prepared, prepare, send_prepared

    result = NotifyResult()
    with Session(engine, expire_on_commit=False) as session:
        refresh_digests(session, now=clock(), settings=settings, calendar=calendar, up_to=as_of)
        if not dry_run:
            session.commit()
        rows = unsent_rows(session, as_of)
        active = settings.active_channels()
        ready = [r for r in rows if r.channel in active and _ready(r, settings, clock(), honour_backoff)]
        result.awaiting_approval = sum(1 for r in rows if settings.notify.require_approval and r.approved_at is None)
        if dry_run:
            result.preview = [_preview(r) for r in ready]
            result.queued = len(rows)
            session.rollback()
            return result
        # Everything is composed before the first claim: a broken template, a missing file or a
        # robot's secret missing from the environment is an error before anything is sent, and the
        # queue stays as it was. A send claims only the revision it composed: a message rebuilt
        # meanwhile waits for the next run.
        emails = [r for r in ready if r.channel == "email"]
        notices: dict[int, Attachment] = {}
        attached = _read_notices(session, emails)  # held: the session keeps only weak references
        mails = {_id(r): (r.revision, compose(session, r, settings, clock(), notices)) for r in emails}
        del attached
        others: dict[int, Prepared] = prepare([r for r in ready if r.channel != "email"], active)
    if not mails and not others:
        result.queued = len(rows)
        return result
    if mails:
        _send_mails(engine, mails, settings, password, clock, result, mailer_factory)
    if others:
        sent, problems = send_prepared(engine, others, settings, clock)
        result.sent, result.failed = result.sent + sent, result.failed + len(problems)
        result.problems += problems
    with Session(engine) as session:
        result.queued = len(unsent_rows(session, as_of))
    return result


def _preview(row: OutboxMessage) -> dict[str, Any]:
    shown = {"id": row.id, "to": row.to_addr, "cc": json.loads(row.cc), "subject": row.subject, "text": row.text}
    return shown if row.channel == "email" else {**shown, "channel": row.channel}


def _send_mails(
    engine: Engine,
    mails: dict[int, tuple[int, Mail]],
    settings: Settings,
    password: str | None,
    clock: Clock,
    result: NotifyResult,
    mailer_factory: Callable[[], Mailer] | None,
) -> None:
    assert settings.smtp is not None
    factory = mailer_factory or (lambda: Mailer(settings.smtp, password))  # type: ignore[arg-type]
    try:
        mailer = factory().open()
    except MailServerError as exc:
        result.problems.append(exc.reason)
        result.server_error = exc
        # Nothing was handed over, so nothing failed or counts as an attempt; but the messages
        # say why they are still waiting (`tracker outbox`, the UI), as a refusal would.
        table = table_of(OutboxMessage)
        with engine.begin() as connection:
            connection.execute(
                sa.update(table)
                .where(table.c.id.in_(list(mails)), table.c.status.in_(UNCLAIMED))
                .values(last_error=exc.reason[:2000])
            )
        return
    try:
        _send_all(engine, mailer, mails, settings, clock, result)
    finally:
        mailer.close()


def _send_all(
    engine: Engine,
    mailer: Mailer,
    mails: dict[int, tuple[int, Mail]],
    settings: Settings,
    clock: Clock,
    result: NotifyResult,
) -> None:
    """Send the composed messages, claimed a batch at a time, each marked as soon as the server
    answered; when the server goes away, the rest of the batch is given back untouched."""
    ids = list(mails)
    # One connection for every step: a step is its own committed transaction on it.
    with sender_name(engine) as me, engine.connect() as connection:
        for start in range(0, len(ids), BATCH):
            batch = {i: mails[i][0] for i in ids[start : start + BATCH]}
            claims = list(claim_batch(connection, me, batch, clock()).values())  # 1. claim
            for n, claim in enumerate(claims):
                sent = _send_one(connection, mailer, claim, mails[claim.outbox_id][1], settings, clock, result)
                if sent.outcome is Outcome.SERVER_DOWN:  # no point in knocking on every one
                    release(connection, me, claims[n + 1 :], clock(), sent.describe())
                    return


def _send_one(
    connection: sa.Connection,
    mailer: Mailer,
    claim: Claim,
    mail: Mail,
    settings: Settings,
    clock: Clock,
    result: NotifyResult,
) -> SendResult:
    remaining = [a for a in mail.recipients() if a not in claim.delivered]
    sent = mailer.send(mail, only=remaining)  # 2. send
    outcome = _outcome(claim, sent, settings, clock())
    mark(connection, claim, outcome, clock())  # 3. mark
    if outcome.status == OutboxStatus.SENT.value:
        result.sent += 1
    else:
        result.failed += 1
        result.problems.append(f"{mail.to[0][1]}: {sent.describe()}")
        result.server_error = sent.server_error or result.server_error
    return sent


def _outcome(claim: Claim, sent: SendResult, settings: Settings, now: dt.datetime) -> Mark:
    delivered = claim.delivered | set(sent.accepted)
    # Content and Message-ID stay fixed once anyone may have the message: some recipient took
    # it, or the connection dropped during DATA (the server may have queued it before its 250).
    handed = bool(delivered) or sent.outcome in (Outcome.SENT, Outcome.DROPPED)
    if sent.outcome is Outcome.SENT:
        return Mark(OutboxStatus.SENT.value, delivered, handed, detail=", ".join(sent.accepted))
    detail = f"{sent.outcome.value}: {sent.describe()}"
    if sent.accepted:
        detail += f" (delivered to {', '.join(sent.accepted)})"
    again = retry_at(settings, claim.attempts, now)
    return Mark(OutboxStatus.FAILED.value, delivered, handed, sent.describe(), again, "failed", detail)


def _id(row: OutboxMessage) -> int:
    assert row.id is not None, "an outbox row is flushed before it is logged"
    return row.id
