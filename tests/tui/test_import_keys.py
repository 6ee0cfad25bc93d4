"""The import screen's path field: Ctrl+D checks there as the hint under it says (the field's own
ctrl+d, delete to the right, would swallow it), the key bar shows it while the field has focus,
and a new path clears what the last check said about the old one."""

from __future__ import annotations

from pathlib import Path

from tests.tui.test_screens import AS_OF, SIZE
from tracker.app import Tracker
from tui.app import TrackerApp
from tui.screens.imports import ImportScreen
from tui.widgets.keybar import KeyBar


def bad_ledger(folder: Path) -> Path:
    """A ledger file the check refuses (no units)."""
    bad = folder / "bad.toml"
    bad.write_text('title = "坏台账"\n[[tasks]]\ntext = "任务"\ndeadline = "尽快"\n', encoding="utf-8")
    return bad


async def import_screen(pilot, app: TrackerApp, folder: Path) -> ImportScreen:  # type: ignore[no-untyped-def]
    """The import screen over ``folder``, the path field empty."""
    screen = ImportScreen(app.context, folder=folder)
    app.push_screen(screen)
    await pilot.pause()
    return screen


async def test_ctrl_d_checks_from_the_path_field(tracker: Tracker, tmp_path: Path) -> None:
    bad = bad_ledger(tmp_path)
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot, app, tmp_path)
        await pilot.click("#path")
        await pilot.press(*str(bad))
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "path"
        assert "^d 检查" in screen.query_one(KeyBar).render().plain
        await pilot.press("home", "ctrl+d")
        await pilot.pause()
        result = str(screen.query_one("#import-result").render())
        assert "不能导入" in result and "台账没有责任单位" in result, result
        assert screen.query_one("#path").value == str(bad)  # type: ignore[attr-defined]  # nothing deleted


async def test_another_path_clears_the_last_checks_errors(tracker: Tracker, tmp_path: Path) -> None:
    bad = bad_ledger(tmp_path)
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot, app, tmp_path)
        screen.query_one("#path").value = str(bad)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#check")
        await pilot.pause()
        assert "不能导入" in str(screen.query_one("#import-result").render())
        await pilot.click("#path")
        await pilot.press("end", "backspace")  # another path: what was said of the old one goes
        await pilot.pause()
        assert str(screen.query_one("#import-result").render()).strip() == ""
        assert not screen.query_one("#import-result").has_class("-bad")


async def test_a_file_picked_below_stays_checked(tracker: Tracker, tmp_path: Path) -> None:
    from textual.widgets import DirectoryTree

    good = tmp_path / "good.toml"
    good.write_text(
        'title = "新台账"\nyear = 2017\n[[units]]\nname = "甲县"\nperson = "张三"\n'
        '[[tasks]]\ntext = "任务一"\ndeadline = "2017年12月底"\n',
        encoding="utf-8",
    )
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot, app, tmp_path)
        tree = screen.query_one("#files", DirectoryTree)
        screen.on_directory_tree_file_selected(DirectoryTree.FileSelected(tree.root, good))
        await pilot.pause()
        assert "新台账：任务1项" in str(screen.query_one("#import-result").render())
        assert not screen.query_one("#confirm").disabled  # type: ignore[attr-defined]
