"""When a job was last due, and quiet hours (pure)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tracker.config import NotifySettings
from tracker.schedule import latest_due


def test_daily_before_and_after_its_time() -> None:
    assert latest_due(dt.datetime(2017, 4, 3, 7, 29), "07:30") == dt.date(2017, 4, 2)
    assert latest_due(dt.datetime(2017, 4, 3, 7, 30), "07:30") == dt.date(2017, 4, 3)


def test_weekly_goes_back_to_its_weekday() -> None:
    monday_early = dt.datetime(2017, 4, 3, 7, 0)  # a Monday before 08:00: last Monday's run
    assert latest_due(monday_early, "08:00", "monday") == dt.date(2017, 3, 27)
    assert latest_due(dt.datetime(2017, 4, 3, 8, 0), "08:00", "monday") == dt.date(2017, 4, 3)
    assert latest_due(dt.datetime(2017, 4, 9, 23, 0), "08:00", "monday") == dt.date(2017, 4, 3)


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_the_latest_due_date_is_never_in_the_future_nor_a_week_old(now: dt.datetime) -> None:
    weekly = latest_due(now, "08:00", "friday")
    assert weekly.weekday() == 4 and dt.timedelta(0) <= now - dt.datetime.combine(weekly, dt.time(8)) < dt.timedelta(
        days=7
    )
    daily = latest_due(now, "07:30")
    assert dt.timedelta(0) <= now - dt.datetime.combine(daily, dt.time(7, 30)) < dt.timedelta(days=1)


def test_quiet_hours_may_span_midnight() -> None:
    night = NotifySettings(quiet_hours="22:00-07:00")
    assert night.is_quiet(dt.time(23, 0)) and night.is_quiet(dt.time(6, 59))
    assert not night.is_quiet(dt.time(7, 0)) and not night.is_quiet(dt.time(21, 59))
    lunch = NotifySettings(quiet_hours="12:00-13:30")
    assert lunch.is_quiet(dt.time(12, 30)) and not lunch.is_quiet(dt.time(13, 30))
    assert not NotifySettings().is_quiet(dt.time(3, 0))
