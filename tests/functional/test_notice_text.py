"""A notice as a person reads it in a terminal (`tracker notice show`, the UI's preview): no
Markdown marks, no HTML comments; the title and number centred, paragraphs indented, the table in
columns aligned on the screen (a Chinese character is two columns wide), the signature on the
right. `notice render -o FILE.md` stays Markdown (the email body) and `--json` is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.functional.test_check import PUYANG, check
from tracker.notice_blocks import SIGNATURE
from tracker.render import markdown_text

# The template's conventions (the top of notice.md.j2), with what a bureau's own copy may add: an
# editor's comment, soft line breaks, "**", a "###" heading, column alignment in the separator.
MARKDOWN = """<!-- 模板说明：给编辑模板的人看的 -->
# 关于某事的通知

某督〔2019〕5号

甲县政府、乙县政府：

根据**要求**，现将有关事项
通知如下，请认真落实：

### （一）逾期任务

| 单位 | 任务 | 天数 |
| :--- | :---: | ---: |
| 甲县政府 | 建设 GIS 系统 | 5 |
| 乙县 | 完成数字化城市管理系统的建设和验收工作 | 120 |

## 二、整改要求

请于2019年3月31日前报送，逾期将按规定通报。

<!-- signature -->

某某市督查局

2019年3月1日
"""

TEXT_AT_40 = """\
             关于某事的通知

            某督〔2019〕5号

甲县政府、乙县政府：

　　根据要求，现将有关事项通知如下，请认
真落实：

　　（一）逾期任务

单位                任务            天数
────────  ────────────────────────  ────
甲县政府       建设 GIS 系统           5
乙县      完成数字化城市管理系统的   120
               建设和验收工作

　　二、整改要求

　　请于2019年3月31日前报送，逾期将按规
定通报。

                            某某市督查局
                            2019年3月1日
"""


def test_the_templates_markdown_as_text() -> None:
    assert markdown_text(MARKDOWN, 40) == TEXT_AT_40


def test_lines_break_between_characters_never_inside_a_number_nor_before_a_comma() -> None:
    assert markdown_text("一二三四五六七八，九十", 20) == "　　一二三四五六七\n八，九十\n"
    assert markdown_text("项目编号ABC-2019-001已完成", 20) == "　　项目编号\nABC-2019-001已完成\n"
    assert markdown_text("a" * 30, 20) == "　　" + "a" * 16 + "\n" + "a" * 14 + "\n"  # too long: cut


def columns(line: str, text: str) -> int:
    """Where ``text`` starts on the screen: the columns before it."""
    return cell_len(line[: line.index(text)])


@pytest.fixture
def bulletin(cli) -> dict:  # type: ignore[no-untyped-def, type-arg]
    cli("import", PUYANG)
    check(cli, "2017-04-05")
    found: dict = check(cli, "2017-04-20")["notices"][0]  # type: ignore[type-arg]
    assert found["kind"] == "criticism"
    return found


def test_notice_show_prints_the_text_as_a_person_reads_it(
    cli,
    bulletin: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def, type-arg]
) -> None:
    markdown_file = tmp_path / "通报.md"
    assert cli("notice", "render", str(bulletin["id"]), "-o", markdown_file).code == 0
    markdown = markdown_file.read_text(encoding="utf-8")
    assert markdown.startswith("# ") and "| --- |" in markdown and SIGNATURE in markdown  # still Markdown
    title = markdown.splitlines()[0][2:]

    monkeypatch.setenv("COLUMNS", "80")  # the terminal's width
    shown = cli("notice", "show", bulletin["number"])
    assert shown.code == 0
    text = shown.out
    for mark in ("# ", "|", "---", "<!--", "-->", "**"):
        assert mark not in text, mark
    lines = text.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert lines[0] == " " * ((80 - cell_len(title)) // 2) + title  # centred
    assert lines[2].strip() == bulletin["number"] and columns(lines[2], bulletin["number"]) > 20
    assert "各有关单位：" in lines  # the 主送 line, flush left
    assert any(line.startswith("　　根据《濮阳市所辖县数字化城市管理系统建设工作台账》") for line in lines)
    assert "　　整改要求" in lines and "## 整改要求" not in text  # one heading: not numbered

    header = next(i for i, line in enumerate(lines) if line.startswith("责任单位"))
    rule = lines[header + 1]
    assert set(rule) == {"─", " "}
    rows = [line for line in lines[header + 2 :] if line.endswith(" 20") or line.endswith(" 5")]
    assert len(rows) >= 2
    for row in rows:  # days late right-aligned under their heading, deadlines under theirs
        assert cell_len(row) == cell_len(rule)
        assert columns(row, "2017年") == columns(lines[header], "完成时限")
    assert any(row.startswith("南乐县政府") for row in rows)

    issuer, date = [line for line in lines if line.strip()][-2:]
    assert (issuer.strip(), date.strip()) == ("督查室", "2017年4月20日")
    assert cell_len(issuer) == cell_len(date) == 80  # on the right

    monkeypatch.setenv("COLUMNS", "100")
    text_file = tmp_path / "通报.txt"
    assert cli("notice", "render", str(bulletin["id"]), "-o", text_file).code == 0
    assert text_file.read_text(encoding="utf-8") == cli("notice", "show", str(bulletin["id"])).out


def test_notice_show_json_is_unchanged(cli, bulletin: dict, db_url: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    """`--json` is the notice's data, as before: no text, no layout."""
    from tracker.app import build
    from tracker.notices import find_notice, notice_detail

    data = cli("notice", "show", str(bulletin["id"]), "--json").json()
    tracker = build(db_url, None, "t")
    with tracker.session() as session:
        detail = notice_detail(session, find_notice(session, str(bulletin["id"])), tracker.settings.notices.issuer)
    tracker.engine.dispose()
    assert data == json.loads(json.dumps(detail.as_json()))
    assert data["number"] == bulletin["number"] and data["items"]
