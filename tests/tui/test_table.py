"""tui.table.refill: widths fixed from the content, names shown as written."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.table import refill


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="t")
        table.add_column("单位", key="unit")
        table.add_column("说明", key="note")
        yield table


async def test_columns_are_as_wide_as_their_widest_cell_before_the_first_frame() -> None:
    app = OneTable()
    async with app.run_test(size=(80, 10)):
        table = app.query_one(DataTable)
        rows = [("清丰县人民政府", "已完成"), ("台前县", "正在推进数字化城管平台建设")]
        refill(table, rows, ["a", "b"])
        # fixed at once, not left for DataTable to measure when idle (the header raced that)
        assert [c.width for c in table.ordered_columns] == [cell_len("清丰县人民政府"), cell_len(rows[1][1])]
        assert [c.auto_width for c in table.ordered_columns] == [False, False]
        assert [str(c.label) for c in table.ordered_columns] == ["单位", "说明"]


async def test_a_name_with_brackets_is_shown_as_written() -> None:
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(DataTable)
        refill(table, [("[试点]濮阳县", "[/b] 不是标记")])
        await pilot.pause()
        shown = app.export_screenshot()
        assert "[试点]濮阳县" in shown
        assert "[/b]" in shown


async def test_the_cursor_stays_on_its_row_when_the_rows_come_back() -> None:
    app = OneTable()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(DataTable)
        rows = [(f"单位{i}", "") for i in range(5)]
        refill(table, rows)
        table.move_cursor(row=3)
        await pilot.pause()
        refill(table, rows)
        assert table.cursor_row == 3
        refill(table, rows[:2])  # fewer rows: the cursor starts again at the top
        assert table.cursor_row == 0


def test_the_widest_columns_give_way_first() -> None:
    from tui.table import fitted

    assert fitted([10, 4, 30], 80, 1) == [10, 4, 30]  # fits: as they are
    assert fitted([10, 4, 30], 40, 1) == [10, 4, 20]  # 34 cells for the text: the long one shortened
    assert fitted([20, 4, 30], 40, 1) == [15, 4, 15]
    assert fitted([20, 4, 30], 10, 1) == [4, 4, 4]  # never below four cells
    assert fitted([20, 4, 30], 0, 1) == [20, 4, 30]  # not laid out yet: nothing to fit


def test_a_shortened_text_ends_in_an_ellipsis_within_its_cells() -> None:
    from tui.table import shortened

    assert shortened("濮阳市所辖县", 20) == "濮阳市所辖县"
    assert shortened("濮阳市所辖县", 8) == "濮阳市…"  # 7 cells: a fourth wide character would not fit
    assert shortened("abcdefgh", 5) == "abcd…"


async def test_columns_that_do_not_fit_are_shortened_not_dropped_and_fit_again_when_wider() -> None:
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(DataTable)
        rows = [("清丰县人民政府", "正在推进数字化城管平台建设，已完成招标")]
        refill(table, rows)
        await pilot.pause()
        assert sum(c.width + 2 for c in table.ordered_columns) <= 40 - 2  # the scroll bar's room kept
        unit, note = table.get_row_at(0)
        assert unit == "清丰县人民政府" and note.startswith("正在推进") and note.endswith("…")
        assert "正在推进" in app.export_screenshot()  # the second column is on screen
        await pilot.resize_terminal(120, 10)
        await pilot.pause()
        await pilot.pause()
        assert table.get_row_at(0) == list(rows[0])  # the whole text again, read from what was filled
        assert str(table.ordered_columns[1].label) == "说明"
