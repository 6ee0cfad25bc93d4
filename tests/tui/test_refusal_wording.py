"""The UI refuses a deadline or a date in an office's words (无法识别), and the core's refusals it
shows as they are follow the UI's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sheets import PUYANG_TASKS, write_puyang
from tracker.app import Tracker
from tracker.deadlines import DeadlineError, parse
from tracker.errors import InputError
from tracker.importing import check_ledgers, read_ledger_file
from tui.i18n import MESSAGES, error_text, language, set_language, t


def test_the_catalogue_says_wu_fa_shi_bie_not_kan_bu_dong() -> None:
    assert not [key for key, (zh, _) in MESSAGES.items() if "看不懂" in zh]
    assert t("date.bad", text="尽快") == "无法识别“尽快”：请写成 2017-03-31 或 2017年3月31日"


def test_a_bad_deadline_cell_is_worded_with_its_cell(tmp_path: Path) -> None:
    deadlines: list[object] = [task[2] for task in PUYANG_TASKS]
    deadlines[3] = "下周五前"
    sheet = write_puyang(tmp_path / "weekly.xlsx", deadlines=deadlines)
    with pytest.raises(InputError) as refused:
        check_ledgers(read_ledger_file(sheet))
    # The cell, then the part not understood and what to write instead, as `tracker import` says.
    said = f"{sheet}: 台账!D8：完成时限无法识别“下周五前”中的“下周”；"
    assert error_text(refused.value) == said + "可写作 每周五前，或写明日期（如 2019年6月21日前）"


def test_the_app_words_the_cores_refusals_in_its_language(tracker: Tracker) -> None:
    from tui.app import TrackerApp

    before = language()
    try:
        TrackerApp(tracker, language="en")
        with pytest.raises(DeadlineError, match="cannot understand “尽快”"):
            parse("尽快")
        TrackerApp(tracker, language="zh")
        with pytest.raises(DeadlineError, match="无法识别“尽快”"):
            parse("尽快")
    finally:
        set_language(before)
