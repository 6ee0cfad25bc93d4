"""Where a refused deadline is shown: `tracker when`, a ledger's import (TOML line, xlsx cell), in
Chinese unless `--lang en` or the config's `language = "en"` asks for English; exit 2."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LEDGERS
from tests.sheets import PUYANG_TASKS, write_puyang

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"


def test_when_refuses_in_chinese_naming_the_part_and_a_form(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("when", "每周八前")
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err == "tracker: 无法识别“每周八前”中的“八前”；可写作 每周五前\n"


def test_when_refuses_in_english_with_lang_en(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--lang", "en", "when", "每周八前")
    assert result.code == 2
    assert result.err == "tracker: cannot understand “八前” in “每周八前”; write e.g. 每周五前\n"


def test_the_config_language_words_the_refusals_and_lang_overrides_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "en.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    english = cli("--config", config, "when", "2017年13月底")
    assert english.code == 2 and "2017年13月底: no month 13" in english.err
    chinese = cli("--config", config, "--lang", "zh", "when", "2017年13月底")
    assert chinese.code == 2 and "无法识别“2017年13月底”中的“13月”" in chinese.err
    assert "无法识别" in cli("when", "2017年13月底").err  # the choice lasted one run only


def test_a_typed_date_is_refused_in_the_chosen_language(cli) -> None:  # type: ignore[no-untyped-def]
    chinese = cli("when", "每月25日前", "--from", "0910")
    assert chinese.code == 2 and "无法识别日期“0910”；可写作 9月10日" in chinese.err
    english = cli("--lang", "en", "when", "每月25日前", "--from", "0910")
    assert english.code == 2 and "cannot read the date '0910': write it as 9月10日" in english.err


def test_an_xlsx_deadline_cell_is_refused_with_its_cell(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deadlines: list[object] = [task[2] for task in PUYANG_TASKS]
    deadlines[3] = "下周五前"
    sheet = write_puyang(tmp_path / "weekly.xlsx", deadlines=deadlines)
    result = cli("import", sheet)
    assert result.code == 2 and "Traceback" not in result.err
    assert (
        f"tracker: {sheet}: 台账!D8: 无法识别“下周五前”中的“下周”；可写作 每周五前，或写明日期（如 2019年6月21日前）"
        in result.err
    )
    english = cli("--lang", "en", "import", sheet)
    assert english.code == 2 and f"{sheet}: 台账!D8: cannot understand “下周” in “下周五前”" in english.err
    assert cli("ledgers", "--json").json() == []


def test_a_toml_deadline_is_refused_with_its_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = PUYANG.read_text(encoding="utf-8").replace('deadline = "2017年7月底完成"', 'deadline = "2017年7月底前左右"')
    path = tmp_path / "vague.toml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "左右" in row)
    result = cli("import", path)
    assert result.code == 2
    assert (
        f"{path}:{line}: phases[1].tasks[0].deadline: 无法识别“2017年7月底前左右”中的“左右”；可写作 2017年7月底前"
        in result.err
    )
    assert cli("ledgers", "--json").json() == []
