"""Dates as people type them (tracker.typed_dates): every form understood, every refusal with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.errors import InputError
from tracker.typed_dates import typed_date

TODAY = dt.date(2019, 5, 5)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("9月10日", dt.date(2019, 9, 10)),  # today's year
        ("9月10号", dt.date(2019, 9, 10)),
        ("17年9月10日", dt.date(2017, 9, 10)),  # a two-digit year is 20xx
        ("20170910", dt.date(2017, 9, 10)),
        ("2017.9.10", dt.date(2017, 9, 10)),
        ("2017-9-10", dt.date(2017, 9, 10)),
        ("2017-09-10", dt.date(2017, 9, 10)),
        ("2017/9/10", dt.date(2017, 9, 10)),
        ("2017年9月10日", dt.date(2017, 9, 10)),
        ("2017年9月10", dt.date(2017, 9, 10)),
        (" 2017 年 9 月 10 日 ", dt.date(2017, 9, 10)),
        ("２０１７年９月１０日", dt.date(2017, 9, 10)),
        ("二〇一七年九月十日", dt.date(2017, 9, 10)),
        ("2017年3月底", dt.date(2017, 3, 31)),
        ("今天", TODAY),
        ("昨天", dt.date(2019, 5, 4)),
        ("前天", dt.date(2019, 5, 3)),
        ("明天", dt.date(2019, 5, 6)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2200年12月31日", dt.date(2200, 12, 31)),
        ("2020年2月29日", dt.date(2020, 2, 29)),
    ],
)
def test_understood(text: str, day: dt.date) -> None:
    assert typed_date(text, TODAY) == day


def test_yesterday_across_a_year() -> None:
    assert typed_date("昨天", dt.date(2018, 1, 1)) == dt.date(2017, 12, 31)
    assert typed_date("3月1日", dt.date(2018, 1, 1)) == dt.date(2018, 3, 1)


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("2月30日", "date_no_day", "无法识别日期“2月30日”中的“30日”：2019年2月只有28天"),
        ("2017-02-30", "date_no_day", "中的“30日”：2017年2月只有28天"),
        ("13月1日", "date_no_month", "无法识别日期“13月1日”中的“13月”：一年只有1月至12月"),
        ("2017.13.01", "date_no_month", "中的“13月”"),
        ("0910", "date_unreadable", "无法识别日期“0910”；可写作 9月10日"),
        ("170910", "date_unreadable", "无法识别日期“170910”；可写作 2017-09-10"),
        ("明年", "date_unreadable", "无法识别日期“明年”；可写作 2017-09-10、9月10日 或 今天"),
        ("尽快", "date_unreadable", "无法识别日期“尽快”"),
        ("一个月内", "date_unreadable", "无法识别日期"),
        ("2017-9", "date_unreadable", "无法识别日期"),
        ("", "date_empty", "未填写日期"),
        ("   ", "date_empty", "未填写日期"),
        ("1899年1月1日", "date_out_of_range", "1900–2200"),
        ("1899-12-31", "date_out_of_range", "1900–2200"),
        ("0000-01-01", "date_out_of_range", "1900–2200"),
        ("10000-01-01", "date_out_of_range", "1900–2200"),
        ("22010101", "date_out_of_range", "1900–2200"),
    ],
)
def test_refused_with_a_reason(text: str, key: str, message: str) -> None:
    with pytest.raises(InputError) as refused:
        typed_date(text, TODAY)
    assert refused.value.key == key and message in str(refused.value)


def test_tomorrow_beyond_the_supported_years() -> None:
    with pytest.raises(InputError, match="1900–2200"):
        typed_date("明天", dt.date(2200, 12, 31))
