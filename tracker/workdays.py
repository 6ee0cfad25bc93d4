"""The official Chinese working-day calendar.

Working days come from two sources, consulted in this order:

1. the bureau's own table (``[calendar."2027"]`` in the config), which holds the State
   Council's announced holidays and make-up workdays for years the library does not know yet;
2. the ``chinesecalendar`` package, which knows 2004–2026.

A year known to neither is an error, never a weekday guess. We do not add dates to
``chinesecalendar``'s own tables: a single added date would make the whole year look known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from tracker.errors import InputError
from tracker.refusals import Refusal

# Where "today" is unless the config says otherwise: the official calendar's own time zone.
DEFAULT_TIMEZONE = "Asia/Shanghai"


class UnknownYearError(Refusal):
    """The working-day calendar of a year is not known."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__("calendar_unknown_year", year=year)


def _library_knows(year: int) -> bool:
    import chinese_calendar  # loaded when a day is first looked up, not by every command's start-up

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _library_workday(day: dt.date) -> bool:
    """chinesecalendar's answer, kept: each of its look-ups scans its whole table for the years it
    knows, and counting the working days of a task years late asks it thousands of times."""
    import chinese_calendar  # see _library_knows

    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class YearTable:
    """One year's announced holidays and make-up workdays (调休上班日)."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    """Answers "is this a working day?" on the official calendar."""

    years: Mapping[int, YearTable] = field(default_factory=dict)

    def knows(self, year: int) -> bool:
        return year in self.years or _library_knows(year)

    def is_workday(self, day: dt.date) -> bool:
        return _is_workday(day, self.years.get(day.year))

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def holiday_period(self, year: int, name: str, what: str) -> tuple[dt.date, dt.date]:
        """The first and last day of the official holiday ``name`` (chinesecalendar's English
        name) of ``year``: the days off the State Council announced, weekends joined to them
        included. 元旦's may begin in the December before."""
        if year in self.years or not _library_knows(year) or not _library_knows(year - 1):
            raise Refusal("holiday_unknown_year", what=what, year=year)
        import chinese_calendar  # see _library_knows

        blocks: list[list[dt.date]] = []
        day = dt.date(year - 1, 12, 20)
        while day <= dt.date(year, 12, 31):
            if chinese_calendar.get_holiday_detail(day) == (True, name):
                if blocks and blocks[-1][-1] == day - dt.timedelta(days=1):
                    blocks[-1].append(day)
                else:
                    blocks.append([day])
            day += dt.timedelta(days=1)
        # The year's holiday is the run of days off that ends in it (元旦's may start in December).
        found = next((block for block in blocks if block[-1].year == year), [])
        if not found:
            raise Refusal("holiday_joined", what=what, year=year)
        return found[0], found[-1]

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start. Counted from each
        year's running totals (a task years late is asked about on every page that shows it)."""
        if end < start:
            return -self.workdays_between(end, start)
        if start == end:
            return 0
        whole = sum(self._running(year)[-1] for year in range(start.year, end.year))
        return whole + self._running(end.year)[_day_of(end)] - self._running(start.year)[_day_of(start)]

    def _running(self, year: int) -> tuple[int, ...]:
        return _running_totals(year, self.years.get(year))


def _day_of(day: dt.date) -> int:
    return day.timetuple().tm_yday - 1


def _is_workday(day: dt.date, table: YearTable | None) -> bool:
    """On the bureau's table of the year when there is one, else chinesecalendar's."""
    if table is not None:
        if day in table.holidays:
            return False
        if day in table.workdays:
            return True
        return day.weekday() < 5
    try:
        return _library_workday(day)
    except NotImplementedError:
        raise UnknownYearError(day.year) from None


@cache
def _running_totals(year: int, table: YearTable | None) -> tuple[int, ...]:
    """The working days of ``year`` from 1 January up to each day (that day included): the
    answer depends on the year's table (or the library's, ``None``) only."""
    totals, count = [], 0
    day = dt.date(year, 1, 1)
    while day.year == year:
        count += _is_workday(day, table)
        totals.append(count)
        day += dt.timedelta(days=1)
    return tuple(totals)


def _expand(values: Iterable[object], year: int, where: str) -> frozenset[dt.date]:
    """Dates from TOML dates, ISO strings and ``A..B`` ranges, all inside ``year``."""
    days: set[dt.date] = set()
    for value in values:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            first = last = value
        elif isinstance(value, str):
            try:
                if ".." in value:
                    a, b = value.split("..", 1)
                    first, last = dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
                else:
                    first = last = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise InputError(f"{where}: {value!r} is not a date (YYYY-MM-DD or A..B)") from None
        else:
            raise InputError(f"{where}: {value!r} is not a date")
        if last < first:
            raise InputError(f"{where}: range {value!r} ends before it starts")
        day = first
        while day <= last:
            if day.year != year:
                raise InputError(f"{where}: {day.isoformat()} is not in {year}")
            days.add(day)
            day += dt.timedelta(days=1)
    return frozenset(days)


def calendar_from_config(table: Mapping[str, Mapping[str, Iterable[object]]]) -> WorkCalendar:
    """Build the calendar from the config's ``[calendar."YYYY"]`` tables."""
    years: dict[int, YearTable] = {}
    for key, entry in table.items():
        try:
            year = int(key)
        except ValueError:
            raise InputError(f'calendar: "{key}" is not a year (use [calendar."2027"])') from None
        years[year] = YearTable(
            holidays=_expand(entry.get("holidays", ()), year, f"calendar.{year}.holidays"),
            workdays=_expand(entry.get("workdays", ()), year, f"calendar.{year}.workdays"),
        )
    return WorkCalendar(years)
