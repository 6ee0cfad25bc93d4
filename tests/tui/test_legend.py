"""The UI's colour legend (help, `?`): every colour of the matrix, 待复核 and 退回 among them, said
as the weekly table's legend says it."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console
from textual.widgets import DataTable, Static

from tests.tui.test_screens import SIZE, wait
from tracker.app import Tracker
from tracker.report import LIGHTS
from tui.app import TrackerApp
from tui.help import HelpScreen
from tui.i18n import MESSAGES
from tui.widgets.matrix import LIGHT_STYLES


def test_every_matrix_colour_has_the_weekly_tables_meaning() -> None:
    assert set(LIGHT_STYLES) - {""} == set(LIGHTS)
    for light, (label, _) in LIGHTS.items():
        if light != "yellow":  # the table spells yellow out in full; the help says it short
            assert MESSAGES[f"legend.{light}"][0].startswith(label), light


async def test_help_shows_the_legend(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=dt.date(2017, 9, 15), language="zh")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        await pilot.press("question_mark")
        await wait(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#legend", Static).content)
        shown = console.export_text()
        assert "已提交、待复核（审）" in shown and "复核退回、仍须办理（退）" in shown and "矩阵颜色" in shown


async def test_scores_show_what_waits_for_review_and_what_was_returned(tracker: Tracker) -> None:
    from tracker.usecases.review import return_completion, submit_completion
    from tracker.usecases.work import Actor

    desk = Actor("测试员")
    puyang = "濮政办〔2017〕13号"
    back = submit_completion(tracker, desk, puyang, "6", "南乐县政府", dt.date(2017, 9, 1))
    return_completion(tracker, desk, back.id, "佐证不足")
    submit_completion(tracker, desk, puyang, "6", "濮阳县政府", dt.date(2017, 9, 2))
    app = TrackerApp(tracker, as_of=dt.date(2017, 9, 15), language="zh")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, app)
        await pilot.press("k")
        await wait(pilot, app)
        table = app.screen.query_one("#scores", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-2:] == ["待复核", "退回"]
        rows = {row[1]: row for row in (table.get_row_at(i) for i in range(table.row_count))}
        assert (rows["南乐县政府"][-2], rows["南乐县政府"][-1]) == ("0", "1")
        assert (rows["濮阳县政府"][-2], rows["濮阳县政府"][-1]) == ("1", "0")
