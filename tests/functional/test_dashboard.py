"""The leader's dashboard (tracker.usecases.dashboard, tracker.trend, tracker.svg_charts,
`tracker dashboard`): a ledger driven through five weeks, progress recorded on given days, the
series checked week by week; a unit's profile; the charts escaped, valid XML, without inline
style or script."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.test_scores import RECURRING
from tracker.app import Tracker, build
from tracker.svg_charts import bar_chart, line_chart
from tracker.usecases import changes, review
from tracker.usecases.check import run_daily_check
from tracker.usecases.dashboard import dashboard_trends, trend_charts, unit_profile
from tracker.usecases.ledgers import import_ledgers
from tracker.usecases.progress import Progress, record_progress
from tracker.usecases.work import Actor

LEDGER = """
title = "驾驶舱测试台账"
doc_number = "测试〔2017〕9号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"
[[units]]
name = "丙县政府"
person = "王五"

[[tasks]]
text = "完成方案编制"
deadline = "2017年3月10日"
[[tasks]]
text = "完成系统建设"
deadline = "2017年3月24日"
[[tasks]]
text = "完成验收"
deadline = "2017年3月28日"
"""
TITLE = "驾驶舱测试台账"
AS_OF = dt.date(2017, 3, 31)
WEEKS = [dt.date(2017, 3, 3), dt.date(2017, 3, 10), dt.date(2017, 3, 17), dt.date(2017, 3, 24), AS_OF]
CLERK = Actor("督查室 李四")


class Clock:
    """The tracker's clock, moved on by the test: 10:00 in Beijing on the day set."""

    def __init__(self) -> None:
        self.day = dt.date(2017, 3, 1)

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(2, 0), dt.UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tracker(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Tracker]:
    """The ledger driven through March 2017:

    - 3/6 甲 starts task 1, 3/8 done (on time);
    - 3/13 the daily check: 乙 and 丙 each get a 督办通知 for task 1, three days late;
    - 3/15 乙 records task 1 done on 3/14 (late);
    - 3/17 甲 submits task 2 as done that day, returned 3/18; submits again 3/20, accepted 3/28
      (done on 3/20: on time, though accepted after the deadline of 3/24);
    - 3/22 丙 terminated: its task 1, overdue, stays counted; tasks 2 and 3 are left out;
    - 3/27 乙 asks to extend task 3 to 4/7, approved 3/30;
    - 3/29 乙 records task 2 done that day (late).
    """
    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER, encoding="utf-8")
    app = build(db_url, None, "测试员", clock=clock)
    import_ledgers(app, CLERK, [path])

    def on(day: int) -> None:
        clock.day = dt.date(2017, 3, day)

    def progress(task: str, unit: str, status: str, done_on: int | None = None) -> None:
        completed = dt.date(2017, 3, done_on) if done_on else None
        record_progress(app, CLERK, TITLE, task, unit, Progress(status, completed_on=completed))

    on(6)
    progress("1", "甲县", "doing")
    on(8)
    progress("1", "甲县", "done", 8)
    on(13)
    run_daily_check(app, CLERK, as_of=dt.date(2017, 3, 13))
    on(15)
    progress("1", "乙县", "done", 14)
    on(17)
    first = review.submit_completion(app, CLERK, TITLE, "2", "甲县", dt.date(2017, 3, 17))
    on(18)
    review.return_completion(app, CLERK, first.id, "佐证材料不全")
    on(20)
    second = review.submit_completion(app, CLERK, TITLE, "2", "甲县", dt.date(2017, 3, 20))
    on(22)
    changes.terminate(app, CLERK, TITLE, "丙县", reason="试点终止")
    on(27)
    asked = changes.request_extension(app, CLERK, TITLE, "3", "乙县", to=dt.date(2017, 4, 7), reason="设备未到货")
    on(28)
    review.accept_completion(app, CLERK, second.id)
    on(29)
    progress("2", "乙县", "done", 29)
    on(30)
    decided = changes.decide_extension(app, CLERK, str(asked.id), approve=True)
    while decided.status == "pending":
        decided = changes.decide_extension(app, CLERK, str(asked.id), approve=True)
    assert decided.status == "approved"
    on(31)
    yield app
    app.engine.dispose()


def figures(points) -> list[tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    """(assignments counted, done, done on time, due) per week."""
    return [(p.assignments, p.done, p.on_time, p.due) for p in points]


def test_the_series_week_by_week(tracker: Tracker) -> None:
    trends = dashboard_trends(tracker, ledger=TITLE, as_of=AS_OF, weeks=5)
    assert list(trends.weeks) == WEEKS
    (ledger,) = trends.ledgers
    assert figures(ledger.overall.points) == [
        (9, 0, 0, 0),  # 3/3: nothing due yet
        (9, 1, 1, 3),  # 3/10: 甲's task 1 done on time; task 1 due for all three
        (9, 2, 1, 3),  # 3/17: 乙's late completion of 3/14 counts from that day
        (7, 3, 2, 5),  # 3/24: 甲's task 2 done on 3/20 (accepted later); 丙's tasks 2 and 3 out
        (7, 4, 2, 6),  # 3/31: 乙's task 2 late; its task 3 extended to 4/7, not yet due
    ]
    units = {u.name: figures(u.points) for u in ledger.units}
    assert units["甲县政府"] == [(3, 0, 0, 0), (3, 1, 1, 1), (3, 1, 1, 1), (3, 2, 2, 2), (3, 2, 2, 3)]
    assert units["乙县政府"] == [(3, 0, 0, 0), (3, 0, 0, 1), (3, 1, 0, 1), (3, 1, 0, 2), (3, 2, 0, 2)]
    # 丙 terminated 3/22: its overdue task 1 stays, never done; the others leave the rates.
    assert units["丙县政府"] == [(3, 0, 0, 0), (3, 0, 0, 1), (3, 0, 0, 1), (1, 0, 0, 1), (1, 0, 0, 1)]
    first, last = ledger.overall.points[0], ledger.overall.points[-1]
    assert (first.completion, first.on_time_rate) == (0.0, None)
    assert (last.completion, last.on_time_rate) == (pytest.approx(4 / 7), pytest.approx(2 / 6))
    # Open past the deadline now: 甲's task 3, no notice issued for it yet.
    assert trends.overdue_by_level == ledger.overdue_by_level == (("未发通知", 1),)

    # Overdue by the level notified as of the day: before the check, after it (丙 still open,
    # 乙 done on 3/14), and after 丙's termination.
    def levels(day: int) -> tuple[tuple[str, int], ...]:
        return dashboard_trends(tracker, as_of=dt.date(2017, 3, day), weeks=1).overdue_by_level

    assert (levels(12), levels(17), levels(24)) == ((("未发通知", 2),), (("督办通知", 1),), ())

    # The same by unit: whose overdue it is, at which level (the leader's table per unit).
    def by_unit(day: int) -> dict[str, tuple[tuple[str, int], ...]]:
        found = dashboard_trends(tracker, ledger=TITLE, as_of=dt.date(2017, 3, day), weeks=1).ledgers[0]
        return {u.name: u.overdue_by_level for u in found.units if u.overdue_by_level}

    assert by_unit(12) == {"乙县政府": (("未发通知", 1),), "丙县政府": (("未发通知", 1),)}
    assert by_unit(17) == {"丙县政府": (("督办通知", 1),)} and by_unit(24) == {}
    # A week earlier the late completion of 3/29 had not happened: as of 3/24 the same figures.
    earlier = dashboard_trends(tracker, ledger=TITLE, as_of=dt.date(2017, 3, 24), weeks=2)
    assert figures(earlier.ledgers[0].overall.points) == [(9, 2, 1, 3), (7, 3, 2, 5)]


def test_a_units_profile(tracker: Tracker) -> None:
    甲 = unit_profile(tracker, "甲县政府", as_of=AS_OF, weeks=5)
    assert (甲.assignments, 甲.done, 甲.done_late, 甲.open_overdue, 甲.late_workdays) == (3, 2, 0, 1, 3)
    assert (甲.reviews_submitted, 甲.reviews_returned, 甲.reviews_accepted) == (2, 1, 1)
    assert figures(甲.series[0].points)[-1] == (3, 2, 2, 3)
    assert 甲.series[0].overdue_by_level == (("未发通知", 1),)
    乙 = unit_profile(tracker, "乙县", as_of=AS_OF)  # a part of the name that only one unit has
    # Task 1 two working days late (3/13, 3/14), task 2 three (3/27–3/29); task 3 extended.
    assert (乙.unit, 乙.done_late, 乙.open_overdue, 乙.late_workdays, 乙.overdue) == ("乙县政府", 2, 0, 5, 2)
    assert (乙.extensions_requested, 乙.extensions_approved, 乙.extensions_refused) == (1, 1, 0)
    丙 = unit_profile(tracker, "丙县政府", as_of=AS_OF)
    # Terminated 3/22, eight working days after its task 1 fell due.
    assert (丙.assignments, 丙.terminated_overdue, 丙.late_workdays) == (1, 1, 8)
    assert 丙.notices == 乙.notices == (("督办通知", 1),) and 丙.unacknowledged == 1
    assert unit_profile(tracker, "丙县政府", as_of=dt.date(2017, 3, 12)).notices == ()


def test_unknown_or_ambiguous_unit_and_bad_weeks_are_refused(tracker: Tracker) -> None:
    from tracker.errors import InputError

    with pytest.raises(InputError) as unknown:
        unit_profile(tracker, "丁县政府", as_of=AS_OF)
    assert "丁县政府" in str(unknown.value)
    with pytest.raises(InputError) as ambiguous:
        unit_profile(tracker, "县政府", as_of=AS_OF)
    assert "甲县政府" in str(ambiguous.value)
    with pytest.raises(InputError) as weeks:
        dashboard_trends(tracker, weeks=0)
    assert "--weeks" in str(weeks.value)


def test_the_charts_are_valid_svg(tracker: Tracker) -> None:
    charts = trend_charts(dashboard_trends(tracker, as_of=AS_OF, weeks=5))
    assert set(charts) == {"ledger-1-completion.svg", "ledger-1-on_time_rate.svg", "overdue-by-level.svg"}
    for svg in charts.values():
        root = ET.fromstring(svg)
        assert (
            root.tag == "{http://www.w3.org/2000/svg}title"
            or root.find("{http://www.w3.org/2000/svg}title") is not None
        )


HOSTILE = '甲<script>alert("x")</script>&县'


def _safe(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML
    assert "<script" not in svg and "style=" not in svg and "javascript:" not in svg
    assert root.get("role") == "img" and root.get("aria-label")
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text
    return root


def test_svg_text_is_escaped() -> None:
    weeks = [dt.date(2017, 3, 3) + dt.timedelta(days=7 * i) for i in range(4)]
    svg = line_chart(f"完成率 {HOSTILE}", weeks, [(HOSTILE, [0.0, None, 0.5, 1.0]), ("乙 & 丙", [0.1, 0.2, 0.3, 0.4])])
    root = _safe(svg)
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith(("title", "text"))]
    assert f"完成率 {HOSTILE}" in texts and HOSTILE in texts and "乙 & 丙" in texts
    assert "&lt;script&gt;" in svg and "&amp;县" in svg
    # Series differ by dash pattern too (black-and-white printing), and a None leaves a gap.
    lines = root.iter("{http://www.w3.org/2000/svg}polyline")
    assert len({line.get("stroke-dasharray") for line in lines}) == 2
    bars = bar_chart(f"逾期 {HOSTILE}", [(HOSTILE, 3), ("问责", 0)])
    root = _safe(bars)
    assert any(HOSTILE in "".join(e.itertext()) for e in root.iter())
    assert root.get("aria-label") == f"逾期 {HOSTILE}"


def test_cli_json_and_svg(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert cli("import", path).code == 0
    assert cli("progress", TITLE, "1", "甲县", "--status", "done", "--on", "2017-03-08").code == 0
    result = cli("dashboard", "--ledger", TITLE, "--as-of", "2017-03-17", "--weeks", "3", "--json")
    assert result.code == 0, result.err
    payload = result.json()
    assert payload["weeks"] == ["2017-03-03", "2017-03-10", "2017-03-17"]
    overall = payload["ledgers"][0]["overall"]["points"]
    assert [(p["done"], p["completion"], p["on_time_rate"]) for p in overall] == [
        (0, 0.0, None),
        (1, round(1 / 9, 4), round(1 / 3, 4)),
        (1, round(1 / 9, 4), round(1 / 3, 4)),
    ]
    assert payload["overdue_by_level"] == {"未发通知": 2}
    folder = tmp_path / "charts"
    result = cli("dashboard", "--unit", "甲县政府", "--as-of", "2017-03-17", "--svg", folder, "--json")
    assert result.code == 0, result.err
    profile = result.json()
    assert (profile["unit"], profile["done"], profile["reviews"]["returned"]) == ("甲县政府", 1, 0)
    assert sorted(Path(f).name for f in profile["files"]) == ["unit-completion.svg", "unit-on_time_rate.svg"]
    for f in profile["files"]:
        _safe(Path(f).read_text(encoding="utf-8"))
    result = cli("dashboard", "--as-of", "2017-03-17", "--svg", folder)
    assert result.code == 0 and "3 张图表" in result.out and "按期办结率" in result.out
    result = cli("dashboard", "--unit", "丁县")
    assert result.code == 2 and "丁县" in result.err
    result = cli("dashboard", "--weeks", "500")
    assert result.code == 2 and "--weeks" in result.err
    json.loads(cli("dashboard", "--json").out)  # today, every ledger


def fresh(db_url: str, tmp_path: Path, clock: Clock, text: str) -> Tracker:
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    app = build(db_url, None, "测试员", clock=clock)
    import_ledgers(app, CLERK, [path])
    return app


def test_a_recurring_duty_counts_each_period_from_the_one_before(db_url: str, tmp_path: Path, clock: Clock) -> None:
    """甲 does January's report on 1/9 (on time) and February's on 2/15 (late); 乙 none. Each of
    甲's periods counts from the day the one before was done; 乙 owes January's still."""
    app = fresh(db_url, tmp_path, clock, RECURRING)
    for day, done_on in ((dt.date(2017, 1, 9), 9), (dt.date(2017, 2, 15), 15)):
        clock.day = day
        completed = day.replace(day=done_on)
        record_progress(app, CLERK, "月报测试台账", "1", "甲县", Progress("done", completed_on=completed))
    trends = dashboard_trends(app, as_of=dt.date(2017, 2, 17), weeks=7)
    units = {u.name: figures(u.points) for u in trends.ledgers[0].units}
    # Weeks ending 1/6, 1/13, 1/20, 1/27, 2/3, 2/10, 2/17.
    assert units["甲县政府"] == [(1, 0, 0, 0)] + [(2, 1, 1, 1)] * 4 + [(2, 1, 1, 2), (3, 2, 1, 2)]
    assert units["乙县政府"] == [(1, 0, 0, 0)] + [(1, 0, 0, 1)] * 6
    app.engine.dispose()


def test_reopened_and_done_without_a_record(db_url: str, tmp_path: Path, clock: Clock) -> None:
    """甲's task 1 done 3/8 and reopened 3/15: done at the week of 3/10, not at 3/17. 乙's was
    marked done with no progress on record (as an import or an old database leaves it): done from
    its completion date."""
    from sqlmodel import col, select, update

    from tracker.models import Assignment, Unit

    app = fresh(db_url, tmp_path, clock, LEDGER)
    clock.day = dt.date(2017, 3, 8)
    record_progress(app, CLERK, TITLE, "1", "甲县", Progress("done", completed_on=clock.day))
    clock.day = dt.date(2017, 3, 15)
    record_progress(app, CLERK, TITLE, "1", "甲县", Progress("doing"))
    with app.session() as session:
        乙 = session.exec(select(Unit.id).where(Unit.name == "乙县政府")).one()
        first = session.exec(select(Assignment.id).where(Assignment.unit_id == 乙).order_by(col(Assignment.id))).first()
        session.execute(
            update(Assignment)
            .where(col(Assignment.id) == first)
            .values(status="done", completed_on=dt.date(2017, 3, 9), percent=100)
        )
        session.commit()
    trends = dashboard_trends(app, ledger=TITLE, as_of=dt.date(2017, 3, 17), weeks=3)
    units = {u.name: figures(u.points) for u in trends.ledgers[0].units}
    assert units["甲县政府"] == [(3, 0, 0, 0), (3, 1, 1, 1), (3, 0, 0, 1)]
    assert units["乙县政府"] == [(3, 0, 0, 0), (3, 1, 1, 1), (3, 1, 1, 1)]
    app.engine.dispose()


def test_the_bureau_reads_the_dashboard_a_unit_account_does_not(tracker: Tracker) -> None:
    """Action "read": a viewer reads every unit's figures; a unit account is refused (its own
    view comes with the portal), the refusal audited."""
    from tracker.permissions import PermissionDenied
    from tracker.usecases import accounts

    admin = Actor("admin")
    accounts.add_account(tracker, Actor("desk"), "admin", role="admin", password="correct horse 42")
    accounts.add_account(tracker, admin, "viewer", role="viewer", password="correct horse 42")
    accounts.add_account(tracker, admin, "甲联络员", role="unit", unit="甲县政府", password="correct horse 42")
    assert dashboard_trends(tracker, Actor("viewer"), as_of=AS_OF).ledgers[0].title == TITLE
    assert unit_profile(tracker, "乙县政府", Actor("viewer"), as_of=AS_OF).done == 2
    with pytest.raises(PermissionDenied):
        dashboard_trends(tracker, Actor("甲联络员"), as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        unit_profile(tracker, "甲县政府", Actor("甲联络员"), as_of=AS_OF)


def test_a_big_ledger_charts_the_units_lowest_now(tracker: Tracker) -> None:
    from tracker.usecases import dashboard

    many = dashboard_trends(tracker, as_of=AS_OF, weeks=5)
    ledger = many.ledgers[0]
    # As if the ledger had eleven units: the chart keeps the whole ledger and the seven lowest.
    units = tuple(type(u)(f"{u.name}{i}", u.points) for i in range(4) for u in ledger.units[: 3 if i < 3 else 2])
    big = type(many)(many.as_of, many.weeks, (type(ledger)(1, TITLE, ledger.overall, units, ()),), ())
    svg = dashboard.trend_charts(big)["ledger-1-completion.svg"]
    root = _safe(svg)
    names = [g.get("aria-label") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert len(names) == dashboard.MAX_LINES and names[0] == "全台账"
    # 丙's 0 % is the lowest now: each of its three copies is drawn; four of 甲's and 乙's 67 % fill up.
    assert sorted(n for n in names if n.startswith("丙")) == ["丙县政府0", "丙县政府1", "丙县政府2"]
    assert "最低的7个单位" in svg


def test_charts_of_nothing_are_still_valid() -> None:
    one = [dt.date(2017, 3, 3)]
    _safe(line_chart("完成率", one, [("甲", [None]), ("乙", [0.5])]))
    _safe(line_chart("完成率", one, []))
    weeks = [dt.date(2015, 1, 2) + dt.timedelta(days=7 * i) for i in range(104)]
    root = _safe(line_chart("完成率", weeks, [("甲", [i / 103 for i in range(104)])]))
    dates = [e.text for e in root.iter("{http://www.w3.org/2000/svg}text") if e.text and e.text.endswith("日")]
    assert 5 <= len(dates) <= 10 and dates[-1] == "12月23日"  # a date every few weeks, the last week's always
    assert "无" in bar_chart("逾期", [])
    _safe(bar_chart("逾期", [("未发通知", 0)]))
