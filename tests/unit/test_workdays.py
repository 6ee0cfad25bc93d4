import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import InputError
from tracker.workdays import UnknownYearError, WorkCalendar, calendar_from_config

D = dt.date


def test_library_calendar_knows_make_up_workdays_and_holidays() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(D(2017, 9, 30))  # Saturday, make-up working day before National Day
    assert not cal.is_workday(D(2017, 10, 2))  # Monday, holiday
    assert not cal.is_workday(D(2017, 10, 7))
    assert cal.is_workday(D(2017, 10, 9))


def test_unknown_year_is_an_error_naming_the_year_and_the_fix() -> None:
    with pytest.raises(UnknownYearError) as caught:
        WorkCalendar().is_workday(D(2031, 3, 3))
    assert "2031" in str(caught.value)
    assert '[calendar."2031"]' in str(caught.value)


def test_config_table_is_consulted_first_and_makes_its_year_known() -> None:
    cal = calendar_from_config(
        {
            "2031": {"holidays": ["2031-01-01", "2031-10-01..2031-10-07"], "workdays": [D(2031, 9, 28)]},
            "2017": {"holidays": ["2017-09-29"]},
        }
    )
    assert cal.knows(2031)
    assert not cal.is_workday(D(2031, 1, 1))
    assert not cal.is_workday(D(2031, 10, 3))
    assert cal.is_workday(D(2031, 9, 28))  # a Sunday made a working day
    assert not cal.is_workday(D(2031, 3, 8))  # a plain Saturday
    assert cal.is_workday(D(2031, 3, 7))
    assert not cal.is_workday(D(2017, 9, 29))  # the table overrides the library


def test_working_day_counting() -> None:
    cal = WorkCalendar()
    assert cal.add_workdays(D(2017, 9, 28), 10) == D(2017, 10, 18)
    assert cal.workdays_between(D(2017, 9, 28), D(2017, 10, 18)) == 10
    assert cal.workdays_between(D(2017, 10, 18), D(2017, 9, 28)) == -10
    assert cal.add_workdays(D(2017, 9, 28), 0) == D(2017, 9, 28)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"20x1": {}}, "not a year"),
        ({"2031": {"holidays": ["2031-02-30"]}}, "is not a date"),
        ({"2031": {"holidays": ["2030-12-31"]}}, "not in 2031"),
        ({"2031": {"holidays": ["2031-10-07..2031-10-01"]}}, "ends before it starts"),
    ],
)
def test_bad_calendar_tables(table: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        calendar_from_config(table)


def test_counting_the_working_days_of_a_task_years_late_asks_the_library_once_a_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each chinesecalendar look-up scans its whole table; a unit's page counts the working days
    of tasks years late (the portal's 我的任务): a day is asked once, then each year's running
    totals answer (a page took 2 s with day-by-day look-ups)."""
    import chinese_calendar

    from tracker import workdays

    asked: list[dt.date] = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: asked.append(day) or real(day))
    workdays._library_workday.cache_clear()
    workdays._running_totals.cache_clear()
    calendar = WorkCalendar()
    first = calendar.workdays_between(dt.date(2017, 4, 30), dt.date(2019, 4, 30))
    assert len(asked) == len(set(asked)) == 365 * 3
    assert calendar.workdays_between(dt.date(2017, 4, 30), dt.date(2019, 4, 30)) == first
    assert calendar.workdays_between(dt.date(2019, 4, 30), dt.date(2017, 4, 30)) == -first
    assert len(asked) == 365 * 3


def day_by_day(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    sign, (start, end) = (1, (start, end)) if start <= end else (-1, (end, start))
    days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sign * sum(calendar.is_workday(day) for day in days)


@settings(deadline=None, max_examples=60)
@given(
    start=st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)),
    end=st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)),
)
def test_running_totals_count_as_day_by_day(start: dt.date, end: dt.date) -> None:
    """The same answer as counting each day, across years, with a year from the config's table."""
    calendar = calendar_from_config({"2027": {"holidays": ["2027-01-01..2027-01-03"], "workdays": ["2027-01-09"]}})
    assert calendar.workdays_between(start, end) == day_by_day(calendar, start, end)
