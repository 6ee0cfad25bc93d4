"""Bad files from unknown sources, built at test time (nothing binary is committed): bombs, huge
merges and cells, damaged zips, XML entities, pipes, odd names and Unicode. Each must end in exit
2 naming the limit and the place, never in an internal error, a hang or an exhausted machine:
the bombs are imported in a subprocess under a memory limit and a timeout."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.conftest import ROOT

MEMORY = 1 << 30  # 1 GiB for a subprocess that imports a bomb
SECONDS = 60


# --- the corpus builder ------------------------------------------------------------------------


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def sheet_xml(rows: list[list[str]], *, merges: tuple[str, ...] = (), first_row: int = 1, prolog: str = "") -> str:
    """A worksheet: ``rows`` of inline text from ``first_row``, columns A, B, …."""
    body = []
    for number, row in enumerate(rows, start=first_row):
        cells = "".join(_cell(f"{chr(ord('A') + i)}{number}", value) for i, value in enumerate(row) if value)
        body.append(f'<row r="{number}">{cells}</row>')
    merged = (
        f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
        if merges
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData>{merged}</worksheet>"
    )


LEDGER_ROWS = [
    ["测试督查台账"],
    ["序号", "任务", "完成时限", "责任单位", "责任人"],
    ["1", "完成系统建设", "2017年3月底", "甲县政府", "张三"],
]


def xlsx(sheets: dict[str, str], *, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook of the given sheets (name → worksheet XML), zipped as Excel does."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for i, name in enumerate(names, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ledger_xlsx(**kwargs: object) -> bytes:
    return xlsx({"台账": sheet_xml(LEDGER_ROWS, **kwargs)})  # type: ignore[arg-type]


def corrupt_zlib() -> bytes:
    """A workbook whose sheet's deflated data is damaged (its header and CRC left as they were)."""
    data = bytearray(ledger_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    return bytes(data)


def zip_bomb() -> bytes:
    """A small file that unpacks to 300 MB (a sheet padded with whitespace)."""
    buffer = io.BytesIO()
    body = sheet_xml(LEDGER_ROWS).encode()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(body[: body.index(b"<sheetData>")])
            block = b" " * (1 << 20)
            for _ in range(300):
                member.write(block)
            member.write(body[body.index(b"<sheetData>") :])
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'

BOMBS = {
    "merge-whole-sheet": (lambda: ledger_xlsx(merges=("F1:XFD1048576",)), "F1:XFD1048576"),
    "merge-100k-rows": (lambda: ledger_xlsx(merges=("F1:Z100000",)), "F1:Z100000"),
    "huge-cell": (
        lambda: xlsx({"台账": sheet_xml([*LEDGER_ROWS, ["2", "a" * 20_000_000, "2017年3月底", "甲县政府"]])}),
        "32,767",
    ),
    "zip-bomb": (zip_bomb, "uncompressed"),
    "corrupt-zlib": (corrupt_zlib, "damaged"),
    "too-many-rows": (
        lambda: xlsx({"台账": sheet_xml([["x"]], first_row=1_048_577)}),
        "1048577",
    ),
    "billion-laughs": (lambda: ledger_xlsx(prolog=BILLION_LAUGHS), "DOCTYPE"),
    "xxe": (lambda: ledger_xlsx(prolog=XXE), "DOCTYPE"),
    "far-cell": (lambda: xlsx({"台账": sheet_xml([["x"]], first_row=300_000)}), "row 300000"),
}


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_tracker(db_url: str, *args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": db_url, "TRACKER_CONFIG": ""}
    env.pop("TRACKER_CONFIG")
    return subprocess.run(
        [sys.executable, "-m", "tracker", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        env=env,
        preexec_fn=_limited,
        cwd=ROOT,
    )


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_bomb_is_refused_within_bounds(kind: str, db_url: str, tmp_path: Path) -> None:
    build, named = BOMBS[kind]
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(build())
    assert path.stat().st_size < 2_000_000  # small on disk: the danger is in what it unpacks to
    result = run_tracker(db_url, "import", path)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert f"{kind}.xlsx" in result.stderr and named in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_workbook_under_the_limits_still_imports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fine.xlsx"
    path.write_bytes(ledger_xlsx(merges=("E3:E3",)))
    result = cli("import", path, "--json")
    assert result.code == 0, result.err
    assert result.json()["ledgers"][0]["tasks"] == 1


# --- files that are not files, names, TOML -----------------------------------------------------

TOML = """
title = "测试台账"
year = 2017

[[units]]
name = "甲县政府"

[[tasks]]
text = "任务一"
deadline = "2017年3月31日"
"""


def test_a_pipe_given_as_a_file_is_refused_without_hanging(db_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "ledger.toml"
    os.mkfifo(fifo)
    result = run_tracker(db_url, "import", fifo)  # a hang would be a TimeoutExpired here
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr


def test_a_file_name_too_long_is_bad_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", tmp_path / ("长" * 200 + ".toml"))
    assert result.code == 2 and "File name too long" in result.err, result.err


def test_a_file_over_the_size_limit_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    result = cli("import", path)
    assert result.code == 2 and "more than the limit of 20,971,520" in result.err, result.err


def test_deeply_nested_toml_is_bad_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nested.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = cli("import", path)
    assert result.code == 2 and "nested too deeply" in result.err, result.err


def test_a_toml_file_with_a_bom_is_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TOML.encode())
    assert cli("import", path).code == 0


def test_a_seq_that_is_a_list_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "seq.toml"
    path.write_text(TOML.replace('text = "任务一"', 'seq = [1, 2]\ntext = "任务一"'), encoding="utf-8")
    result = cli("import", path)
    assert result.code == 2 and "tasks[0].seq: must be text or a whole number" in result.err, result.err
    assert "seq.toml:9:" in result.err


def test_invisible_marks_do_not_make_another_unit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "marks.toml"
    text = TOML + '[[tasks]]\ntext = "任务二"\ndeadline = "2017年4月30日"\nunits = ["甲县\u200b政府\u200f"]\n'
    path.write_text(
        text.replace('name = "甲县政府"', 'name = "甲县政府"\n[[units]]\nname = "\u200e甲县政府\ufeff"'), "utf-8"
    )
    result = cli("import", path)
    assert result.code == 2 and "unit '甲县政府' is listed twice" in result.err, result.err
    path.write_text(text, encoding="utf-8")
    assert cli("import", path, "--json").json()["ledgers"][0]["units"] == 1  # the marked name is the same unit


# --- spreadsheets: where things are looked for and reported -------------------------------------


def test_full_width_punctuation_in_a_name_is_kept_as_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wide.toml"
    text = 'title = "台账"\nyear = 2017\n[[units]]\nname = "地级市人民政府（不含计划单列市）"\n'
    path.write_text(text + '[[units]]\nname = "ＡＢ县"\n[[tasks]]\ntext = "任务"\ndeadline = "2017年3月底"\n', "utf-8")
    assert cli("import", path).code == 0
    units = {row["unit"] for row in cli("show", "1", "--json").json()["rows"]}
    assert units == {"地级市人民政府（不含计划单列市）", "AB县"}


def test_a_header_below_row_15_is_found(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    preamble = [[f"说明第{i}行"] for i in range(1, 20)]
    rows = [["测试督查台账"], *preamble, *LEDGER_ROWS[1:]]
    path = tmp_path / "low-header.xlsx"
    path.write_bytes(xlsx({"台账": sheet_xml(rows)}))
    result = cli("import", path, "--json")
    assert result.code == 0, result.err
    far = tmp_path / "too-low.xlsx"
    far.write_bytes(
        xlsx({"台账": sheet_xml([["测试督查台账"], *[[f"第{i}行"] for i in range(120)], *LEDGER_ROWS[1:]])})
    )
    result = cli("import", far)
    assert result.code == 2 and "within its first 100 rows" in result.err, result.err


def test_an_address_error_in_the_contacts_sheet_is_reported_there(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    contacts = sheet_xml([["责任单位", "责任人", "电话", "邮箱"], ["甲县政府", "张三", "123", "not-an-address"]])
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(xlsx({"台账": sheet_xml(LEDGER_ROWS), "通讯录": contacts}))
    result = cli("import", path)
    assert result.code == 2 and "通讯录!D2: 'not-an-address' is not an email address" in result.err, result.err


def test_a_toml_text_over_the_cell_limit_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "long.toml"
    path.write_text(TOML.replace('text = "任务一"', f'text = "{"长" * 40_000}"'), encoding="utf-8")
    result = cli("import", path)
    assert result.code == 2 and "tasks[0].text: 40,000 characters, more than the limit of 32,767" in result.err
