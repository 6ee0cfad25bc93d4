"""The assignment screen tells what is true now: a late extension can be filed (recorded as late,
after a confirmation), and a change made elsewhere (in another section, or by the CLI) is shown
when the screen is back, the deadline line saying in words that it was extended."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from tests.tui.test_screens import AS_OF, SIZE, assignment, open_matrix, wait
from tracker.app import Tracker
from tracker.models import Extension
from tui.app import TrackerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.assignment import AssignmentScreen
from tui.screens.ledger import LedgerScreen


def info(app: TrackerApp) -> str:
    return str(app.screen.query_one("#asg-info").render())


def said(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_assignment(pilot, app: TrackerApp, *keys: str) -> AssignmentScreen:  # type: ignore[no-untyped-def]
    await open_matrix(pilot, app)
    await pilot.press(*keys, "enter")
    await wait(pilot, app)
    assert isinstance(app.screen, AssignmentScreen)
    return app.screen


async def test_a_late_extension_is_offered_confirmed_and_recorded_as_late(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")  # task 2, 南乐县政府, due 04-30
        await pilot.click("#extend-to")
        await pilot.press(*"2017-12-31")
        await pilot.click("#reason")
        await pilot.press(*"设计单位更换")
        await pilot.click("#extend")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)  # offered, not refused
        prompt = str(dialog.query_one("Static").render())
        assert "2017-04-30 已过" in prompt and "2017-12-31" in prompt and "逾期申请" in prompt
        await pilot.press("escape")  # not now: nothing is filed, nothing is said to be wrong
        await pilot.pause()
        assert app.screen is screen
        with tracker.session() as session:
            assert list(session.exec(select(Extension).where(Extension.requested_by == "测试员"))) == []
        assert not any("督查室决定" in m for m in said(app))
        await pilot.click("#extend")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#confirm")
        await wait(pilot, app)
        assert app.screen is screen
        assert any(m.startswith("已提交逾期延期申请") for m in said(app)), said(app)
        newest = screen.query_one("#asg-history").get_row_at(0)  # type: ignore[attr-defined]
        assert newest[2] == "申请延期" and "逾期 是" in newest[4], newest
    with tracker.session() as session:
        filed = list(session.exec(select(Extension).where(Extension.requested_by == "测试员")))
    assert [(e.original_due, e.new_due, e.late, e.status, e.reason) for e in filed] == [
        (dt.date(2017, 4, 30), dt.date(2017, 12, 31), True, "pending", "设计单位更换")
    ]


async def test_an_extension_approved_in_another_section_is_shown_on_return(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        # task 6, 台前县政府: the demo's pending request, 2017-11-30 → 2017-12-31
        screen = await open_assignment(pilot, app, *["down"] * 5, *["right"] * 4)
        assert "完成时限：2017年11月底完成（解析为 2017-11-30）" in info(app)
        await pilot.press("e")  # the extensions section, the assignment left open in the matrix's
        await wait(pilot, app)
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("enter")
        await wait(pilot, app)
        await pilot.press("l")
        await wait(pilot, app)
        assert app.screen is screen
        assert "完成时限：2017年11月底完成（原定 2017-11-30，已延期至 2017-12-31）" in info(app)
        assert "解析为" not in info(app)
        assert screen.query_one("#asg-history").get_row_at(0)[2] == "批准延期"  # type: ignore[attr-defined]
        await pilot.press("escape")  # the matrix under it is read again too
        await wait(pilot, app)
        ledger = app.screen
        assert isinstance(ledger, LedgerScreen) and ledger.matrix is not None
        judged = ledger.matrix.judge(5, 4)
        assert judged is not None and judged.cell.due_on == dt.date(2017, 12, 31)


async def test_a_new_person_and_the_clis_changes_are_shown(tracker: Tracker) -> None:
    from tracker.audit import Stamp
    from tracker.models import Status
    from tracker.progress import ProgressUpdate, record_progress

    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")  # task 2, 南乐县政府 (刘冰)
        assert "责任人：刘冰" in info(app)
        await pilot.click("#note")
        await pilot.press(*"未保存的说明")
        await pilot.click("#asg-history")  # away from the field: the section keys are keys again
        await pilot.press("g")
        await wait(pilot, app)
        await pilot.press("down", "down", "p")  # 南乐县政府
        await pilot.pause()
        app.screen.query_one("#name").value = "王强"  # type: ignore[attr-defined]
        await pilot.click("#save")
        await wait(pilot, app)
        await pilot.press("l")
        await wait(pilot, app)
        assert app.screen is screen
        assert "责任人：王强" in info(app)
        assert screen.query_one("#note").value == "未保存的说明"  # type: ignore[attr-defined]  # still being typed
        with tracker.session() as session:  # what `tracker progress` does meanwhile
            other = session.merge(assignment(tracker, "2", "南乐县政府"))
            change = ProgressUpdate(status=Status.DOING, percent=40, note="县里填报")
            record_progress(session, other, change, Stamp("县里", tracker.now()), today=AS_OF)
            session.commit()
        await pilot.press("r")
        await pilot.pause()
        assert "状态：进行中　进度：40%" in str(screen.query_one("#asg-info").render())
        assert screen.query_one("#note").value == "未保存的说明"  # type: ignore[attr-defined]  # kept, and
        assert isinstance(app.screen, ConfirmDialog)  # loading the newer version is asked first
        await pilot.click("#confirm")
        await wait(pilot, app)
        assert screen.query_one("#note").value == "县里填报"  # type: ignore[attr-defined]  # a newer version
        assert screen.query_one("#percent").value == "40"  # type: ignore[attr-defined]
        await pilot.click("#note")
        await pilot.press("end", *"已开工")
        await pilot.press("ctrl+s")  # based on the version just read: accepted
        await wait(pilot, app)
    saved = assignment(tracker, "2", "南乐县政府")
    assert (saved.note, saved.version) == ("县里填报已开工", 3)


async def test_the_extended_deadline_in_english(tracker: Tracker) -> None:
    from tracker.usecases.changes import decide_extension
    from tracker.usecases.work import Actor

    decide_extension(tracker, Actor("t"), "1", approve=True)
    app = TrackerApp(tracker, as_of=AS_OF, language="en")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_assignment(pilot, app, *["down"] * 5, *["right"] * 4)
            assert "Deadline: 2017年11月底完成 (originally 2017-11-30, extended to 2017-12-31)" in info(app)
    finally:
        from tui.i18n import set_language

        set_language("zh")
