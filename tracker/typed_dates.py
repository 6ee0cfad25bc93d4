"""A date as a person types it: in a CLI option (`--on`, `--to`, `--as-of`, `--period`) or a field of
the terminal UI. One pure function, ``typed_date``; "today" is an argument, never read from a clock.

Understood: 2017-09-10, 2017-9-10, 2017/9/10, 2017.9.10, 20170910, 2017年9月10日 (日 or 号, or
neither), 17年9月10日 (a two-digit year is 20xx), 9月10日 (today's year), 今天, 昨天, 前天, 明天
(今日, 昨日, 明日 too), digits full-width or not; then any single day the deadline language reads
(二〇一七年九月十日, 2017年3月底; a date without a year in today's year). Anything else is refused
with the nearest form one may write (0910 → 9月10日), and so is a day not on the calendar or
outside the supported years. Refusals are worded by tracker.refusals (Chinese unless English was
chosen), their keys and params kept for the terminal UI's catalogue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from tracker.deadlines import YEARS, Absolute, DeadlineError, check_date, check_year, parse
from tracker.errors import InputError
from tracker.refusals import DATE_EXAMPLES, Refusal

_RELATIVE = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_SEPARATED = re.compile(r"(\d{1,5})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_WRITTEN = re.compile(r"(?:(\d{1,5})年)?(\d{1,2})月(\d{1,2})[日号]?")


def unreadable(text: str) -> InputError:
    return Refusal("date_unreadable", text=text, suggestion=_nearest(text))


def _nearest(text: str) -> str:
    """The form to suggest for an unreadable date: 0910 → 9月10日, 170910 → 2017-09-10, else the
    forms one may write."""
    digits = text.strip().translate(_FULL_WIDTH)
    if re.fullmatch(r"\d{4}", digits) and 1 <= int(digits[:2]) <= 12 and 1 <= int(digits[2:]) <= 31:
        return f"{int(digits[:2])}月{int(digits[2:])}日"
    if re.fullmatch(r"\d{6}", digits) and 1 <= int(digits[2:4]) <= 12 and 1 <= int(digits[4:]) <= 31:
        return f"20{digits[:2]}-{digits[2:4]}-{digits[4:]}"
    return DATE_EXAMPLES


def typed_date(text: str, today: dt.date) -> dt.date:
    """The day ``text`` names, ``today`` being the day it is typed on (in the configured time
    zone); an InputError that says why not (its key words it for the terminal UI)."""
    typed = text.strip()
    if not typed:
        raise Refusal("date_empty", examples=DATE_EXAMPLES)
    plain = re.sub(r"\s+", "", typed.translate(_FULL_WIDTH))
    if plain in _RELATIVE:
        return _checked(today + dt.timedelta(days=_RELATIVE[plain]), typed)
    if match := _SEPARATED.fullmatch(plain):
        year, _, month, day = match.groups()
        return _day(typed, int(year), int(month), int(day))
    if match := _COMPACT.fullmatch(plain):
        return _day(typed, *(int(part) for part in match.groups()))
    if match := _WRITTEN.fullmatch(plain):
        year_text, month, day = match.groups()
        if year_text is None:
            year = today.year
        elif len(year_text) == 2:
            year = 2000 + int(year_text)
        else:
            year = int(year_text)
        return _day(typed, year, int(month), int(day))
    try:
        parsed = parse(plain, today.year)
    except DeadlineError as exc:
        if exc.key == "deadline_year_range":
            raise _out_of_range(typed) from None
        raise unreadable(typed) from None
    if not isinstance(parsed, Absolute):
        raise unreadable(typed)
    return _checked(parsed.date, typed)


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        check_year(year, text)
    except DeadlineError:
        raise _out_of_range(text) from None
    if not 1 <= month <= 12:
        raise Refusal("date_no_month", text=text, month=month)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise Refusal("date_no_day", text=text, year=year, month=month, day=day, last=last)
    return dt.date(year, month, day)


def _checked(value: dt.date, text: str) -> dt.date:
    try:
        return check_date(value, text)
    except DeadlineError:
        raise _out_of_range(text) from None


def _out_of_range(text: str) -> InputError:
    return Refusal("date_out_of_range", text=text, years=YEARS)
