"""Units' progress forms, out and back: written by `tracker forms`, filled in with openpyxl as a
unit would, read back by `tracker import-progress`, and visible in the next weekly table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

LEDGER = """
title = "填报测试台账"
doc_number = "测试〔2017〕5号"
year = 2017
issued_on = 2017-01-01

[[units]]
name = "甲县政府"
person = "张三"
[[units]]
name = "乙县政府"
person = "李四"

[[tasks]]
text = "完成方案编制"
deadline = "2017年3月31日"
[[tasks]]
text = "完成项目立项"
deadline = "2017年6月30日"

[[reports]]
name = "进度一览表"
deadline = "每月25日前"
"""
AS_OF = "2017-05-10"


@pytest.fixture
def forms(cli, tmp_path: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    source = tmp_path / "ledger.toml"
    source.write_text(LEDGER, encoding="utf-8")
    assert cli("import", source).code == 0
    result = cli("forms", "填报测试台账", "-o", tmp_path / "forms", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.err
    files = [Path(f) for f in result.json()["files"]]
    return {("甲县政府" if "甲县政府" in f.name else "乙县政府"): f for f in files}


def fill(path: Path, **cells: object) -> None:
    """What a unit does: open the form, type into cells, save."""
    book = openpyxl.load_workbook(path)
    sheet = book["进度填报"]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)


def test_a_form_per_unit_with_locked_and_editable_columns(forms: dict[str, Path]) -> None:
    assert sorted(forms) == ["乙县政府", "甲县政府"]
    book = openpyxl.load_workbook(forms["甲县政府"])
    assert book["表单信息"].sheet_state == "veryHidden"
    meta = dict(book["表单信息"].iter_rows(max_col=2, values_only=True))
    assert (meta["ledger"], meta["unit"], meta["period"], meta["duty"]) == (
        "填报测试台账",
        "甲县政府",
        "2017-05-25",
        "进度一览表",
    )
    sheet = book["进度填报"]
    assert [c.value for c in sheet[5]] == [
        "编号",
        "版本",
        "序号",
        "阶段",
        "任务",
        "完成时限",
        "时限日期",
        "角色",
        "状态",
        "完成日期",
        "完成百分比",
        "进展说明",
        "佐证材料",
    ]
    assert [sheet.cell(r, 5).value for r in (6, 7)] == ["完成方案编制", "完成项目立项"]
    assert sheet.protection.sheet
    assert sheet["E6"].protection.locked and not sheet["I6"].protection.locked and not sheet["L6"].protection.locked
    hidden = sheet.column_dimensions["A"]  # openpyxl reads A:B (id and version) as one range
    assert hidden.hidden and (hidden.min, hidden.max) == (1, 2)
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["I6:I7"].formula1 == '"未开始,进行中,已完成"'
    assert rules["K6:K7"].type == "whole"


def test_round_trip_into_the_weekly_table(cli, forms: dict[str, Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fill(
        forms["甲县政府"],
        I6="已完成",
        J6=dt.datetime(2017, 3, 28),
        L6="方案已印发",
        M6="方案.pdf\n批复.pdf",
        I7="进行中",
        K7=60,
    )
    fill(forms["乙县政府"], I7="进行中", K7=20, L7="+已报市政府")
    dry = cli("import-progress", *forms.values(), "--as-of", "2017-05-20", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert [f["changed"] for f in dry.json()["forms"]] == [2, 1] or [f["changed"] for f in dry.json()["forms"]] == [
        1,
        2,
    ]
    assert cli("show", "填报测试台账", "--json").json()["rows"][0]["status"] == "todo"  # dry run: nothing kept
    result = cli("import-progress", *forms.values(), "--as-of", "2017-05-20", "--json")
    assert result.code == 0, result.err
    reports = {f["unit"]: f["report"] for f in result.json()["forms"]}
    assert reports["甲县政府"] == {"due_on": "2017-05-25", "received_on": "2017-05-20", "late": False}
    out = tmp_path / "weekly.xlsx"
    assert cli("report", "weekly", "--as-of", "2017-05-20", "-o", out).code == 0
    sheet = openpyxl.load_workbook(out)["进度表"]
    rows = {
        (r[0], r[5]): r
        for r in sheet.iter_rows(min_row=5, values_only=True)
        if r[0] in ("1", "2") and r[5] in ("甲县政府", "乙县政府")
    }
    assert rows[("1", "甲县政府")][7] == "已完成" and rows[("1", "甲县政府")][9] == dt.datetime(2017, 3, 28)
    assert rows[("1", "甲县政府")][11] == "方案已印发"
    assert rows[("2", "甲县政府")][7] == "进行中" and rows[("2", "甲县政府")][8] == pytest.approx(0.6)
    assert rows[("2", "乙县政府")][11] == "+已报市政府"  # text stays text
    history = cli("history", "填报测试台账", "--json").json()
    assert sum(1 for h in history if h["action"] == "form-imported") == 2
    # The report arrived: no 漏报 for 甲 on the 25th (乙's form arrived too).
    check = cli("check", "--as-of", "2017-05-27", "--json").json()
    assert not [f for f in check["findings"] if f["kind"] == "report" and f["deadline"] == "2017-05-25"]


def test_bad_forms_are_refused_naming_file_and_cell(cli, forms: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    fill(forms["甲县政府"], I6="已完成", J6="2017-13-01", K7=150, I7="已终止")
    fill(forms["乙县政府"], I6="已完成", J6=dt.datetime(2017, 6, 1), L7='=HYPERLINK("http://x")')
    result = cli("import-progress", *forms.values(), "--as-of", "2017-05-20")
    assert result.code == 2
    name_a, name_b = forms["甲县政府"].name, forms["乙县政府"].name
    assert f"{name_a}!J6: 完成日期 '2017-13-01' is not a date" in result.err
    assert f"{name_a}!I7: 状态 '已终止'" in result.err
    assert f"{name_b}!J6: 完成日期 2017-06-01 is in the future" in result.err
    assert f"{name_b}!L7: 进展说明 holds a formula" in result.err
    assert "Traceback" not in result.err
    assert [r["status"] for r in cli("show", "填报测试台账", "--json").json()["rows"]] == ["todo"] * 4


def test_stale_foreign_and_duplicate_forms(cli, forms: dict[str, Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The bureau records progress on 甲's task 1 after the form went out: the form is stale there.
    assert cli("progress", "填报测试台账", "1", "甲县政府", "--status", "doing", "--percent", "50").code == 0
    fill(forms["甲县政府"], I6="已完成", J6=dt.datetime(2017, 5, 1))
    stale = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20")
    assert stale.code == 2 and "B6: 任务 1 / 甲县政府 has changed in the database since this form was made" in stale.err
    # 乙's form with a row copied from 甲's form; and the same form twice in one batch.
    a = openpyxl.load_workbook(forms["甲县政府"])["进度填报"]
    fill(forms["乙县政府"], A8=a["A6"].value, B8=1, C8="1", I8="进行中")
    foreign = cli("import-progress", forms["乙县政府"], "--as-of", "2017-05-20")
    assert foreign.code == 2 and "A8: row" in foreign.err and "is not one of 乙县政府's" in foreign.err
    copy = tmp_path / "copy.xlsx"
    fill(forms["乙县政府"], A8=None, B8=None, C8=None, I8=None)
    copy.write_bytes(forms["乙县政府"].read_bytes())
    twice = cli("import-progress", forms["乙县政府"], copy, "--as-of", "2017-05-20")
    assert twice.code == 2 and "a second form for 乙县政府" in twice.err
    # A workbook that is not a form at all.
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    assert "not a progress form" in cli("import-progress", other).err
    assert "missing.xlsx: file not found" in cli("import-progress", tmp_path / "missing.xlsx").err


def test_an_array_formula_is_refused_not_stored_as_text(cli, forms: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.worksheet.formula import ArrayFormula

    fill(forms["甲县政府"], I6="进行中", L6=ArrayFormula("L6", '=CONCAT("a","b")'))
    result = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20")
    assert result.code == 2, result.err
    assert f"{forms['甲县政府'].name}!L6: 进展说明 holds a formula" in result.err
    assert [r["note"] for r in cli("show", "填报测试台账", "--json").json()["rows"]] == [""] * 4


@pytest.mark.parametrize(
    "key, value",
    [("ledger_id", "abc"), ("unit_id", 1e300), ("ledger_id", 2**70), ("unit_id", float("nan")), ("period", "某天")],
)
def test_a_tampered_meta_sheet_is_bad_input(cli, forms: dict[str, Path], key: str, value: object) -> None:  # type: ignore[no-untyped-def]
    from tracker.forms_out import META_SHEET

    book = openpyxl.load_workbook(forms["甲县政府"])
    sheet = book[META_SHEET]
    row = next(r for r in sheet.iter_rows(max_col=2) if r[0].value == key)
    row[1].value = value
    book.save(forms["甲县政府"])
    result = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20")
    assert result.code == 2, result.err
    assert f"{key} " in result.err and "was changed" in result.err, result.err


@pytest.mark.parametrize("first, second", [("甲/乙", "甲乙"), ("甲/乙", "甲_乙"), ("A县" + "x" * 40, "A县" + "x" * 41)])
def test_form_names_do_not_collide(cli, tmp_path: Path, first: str, second: str) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "ledger.toml"
    source.write_text(LEDGER.replace("甲县政府", first).replace("乙县政府", second), encoding="utf-8")
    assert cli("import", source).code == 0
    result = cli("forms", "填报测试台账", "-o", tmp_path / "forms", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.err
    files = result.json()["files"]
    assert len(files) == len(set(files)) == 2
    assert len(list((tmp_path / "forms").glob("*.xlsx"))) == 2


def test_a_row_the_unit_left_alone_never_conflicts(cli, forms: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    # The bureau records progress on 甲's task 2 after the form went out; the unit fills in task 1 only.
    assert cli("progress", "填报测试台账", "2", "甲县政府", "--status", "todo", "--percent", "60").code == 0
    fill(forms["甲县政府"], I6="已完成", J6=dt.datetime(2017, 5, 1))
    result = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20", "--json")
    assert result.code == 0, result.err
    assert result.json()["forms"][0]["changed"] == 1
    rows = {r["unit"]: r for r in cli("show", "填报测试台账", "--json").json()["rows"] if r["seq"] == "2"}
    assert (rows["甲县政府"]["status"], rows["甲县政府"]["percent"]) == ("todo", 60)  # the bureau's kept
    # A row the unit did change, whose assignment changed meanwhile too, still conflicts.
    fill(forms["甲县政府"], K7=30)
    stale = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20")
    assert stale.code == 2 and "B7: 任务 2 / 甲县政府 has changed in the database" in stale.err, stale.err


def test_a_folder_of_forms_is_read_as_its_forms(cli, forms: dict[str, Path], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """As the UI reads a folder: every .xlsx in it (not the lock file Excel leaves), each once."""
    fill(forms["甲县政府"], I6="进行中", K6=30)
    folder = forms["甲县政府"].parent
    (folder / "~$进度填报.xlsx").write_bytes(b"lock")
    monkeypatch.chdir(folder)
    result = cli("import-progress", ".", forms["甲县政府"], "--as-of", "2017-05-20", "--json")
    assert result.code == 0, result.err
    assert sorted(f["unit"] for f in result.json()["forms"]) == ["乙县政府", "甲县政府"]
    assert sum(f["changed"] for f in result.json()["forms"]) == 1
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    refused = cli("import-progress", empty)
    assert refused.code == 2 and f"{empty}: no .xlsx forms in this folder" in refused.err, refused.err
    monkeypatch.chdir(empty)
    here = cli("import-progress", ".")
    assert here.code == 2 and "tracker: .: no .xlsx forms" in here.err, here.err


def test_a_form_made_before_originals_were_kept_still_reads(cli, forms: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    """A form of format 1 has no 表单原值 sheet: its rows are compared with the database, as then."""
    from tracker.forms_out import ORIGINALS_SHEET

    book = openpyxl.load_workbook(forms["甲县政府"])
    del book[ORIGINALS_SHEET]
    book["进度填报"]["K7"] = 40
    book.save(forms["甲县政府"])
    result = cli("import-progress", forms["甲县政府"], "--as-of", "2017-05-20", "--json")
    assert result.code == 0, result.err
    assert result.json()["forms"][0]["changed"] == 1
