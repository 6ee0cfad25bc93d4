"""Notices built one after another in one process: what is built once and copied (the shared
parts, the paragraph, run, row and cell models) makes the same document as a fresh build, and
nothing of one notice reaches the next."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.oxml import OxmlElement
from lxml import etree

from tracker import docx_parts, docx_tables, gbt9704
from tracker.config import NoticeSettings
from tracker.docx_parts import set_text
from tracker.notices import NoticeDetail, NoticeLine
from tracker.render import docx_bytes


def notice(n: int, unit: str, *, rows: int = 5, issued: dt.datetime | None = None) -> NoticeDetail:
    lines = [
        NoticeLine(unit, f"责任人{n}", str(t + 1), f"{unit}的任务{t + 1}", "3月底", dt.date(2017, 3, 31), 3 + t)
        for t in range(rows)
    ]
    return NoticeDetail(
        id=n,
        kind="warning",
        number=f"督查〔2017〕{n}号",
        title="督办通知",
        ledger="老旧小区改造台账",
        doc_number="濮政办〔2017〕13号",
        issuer=f"第{n}督查局",
        as_of=dt.date(2017, 4, 3),
        fix_by=dt.date(2017, 4, 13),
        units=[unit],
        persons=[f"责任人{n}"],
        lines=lines,
        issued_at=issued or dt.datetime(2017, 4, 3, n, 30, tzinfo=dt.UTC),
    )


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every member's CRC checks
        return {info.filename: archive.read(info) for info in archive.infolist()}


def forget_models() -> None:
    """What a new process starts with: nothing built yet."""
    gbt9704.frame.cache_clear()
    gbt9704._imprint_model.cache_clear()
    for cached in (
        docx_parts.paragraph_model,
        docx_parts.run_model,
        docx_tables.table_model,
        docx_tables.row_model,
        docx_tables.cell_model,
    ):
        cached.cache_clear()


def test_the_second_notice_holds_nothing_of_the_first() -> None:
    first, second = notice(1, "濮阳县政府"), notice(2, "清丰县政府", rows=2)
    docx_bytes(first)
    built = members(docx_bytes(second))
    body = built["word/document.xml"].decode()
    assert "清丰县政府" in body and "督查〔2017〕2号" in body
    assert "濮阳县政府" not in body and "督查〔2017〕1号" not in body and "任务3" not in body
    assert body.count("<w:tr>") == 3  # the header and the second's two rows
    properties = docx.Document(io.BytesIO(docx_bytes(second))).core_properties
    assert (properties.author, properties.subject) == ("第2督查局", "督查〔2017〕2号")
    assert properties.created == dt.datetime(2017, 4, 3, 2, 30, tzinfo=dt.UTC)
    assert b"<Company>\xe7\xac\xac2" in built["docProps/app.xml"]  # 第2督查局
    assert "第1督查局".encode() not in built["docProps/app.xml"] + built["docProps/core.xml"]


def test_copied_models_make_the_document_a_fresh_build_makes() -> None:
    wanted = notice(3, "南乐县政府", rows=40)
    forget_models()
    fresh = members(docx_bytes(wanted))
    for n, unit in enumerate(["范县政府", "台前县政府", "华龙区政府"], start=4):  # models used and copied
        docx_bytes(notice(n, unit, rows=n))
    again = members(docx_bytes(wanted))
    assert list(again) == list(fresh)  # the same members in the same order
    for name, content in fresh.items():
        assert again[name] == content, name


def test_the_same_notice_makes_the_same_bytes() -> None:
    """The zip's members are dated by the notice's own time, not the clock: a notice rebuilt is
    the same file."""
    wanted = notice(5, "濮阳县政府")
    assert docx_bytes(wanted) == docx_bytes(wanted)
    with zipfile.ZipFile(io.BytesIO(docx_bytes(wanted))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2017, 4, 3, 5, 30, 0)}


def test_the_letter_form_after_the_letterhead_shares_nothing() -> None:
    docx_bytes(notice(6, "濮阳县政府"), settings=NoticeSettings(copy_to=("市委办公室",)))
    body = members(docx_bytes(notice(7, "濮阳县政府"), settings=NoticeSettings(letterhead=False)))["word/document.xml"]
    assert "市委办公室".encode() not in body and b"FF0000" not in body  # no 抄送, no red 版头


@pytest.mark.parametrize("text", ["督办", "2017年3月底", " 前有空格", "后有空格 ", "甲\t乙", "一\n二", "a\r\nb", ""])
def test_run_text_is_what_python_docx_writes(text: str) -> None:
    ours, theirs = OxmlElement("w:r"), OxmlElement("w:r")
    set_text(ours, text)
    theirs.text = text
    assert etree.tostring(ours) == etree.tostring(theirs)
