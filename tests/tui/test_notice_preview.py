"""The notices section previews a notice as a person reads it (the text `tracker notice show`
prints), in the preview's width, laid out again when the terminal is resized."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.widgets import DataTable

from tests.tui.test_screens import AS_OF, wait
from tracker.app import Tracker
from tracker.render import render_markdown
from tui.app import TrackerApp
from tui.screens.notices import NoticesScreen


async def test_the_preview_is_the_notice_as_a_person_reads_it(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait(pilot, app)
        screen = app.screen
        table = screen.query_one("#notices", DataTable)
        puyang = next(  # the Puyang bulletin: a table of five counties
            i
            for i in range(table.row_count)
            if table.get_row_at(i)[1] == "通报批评" and table.get_row_at(i)[4].startswith("濮阳市")
        )
        table.move_cursor(row=puyang)
        await wait(pilot, app)
        assert isinstance(screen, NoticesScreen) and screen.shown is not None
        title = render_markdown(screen.shown).splitlines()[0].removeprefix("# ")
        text = screen.preview
        for mark in ("# ", "|", "---", "<!--", "-->"):
            assert mark not in text, mark
        lines = text.splitlines()
        width = max(cell_len(line) for line in lines)
        assert width <= screen.query_one("#notice-text").size.width  # nothing wrapped by the widget
        assert lines[0] == " " * ((width - cell_len(title)) // 2) + title  # centred
        assert lines[-1].strip() == "2017年9月15日" and cell_len(lines[-1]) == width  # on the right
        header = next(line for line in lines if line.startswith("责任单位"))
        rows = [line for line in lines if re.search(r"政府 .* \d+$", line)]  # a county's row, days late last
        assert len(rows) >= 5 and all(cell_len(row) == cell_len(header) for row in rows)  # aligned
        await pilot.resize_terminal(70, 40)
        await wait(pilot, app)
        narrow = screen.preview
        assert narrow != text
        assert max(cell_len(line) for line in narrow.splitlines()) <= screen.query_one("#notice-text").size.width
