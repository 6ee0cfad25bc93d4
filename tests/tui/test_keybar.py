"""The key line: what fits, the help key kept, a click presses the key."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from tests.tui.conftest import AS_OF
from tracker.app import Tracker, build
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


SCREENS = ("", "l", "n", "e", "o", "i", "g", "w")  # each section, entered by its key from the dashboard


async def bars(tracker: Tracker, width: int) -> dict[str, str]:
    """The key line of every section at ``width`` columns."""
    app = TrackerApp(tracker, as_of=AS_OF)
    found = {}
    async with app.run_test(size=(width, 40)) as pilot:
        for key in SCREENS:
            if key:
                await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            found[key or "d"] = app.screen.query_one(KeyBar).render().plain
    return found


def sections() -> dict[str, str]:
    """Section key → its name in the bar."""
    return {
        b.key: b.description
        for b in TrackerApp.BINDINGS
        if isinstance(b, Binding) and b.action.startswith("switch_mode(") and b.show
    }


async def test_every_section_is_on_the_bar_at_160_columns(tracker: Tracker) -> None:
    for here, shown in (await bars(tracker, 160)).items():
        assert cell_len(shown) <= 160, here
        for key, name in sections().items():
            if key == here:
                assert f"{key} {name}" not in shown, here  # the section on screen is not offered
            else:  # every section's key means that section everywhere (the notices' Word export is x)
                assert f"{key} {name} " in shown, (here, key, shown)
        assert "/ 搜索 " in shown and "? 帮助 " in shown


async def test_at_100_columns_the_bar_is_shortened_without_cutting_a_label(tracker: Tracker) -> None:
    from tui.help import sections as help_sections

    labels = {b.description for _heading, bindings in help_sections(TrackerApp) for b in bindings}
    for here, shown in (await bars(tracker, 100)).items():
        assert cell_len(shown) <= 100, here
        assert "? 帮助 " in shown, here
        if here == "l":  # the matrix's own keys keep their words; the sections become bare keys
            assert "f 只看逾期 " in shown and "切换 d n e o i g m w " in shown, shown
        for word in shown.replace("切换", "").split():  # every word is a whole key or a whole label
            assert len(word) == 1 or word in labels or word == "^p", (here, word, shown)


async def test_w_is_the_reports_on_the_notices_screen_too(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "x 导出Word " in app.screen.query_one(KeyBar).render().plain
        await pilot.press("w")
        await pilot.pause()
        assert app.current_mode == "reports"
