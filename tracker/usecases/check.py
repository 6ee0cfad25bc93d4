"""The daily check as one use case: scan and escalate, issue notices, queue the day's digests.

The check queues; it never sends. Sending is the outbox's business (its own use case, under the
common policy: quiet hours, approval, retries), so whichever front end runs the check (`tracker
check`, the TUI's dashboard, the scheduler) nothing leaves the building because of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tracker.usecases.work import Actor, unit_of_work

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.app import Tracker
    from tracker.scan import Finding


@dataclass(frozen=True)
class IssuedNotice:
    """A notice the check issued: its ledger's title and the units it concerns (by name)."""

    id: int
    kind: str
    number: str
    ledger: str
    units: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """As `tracker check --json` lists it: id, kind, number, ledger, units."""
        return {**asdict(self), "units": list(self.units)}


@dataclass(frozen=True)
class Queued:
    """The digests the check left in the outbox (with a mail server configured)."""

    queued: int
    refreshed: int
    unreachable: tuple[tuple[str, str, str], ...]  # (ledger, unit, person) without an address
    approval: bool = False  # [notify] require_approval: queued and refreshed digests wait to be approved


@dataclass(frozen=True)
class CheckDone:
    as_of: dt.date
    counts: dict[str, int]  # findings per level
    findings: tuple[Finding, ...]  # every finding with ``with_findings``, else the ten most overdue
    notices: tuple[IssuedNotice, ...]
    lagging: tuple[dict[str, object], ...]  # 序时进度 flags (with findings only)
    outbox: Queued | None  # None: no mail server configured, nothing queued


def run_daily_check(
    tracker: Tracker,
    actor: Actor,
    *,
    as_of: dt.date | None = None,
    with_findings: bool = False,
    at: dt.datetime | None = None,
) -> CheckDone:
    """Judge every ledger on ``as_of`` (default: today), escalate what newly reached a level,
    issue its notices and queue the digests. Run twice on one day, the second issues nothing.

    ``at`` is the moment the check acts at when it is not now (the scheduler's run time).
    """
    from tracker.check import run_check
    from tracker.lookup import find_ledger
    from tracker.notices import notice_units

    day = as_of or tracker.today()
    with unit_of_work(tracker, actor, action="check.run") as work:
        session = work.session
        result = run_check(
            session,
            as_of=day,
            now=at or work.now,
            by=work.by,
            settings=tracker.settings,
            calendar=tracker.calendar,
            with_findings=with_findings,
        )
        ids = [n.id for n in result.notices if n.id is not None]
        units = notice_units(session, ids)
        titles = {lid: find_ledger(session, str(lid)).title for lid in {n.ledger_id for n in result.notices}}
        notices = tuple(
            IssuedNotice(n.id or 0, n.kind, n.number, titles[n.ledger_id], tuple(units.get(n.id or 0, [])))
            for n in result.notices
        )
        # The check's writes stand before SQLite's statistics are refreshed, on the connection
        # that ran its queries (the scheduler's connections live long: once a day is the point);
        # the unit of work commits what the refresh wrote.
        session.commit()
        _refresh_statistics(session)
    queued = result.outbox
    return CheckDone(
        as_of=day,
        counts=dict(result.counts),
        findings=tuple(result.findings),
        notices=notices,
        lagging=tuple(result.lagging),
        outbox=None
        if queued is None
        else Queued(
            queued.queued,
            queued.refreshed,
            tuple(queued.unreachable),
            approval=tracker.settings.notify.require_approval,
        ),
    )


def _refresh_statistics(session: Session) -> None:
    """SQLite's statistics refreshed after a check (``tracker.db.optimize``). A database busy
    with another writer (a second check started at the same moment) skips it: statistics are an
    optimisation the next check refreshes, never a reason for this check to fail after its work
    was committed. In WAL mode a connection whose snapshot is older than the other writer's
    commit gets "database is locked" at once, without waiting, so a retry would not help."""
    from sqlalchemy.exc import OperationalError

    from tracker.db import optimize

    try:
        optimize(session.connection())
    except OperationalError:
        session.rollback()
