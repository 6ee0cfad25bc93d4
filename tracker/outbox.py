"""The outbox: emails are rows first, sent second, marked third.

For each message: the row is claimed (``sending``, attempts + 1, logged) and committed before the
SMTP conversation, and marked ``sent`` (or ``failed``, with the server's reason and the time of
the next attempt) and committed after it. A crash before the claim sends nothing; a crash after
it leaves a ``sending`` row that the next run sends again with the same Message-ID, so the only
possible duplicate (a crash between the server's 250 and our mark) is recognisable as one. A
retry goes only to the recipients who do not have the message yet.

Before a send, waiting digests are rebuilt from the current state (``digests.refresh_digests``);
the claim takes only the revision that was composed, and a message the server may have
(``handed``) is never rebuilt, so a resend carries the same content and Message-ID. ``deliver``
is the sending policy (quiet hours, approval, backoff) that every front end calls.

Several senders at once (two `notify`, the scheduler and the TUI) never send a message twice:
the claim is a conditional update that takes a message only while it is unclaimed (``queued``,
``failed``) and still the revision that was composed, so exactly one sender owns it. A message
left ``sending`` names the sender that claimed it (``claimed_by``); another sender takes it over
only when that sender is gone (its PostgreSQL session has ended; on SQLite, its process on this
machine has exited), never while it lives.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker import audit
from tracker.config import Settings
from tracker.digests import refresh_digests
from tracker.errors import InputError
from tracker.mailer import Attachment, Mail, Mailer, MailServerError, Outcome, SendResult
from tracker.models import Notice, OutboxMessage, OutboxStatus, SendLog, table_of
from tracker.workdays import WorkCalendar

if TYPE_CHECKING:
    from tracker.app import Tracker

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNSENT = (OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value, OutboxStatus.FAILED.value)
UNCLAIMED = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)
# A claim by a sender whose life cannot be checked from here (a SQLite sender on another machine)
# is taken over once it is this old: far longer than any one SMTP conversation.
CLAIM_EXPIRY = dt.timedelta(hours=1)
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


def compose(session: Session, row: OutboxMessage, settings: Settings, now: dt.datetime) -> Mail:
    """The email of an outbox row, its notices rendered as .docx attachments, dated ``now``."""
    from pathlib import Path

    from tracker.notices import notice_detail
    from tracker.render import docx_bytes

    assert settings.smtp is not None
    attachments = []
    for notice_id in json.loads(row.notice_ids):
        notice = session.get(Notice, notice_id)
        if notice is not None:
            detail = notice_detail(session, notice, settings.notices.issuer)
            data = docx_bytes(detail, settings.notices.templates, settings.notices)
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
        date=now,
        timezone=settings.timezone,
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


def deliver(
    tracker: Tracker,
    *,
    manual: bool,
    as_of: dt.date | None = None,
    at: dt.datetime | None = None,
    anyway: bool = False,
    dry_run: bool = False,
    mailer_factory: Callable[[], Mailer] | None = None,
) -> NotifyResult:
    """The sending policy, the same for the CLI, the TUI and the scheduler.

    Nothing goes out in the quiet hours (judged at ``at``, default now, in the configured time
    zone) unless ``anyway`` (the CLI's ``--now``, the TUI's "send anyway"); a dry run shows what
    would go out at any hour. With ``require_approval``, only approved messages go. A person
    sending (``manual``) sends failed messages at once; the scheduler waits each one's retry
    time. Messages queued up to ``as_of`` (default today) go, each digest rebuilt first.
    """
    from zoneinfo import ZoneInfo

    from tracker.mailer import smtp_password

    settings = tracker.settings
    if settings.smtp is None:
        raise InputError(
            "[smtp] is not configured: add the mail server to the config file (see config.example.toml)",
            key="no_smtp",
        )
    as_of = as_of or tracker.today()
    moment = (at or tracker.now()).astimezone(ZoneInfo(settings.timezone))
    if settings.notify.is_quiet(moment.time()) and not anyway and not dry_run:
        with tracker.session() as session:
            return NotifyResult(queued=len(unsent_rows(session, as_of)), quiet=True)
    return send_outbox(
        tracker.engine,
        settings=settings,
        calendar=tracker.calendar,
        clock=tracker.now,
        as_of=as_of,
        password=None if dry_run else smtp_password(settings.smtp),
        honour_backoff=not manual,
        dry_run=dry_run,
        mailer_factory=mailer_factory,
    )


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
    """Send what is queued (up to ``as_of``), one committed step at a time; ``deliver`` decides
    whether to. Waiting digests are rebuilt from the current state first (a dry run shows them
    rebuilt and keeps nothing)."""
    result = NotifyResult()
    with Session(engine, expire_on_commit=False) as session:
        refresh_digests(session, now=clock(), settings=settings, calendar=calendar, up_to=as_of)
        if not dry_run:
            session.commit()
        rows = unsent_rows(session, as_of)
        ready = [r for r in rows if _ready(r, settings, clock(), honour_backoff)]
        result.awaiting_approval = sum(1 for r in rows if settings.notify.require_approval and r.approved_at is None)
        if dry_run:
            result.preview = [
                {"id": r.id, "to": r.to_addr, "cc": json.loads(r.cc), "subject": r.subject, "text": r.text}
                for r in ready
            ]
            result.queued = len(rows)
            session.rollback()
            return result
        # Everything is composed before the first claim: a broken template or a missing file is
        # an error before anything is sent, and the queue stays as it was. A send claims only the
        # revision it composed: a message rebuilt meanwhile waits for the next run.
        mails = {r.id: (r.revision, compose(session, r, settings, clock())) for r in ready}
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
        # Nothing was handed over, so nothing failed or counts as an attempt; but the messages
        # say why they are still waiting (`tracker outbox`, the UI), as a refusal would.
        table = table_of(OutboxMessage)
        with engine.begin() as connection:
            connection.execute(
                sa.update(table)
                .where(table.c.id.in_(ids), table.c.status.in_(UNCLAIMED))
                .values(last_error=exc.reason[:2000])
            )
        return result
    try:
        with _sender(engine) as me:
            for outbox_id in ids:
                assert outbox_id is not None
                revision, mail = mails[outbox_id]
                outcome = _send_one(engine, mailer, me, outbox_id, revision, mail, settings, clock, result)
                if outcome is Outcome.SERVER_DOWN:
                    break  # the rest stay queued as they are: no point in knocking on every one
    finally:
        mailer.close()
    with Session(engine) as session:
        result.queued = len(unsent_rows(session, as_of))
    return result


@contextmanager
def _sender(engine: Engine) -> Iterator[str]:
    """This sender's name while it sends, such that another sender can tell whether it still
    lives: on PostgreSQL a session kept open meanwhile (it ends when the process does); on
    SQLite this process (machine, pid and start time)."""
    if engine.dialect.name != "postgresql":
        pid = os.getpid()
        yield f"{socket.gethostname()}:{pid}:{_started(pid)}"
        return
    with engine.connect() as connection:
        pid, start = connection.execute(
            sa.text(
                "SELECT pid, (extract(epoch FROM backend_start) * 1000000)::bigint"
                " FROM pg_stat_activity WHERE pid = pg_backend_pid()"
            )
        ).one()
        connection.rollback()  # the session stays open, idle, for as long as this sender sends
        yield f"pg:{pid}:{start}"


def _started(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), so that a new process
    that got a dead one's pid is not taken for it; "" when /proc cannot tell or it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _claim_alive(session: Session, claimed_by: str, claimed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the sender that claimed a ``sending`` message may still be sending it."""
    if not claimed_by:
        return False  # claimed before claims were named: its sender is long gone
    kind, _, rest = claimed_by.partition(":")
    if kind == "pg":
        if session.get_bind().dialect.name != "postgresql":
            return False
        backend, _, start = rest.partition(":")
        found = session.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
                " AND (extract(epoch FROM backend_start) * 1000000)::bigint = :start"
            ),
            {"pid": int(backend), "start": int(start)},
        ).scalar_one()
        return bool(found)
    parts = claimed_by.rsplit(":", 2)
    if len(parts) != 3:
        return False  # not a name this version gives: nobody alive can have written it
    host, pid_text, started = parts
    if host != socket.gethostname() or not pid_text.isdigit():
        return claimed_at is None or now - claimed_at < CLAIM_EXPIRY  # cannot look: wait it out
    process = int(pid_text)
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, someone else's
    return _started(process) == started


def _claim(engine: Engine, me: str, outbox_id: int, revision: int, now: dt.datetime) -> set[str] | None:
    """Take the message for this sender and commit; None when someone else has it (sending,
    alive), sent it, or it was rebuilt or dropped meanwhile. Else the addresses that have it."""
    table = table_of(OutboxMessage)
    with _step(engine) as session:
        row = session.execute(
            sa.select(table.c.status, table.c.claimed_by, table.c.claimed_at).where(
                table.c.id == outbox_id, table.c.revision == revision
            )
        ).first()
        if row is None or row.status not in UNSENT:
            return None
        if row.status == OutboxStatus.SENDING.value:
            if _claim_alive(session, row.claimed_by, row.claimed_at, now):
                return None  # a live sender is sending it
            free = sa.and_(table.c.status == row.status, table.c.claimed_by == row.claimed_by)
        else:
            free = table.c.status.in_(UNCLAIMED)
        taken = session.execute(
            sa.update(table)
            .where(table.c.id == outbox_id, table.c.revision == revision, free)
            .values(
                status=OutboxStatus.SENDING.value,
                attempts=table.c.attempts + 1,
                handed=True,
                claimed_by=me,
                claimed_at=now,
            )
        ).rowcount  # type: ignore[attr-defined]
        if taken != 1:
            return None  # another sender claimed it first
        attempts, delivered = session.execute(
            sa.select(table.c.attempts, table.c.delivered).where(table.c.id == outbox_id)
        ).one()
        session.add(SendLog(outbox_id=outbox_id, at=now, event="claimed", detail=f"attempt {attempts}"))
        return set(json.loads(delivered))


def _send_one(
    engine: Engine,
    mailer: Mailer,
    me: str,
    outbox_id: int,
    revision: int,
    mail: Mail,
    settings: Settings,
    clock: Clock,
    result: NotifyResult,
) -> Outcome | None:
    delivered = _claim(engine, me, outbox_id, revision, clock())  # 1. claim: from here on, the server may get it
    if delivered is None:
        return None
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
    # Content and Message-ID stay fixed once anyone may have the message: some recipient took
    # it, or the connection dropped during DATA (the server may have queued it before its 250).
    row.handed = bool(delivered) or sent.outcome in (Outcome.SENT, Outcome.DROPPED)
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
