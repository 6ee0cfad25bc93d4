"""Use cases of the outbox: send it (the one sending policy), approve it, show it.

``send_messages`` is the policy the CLI (`tracker notify`), the TUI's outbox screen and the
scheduler share, for every channel: nothing goes out in the quiet hours unless a person says
"anyway", only approved messages go when approval is required, and the scheduler waits each
failed message's retry time while a person sending retries at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.errors import InputError
from tracker.usecases.work import Actor, permit, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.mailer import Mailer
    from tracker.models import OutboxMessage
    from tracker.outbox import NotifyResult


def _nothing_configured() -> InputError:
    return InputError(
        "配置文件中没有 [smtp]（也没有其他发送渠道 [channels]），无法发送：请在配置文件中写明邮件服务器"
        "（见 config.example.toml）",
        key="no_smtp",
    )


def can_send(tracker: Tracker) -> bool:
    """Whether any channel is configured (the mail server, a robot, a webhook)."""
    return bool(tracker.settings.active_channels())


def send_messages(
    tracker: Tracker,
    actor: Actor,
    *,
    manual: bool,
    as_of: dt.date | None = None,
    at: dt.datetime | None = None,
    anyway: bool = False,
    dry_run: bool = False,
    mailer_factory: Callable[[], Mailer] | None = None,
) -> NotifyResult:
    """Send what is waiting, on every channel, by the common policy.

    Nothing goes out in the quiet hours (judged at ``at``, default now, in the configured time
    zone) unless ``anyway`` (the CLI's ``--now``, the TUI's "send anyway"); a dry run shows what
    would go out at any hour. With ``require_approval``, only approved messages go. A person
    sending (``manual``) sends failed messages at once; the scheduler waits each one's retry
    time. Messages queued up to ``as_of`` (default today) go, each digest rebuilt first.
    Each message is its own committed claim → send → mark (``tracker.claims``): the actor is
    what the send log names through the audit of approvals, not a transaction of its own.
    """
    from zoneinfo import ZoneInfo

    from tracker.mailer import smtp_password
    from tracker.outbox import NotifyResult, send_outbox, unsent_rows

    permit(tracker, actor, "outbox.send")
    settings = tracker.settings
    if not settings.active_channels():
        raise _nothing_configured()
    as_of = as_of or tracker.today()
    moment = (at or tracker.now()).astimezone(ZoneInfo(settings.timezone))
    if settings.notify.is_quiet(moment.time()) and not anyway and not dry_run:
        with reading(tracker, actor, action="outbox.send") as session:
            return NotifyResult(queued=len(unsent_rows(session, as_of)), quiet=True)
    password = None
    if settings.smtp is not None and "email" in settings.active_channels() and not dry_run:
        password = smtp_password(settings.smtp)
    return send_outbox(
        tracker.engine,
        settings=settings,
        calendar=tracker.calendar,
        clock=tracker.now,
        as_of=as_of,
        password=password,
        honour_backoff=not manual,
        dry_run=dry_run,
        mailer_factory=mailer_factory,
    )


def queue_weekly_report(tracker: Tracker, actor: Actor, *, as_of: dt.date, at: dt.datetime | None = None) -> int:
    """Queue the weekly report for ``as_of`` to each leader in ``[schedule] weekly_to``, the table
    attached (once per date: a second call queues nothing); how many were queued. ``at`` is the
    moment it is queued at when it is not now (the scheduler's run time)."""
    from tracker.weekly import queue_weekly

    with unit_of_work(tracker, actor, action="report.queue") as work:
        return queue_weekly(
            work.session, as_of=as_of, now=at or work.now, settings=tracker.settings, calendar=tracker.calendar
        )


@dataclass(frozen=True)
class Approved:
    count: int


def approve_messages(tracker: Tracker, actor: Actor, *, as_of: dt.date | None = None) -> Approved:
    """Approve every waiting message not yet approved (up to ``as_of``), as rebuilt now."""
    from tracker.outbox import approve_outbox

    with unit_of_work(tracker, actor, action="outbox.approve") as work:
        count = approve_outbox(
            work.session, now=work.now, by=actor.name, settings=tracker.settings, calendar=tracker.calendar, as_of=as_of
        )
    return Approved(count)


@dataclass(frozen=True)
class OutboxEntry:
    """One message as the outbox shows it."""

    id: int
    channel: str
    as_of: dt.date
    to: str
    person: str
    cc: tuple[str, ...]
    subject: str
    status: str
    attempts: int
    error: str
    approved: bool
    notices: tuple[int, ...]
    text: str

    @property
    def awaiting_approval(self) -> bool:
        return not self.approved and self.status in ("queued", "sending", "failed")

    def as_json(self, *, with_text: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "channel": self.channel,
            "as_of": self.as_of.isoformat(),
            "to": self.to,
            "person": self.person,
            "cc": list(self.cc),
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "approved": self.approved,
            "notices": list(self.notices),
        }
        if with_text:
            data["text"] = self.text
        return data


def _entry(row: OutboxMessage) -> OutboxEntry:
    assert row.id is not None
    return OutboxEntry(
        id=row.id,
        channel=row.channel,
        as_of=row.as_of,
        to=row.to_addr,
        person=row.person,
        cc=tuple(json.loads(row.cc)),
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        error=row.last_error,
        approved=row.approved_at is not None,
        notices=tuple(json.loads(row.notice_ids)),
        text=row.text,
    )


def outbox_messages(
    tracker: Tracker, actor: Actor, *, include_sent: bool = False, only_id: int | None = None
) -> list[OutboxEntry]:
    """The messages waiting (and, with ``include_sent``, those gone), as they will be sent:
    waiting digests are rebuilt from the current state first (which is why this writes)."""
    from tracker.digests import refresh_digests
    from tracker.models import OutboxMessage
    from tracker.outbox import outbox_rows

    with unit_of_work(tracker, actor, action="outbox.list") as work:
        refresh_digests(work.session, now=work.now, settings=tracker.settings, calendar=tracker.calendar)
        work.session.flush()
        if only_id is not None:
            row = work.session.get(OutboxMessage, only_id)
            if row is None:
                raise InputError(f"no outbox message {only_id} (see `tracker outbox --all`)")
            return [_entry(row)]
        return [_entry(row) for row in outbox_rows(work.session, include_sent=include_sent)]
