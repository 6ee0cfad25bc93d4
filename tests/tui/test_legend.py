"""The UI's colour legend (help, `?`): every colour of the matrix, 待复核 and 退回 among them, said
as the weekly table's legend says it."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console
from textual.widgets import Static

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
