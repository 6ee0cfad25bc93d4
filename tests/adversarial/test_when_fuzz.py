"""`tracker when` on arbitrary text and dates: exit 0 or 2, never 1, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main

# Pieces of the deadline language, so that the fuzz reaches deep into the grammar, not only
# its first refusal.
PIECES = [
    *"0123456789〇零一二两三四五六七八九十年月日号底末初中旬上下半季度第每个工作天周内前后接到通知之",
    "２０１７",
    "10000",
    "9999",
    "0000",
    "零零零零",
    "-",
    "/",
    ".",
    "、",
    "\n",
]
TEXT = st.one_of(st.text(max_size=30), st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["0000-01-01", "10000-01-01", "2017-02-30", "1900-01-01", "2200-12-31"]),
)


def _run(args: list[str]) -> tuple[int, str]:
    try:
        main(args)
        return 0, ""
    except SystemExit as exc:
        return (exc.code if isinstance(exc.code, int) else 1), ""


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, ref=st.none() | DATES, start=st.none() | DATES, end=st.none() | DATES)
def test_when_never_fails_inside(capsys: pytest.CaptureFixture[str], text: str, ref, start, end) -> None:  # type: ignore[no-untyped-def]
    if not text or text.startswith("-"):
        text = "x" + text  # an option-looking argument is click's, not the deadline language's
    args = ["when", text]
    for option, value in (("--ref", ref), ("--from", start), ("--until", end)):
        if value is not None:
            args += [option, value]
    capsys.readouterr()
    code, _ = _run(args)
    err = capsys.readouterr().err
    assert code in (0, 2), (args, err)
    assert "Traceback" not in err and "internal error" not in err, (args, err)


# Phrases of issue 15 built from their parts: an event, how it is counted from, a count, a unit.
EVENTS = st.sampled_from(["收件", "自收到通知", "交办", "自会议决定", "收到转办件工单的", "接到通知"])
FROM = st.sampled_from(["之日起", "次日起", "后", "后的"])
UNITS = st.sampled_from(["个工作日", "日", "天"])
ENDS = st.sampled_from(["内", "内办结", "以内", "之内"])
ANNOTATED = st.sampled_from(["(星期二)", "（星期三）", "上午下班", "17:00", "(周二)中午12时", "下午3时"])


@settings(deadline=None, max_examples=200)
@given(
    event=EVENTS,
    how=FROM,
    n=st.integers(1, 60),
    unit=UNITS,
    end=ENDS,
    trigger=st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2025, 10, 1)),
)
def test_counted_from_an_event_agrees_with_the_official_calendar(
    event: str, how: str, n: int, unit: str, end: str, trigger: dt.date
) -> None:
    import chinese_calendar

    from tracker.deadlines import Relative, parse
    from tracker.workdays import WorkCalendar

    deadline = parse(f"{event}{how}{n}{unit}{end}")
    assert isinstance(deadline, Relative) and deadline.trigger
    due = deadline.resolve(trigger, WorkCalendar())
    if unit == "个工作日":
        days = [trigger + dt.timedelta(days=k) for k in range(1, (due - trigger).days + 1)]
        assert chinese_calendar.is_workday(due)
        assert sum(chinese_calendar.is_workday(d) for d in days) == n
    else:
        assert due == trigger + dt.timedelta(days=n)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), note=ANNOTATED)
def test_annotated_dates_are_that_day_or_an_error(capsys: pytest.CaptureFixture[str], day: dt.date, note: str) -> None:
    capsys.readouterr()
    code, _ = _run(["when", f"{day.year}年{day.month}月{day.day}日{note}前", "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    if code == 0:
        assert f'"{day.isoformat()}"' in out
    else:
        assert "星期" in note or "周" in note, err
        assert "日期与星期不符" in err


# --- the whole grammar of issue 15, generated from its parts, through `tracker when` -------------

CN_DIGITS = "零一二三四五六七八九"
HOLIDAY_NAMES = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival",
    "国庆": "National Day",
}


def _chinese(n: int) -> str:
    """1–99 as notices write it: 五, 十, 十五, 三十, 三十五."""
    tens, units = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "") + (CN_DIGITS[units] if units else "")


def _count(n: int) -> st.SearchStrategy[str]:
    return st.sampled_from([str(n), _chinese(n)])


@st.composite
def _relative(draw: st.DrawFn) -> tuple[str, str, object]:
    n = draw(st.integers(1, 60))
    unit = draw(UNITS)
    text = f"{draw(EVENTS)}{draw(FROM)}{draw(_count(n))}{unit}{draw(ENDS)}"
    return text, "relative", (n, unit)


@st.composite
def _weekly(draw: st.DrawFn) -> tuple[str, str, object]:
    day = draw(st.integers(0, 6))
    name = "一二三四五六日"[day]
    head = draw(st.sampled_from(["每周", "每周周", "每星期", "每个星期", "每礼拜"]))
    time = draw(st.sampled_from(["", "中午12时", "17:00", "上午下班", "下午3点"]))
    end = draw(st.sampled_from(["前", "之前", ""]))
    return f"{head}{name}{time}{end}", "recurring", ("weekday", day)


@st.composite
def _periodic(draw: st.DrawFn) -> tuple[str, str, object]:
    day = draw(st.integers(1, 28))
    written = draw(_count(day))
    quarters = [1, 4, 7, 10]
    form = draw(st.sampled_from(["month_end", "month_days", "quarter_first", "quarter_last", "after_quarter", "year"]))
    if form == "month_end":
        text = draw(st.sampled_from(["每月月底前", "每月底前", "每月末", "每个月底前"]))
        return text, "recurring", ("points", [(m, 0) for m in range(1, 13)])
    if form == "month_days":
        other = draw(st.integers(1, 28))
        days = sorted({day, other})
        return f"每月{day}日和{other}日前", "recurring", ("points", [(m, d) for m in range(1, 13) for d in days])
    if form == "quarter_first":
        return f"每季度首月{written}日前", "recurring", ("points", [(m, day) for m in quarters])
    if form == "quarter_last":
        return f"每季度末月{written}日前", "recurring", ("points", [(m + 2, day) for m in quarters])
    if form == "after_quarter":
        return f"每季度结束后{written}日内", "recurring", ("points", [(m, day) for m in quarters])
    return "每年6月底和12月底前", "recurring", ("points", [(6, 0), (12, 0)])


@st.composite
def _holiday(draw: st.DrawFn) -> tuple[str, str, object]:
    name = draw(st.sampled_from(sorted(HOLIDAY_NAMES)))
    year = draw(st.integers(2005, 2025))
    suffix = "节" if name in ("春节", "国庆", "端午", "中秋", "元旦") and draw(st.booleans()) else ""
    n = draw(st.integers(1, 10))
    after = draw(st.sampled_from([None, "within", "nth"]))
    if after is None:
        text = f"{year}年{name}{suffix}{draw(st.sampled_from(['前', '之前']))}"
    elif after == "within":
        text = f"{year}年{name}{suffix}后{draw(_count(n))}个工作日内"
    else:
        text = f"{year}年{name}{suffix}后第{draw(_count(n))}个工作日"
    return text, "holiday", (HOLIDAY_NAMES[name], None if after is None else n)


PHRASES = st.one_of(
    _relative(),
    _weekly(),
    _periodic(),
    st.sampled_from(["年内完成", "年内", "本年度内", "今年内"]).map(lambda t: (t, "absolute", ("year_end",))),
    st.sampled_from(["长期坚持", "持续推进", "常态化推进", "长期"]).map(lambda t: (t, "ongoing", ())),
    _holiday(),
)
JUNK = st.sampled_from([*"年月日前后内周每个工作天季度第之起次的（）(),、 0123456789一二十", "左右", "xyz", "尽快"])


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a piece inserted, a character deleted or one replaced."""
    at = draw(st.integers(0, len(text)))
    how = draw(st.sampled_from(["insert", "delete", "replace"]))
    if how == "insert":
        return text[:at] + draw(JUNK) + text[at:]
    if how == "delete":
        return text[:at] + text[at + 1 :]
    return text[:at] + draw(JUNK) + text[at + 1 :]


def _worked_before(day: dt.date, holiday: str) -> bool:
    """``day`` is a working day, and every day after it is a day off until ``holiday`` begins."""
    import chinese_calendar

    if not chinese_calendar.is_workday(day):
        return False
    day += dt.timedelta(days=1)
    while chinese_calendar.get_holiday_detail(day) != (True, holiday):
        if chinese_calendar.is_workday(day):
            return False
        day += dt.timedelta(days=1)
    return True


def _workdays_since(day: dt.date, holiday: str) -> int:
    """Working days from the end of ``holiday`` (the last of its days before ``day``) to ``day``."""
    import chinese_calendar

    count = 0
    while chinese_calendar.get_holiday_detail(day) != (True, holiday):
        count += chinese_calendar.is_workday(day)
        day -= dt.timedelta(days=1)
    return count


def _check_dates(kind: str, promise: tuple, ref: dt.date, dates: list[dt.date]) -> None:  # type: ignore[type-arg]
    import calendar

    import chinese_calendar

    if kind == "relative":
        n, unit = promise
        (due,) = dates
        if unit == "个工作日":
            assert chinese_calendar.is_workday(due)
            days = [ref + dt.timedelta(days=k) for k in range(1, (due - ref).days + 1)]
            assert sum(chinese_calendar.is_workday(d) for d in days) == n
        else:
            assert due == ref + dt.timedelta(days=n)
    elif kind == "recurring" and promise[0] == "weekday":
        assert dates and all(d.weekday() == promise[1] and d.year == ref.year for d in dates)
    elif kind == "recurring":
        expected = [dt.date(ref.year, m, d or calendar.monthrange(ref.year, m)[1]) for m, d in promise[1]]
        assert dates == sorted(expected)
    elif kind == "absolute":
        assert dates == [dt.date(ref.year, 12, 31)]
    elif kind == "ongoing":
        assert dates == []
    else:
        holiday, after = promise
        (due,) = dates
        if after is None:
            assert _worked_before(due, holiday)
        else:
            assert chinese_calendar.is_workday(due) and _workdays_since(due, holiday) == after


def _in_chinese(err: str, text: str) -> bool:
    """A refusal worded in Chinese: no English word in it once the text itself is taken out."""
    message = err.removeprefix("tracker: ")
    config_keys = r'\[calendar\."\d+"\]|holidays|workdays'  # the config's own words, quoted as they are
    return message != err and not re.search(r"[A-Za-z]{4,}", re.sub(config_keys, "", message.replace(text, "")))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    phrase=PHRASES,
    ref=st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2025, 10, 1)),
    mutate=st.booleans(),
    data=st.data(),
)
def test_the_grammar_of_issue_15_through_when(  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str], phrase, ref: dt.date, mutate: bool, data
) -> None:
    text, kind, promise = phrase
    written = data.draw(_mutated(text)) if mutate else text
    if not written.strip() or written.startswith("-"):
        return  # nothing to read, or an option: click's, not the deadline language's
    capsys.readouterr()
    code, _ = _run(["when", written, "--ref", ref.isoformat(), "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 2), (written, err)
    assert "Traceback" not in err and "internal error" not in err, (written, err)
    if code == 2:
        assert _in_chinese(err, written), (written, err)
        # every phrase as generated is understood; only a holiday with no days of its own is refused
        assert mutate or (kind == "holiday" and "没有单独的假期" in err), (written, err)
        return
    answer = json.loads(out)
    dates = [dt.date.fromisoformat(d) for d in answer["dates"]]  # each one real
    assert all(1900 <= d.year <= 2200 for d in dates)
    if not mutate:
        assert answer["kind"] == kind, (written, answer)
        _check_dates(kind, promise, ref, dates)
