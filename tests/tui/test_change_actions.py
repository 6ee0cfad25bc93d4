"""The changes the terminal UI gained (issue 18), driven by Pilot on the demo's data at its fixed
date: a unit terminated from the units section, a report received and a trigger date recorded from
an assignment, the scores section. Dates are typed as people type them; refusals are shown."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from tests.tui.test_screens import AS_OF, SIZE, wait
from tracker.app import Tracker
from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
from tracker.models import Assignment, AuditEntry, ReportDue, Task, Unit
from tui.app import TrackerApp
from tui.dialogs.date import DateDialog
from tui.screens.assignment import AssignmentScreen

PILOTS = "建科研函[2013]183号"  # a report duty, and task 4's deadline runs from a notice received


def said(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


def assignment_id(tracker: Tracker, ledger: str, seq: str, unit: str) -> int:
    with tracker.session() as session:
        found = find_ledger(session, ledger)
        a = find_assignment(session, find_task(session, found, seq), find_unit(session, found, unit))
        assert a.id is not None
        return a.id


def audit_count(tracker: Tracker) -> int:
    with tracker.session() as session:
        return len(list(session.exec(select(AuditEntry.id))))


async def open_assignment(pilot, app: TrackerApp, seq: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    """The assignment screen of task ``seq`` of the pilots' ledger for ``unit``."""
    await wait(pilot, app)
    app.push_screen(AssignmentScreen(app.context, assignment_id(app.context.tracker, PILOTS, seq, unit)))
    await wait(pilot, app)


async def type_date(pilot, app: TrackerApp, text: str) -> None:  # type: ignore[no-untyped-def]
    """Replace the dialog's date (today's, filled in) with ``text`` and press Enter."""
    assert isinstance(app.screen, DateDialog)
    app.screen.query_one("#date").value = text  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_terminating_a_unit_from_the_units_section(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("g")
        await wait(pilot, app)
        await pilot.press("down", "down", "down", "down", "t")  # 台前县政府
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        await type_date(pilot, app, "明年")  # not a date: the dialog says so and stays
        assert isinstance(app.screen, DateDialog)
        assert "-bad" in app.screen.query_one("#date-hint").classes
        await type_date(pilot, app, "9月1日")  # Enter goes on to the reason
        await pilot.press("enter")  # no reason: refused by the dialog, which stays
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        await pilot.press(*"试点终止", "enter")
        await wait(pilot, app)
        assert not isinstance(app.screen, DateDialog)
        assert any(m.startswith("台前县政府：") and "已终止（2017-09-01）" in m for m in said(app))
        before = audit_count(tracker)
        await pilot.press("t")  # again: nothing open is left, the refusal is shown
        await pilot.pause()
        await type_date(pilot, app, "今天")
        await pilot.press(*"再次", "enter")
        await wait(pilot, app)
        assert "台前县政府 在本台账中没有未完成的任务" in said(app)
        assert audit_count(tracker) == before
    with tracker.session() as session:
        unit = session.exec(select(Unit).where(Unit.ledger_id == 1, Unit.name == "台前县政府")).one()
        assert unit.terminated_on == dt.date(2017, 9, 1)
        states = set(session.exec(select(Assignment.status).where(Assignment.unit_id == unit.id)))
        assert "doing" not in states and "terminated" in states


async def test_a_report_received_from_an_assignment(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_assignment(pilot, app, "2", "北京东城区")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await type_date(pilot, app, "明天")  # still to come: the service refuses, the refusal is shown
        await pilot.press("enter")  # no report named: the ledger has one
        await wait(pilot, app)
        assert any("尚未到来" in m for m in said(app))
        assert isinstance(app.screen, AssignmentScreen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await type_date(pilot, app, "2017年9月10日")
        await pilot.press("enter")
        await wait(pilot, app)
        assert any(m.startswith("北京东城区：") and "已于 2017-09-10 收到" in m for m in said(app))
    with tracker.session() as session:
        unit = session.exec(select(Unit).where(Unit.ledger_id == 3, Unit.name == "北京东城区")).one()
        got = list(session.exec(select(ReportDue.received_on).where(ReportDue.unit_id == unit.id)))
        assert got.count(dt.date(2017, 9, 10)) == 1


async def test_a_trigger_date_from_an_assignment(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_assignment(pilot, app, "4", "北京东城区")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await type_date(pilot, app, "2017-9-1")
        await wait(pilot, app)
        assert "任务 4：自接到中期监督检查通知后的15天内 → 2017-09-16" in said(app)
        assert "2017-09-16" in str(app.screen.query_one("#asg-info").render())
        # An absolute deadline needs no trigger: the refusal is shown, nothing changes.
        app.pop_screen()
        await open_assignment(pilot, app, "1", "北京东城区")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await type_date(pilot, app, "今天")
        await wait(pilot, app)
        assert any("不是相对时限" in m for m in said(app))
    with tracker.session() as session:
        tasks = {t.seq: (t.trigger_on, t.due_on) for t in session.exec(select(Task).where(Task.ledger_id == 3))}
    assert tasks["4"] == (dt.date(2017, 9, 1), dt.date(2017, 9, 16)) and tasks["1"][0] is None


async def test_the_scores_section(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        await pilot.press("k")
        await wait(pilot, app)
        assert type(app.screen).__name__ == "ScoresScreen"
        title = str(app.screen.query_one("#scores-title").render())
        assert title.startswith("濮阳市") and "考核得分（2017-09-15）" in title
        table = app.screen.query_one("#scores")
        rows = [table.get_row_at(i) for i in range(table.row_count)]  # type: ignore[attr-defined]
        assert len(rows) == 5 and rows[0][0] == "1"
        assert {row[1] for row in rows} == {"濮阳县政府", "清丰县政府", "南乐县政府", "范县政府", "台前县政府"}
        scores = [float(row[2]) for row in rows]
        assert scores == sorted(scores, reverse=True)  # best first
        await pilot.press("right_square_bracket")
        await wait(pilot, app)
        assert "2016年新型智慧城市评价工作" in str(app.screen.query_one("#scores-title").render())
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "考核得分" in commands


async def test_help_and_palette_list_the_new_keys(tracker: Tracker) -> None:
    from tui.screens.scores import ScoresScreen
    from tui.screens.units import UnitsScreen

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        shown = app.export_screenshot()
    for description in ("终止", "收到报告", "触发日期", "考核得分"):
        assert description in shown, description
    assert any(b.action == "terminate" for b in UnitsScreen.BINDINGS)  # type: ignore[union-attr]
    assert any(b.action == "next_ledger" for b in ScoresScreen.BINDINGS)  # type: ignore[union-attr]
