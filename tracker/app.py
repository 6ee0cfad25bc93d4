"""The app factory: settings, engine, calendar and clock built once and passed in.

The CLI, the TUI and the scheduler all start here; nothing is created at import time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.audit import current_user
from tracker.config import Settings, load_settings
from tracker.db import default_url, open_database
from tracker.workdays import WorkCalendar

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_in(timezone: str, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


@dataclass
class Tracker:
    """Everything a front end needs to call the services."""

    engine: Engine
    settings: Settings
    calendar: WorkCalendar
    user: str
    clock: Clock = utc_now
    named: bool = False  # the user was named (--as), not taken from the OS

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        """Today in the configured time zone (Asia/Shanghai unless set)."""
        return today_in(self.settings.timezone, self.clock())


def build(
    db_url: str | None = None,
    config_path: Path | None = None,
    user: str | None = None,
    clock: Clock = utc_now,
) -> Tracker:
    settings = load_settings(config_path)
    engine = open_database(db_url or default_url())
    return Tracker(
        engine=engine,
        settings=settings,
        calendar=settings.work_calendar(),
        user=user or current_user(),
        clock=clock,
        named=user is not None,
    )
