"""One message catalogue: every key has both languages, and the UI in English has no Chinese
labels of its own (ledger data stays as written)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

from tui.i18n import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import asyncio, datetime as dt, sys, tempfile
from tui.i18n import set_language
set_language("en")  # before the UI's modules are imported, as `tracker tui --lang en` does
from tracker.app import build
from tracker.demo import seed_demo
from tui.app import TrackerApp

folder = tempfile.mkdtemp()
tracker = build(f"sqlite:///{folder}/demo.db", None, "tester")
seed_demo(tracker, dt.date(2017, 9, 15))

async def main():
    app = TrackerApp(tracker, as_of=dt.date(2017, 9, 15), language="en")
    async with app.run_test(size=(150, 40)) as pilot:
        for key in ("", "l", "n", "e", "o", "i", "g", "w"):
            if key:
                await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            print("=====", key)
            print(app.export_screenshot())
        for command in app.get_system_commands(app.screen):  # the palette's entries, the reports screen's
            print("palette:", command.title, "|", command.help)

asyncio.run(main())
"""


def test_every_message_has_both_languages() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() or not en.strip(), key
        assert en.strip() or not zh.strip(), key
        assert not re.search(r"[\u4e00-\u9fff]", en), f"{key}: Chinese in the English text"
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_the_ui_in_english(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=tmp_path, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    screens = html.unescape(re.sub(r"<[^>]+>", "", result.stdout)).replace("\xa0", " ")  # the SVGs' text
    for label in ("Ledgers", "Quit", "Ledger matrix", "Filters: none", "Notices", "Outbox", "To be interviewed"):
        assert label in screens, label
    for label in ("各台账进展", "退出", "筛选", "待约谈", "填报"):
        assert label not in screens, label
    palette = [line for line in result.stdout.splitlines() if line.startswith("palette:")]
    assert (
        "palette: Units | Go to this section (key g)" in palette
        and "palette: Theme | Change the current theme" in palette
    )
    assert not [line for line in palette if re.search(r"[\u4e00-\u9fff]", line)], palette


def test_ledger_file_errors_are_worded_in_the_ui_language(tmp_path: Path) -> None:
    import pytest

    from tracker.errors import InputError
    from tracker.toml_ledger import read_toml_ledger
    from tui.i18n import error_text

    cases = {
        'title = "x\n': "第 1 行第 11 列不符合 TOML 格式",
        'title = "甲"\n[[tasks]]\ntext = "任务"\ndeadline = "尽快"\ncolor = "红"\n': "不认识的键 tasks[0].color",
        'title = "甲"\nyear = "二〇一七"\n': "year 应为年份",
        'title = "甲"\n[[tasks]]\ntext = "任务"\n': "缺少 tasks[0].deadline",
        'title = "甲"\n[[tasks]]\ntext = "任务"\ndeadline = "尽快"\nunits = "甲县"\n': "tasks[0].units 应为名称列表",
    }
    for number, (text, words) in enumerate(cases.items()):
        path = tmp_path / f"{number}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_toml_ledger(path)
        said = error_text(caught.value)
        assert words in said and str(path) in said, said
        assert not re.search(r"must|missing|unknown|invalid", said, re.IGNORECASE), said
