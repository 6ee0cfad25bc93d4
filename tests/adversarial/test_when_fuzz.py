"""`tracker when` on arbitrary text and dates: exit 0 or 2, never 1, never a traceback."""

from __future__ import annotations

import datetime as dt

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
