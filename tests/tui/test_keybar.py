"""The key line: what fits, the help key kept, a click presses the key."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text

from tracker.app import build
from tui.app import TrackerApp
from tui.widgets.keybar import KeyBar, fitting


def entries(*words: str) -> list[Text]:
    return [Text(f" {w[0]} {w} ") for w in words]


def test_everything_shown_when_it_fits() -> None:
    row = entries("first", "second", "help")
    assert fitting(row, row[2], 100) == row


def test_whole_entries_are_dropped_from_the_end_and_help_stays() -> None:
    row = entries("first", "second", "third", "help")  # 9, 10, 9 and 8 cells
    assert [e.plain for e in fitting(row, row[3], 30)] == [" f first ", " s second ", " h help "]
    assert [e.plain for e in fitting(row, row[3], 8)] == [" h help "]
    assert fitting(row, None, 20) == row[:2]


async def test_the_bar_lists_the_screens_keys_and_a_click_presses_one(db_url: str) -> None:
    tracker = build(db_url, None, "测试员")
    app = TrackerApp(tracker, as_of=dt.date(2017, 9, 15))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        shown = bar.render().plain
        assert " r 刷新 " in shown and " l 台账矩阵 " in shown and " ? 帮助 " in shown
        at = cell_len(shown[: shown.index(" n 通知 ")]) + 1  # in cells: a Chinese character takes two
        await pilot.click(KeyBar, offset=(at, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "NoticesScreen"
    tracker.engine.dispose()
