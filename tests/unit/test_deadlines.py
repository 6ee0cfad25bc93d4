import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.deadlines import Absolute, DeadlineError, Recurring, Relative, normalise, parse, resolve_dates
from tracker.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年3月底完成", D(2017, 3, 31)),
        ("2015年8月31日前", D(2015, 8, 31)),
        ("2015年4月30日前", D(2015, 4, 30)),
        ("2017年3月上旬", D(2017, 3, 10)),
        ("2017年3月中旬", D(2017, 3, 20)),
        ("2017年2月下旬", D(2017, 2, 28)),
        ("2016年2月下旬", D(2016, 2, 29)),
        ("2017年第三季度末", D(2017, 9, 30)),
        ("2017年第一季度", D(2017, 3, 31)),
        ("2017年上半年", D(2017, 6, 30)),
        ("2017年下半年", D(2017, 12, 31)),
        ("2017年底", D(2017, 12, 31)),
        ("2017年年底前", D(2017, 12, 31)),
        ("2017年", D(2017, 12, 31)),
        ("2017年3月", D(2017, 3, 31)),
        ("2017-04-30", D(2017, 4, 30)),
        ("2017/4/30", D(2017, 4, 30)),
        ("2017.4.30", D(2017, 4, 30)),
        ("二〇一七年三月底", D(2017, 3, 31)),
        ("２０１７年３月底", D(2017, 3, 31)),
        ("2016 年 12 月 16 日前", D(2016, 12, 16)),
        ("于2017年1月16日前", D(2017, 1, 16)),
        ("2017年11月底完成", D(2017, 11, 30)),
        ("二〇一八年十月底完成", D(2018, 10, 31)),
    ],
)
def test_absolute_with_year(text: str, expected: dt.date) -> None:
    assert parse(text) == Absolute(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3月底", D(2017, 3, 31)),
        ("12月15日前", D(2017, 12, 15)),
        ("当年12月31日前", D(2017, 12, 31)),
        ("年底前", D(2017, 12, 31)),
        ("十二月三十日", D(2017, 12, 30)),
        ("十二月十五日", D(2017, 12, 15)),
        ("2月22日前", D(2017, 2, 22)),
        ("第三季度末", D(2017, 9, 30)),
        ("上半年", D(2017, 6, 30)),
    ],
)
def test_absolute_year_from_reference(text: str, expected: dt.date) -> None:
    assert parse(text, 2017) == Absolute(expected)


def test_year_missing_is_an_error_not_a_guess() -> None:
    with pytest.raises(DeadlineError, match="no year"):
        parse("3月底")


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("接到通知后15天内", 15, "days"),
        ("自接到中期监督检查通知后的15天内", 15, "days"),
        ("自接到中期监督检查通知后的十五天内", 15, "days"),
        ("一个月内", 1, "months"),
        ("接到通知后的一个月内", 1, "months"),
        ("10个工作日内", 10, "workdays"),
        ("十个工作日内", 10, "workdays"),
        ("5日内", 5, "days"),
        ("两周内", 14, "days"),
        ("接到通知後15天內", 15, "days"),
    ],
)
def test_relative(text: str, amount: int, unit: str) -> None:
    assert parse(text) == Relative(amount, unit)


def test_relative_resolution_conventions() -> None:
    assert Relative(15, "days").resolve(D(2017, 3, 20), CAL) == D(2017, 4, 4)
    assert Relative(1, "months").resolve(D(2017, 3, 15), CAL) == D(2017, 4, 15)
    assert Relative(1, "months").resolve(D(2017, 1, 31), CAL) == D(2017, 2, 28)  # clamped
    # 2017-09-30 (Saturday) was a make-up working day; 10-01..10-08 the National Day holiday.
    assert Relative(10, "workdays").resolve(D(2017, 9, 28), CAL) == D(2017, 10, 18)
    assert Relative(1, "workdays").resolve(D(2017, 9, 29), CAL) == D(2017, 9, 30)


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("每年第一、二、三季度末", D(2017, 1, 1), D(2017, 12, 31), [D(2017, 3, 31), D(2017, 6, 30), D(2017, 9, 30)]),
        ("每季度末", D(2017, 1, 1), D(2017, 12, 31), [D(2017, 3, 31), D(2017, 6, 30), D(2017, 9, 30), D(2017, 12, 31)]),
        ("每月25日前", D(2017, 1, 1), D(2017, 3, 31), [D(2017, 1, 25), D(2017, 2, 25), D(2017, 3, 25)]),
        ("每年12月15日前", D(2013, 1, 1), D(2015, 12, 31), [D(2013, 12, 15), D(2014, 12, 15), D(2015, 12, 15)]),
        ("每月底", D(2017, 1, 1), D(2017, 3, 31), [D(2017, 1, 31), D(2017, 2, 28), D(2017, 3, 31)]),
        ("每月31日", D(2017, 1, 1), D(2017, 4, 30), [D(2017, 1, 31), D(2017, 2, 28), D(2017, 3, 31), D(2017, 4, 30)]),
        ("每年年底前", D(2017, 1, 1), D(2018, 12, 31), [D(2017, 12, 31), D(2018, 12, 31)]),
        ("每半年", D(2017, 1, 1), D(2017, 12, 31), [D(2017, 6, 30), D(2017, 12, 31)]),
    ],
)
def test_recurring(text: str, start: dt.date, end: dt.date, expected: list[dt.date]) -> None:
    deadline = parse(text)
    assert isinstance(deadline, Recurring)
    assert deadline.dates(start, end) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2017年13月底", "no month 13"),
        ("2017年2月30日前", "has no day 30"),
        ("2017年0月", "no month 0"),
        ("尽快", "not a deadline"),
        ("", "empty"),
        ("   ", "empty"),
        ("2017年第五季度末", "no quarter 5"),
        ("每月32日", "no day 32"),
        ("每年2月29日", "does not come every year"),
        ("每周一", "not a recurring deadline"),
        ("2017年前", "ambiguous"),
        ("0天内", "0"),
        ("明天", "not a deadline"),
    ],
)
def test_nonsense_is_an_error(text: str, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        parse(text, 2017)


def test_normalise() -> None:
    assert normalise("二〇一七年 十二月 二十五日") == "2017年12月25日"
    assert normalise("２０１７年３月") == "2017年3月"
    assert normalise("三十") == "30"


def test_resolve_dates_contract() -> None:
    assert resolve_dates(parse("接到通知后15天内"), ref=None, start=None, end=None, calendar=CAL) == []
    assert resolve_dates(parse("每季度末"), ref=D(2018, 5, 1), start=None, end=None, calendar=CAL)[0] == D(2018, 3, 31)
    with pytest.raises(DeadlineError):
        resolve_dates(parse("每季度末"), ref=None, start=None, end=None, calendar=CAL)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789年月日底末前内上中下旬季度第半每个工作天后接到通知一二三十〇、 -/."))
    ),
    st.one_of(st.none(), st.integers(1990, 2100)),
)
def test_no_input_crashes_the_parser(text: str, ref_year: int | None) -> None:
    try:
        deadline = parse(text, ref_year)
    except DeadlineError:
        return
    if isinstance(deadline, Absolute):
        assert isinstance(deadline.date, dt.date)
    elif isinstance(deadline, Recurring):
        assert deadline.dates(D(2000, 1, 1), D(2000, 12, 31))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.one_of(st.none(), st.integers(1, 9999)))
def test_arbitrary_unicode_only_raises_deadline_errors(text: str, ref_year: int | None) -> None:
    with contextlib.suppress(DeadlineError):
        parse(text, ref_year)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31)))
def test_every_written_date_round_trips(day: dt.date) -> None:
    assert parse(f"{day.year}年{day.month}月{day.day}日前") == Absolute(day)
    assert parse(day.isoformat()) == Absolute(day)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["每月25日前", "每月31日", "每季度末", "每年第一、二、三季度末", "每年12月15日前", "每月底"]),
    st.integers(1950, 2100),
    st.integers(1, 120),
)
def test_recurrence_is_stable_over_long_ranges(text: str, year: int, years: int) -> None:
    rule = parse(text)
    assert isinstance(rule, Recurring)
    start, end = D(year, 1, 1), D(year + years - 1, 12, 31)
    whole = rule.dates(start, end)
    by_year = [d for y in range(year, year + years) for d in rule.dates(D(y, 1, 1), D(y, 12, 31))]
    assert whole == by_year  # no drift: each occurrence comes from the rule, not the previous one
    assert len(whole) == years * len(rule.points)
    if text in ("每月31日", "每月底"):
        assert all((d + dt.timedelta(days=1)).day == 1 for d in whole)


@pytest.mark.parametrize(
    "text",
    [
        *("0000-01-01", "0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31", "10000-01-01"),
        *("零零零零年底", "2201年3月底", "九九九九年十二月三十一日"),
    ],
)
def test_years_outside_the_supported_range_are_refused(text: str) -> None:
    with pytest.raises(DeadlineError, match="1900–2200"):
        parse(text)


def test_the_supported_range_ends_are_dates() -> None:
    assert parse("1900-01-01") == Absolute(dt.date(1900, 1, 1))
    assert parse("2200年12月底") == Absolute(dt.date(2200, 12, 31))
    with pytest.raises(DeadlineError, match="1900–2200"):
        parse("12月底", 9999)


@pytest.mark.parametrize(
    ("text", "ref"),
    [("一个月内", dt.date(2200, 12, 1)), ("15天内", dt.date(2200, 12, 20)), ("一个月内", dt.date(9999, 12, 1))],
)
def test_a_relative_deadline_resolved_beyond_the_range_is_refused(text: str, ref: dt.date) -> None:
    deadline = parse(text)
    assert isinstance(deadline, Relative)
    with pytest.raises(DeadlineError, match="1900–2200"):
        deadline.resolve(ref, WorkCalendar())


@pytest.mark.parametrize("text", ["接到通知后15八天内", "2017年1二月底", "二0一七年3月底", "1十天内"])
def test_digits_and_chinese_numerals_mixed_in_one_number_are_refused(text: str) -> None:
    with pytest.raises(DeadlineError, match="mixes"):
        parse(text)
