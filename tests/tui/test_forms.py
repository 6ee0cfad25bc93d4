"""Leaving a form: Esc moves out of the import screen's path field (and says what comes next),
Esc on an assignment with unsaved input asks first, and 签收 asks who signed."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from tests.tui.test_assignment_screen import open_assignment
from tests.tui.test_screens import AS_OF, SIZE, assignment, wait
from tracker.app import Tracker
from tracker.models import Notice, NoticeReceipt, Unit
from tui.app import TrackerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.reason import ReasonDialog
from tui.screens.ledger import LedgerScreen


async def test_esc_leaves_the_path_field_and_the_hint_says_how_to_go_on(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        await pilot.press("m")
        await pilot.pause()  # not `wait`: the file tree's loader runs until the screen closes
        assert app.focused is not None and app.focused.id == "path"
        hint = str(app.screen.query_one("#import-hint").render())
        assert "Ctrl+D 检查" in hint and "Ctrl+S 导入" in hint and "Esc" in hint
        await pilot.press("l")  # typed into the field, not a section key
        await pilot.pause()
        assert app.screen.query_one("#path").value == "l"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "files"
        assert app.current_mode == "import"
        await pilot.press("escape")  # out of the field already: back to the dashboard
        await pilot.pause()
        assert app.current_mode == "dashboard"


async def test_esc_on_an_untouched_assignment_goes_straight_back(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_assignment(pilot, app, "down", "right", "right")
        await pilot.press("escape")
        await wait(pilot, app)
        assert isinstance(app.screen, LedgerScreen)


async def test_esc_with_unsaved_input_asks_before_discarding_it(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")  # task 2, 南乐县政府
        await pilot.click("#note")
        await pilot.press(*"新的说明")
        await pilot.press("escape")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "尚未保存" in str(dialog.query_one("Static").render())
        await pilot.press("escape")  # no: back to the form, the text still there
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#note").value == "新的说明"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # saved: nothing left to lose
        await wait(pilot, app)
        await pilot.click("#extend-to")
        await pilot.press(*"2017-12-31")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # a request being written counts too
        await pilot.click("#confirm")  # discard and go back
        await wait(pilot, app)
        assert isinstance(app.screen, LedgerScreen)
    assert assignment(tracker, "2", "南乐县政府").note == "新的说明"


async def test_esc_after_saving_asks_nothing(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")
        await pilot.click("#note")
        await pilot.press(*"已保存")
        await pilot.press("ctrl+s")
        await wait(pilot, app)
        assert app.screen is screen and not screen.dirty()
        await pilot.press("escape")
        await wait(pilot, app)
        assert isinstance(app.screen, LedgerScreen)


async def test_signing_for_a_notice_asks_who_signed(tracker: Tracker, tmp_path: Path) -> None:
    app = TrackerApp(tracker, as_of=AS_OF, folder=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        number = app.screen.query_one("#notices").get_row_at(0)[0]  # type: ignore[attr-defined]
        await pilot.press("a")  # a bulletin: each unit signs for itself, so which unit, first
        await pilot.pause()
        asked = app.screen
        assert isinstance(asked, ReasonDialog)
        unit = asked.query_one("#reason")
        offered = unit.value  # type: ignore[attr-defined]  # the first unit not yet signed
        unit.value = "不存在县政府"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is asked  # not a unit the bulletin names: refused, the dialog stays
        assert any(str(n.message).startswith("通报未点名 不存在县政府") for n in app._notifications)
        unit.value = offered  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog) and dialog is not asked
        field = dialog.query_one("#reason")
        assert field.value == "测试员"  # type: ignore[attr-defined]  # the acting account, offered
        field.value = "  "  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # refused, the dialog stays
        assert any(n.message == "请填写签收人" for n in app._notifications)
        field.value = "李明"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait(pilot, app)
        assert app.screen.query_one("#notices").get_row_at(0)[3] == "已签收 1/5"  # type: ignore[attr-defined]
    with tracker.session() as session:
        signed = session.exec(
            select(Unit.name, NoticeReceipt.acknowledged_by)
            .join(Notice, col(Notice.id) == col(NoticeReceipt.notice_id))
            .join(Unit, col(Unit.id) == col(NoticeReceipt.unit_id))
            .where(Notice.number == number, NoticeReceipt.acknowledged_by != "")
        ).all()
    assert signed == [(offered, "李明")]  # that unit alone


async def test_signing_can_be_cancelled(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await wait(pilot, app)
        assert app.screen.query_one("#notices").get_row_at(0)[3] == "已签收 0/5"  # type: ignore[attr-defined]
