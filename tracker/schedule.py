"""What the scheduler does and when, without the scheduler: leases, due jobs, job runs.

`tracker run` (APScheduler, in ``runner.py``) and `tracker run --once` both ask ``run_due`` what is
due at a moment and run it here. Our own ``job_run`` table, not APScheduler's memory, decides:
a job runs for the latest date it was due on and not yet run (after downtime: once, not once per
missed day), and a unique (job, date) row makes a second run for the same date impossible.
Only the holder of the lease acts on a database; a holder that stops beating loses it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.config import WEEKDAYS, Settings, parse_clock
from tracker.models import JobRun, SchedulerLease, table_of

LEASE = "scheduler"
LEASE_SECONDS = 90  # a holder beats every 30 s; three missed beats and the lease is free
BEAT_SECONDS = 30
log = logging.getLogger("tracker.scheduler")


def acquire_lease(engine: Engine, holder: str, now: dt.datetime) -> str | None:
    """Take the lease (or keep it); None when taken, else who holds it and since when."""
    table = table_of(SchedulerLease)
    stale = now - dt.timedelta(seconds=LEASE_SECONDS)
    with engine.begin() as connection:
        taken = connection.execute(
            sa.update(table)
            .where(table.c.name == LEASE, sa.or_(table.c.holder == holder, table.c.heartbeat_at < stale))
            .values(holder=holder, heartbeat_at=now)
        ).rowcount
        if taken:
            return None
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(table).values(name=LEASE, holder=holder, acquired_at=now, heartbeat_at=now))
        return None
    except sa.exc.IntegrityError:
        pass  # someone holds it, alive
    with Session(engine) as session:
        current = session.get(SchedulerLease, LEASE)
        if current is None:  # released in between: try again next time
            return "nobody (just released)"
        return (
            f"{current.holder} (since {current.acquired_at:%Y-%m-%d %H:%M} UTC, alive {current.heartbeat_at:%H:%M:%S})"
        )


class Heartbeat:
    """Keeps the lease alive while work runs (a catch-up, `run --once`): a thread renews it every
    ``every`` seconds, so a long run never lets another scheduler take over and run it again."""

    def __init__(
        self, engine: Engine, holder: str, clock: Callable[[], dt.datetime], every: float | None = None
    ) -> None:
        self.engine, self.holder, self.clock = engine, holder, clock
        self.every = BEAT_SECONDS if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="tracker-lease", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                taken = acquire_lease(self.engine, self.holder, self.clock())
            except sa.exc.SQLAlchemyError as exc:  # the database was busy: the next beat tries again
                log.warning("could not renew the scheduler lease: %s", exc)
                continue
            if taken is not None:
                log.error("lost the scheduler lease to %s", taken)


def release_lease(engine: Engine, holder: str) -> None:
    table = table_of(SchedulerLease)
    with engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.name == LEASE, table.c.holder == holder))


def latest_due(now_local: dt.datetime, at: str, weekday: str | None = None) -> dt.date:
    """The latest date on which a job at ``at`` (on ``weekday``, if weekly) was due by ``now_local``."""
    moment = parse_clock(at)
    day = now_local.date()
    if now_local.time() < moment:
        day -= dt.timedelta(days=1)
    if weekday is not None:
        day -= dt.timedelta(days=(day.weekday() - WEEKDAYS.index(weekday)) % 7)
    return day


@dataclass(frozen=True)
class Job:
    name: str  # daily | weekly
    for_date: dt.date


def due_jobs(settings: Settings, now: dt.datetime) -> list[Job]:
    local = now.astimezone(ZoneInfo(settings.timezone))
    schedule = settings.schedule
    jobs = [Job("daily", latest_due(local, schedule.daily_at))]
    if schedule.weekly_to:
        jobs.append(Job("weekly", latest_due(local, schedule.weekly_at, schedule.weekly_day)))
    return jobs


def claim(engine: Engine, job: Job, now: dt.datetime) -> bool:
    """Record that ``job`` runs now; False when it has run (or is running) for that date. A run
    a stopped scheduler left unfinished (``interrupted``) may be taken again."""
    table = table_of(JobRun)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(table).values(
                    job=job.name, for_date=job.for_date, started_at=now, status="running", detail=""
                )
            )
        return True
    except sa.exc.IntegrityError:
        pass
    with engine.begin() as connection:
        retaken = connection.execute(
            sa.update(table)
            .where(table.c.job == job.name, table.c.for_date == job.for_date, table.c.status == "interrupted")
            .values(status="running", started_at=now, finished_at=None)
        ).rowcount
    return bool(retaken)


def finish(engine: Engine, job: Job, now: dt.datetime, status: str, detail: str) -> None:
    table = table_of(JobRun)
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.job == job.name, table.c.for_date == job.for_date)
            .values(finished_at=now, status=status, detail=detail[:2000])
        )


def mark_interrupted(engine: Engine) -> int:
    """Runs left 'running' by a scheduler that died (the caller holds the lease now) become
    'interrupted' and may run again: the check is idempotent and the outbox never sends twice."""
    table = table_of(JobRun)
    with engine.begin() as connection:
        count = connection.execute(
            sa.update(table).where(table.c.status == "running").values(status="interrupted")
        ).rowcount
    if count:
        log.warning("%d job run(s) left unfinished by a stopped scheduler will run again", count)
    return int(count)


def _latest_run(engine: Engine, name: str) -> dt.date | None:
    table = table_of(JobRun)
    with engine.connect() as connection:
        latest = connection.execute(sa.select(sa.func.max(table.c.for_date)).where(table.c.job == name)).scalar()
    return latest if latest is None or isinstance(latest, dt.date) else dt.date.fromisoformat(str(latest))


def run_due(engine: Engine, settings: Settings, now: dt.datetime, work: Callable[[Job], str]) -> list[Job]:
    """Run every job due by ``now`` that has not run for its date; returns those run."""
    ran = []
    for job in due_jobs(settings, now):
        latest = _latest_run(engine, job.name)
        if latest is not None and latest > job.for_date:
            # The clock went back (or `run --once --at` an earlier day): what is due for an
            # earlier date than one already run would mail yesterday's news as today's.
            log.warning(
                "the %s job ran for %s already; not running it for the earlier %s", job.name, latest, job.for_date
            )
            continue
        if not claim(engine, job, now):
            continue
        log.info("running the %s job for %s", job.name, job.for_date)
        try:
            detail = work(job)
        except Exception as exc:  # logged and recorded; the scheduler goes on with the next job
            log.exception("the %s job for %s failed", job.name, job.for_date)
            finish(engine, job, now, "failed", f"{type(exc).__name__}: {exc}")
        else:
            log.info("the %s job for %s: %s", job.name, job.for_date, detail)
            finish(engine, job, now, "done", detail)
        ran.append(job)
    return ran


def job_runs(engine: Engine, limit: int = 20) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.exec(select(JobRun).order_by(col(JobRun.started_at).desc()).limit(limit)))
