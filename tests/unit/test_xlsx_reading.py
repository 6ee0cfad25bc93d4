"""Reading sheets fast (issue 17): calamine's values are openpyxl's, and the limits' quick pass
leaves everything it is not sure of to the exact check."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from tests.sheets import date_deadlines, write_puyang, write_with_preamble
from tracker import xlsx_ledger
from tracker.errors import InputError
from tracker.input_files import _plainly_within, _Scan, check_xlsx
from tracker.ledger_spec import LedgerSpec
from tracker.xlsx_cells import Workbook
from tracker.xlsx_ledger import read_xlsx_ledger


def _odd_values(path: Path) -> Path:
    """Every kind of value a ledger sheet holds, merged ranges, a gap before the first cell."""
    book = OpenpyxlWorkbook()
    sheet = book.active
    sheet.title = "台账"
    sheet["C3"] = "标题"
    sheet.merge_cells("C3:F3")
    rows = [
        (1, 2.5, "  padded  ", dt.datetime(2017, 3, 31), dt.datetime(2017, 3, 31, 17, 30), True),
        (1e16, -3, "", dt.date(2019, 1, 2), dt.time(9, 0), False),
        ("12", 0, "甲\n乙", None, "2017年3月底", 100000),
        (dt.datetime(1000, 12, 31), dt.datetime(9999, 12, 31), dt.time(0, 0), dt.datetime(1899, 12, 31), None, 0.5),
    ]
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=2):
            sheet.cell(r, c, value)
    sheet.merge_cells("B5:B6")
    book.create_sheet("空表")
    book.save(path)
    return path


@pytest.mark.parametrize(
    "write",
    [
        lambda p: write_puyang(p),
        lambda p: write_puyang(p, deadlines=date_deadlines()),
        lambda p: write_with_preamble(p, split_preamble=True),
        _odd_values,
    ],
    ids=["puyang", "date-cells", "preamble", "odd-values"],
)
def test_calamine_reads_what_openpyxl_reads(tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "book.xlsx")
    expected = load_workbook(path, data_only=True)
    found = Workbook(path)
    assert found.sheetnames == expected.sheetnames
    for name in expected.sheetnames:
        want, got = expected[name], found.sheet(name)
        assert sorted(got.merged) == sorted(
            (r.min_row, r.min_col, r.max_row, r.max_col) for r in want.merged_cells.ranges
        )
        for row in range(1, want.max_row + 2):
            for column in range(1, want.max_column + 2):
                value = got.value(row, column)
                assert value == want.cell(row, column).value, (name, row, column)
                assert type(value) is type(want.cell(row, column).value), (name, row, column)


@pytest.mark.parametrize("head", [0, 1, 3, 4, 5, 6])
def test_rows_streamed_after_the_first_are_what_openpyxl_reads(tmp_path: Path, head: int) -> None:
    """The rows after the first ``head`` come one at a time (``rest``), padded to column A and
    with a date before 1900 read again by openpyxl, as the rows read at once."""
    path = _odd_values(tmp_path / "book.xlsx")
    want = load_workbook(path, data_only=True)["台账"]
    got = Workbook(path).sheet("台账", head=head)
    rows = {row: cells for row, cells in got.rest()}
    assert sorted(rows) == list(range(head + 1, want.max_row + 1))
    assert list(got.rest()) == []  # once
    for row in range(1, want.max_row + 1):
        for column in range(1, want.max_column + 1):
            value = got.value(row, column) if row <= head else rows[row][column - 1]
            assert value == want.cell(row, column).value, (row, column)
            assert type(value) is type(want.cell(row, column).value), (row, column)


def _facts(spec: LedgerSpec) -> tuple[object, ...]:
    tasks = [
        (t.text, t.deadline_text, t.due_date, t.phase, t.seq, t.units, list(t.assist), str(t.where)) for t in spec.tasks
    ]
    units = [(u.name, u.person, u.email, u.where) for u in spec.units]
    return spec.title, spec.phases, tasks, [str(t.deadline_where) for t in spec.tasks], units, spec.problems


@pytest.mark.parametrize("head", [4, 5, 6, 7, 8, 10, 12, 13, 14])
@pytest.mark.parametrize(
    "write",
    [
        lambda p: write_puyang(p),
        lambda p: write_puyang(p, deadlines=date_deadlines()),
        lambda p: write_puyang(p, deadlines=["尽快", None, *date_deadlines()[2:]], persons="孙庆伟\n刘兵"),
    ],
    ids=["puyang", "date-cells", "bad-cells"],
)
def test_a_ledger_streamed_past_any_row_reads_the_same(tmp_path: Path, monkeypatch, write, head: int) -> None:  # type: ignore[no-untyped-def]
    """Rows below the first ``HEADER_WITHIN`` stream past the reader: merged phases, units and
    persons that start above that row or below it, 序号 merged over rows, and the errors with
    their cells come out as when every row is read at once (the Puyang sheet has 14 rows)."""
    path = write(tmp_path / "book.xlsx")
    whole = read_xlsx_ledger(path, keep_going=True)
    monkeypatch.setattr(xlsx_ledger, "HEADER_WITHIN", head)
    streamed = read_xlsx_ledger(path, keep_going=True)
    assert [str(p) for p in streamed.problems] == [str(p) for p in whole.problems]
    assert _facts(streamed)[:-1] == _facts(whole)[:-1]
    assert [t.phase for t in whole.tasks][:4] == ["项目前期阶段"] * 3 + ["项目实施阶段"]
    assert len({t.units[0] for t in whole.tasks if t.units}) == 1  # the merged unit cell, on every row


def _workbook(path: Path, sheet_xml: str, strings: str = "") -> Path:
    """A minimal workbook around one sheet's XML (and a shared strings part, if given)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}><sheetData>{sheet_xml}</sheetData></worksheet>")
        if strings:
            archive.writestr("xl/sharedStrings.xml", f"<sst {ns}>{strings}</sst>")
    return path


def _quick(path: Path, member: str = "xl/worksheets/sheet1.xml") -> bool:
    with zipfile.ZipFile(path) as archive:
        return _plainly_within(_Scan(archive, member, path, "台账"), member.startswith("xl/worksheets/"))


def test_a_plain_sheet_passes_the_quick_pass(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="GR{r}" t="s"><v>0</v></c></row>' for r in (1, 2))
    path = _workbook(tmp_path / "plain.xlsx", rows + '<row r="200000"><c r="B200000"><v>1</v></c></row>')
    assert _quick(path)
    check_xlsx(path)


@pytest.mark.parametrize(
    "xml",
    [
        '<row r="200001"><c r="A1"><v>1</v></c></row>',  # a row past the limit
        '<row r="1"><c r="GS1"><v>1</v></c></row>',  # a column past GR
        '<row r="1"><c r="A200001"><v>1</v></c></row>',
        '<row r="1"><c r="XFD1048576"><v>1</v></c></row>',
        '<row r="1"><c s="0" r="XFD1"><v>1</v></c></row>',  # the reference not first
        "<row r='1'><c r='A1'><v>1</v></c></row>",  # single quotes
        '<row r="1"><c r="$A$1"><v>1</v></c></row>',
        '<row r="01"><c r="A1"><v>1</v></c></row>',
        '<row r="1"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="A1"/></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[x]]></t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "字" * 32_768 + "</t></is></c></row>",
        '<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:GS2"/></mergeCells>'
        "<sheetData>",
    ],
    ids=[
        "row-far",
        "column-far",
        "cell-row-far",
        "cell-far",
        "ref-not-first",
        "single-quotes",
        "dollars",
        "leading-zero",
        "prefixed",
        "cdata",
        "long-text",
        "merge-far",
    ],
)
def test_anything_unsure_is_left_to_the_exact_check(tmp_path: Path, xml: str) -> None:
    assert not _quick(_workbook(tmp_path / "odd.xlsx", xml))


@pytest.mark.parametrize(
    ("xml", "said"),
    [
        ('<row r="1"><c s="0" r="XFD1"><v>1</v></c></row>', "beyond the limit"),
        (
            '<row r="1"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="A300000"/></row>',
            "beyond the limit",
        ),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "字" * 32_768 + "</t></is></c></row>", "32,768 characters"),
        ('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[' + "x" * 32_768 + "]]></t></is></c></row>", "32,768"),
    ],
    ids=["ref-not-first", "prefixed", "long-text", "long-cdata"],
)
def test_what_the_quick_pass_leaves_is_still_refused(tmp_path: Path, xml: str, said: str) -> None:
    with pytest.raises(InputError, match=said):
        check_xlsx(_workbook(tmp_path / "odd.xlsx", xml))


def test_a_long_shared_string_is_refused_and_a_short_one_passes(tmp_path: Path) -> None:
    row = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    short = _workbook(tmp_path / "short.xlsx", row, "<si><t>" + "字" * 32_767 + "</t></si>")
    assert not _quick(short, "xl/sharedStrings.xml")  # more bytes than the limit: counted exactly
    check_xlsx(short)
    long = _workbook(tmp_path / "long.xlsx", row, "<si><t>" + "字" * 32_768 + "</t></si>")
    with pytest.raises(InputError, match="32,768 characters"):
        check_xlsx(long)
