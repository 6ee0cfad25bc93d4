"""`tracker run`: APScheduler 3 in the foreground, acting through ``schedule.py``.

APScheduler only wakes us up: its jobs are rebuilt from the config at every start (a persisted
job whose function moved would be dropped silently), its triggers get the configured time zone
explicitly, and what runs for which date is decided by our own run log (``run_due``), so a
restart after downtime catches up once. Logs go to stderr and a rotating file.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

from tracker.app import Tracker
from tracker.schedule import BEAT_SECONDS, Heartbeat, Job, acquire_lease, mark_interrupted, release_lease, run_due

log = logging.getLogger("tracker.scheduler")
RETRY_MINUTES = 5


class _PrivateLog(logging.handlers.RotatingFileHandler):
    """The log, readable by its owner only as every file tracker writes (a new one after each
    rotation too)."""

    def _open(self) -> Any:
        descriptor = os.open(self.baseFilename, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(log_file: Path) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)

    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(),
        _PrivateLog(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"),
    ]
    root = logging.getLogger("tracker")
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def do_job(tracker: Tracker, job: Job, now: dt.datetime) -> str:
    """The work of one job run; returns a line for the run log."""
    if job.name == "daily":
        from tracker.usecases.check import run_daily_check
        from tracker.usecases.work import Actor

        done = run_daily_check(tracker, Actor.system(), as_of=job.for_date, at=now)
        queued = done.outbox.queued if done.outbox else 0
        return f"{len(done.notices)} notice(s), {queued} digest(s) queued; " + send_waiting(tracker, now)
    if job.name == "weekly":
        from tracker.usecases.sending import queue_weekly_report
        from tracker.usecases.work import Actor

        queued = queue_weekly_report(tracker, Actor.system(), as_of=job.for_date, at=now)
        return f"weekly report queued for {queued} recipient(s); " + send_waiting(tracker, now)
    raise ValueError(f"unknown job {job.name}")


def send_waiting(tracker: Tracker, now: dt.datetime) -> str:
    """Send what is due in the outbox by the common policy (``tracker.usecases.sending``): quiet
    hours (at ``now``), approval, and each failed message's retry time, on every channel."""
    from tracker.usecases.sending import can_send, send_messages
    from tracker.usecases.work import Actor

    if not can_send(tracker):
        return "no mail server configured"
    result = send_messages(tracker, Actor.system(), manual=False, at=now)
    if result.quiet:
        return f"quiet hours ({tracker.settings.notify.quiet_hours}): sending later"
    for problem in result.problems:
        log.warning("not sent: %s", problem)
    return f"sent {result.sent}, failed {result.failed}, queued {result.queued}"


def run_once(tracker: Tracker, now: dt.datetime, holder: str) -> list[Job]:
    """What is due at ``now``, then the outbox; the caller holds the lease, kept alive meanwhile
    however long the jobs take (a job run by a live holder is never taken over)."""
    with Heartbeat(tracker.engine, holder, tracker.now):
        mark_interrupted(tracker.engine)
        ran = run_due(tracker.engine, tracker.settings, now, lambda job: do_job(tracker, job, now))
        if not ran:
            log.info("nothing due; outbox: %s", send_waiting(tracker, now))
    return ran


def run_forever(tracker: Tracker, holder: str) -> None:
    """Wait for the lease, catch up, then run the schedule until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler = BlockingScheduler(timezone=tracker.settings.timezone)
    said = False
    while (taken := acquire_lease(tracker.engine, holder, tracker.now())) is not None:
        if not said:
            log.info("another scheduler holds this database: %s; waiting", taken)
            said = True
        if stop.wait(BEAT_SECONDS):
            return
    try:
        if stop.is_set():
            return
        run_once(tracker, tracker.now(), holder)  # catch up after downtime: once per job
        zone, schedule = tracker.settings.timezone, tracker.settings.schedule

        def tick() -> None:
            run_due(tracker.engine, tracker.settings, tracker.now(), lambda job: do_job(tracker, job, tracker.now()))

        def beat() -> None:
            if acquire_lease(tracker.engine, holder, tracker.now()) is not None:
                log.error("lost the scheduler lease to another process: stopping")
                scheduler.shutdown(wait=False)

        def retry() -> None:
            log.info("outbox: %s", send_waiting(tracker, tracker.now()))

        hour, minute = schedule.daily_at.split(":")
        options: dict[str, Any] = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
        scheduler.add_job(tick, CronTrigger(hour=hour, minute=minute, timezone=zone), id="daily", **options)
        if schedule.weekly_to:
            w_hour, w_minute = schedule.weekly_at.split(":")
            day = schedule.weekly_day[:3]
            trigger = CronTrigger(day_of_week=day, hour=w_hour, minute=w_minute, timezone=zone)
            scheduler.add_job(tick, trigger, id="weekly", **options)
        scheduler.add_job(beat, IntervalTrigger(seconds=BEAT_SECONDS, timezone=zone), id="lease", **options)
        scheduler.add_job(retry, IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone), id="retry", **options)
        log.info("scheduler started: daily at %s (%s)%s", schedule.daily_at, zone, _weekly_note(tracker))
        if not stop.is_set():
            scheduler.start()
    finally:
        release_lease(tracker.engine, holder)
        log.info("scheduler stopped")


def _weekly_note(tracker: Tracker) -> str:
    s = tracker.settings.schedule
    return f", weekly on {s.weekly_day} at {s.weekly_at} to {len(s.weekly_to)}" if s.weekly_to else ""
