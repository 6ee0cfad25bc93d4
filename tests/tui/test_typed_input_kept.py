"""Input typed on the assignment screen is never overwritten unasked: when someone else saves the
assignment meanwhile (another terminal, the CLI), the screen keeps what was typed, says what they
set, and a save of the input is refused as stale and then asked about (overwrite theirs or not)."""

from __future__ import annotations

from tests.tui.test_assignment_screen import info, open_assignment, said
from tests.tui.test_screens import AS_OF, SIZE, assignment, wait
from tracker.app import Tracker
from tracker.usecases.progress import Progress, record_progress
from tracker.usecases.work import Actor
from tui.app import TrackerApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.assignment import AssignmentScreen

PUYANG = "濮政办〔2017〕13号"


def elsewhere(tracker: Tracker) -> None:
    """`tracker progress … 南乐县政府 --status doing --percent 5 --note 终端二写的` in another shell."""
    change = Progress(status="doing", percent=5, note="终端二写的")
    record_progress(tracker, Actor("终端二"), PUYANG, "2", "南乐县政府", change)


def note(screen: AssignmentScreen) -> str:
    return str(screen.query_one("#note").value)  # type: ignore[attr-defined]


def conflict(screen: AssignmentScreen) -> str:
    shown = screen.query_one("#asg-conflict")
    return str(shown.render()) if shown.display else ""


async def test_a_dialog_after_a_change_elsewhere_keeps_the_typed_note(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")  # task 2, 南乐县政府
        await pilot.click("#note")
        await pilot.press(*"我的备注")
        elsewhere(tracker)
        await pilot.press("escape")  # unsaved: asked
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # 取消: keep editing
        await wait(pilot, app)
        assert app.screen is screen
        assert note(screen) == "我的备注"  # the typed note survives
        assert "进度：5%" in info(app)  # the view says what is true now
        assert "终端二写的" in conflict(screen) and "5%" in conflict(screen)  # and what they set
        assert any("终端二写的" in m for m in said(app))
        await pilot.press("ctrl+s")  # based on the version it was typed against: refused, and asked
        await wait(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        prompt = str(app.screen.query_one("Static").render())
        assert "终端二写的" in prompt and "覆盖" in prompt
        assert "用你的填写（未开始，进度 0%，说明：我的备注）" in prompt  # what saving it would set
        await pilot.press("escape")  # not now: nothing written, the input still there
        await wait(pilot, app)
        assert app.screen is screen and note(screen) == "我的备注"
        assert assignment(tracker, "2", "南乐县政府").note == "终端二写的"
        await pilot.press("ctrl+s")
        await wait(pilot, app)
        await pilot.click("#confirm")  # a deliberate overwrite
        await wait(pilot, app)
        assert app.screen is screen and conflict(screen) == ""
    saved = assignment(tracker, "2", "南乐县政府")
    assert (saved.note, saved.version) == ("我的备注", 3)


async def test_a_refused_save_then_a_dialog_keeps_the_typed_note(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_assignment(pilot, app, "down", "right", "right")
        await pilot.click("#note")
        await pilot.press(*"我的备注")
        elsewhere(tracker)
        await pilot.press("ctrl+s")
        await wait(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await wait(pilot, app)
        await pilot.press("escape")  # the discard dialog, cancelled
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await wait(pilot, app)
        assert app.screen is screen and note(screen) == "我的备注"
        assert "终端二写的" in conflict(screen)
        await pilot.click("#asg-history")  # off the field: r is a key again
        await pilot.press("r")  # loading theirs throws the input away: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#confirm")
        await wait(pilot, app)
        assert note(screen) == "终端二写的" and conflict(screen) == ""
    assert assignment(tracker, "2", "南乐县政府").version == 2
