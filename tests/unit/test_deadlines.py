import contextlib
import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.deadlines import (
    Absolute,
    DeadlineError,
    Ongoing,
    Recurring,
    Relative,
    normalise,
    parse,
    resolve_dates,
)
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
    with pytest.raises(DeadlineError, match="没有写年份"):
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
        ("2017年13月底", "无法识别“2017年13月底”中的“13月”：一年只有1月至12月"),
        ("2017年2月30日前", "无法识别“2017年2月30日前”中的“30日”：2017年2月只有28天"),
        ("2017年0月", "“0月”"),
        ("尽快", "无法识别“尽快”；可写作 收件之日起5个工作日内"),
        ("", "未填写完成时限；可写作 2017年3月底前"),
        ("   ", "未填写完成时限"),
        ("2017年第五季度末", "中的“第5季度”：一年只有第1至第4季度"),
        ("每月32日", "中的“32日”：一个月最多31天"),
        ("每年2月29日", "“2月29日”不是每年都有；可写作 每年2月底前"),
        ("每周八", "无法识别“每周八”中的“八”；可写作 每周五前"),
        ("0天内", "期限为0"),
        ("明天", "无法识别“明天”"),
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
    with pytest.raises(DeadlineError, match=r"“.+”：一个数里混用了阿拉伯数字和汉字数字"):
        parse(text)


# --- issue 15: deadlines as real notices write them ----------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "trigger", "expected"),
    [
        ("收件之日起30个工作日内", 30, "workdays", "收件", D(2019, 2, 15)),
        ("自收到通知之日起15日内", 15, "days", "收到通知", D(2019, 1, 16)),
        ("交办之日起10个工作日内办结", 10, "workdays", "交办", D(2019, 1, 15)),
        ("自会议决定之日起5个工作日内", 5, "workdays", "会议决定", D(2019, 1, 8)),
        # 次日起: counting starts the next day, as it does after 之日起 (the first day is not counted)
        ("收到转办件工单的次日起13个工作日内", 13, "workdays", "收到转办件工单", D(2019, 1, 18)),
        ("不准超过5个工作日", 5, "workdays", "", D(2019, 1, 8)),
        ("不超过10个工作日", 10, "workdays", "", D(2019, 1, 15)),
        ("接到通知后15天内", 15, "days", "接到通知", D(2019, 1, 16)),
    ],
)
def test_counted_from_an_event(text: str, amount: int, unit: str, trigger: str, expected: dt.date) -> None:
    deadline = parse(text, 2019)
    assert deadline == Relative(amount, unit)
    assert isinstance(deadline, Relative)
    assert deadline.trigger == trigger
    assert (f"（{trigger}）" in deadline.explain()) == bool(trigger)
    assert resolve_dates(deadline, ref=D(2019, 1, 1), start=None, end=None, calendar=CAL) == [expected]


def test_the_next_day_and_the_day_count_alike() -> None:
    # 民法典 第二百零一条: the day an event happens is not counted; counting starts the next day.
    a = parse("收件之日起13个工作日内")
    b = parse("收件的次日起13个工作日内")
    assert a == b
    assert isinstance(a, Relative) and isinstance(b, Relative)
    for day in (D(2019, 1, 1), D(2019, 2, 1), D(2019, 9, 27)):
        assert a.resolve(day, CAL) == b.resolve(day, CAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("于6月18日(星期二)上午下班前", D(2019, 6, 18)),
        ("2019年6月18日（星期二）前", D(2019, 6, 18)),
        ("6月18日17:00前", D(2019, 6, 18)),
        ("6月18日（周二）17：00前", D(2019, 6, 18)),
        ("6月23日(星期日)前", D(2019, 6, 23)),
        ("6月18日下午3时前", D(2019, 6, 18)),
    ],
)
def test_weekday_and_time_are_annotations(text: str, expected: dt.date) -> None:
    assert parse(text, 2019) == Absolute(expected)


def test_a_weekday_contradicting_the_date_is_an_error() -> None:
    with pytest.raises(DeadlineError, match="日期与星期不符：2019年6月19日是星期三，不是星期二"):
        parse("6月19日(星期二)前", 2019)


@pytest.mark.parametrize("text", ["年内完成", "年内", "本年度内", "今年内"])
def test_within_the_year(text: str) -> None:
    assert parse(text, 2019) == Absolute(D(2019, 12, 31))
    with pytest.raises(DeadlineError, match="没有写年份"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每月月底前", [D(2019, m, 1) for m in range(2, 13)] + [D(2020, 1, 1)]),
        ("每月底前", [D(2019, m, 1) for m in range(2, 13)] + [D(2020, 1, 1)]),
        ("每月末", [D(2019, m, 1) for m in range(2, 13)] + [D(2020, 1, 1)]),
    ],
)
def test_every_month_end(text: str, expected: list[dt.date]) -> None:
    deadline = parse(text)
    assert isinstance(deadline, Recurring)
    assert deadline.dates(D(2019, 1, 1), D(2019, 12, 31)) == [d - dt.timedelta(days=1) for d in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每季度首月10日前", [D(2019, 1, 10), D(2019, 4, 10), D(2019, 7, 10), D(2019, 10, 10)]),
        ("每季度结束后15日内", [D(2019, 1, 15), D(2019, 4, 15), D(2019, 7, 15), D(2019, 10, 15)]),
        ("每季度末月20日前", [D(2019, 3, 20), D(2019, 6, 20), D(2019, 9, 20), D(2019, 12, 20)]),
        ("每年6月底和12月底前", [D(2019, 6, 30), D(2019, 12, 31)]),
        ("每年3月10日、9月10日前", [D(2019, 3, 10), D(2019, 9, 10)]),
        ("每月10日和25日前", [D(2019, m, d) for m in range(1, 13) for d in (10, 25)]),
        ("每月结束后5日内", [D(2019, m, 5) for m in range(1, 13)]),
    ],
)
def test_monthly_and_quarterly_offsets(text: str, expected: list[dt.date]) -> None:
    deadline = parse(text)
    assert isinstance(deadline, Recurring)
    assert deadline.dates(D(2019, 1, 1), D(2019, 12, 31)) == expected


def test_a_period_end_offset_beyond_a_month_is_refused() -> None:
    with pytest.raises(DeadlineError, match="“40日”：期末后的天数须为1至28"):
        parse("每季度结束后40日内")


@pytest.mark.parametrize(
    ("text", "first", "explain"),
    [
        ("每周五前", D(2019, 1, 4), "每周五"),
        ("每周周五之前", D(2019, 1, 4), "每周五"),
        ("每周二中午12时前", D(2019, 1, 1), "每周二"),
        ("每周一", D(2019, 1, 7), "每周一"),
        ("每星期日", D(2019, 1, 6), "每周日"),
    ],
)
def test_weekly_duties(text: str, first: dt.date, explain: str) -> None:
    deadline = parse(text)
    assert isinstance(deadline, Recurring)
    dates = deadline.dates(D(2019, 1, 1), D(2019, 12, 31))
    assert dates[0] == first
    assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(dates))
    assert D(2019, 12, 31) - dates[-1] < dt.timedelta(days=7)
    assert deadline.explain() == explain
    assert deadline.next_on_or_after(D(2019, 12, 31)) - D(2019, 12, 31) < dt.timedelta(days=7)


@settings(deadline=None, max_examples=200)
@given(st.integers(0, 6), st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 1, 1)), st.integers(0, 800))
def test_weekly_dates_are_every_such_weekday(weekday: int, start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    rule = Recurring((), weekday=weekday)
    expected = [start + dt.timedelta(days=k) for k in range(days + 1)]
    assert rule.dates(start, end) == [d for d in expected if d.weekday() == weekday]


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "常态化推进", "长期"])
def test_ongoing_tasks(text: str) -> None:
    deadline = parse(text, 2019)
    assert deadline == Ongoing()
    assert deadline.kind == "ongoing"
    assert resolve_dates(deadline, ref=D(2019, 1, 1), start=None, end=None, calendar=CAL) == []


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("2024年8月前", D(2024, 8, 31), "“8月前”按8月底前理解"),
        ("8月前", D(2019, 8, 31), "“8月前”按8月底前理解"),
        ("2027年前", D(2027, 12, 31), "“2027年前”按2027年底前理解"),
    ],
)
def test_before_a_month_or_a_year_means_by_its_end_and_says_so(text: str, expected: dt.date, note: str) -> None:
    deadline = parse(text, 2019)
    assert deadline == Absolute(expected)
    assert deadline.explain() == f"{expected.isoformat()}（{note}）"
    assert parse("2024年8月底前").explain() == "2024-08-31"  # no convention applied, nothing said


@pytest.mark.parametrize("text", ["年后十日前", "年后10日内", "节后5个工作日内"])
def test_after_new_year_is_not_a_trigger(text: str) -> None:
    with pytest.raises(DeadlineError, match=r"中的“(年|节)后.*”：不是可以起算的事件.*可写作 每年1月10日前"):
        parse(text, 2019)


# --- holidays by name, on the official calendar -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("春节前", "2019-02-03"),  # the holiday ran 02-04..02-10; Sunday 02-03 was a make-up working day
        ("2019年春节前", "2019-02-03"),
        ("春节后5个工作日内", "2019-02-15"),
        ("春节后第一个工作日", "2019-02-11"),
        ("国庆节前", "2019-09-30"),
        ("元旦前", "2018-12-29"),  # 2019's 元旦 began on 2018-12-30; Saturday 12-29 was worked
        ("2019年元旦后3个工作日内", "2019-01-04"),
        ("中秋节前", "2019-09-12"),
        ("2020年国庆节后第1个工作日", "2020-10-09"),
        ("2025年劳动节前", "2025-04-30"),
    ],
)
def test_holidays_by_name(text: str, expected: str) -> None:
    from tracker.deadlines import Holiday, resolve_dates
    from tracker.workdays import WorkCalendar

    deadline = parse(text, 2019)
    assert isinstance(deadline, Holiday) and deadline.kind == "holiday"
    dates = resolve_dates(deadline, ref=None, start=None, end=None, calendar=WorkCalendar())
    assert [d.isoformat() for d in dates] == [expected]


def test_a_holiday_without_its_own_days_or_year_is_refused() -> None:
    from tracker.deadlines import resolve_dates
    from tracker.errors import InputError
    from tracker.workdays import WorkCalendar

    with pytest.raises(InputError, match="2020年官方日历上该节日没有单独的假期"):  # 2020: one holiday for both
        resolve_dates(parse("2020年中秋节前"), ref=None, start=None, end=None, calendar=WorkCalendar())
    with pytest.raises(InputError, match="不知道2031年各节日的放假安排"):
        resolve_dates(parse("2031年春节前"), ref=None, start=None, end=None, calendar=WorkCalendar())
    with pytest.raises(DeadlineError, match="没有写年份"):
        parse("春节前")
    with pytest.raises(DeadlineError):
        parse("节后第一个工作日")  # which holiday: not said
