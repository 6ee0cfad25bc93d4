"""The one rule that paints a row yellow for 序时进度 (progress.lags_expected), and the print scale
the weekly sheets' column widths imply."""

from __future__ import annotations

import datetime as dt

from tracker.progress import lags_expected
from tracker.report_print import print_scale
from tracker.report_xlsx import BODY_SIZE, CHANGE_COLUMNS, PROGRESS_COLUMNS, SUMMARY_COLUMNS
from tracker.views import expected_percent

START, DUE = dt.date(2017, 4, 1), dt.date(2017, 4, 30)


def expected_on(day: int) -> int | None:
    return expected_percent(START, DUE, dt.date(2017, 4, day))


def test_a_task_not_started_is_not_behind_on_its_first_days() -> None:
    for day in (1, 2, 3, 4):  # up to 10 % of the 29 days gone
        assert not lags_expected(0, expected_on(day), 10, reported=False), day


def test_a_task_not_started_is_behind_once_past_the_margin_with_nothing_reported() -> None:
    assert expected_on(5) == 14
    assert lags_expected(0, expected_on(5), 10, reported=False)
    assert not lags_expected(0, expected_on(5), 20, reported=False)  # the margin is the config's


def test_a_unit_that_reported_is_judged_by_its_percent() -> None:
    assert not lags_expected(0, expected_on(20), 10, reported=True)  # reported, not started yet
    assert not lags_expected(60, expected_on(20), 10, reported=True)  # 66 % expected, 60 within 10
    assert lags_expected(40, expected_on(20), 10, reported=True)  # 26 points behind
    assert not lags_expected(40, None, 10, reported=True)  # no time span: nothing expected


def test_every_sheet_prints_at_nine_points_or_more_one_page_wide() -> None:
    # LibreOffice lays the same column widths out about 7 % wider than Excel's pixel model (as
    # measured on its PDF): 9 pt there needs 9.63 pt here.
    for columns, landscape in ((PROGRESS_COLUMNS, True), (SUMMARY_COLUMNS, False), (CHANGE_COLUMNS, True)):
        assert BODY_SIZE * print_scale(columns, landscape) >= 9 * 1.07, columns[0]
