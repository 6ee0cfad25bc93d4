"""Refusals of the deadline language: in Chinese (English when chosen), naming the part not
understood and suggesting the nearest form we accept."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tracker import deadline_hints, refusals
from tracker.deadlines import DeadlineError, parse


@pytest.fixture
def english() -> Iterator[None]:
    refusals.set_language("en")
    yield
    refusals.set_language("zh")


def _refusal(text: str, ref_year: int | None = 2019) -> DeadlineError:
    with pytest.raises(DeadlineError) as refused:
        parse(text, ref_year)
    return refused.value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("每周八前", "无法识别“每周八前”中的“八前”；可写作 每周五前"),
        ("每周", "无法识别“每周”；可写作 每周五前"),
        ("下周五前", "无法识别“下周五前”中的“下周”；可写作 每周五前，或写明日期（如 2019年6月21日前）"),
        ("月底前", "无法识别“月底前”中的“月底”；可写作 每月底前，或写明月份（如 3月底前）"),
        ("尽快", "无法识别“尽快”；可写作 收件之日起5个工作日内 或 2017年3月底前"),
        ("30个工作日", "无法识别“30个工作日”；可写作 30个工作日内"),
        ("交办之日起10个工作天内", "无法识别“交办之日起10个工作天内”中的“个工作天”；可写作 交办之日起10个工作日内"),
        ("每月最后一天", "无法识别“每月最后一天”；可写作 每月底"),
        ("2017年3月底前左右", "无法识别“2017年3月底前左右”中的“左右”；可写作 2017年3月底前"),
        (
            "元宵节前",
            "无法识别“元宵节前”中的“元宵”；可写作 春节前（可写的节日：元旦、春节、清明、劳动节、端午、中秋、国庆）",
        ),
        ("节后第一个工作日", "无法识别“节后第一个工作日”中的“节后”；可写作 春节后第1个工作日"),
        ("春节后", "无法识别“春节后”；可写作 春节后第1个工作日 或 春节后5个工作日内"),
        ("每季度首月", "无法识别“每季度首月”；可写作 每季度首月10日前"),
        ("每两周", "无法识别“每两周”；可写作 每周五前 或 每月10日和25日前"),
        ("明年6月底", "无法识别“明年6月底”中的“明年”；可写作 2018年6月底前（写明年份）"),
        ("abc", "无法识别“abc”；可写作 2017年3月底前、每月25日前、收件之日起30个工作日内、长期坚持"),
    ],
)
def test_a_refusal_names_the_part_and_suggests_a_form(text: str, message: str) -> None:
    refused = _refusal(text)
    assert str(refused) == message
    assert refused.key in ("deadline_unknown", "deadline_unknown_part") and refused.params["text"] == text


@pytest.mark.parametrize(
    ("text", "ref_year", "message"),
    [
        ("2017年13月底", 2019, "无法识别“2017年13月底”中的“13月”：一年只有1月至12月"),
        ("2017年2月30日前", 2019, "无法识别“2017年2月30日前”中的“30日”：2017年2月只有28天"),
        ("每月32日前", 2019, "无法识别“每月32日前”中的“32日”：一个月最多31天；月末可写作 每月底前"),
        ("2017年第五季度末", 2019, "无法识别“2017年第五季度末”中的“第5季度”：一年只有第1至第4季度"),
        ("每年2月29日", 2019, "“每年2月29日”中的“2月29日”不是每年都有；可写作 每年2月底前"),
        ("0天内", 2019, "“0天内”的期限为0，不是完成时限；可写作 收件之日起5个工作日内"),
        ("3月底", None, "“3月底”没有写年份：请写明年份（如 2017年3月底前），或给出参照年份（--ref）"),
        ("1十天内", 2019, "无法识别“1十天内”中的“1十”：一个数里混用了阿拉伯数字和汉字数字；请统一写作阿拉伯数字"),
        (
            "6月19日(星期二)前",
            2019,
            "“6月19日(星期二)前”中的日期与星期不符：2019年6月19日是星期三，不是星期二；请核对日期",
        ),
        ("年后十日前", 2019, "无法识别“年后十日前”中的“年后”：不是可以起算的事件"),
        ("2201年3月底", 2019, "2201年3月底：年份 2201 超出支持的范围（1900–2200）"),
        ("", 2019, "未填写完成时限；可写作 2017年3月底前、每月25日前、收件之日起30个工作日内、长期坚持"),
    ],
)
def test_each_refusal_in_chinese(text: str, ref_year: int | None, message: str) -> None:
    assert str(_refusal(text, ref_year)).startswith(message)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("每周八前", "cannot understand “八前” in “每周八前”; write e.g. 每周五前"),
        ("尽快", "cannot understand “尽快”; write e.g. 收件之日起5个工作日内 或 2017年3月底前"),
        ("2017年13月底", "2017年13月底: no month 13 (a year has months 1 to 12)"),
        ("3月底", "3月底: no year given; write the year or give a reference year (--ref)"),
        ("6月19日(星期二)前", "6月19日(星期二)前: 2019年6月19日 is a 星期三, not a 星期二; check the date"),
    ],
)
def test_each_refusal_in_english_when_chosen(text: str, message: str) -> None:
    assert str(_refusal(text, None if text == "3月底" else 2019)) == message


def test_the_key_and_params_stay_for_a_front_end_that_words_them_itself() -> None:
    refused = _refusal("2017年13月底")
    assert refused.key == "deadline_no_month" and refused.params == {"text": "2017年13月底", "month": 13}


def _forms(suggestion: str) -> list[str]:
    """The forms a suggestion offers: "每周五前，或写明日期（如 …）" → ["每周五前"]."""
    head = re.split(r"[（(]", suggestion)[0]
    return [f for f in re.split(r"、| 或 |，或|，", head) if f and not f.startswith("写明")]


@pytest.mark.parametrize(
    "suggestion",
    [s for _, s in deadline_hints._NEAR_MISSES] + [s for _, s in deadline_hints._HEADS] + [refusals.EXAMPLES],
)
def test_every_form_suggested_is_accepted(suggestion: str) -> None:
    assert _forms(suggestion)
    for form in _forms(suggestion):
        parse(form, 2019)  # raises if we suggested a form we refuse


@pytest.mark.parametrize("text", ["每周二12时前", "每星期二12:00前", "6月18日星期二17时前"])
def test_a_weekday_followed_by_an_hour_is_not_a_mixed_number(text: str) -> None:
    assert parse(text, 2019).kind in ("recurring", "absolute")
