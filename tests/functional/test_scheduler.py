"""The scheduler: due jobs run once per date, catch up once after downtime, one scheduler at a time."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tests.functional.test_notify import LEDGER
from tests.smtp_server import Server, smtp_config
from tracker.db import open_database
from tracker.models import table_of
from tracker.schedule import acquire_lease, job_runs

WEEKLY = (
    '[schedule]\ndaily_at = "07:30"\nweekly_day = "monday"\nweekly_at = "08:00"\nweekly_to = ["leader@example.gov.cn"]'
)


@pytest.fixture
def scheduled(cli, tmp_path: Path, server: Server):  # type: ignore[no-untyped-def]
    config = tmp_path / "tracker.toml"
    extra = WEEKLY + f'\nreports_dir = "{tmp_path / "reports"}"'
    config.write_text(smtp_config(server.port, extra=extra), encoding="utf-8")
    (tmp_path / "ledger.toml").write_text(LEDGER, encoding="utf-8")
    assert cli("import", tmp_path / "ledger.toml").code == 0

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("--config", config, "run", "--log-file", tmp_path / "tracker.log", *args)

    return run


def runs(db_url: str) -> list[tuple[str, str, str]]:
    engine = open_database(db_url)
    try:
        return sorted((r.job, r.for_date.isoformat(), r.status) for r in job_runs(engine))
    finally:
        engine.dispose()


def test_due_jobs_run_once_per_date_and_catch_up_once(scheduled, server: Server, db_url: str) -> None:  # type: ignore[no-untyped-def]
    early = scheduled("--once", "--at", "2017-04-03T07:00")  # Monday, before the daily time
    assert early.code == 0, early.err
    # The latest runs due by then, caught up once: yesterday's daily, last Monday's weekly.
    assert runs(db_url) == [("daily", "2017-04-02", "done"), ("weekly", "2017-03-27", "done")]
    first = scheduled("--once", "--at", "2017-04-03T08:05")
    assert first.code == 0, first.err
    assert runs(db_url) == [
        ("daily", "2017-04-02", "done"),
        ("daily", "2017-04-03", "done"),
        ("weekly", "2017-03-27", "done"),
        ("weekly", "2017-04-03", "done"),
    ]
    subjects = sorted(str(r.message["Subject"]) for r in server.received)
    assert any(s.startswith("【督查周报】2017-04-03") for s in subjects)
    weekly = next(r.message for r in server.received if str(r.message["Subject"]).startswith("【督查周报】2017-04-03"))
    attached = [part for part in weekly.walk() if part.get_filename()]
    assert [part.get_filename() for part in attached] == ["督查进度周报-2017-04-03.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(attached[0].get_payload(decode=True)))
    assert book.sheetnames == ["进度表", "单位汇总", "本周变化"]
    assert "截至：2017年4月3日" in book["进度表"]["A2"].value
    assert sum(1 for s in subjects if s.startswith("【督办")) == 4  # 李新 and 王芳, once a day (04-02, 04-03)
    before = len(server.received)
    assert scheduled("--once", "--at", "2017-04-03T09:00").code == 0  # the same day again: nothing
    assert len(server.received) == before
    # Three days of downtime: the daily job runs once, for the latest day, not once per missed day.
    assert scheduled("--once", "--at", "2017-04-06T09:00").code == 0
    assert [r for r in runs(db_url) if r[0] == "daily"] == [
        ("daily", "2017-04-02", "done"),
        ("daily", "2017-04-03", "done"),
        ("daily", "2017-04-06", "done"),
    ]


def test_only_one_scheduler_acts_on_a_database(scheduled, db_url: str) -> None:  # type: ignore[no-untyped-def]
    engine = open_database(db_url)
    now = dt.datetime.now(dt.UTC)
    assert acquire_lease(engine, "other-host:1", now) is None
    busy = scheduled("--once", "--at", "2017-04-03T08:05")
    assert busy.code == 1 and "another scheduler holds this database: other-host:1" in busy.err
    assert runs(db_url) == []
    # A holder that stopped beating loses the lease.
    assert acquire_lease(engine, "other-host:1", now - dt.timedelta(minutes=10)) is None
    from sqlmodel import Session

    from tracker.models import SchedulerLease

    with Session(engine) as session:
        lease = session.get(SchedulerLease, "scheduler")
        assert lease is not None
        lease.heartbeat_at = now - dt.timedelta(minutes=10)
        session.add(lease)
        session.commit()
    engine.dispose()
    assert scheduled("--once", "--at", "2017-04-03T08:05").code == 0
    assert ("daily", "2017-04-03", "done") in runs(db_url)


def wait_for(path: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = path.read_text(encoding="utf-8") if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared in {path}:\n{content}")


def test_the_foreground_scheduler_waits_its_turn_and_stops_on_sigterm(
    scheduled, db_url: str, tmp_path: Path, server: Server
) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TRACKER_DB": db_url, "TRACKER_CONFIG": str(tmp_path / "tracker.toml")}
    tracker = [sys.executable, "-m", "tracker", "run"]
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = subprocess.Popen([*tracker, "--log-file", str(first_log)], env=env, stderr=subprocess.DEVNULL)
    second = None
    try:
        wait_for(first_log, "scheduler started")
        second = subprocess.Popen([*tracker, "--log-file", str(second_log)], env=env, stderr=subprocess.DEVNULL)
        wait_for(second_log, "another scheduler holds this database")
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
        assert "scheduler stopped" in first_log.read_text(encoding="utf-8")
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=20) == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    assert runs(db_url)[0][0] == "daily"  # the catch-up at start ran the daily job
    assert server.received  # and its digests went out


def test_quiet_hours_hold_the_digests_which_then_go_once_merged(cli, tmp_path: Path, server: Server) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "tracker.toml"
    extra = '[notify]\nquiet_hours = "07:00-09:00"\n[schedule]\ndaily_at = "07:30"'
    config.write_text(smtp_config(server.port, extra=extra), encoding="utf-8")
    (tmp_path / "ledger.toml").write_text(LEDGER, encoding="utf-8")
    assert cli("import", tmp_path / "ledger.toml").code == 0

    def run(at: str):  # type: ignore[no-untyped-def]
        return cli("--config", config, "run", "--log-file", tmp_path / "tracker.log", "--once", "--at", at)

    assert run("2017-04-02T08:05").code == 0  # the day's check, in the quiet hours: nothing sent
    assert run("2017-04-03T08:05").code == 0  # and the next day's: merged with the waiting ones
    assert server.received == []
    assert "quiet hours (07:00-09:00): sending later" in (tmp_path / "tracker.log").read_text(encoding="utf-8")
    assert run("2017-04-03T09:30").code == 0
    subjects = sorted(str(r.message["Subject"]) for r in server.received)
    assert len(subjects) == 2  # one digest per person, not one per day
    bodies = [r.message.get_body(("plain",)).get_content() for r in server.received]  # type: ignore[union-attr]
    assert all("截至2017年4月3日" in body for body in bodies)


def test_a_long_run_keeps_its_lease_so_no_second_scheduler_takes_over(
    scheduled, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """`run --once` (or the catch-up at start) whose jobs outlast the lease: the holder keeps
    beating, so a second scheduler asking when the lease would have lapsed finds it held and
    never runs the same job again."""
    import tracker.runner as runner
    import tracker.schedule as schedule
    from tracker.app import build
    from tracker.models import SchedulerLease

    monkeypatch.setattr(schedule, "BEAT_SECONDS", 0.01)
    clock = [dt.datetime(2017, 4, 3, 0, 10, tzinfo=dt.UTC)]
    app = build(db_url, tmp_path / "tracker.toml", "test", clock=lambda: clock[0])
    assert schedule.acquire_lease(app.engine, "first:1", clock[0]) is None
    refused: list[str | None] = []

    def slow_job(tracker, job, now):  # type: ignore[no-untyped-def]
        for _ in range(4):  # four minutes of work; the lease lasts 90 s
            clock[0] += dt.timedelta(minutes=1)
            for _ in range(500):  # until the heartbeat renewed the lease at the new time (bounded)
                with app.engine.connect() as connection:
                    beat = connection.execute(sa.select(table_of(SchedulerLease).c.heartbeat_at)).scalar_one()
                if beat.replace(tzinfo=dt.UTC) == clock[0]:
                    break
                time.sleep(0.02)
            later = clock[0] + dt.timedelta(seconds=schedule.LEASE_SECONDS - 1)
            refused.append(schedule.acquire_lease(app.engine, "second:2", later))
        return "slow"

    monkeypatch.setattr(runner, "do_job", slow_job)
    ran = runner.run_once(app, clock[0], "first:1")
    assert [job.name for job in ran] == ["daily", "weekly"]
    assert len(refused) == 8 and all(holder is not None for holder in refused)
    app.engine.dispose()


def test_a_clock_gone_back_runs_nothing_for_an_earlier_day(scheduled, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert scheduled("--once", "--at", "2017-04-05T08:05").code == 0
    before = runs(db_url)
    assert ("daily", "2017-04-05", "done") in before
    back = scheduled("--once", "--at", "2017-04-03T08:05")
    assert back.code == 0
    assert runs(db_url) == before  # no check, no digest for 04-03 after 04-05's
