"""The notices section previews a notice as a person reads it (the text `tracker notice show`
prints), in the preview's width, laid out again when the terminal is resized."""

from __future__ import annotations

from rich.cells import cell_len

from tests.tui.test_screens import AS_OF, wait
from tracker.app import Tracker
from tui.app import TrackerApp


async def test_the_preview_is_the_notice_as_a_person_reads_it(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        await pilot.press("down")  # 督查〔2017〕2号, the Puyang bulletin
        await wait(pilot, app)
        screen = app.screen
        text: str = screen.preview  # type: ignore[attr-defined]
        for mark in ("# ", "|", "---", "<!--", "-->"):
            assert mark not in text, mark
        lines = text.splitlines()
        width = max(cell_len(line) for line in lines)
        room = screen.query_one("#notice-text").size.width
        assert width <= room  # nothing wrapped by the widget: the columns stay aligned
        assert lines[0].strip() == "关于濮阳市所辖县数字化城市管理系统建设工作台账进展情况的通报"
        assert lines[0].startswith(" " * 10)  # centred
        assert lines[-1].strip() == "2017年9月15日" and cell_len(lines[-1]) == width  # on the right
        header = next(line for line in lines if line.startswith("责任单位"))
        rows = [line for line in lines if line.endswith(" 15")]  # task 5, 15 days late, five units
        assert len(rows) == 5 and all(cell_len(row) == cell_len(header) for row in rows)  # aligned
        await pilot.resize_terminal(70, 40)
        await wait(pilot, app)
        narrow: str = screen.preview  # type: ignore[attr-defined]
        assert narrow != text
        assert max(cell_len(line) for line in narrow.splitlines()) <= screen.query_one("#notice-text").size.width
