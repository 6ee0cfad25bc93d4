"""Notices as .docx read back: the layout GB/T 9704-2012 asks for, element by element."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length, Mm

from tracker.config import NoticeSettings
from tracker.docx_parts import LINE_TW
from tracker.docx_tables import column_widths
from tracker.notice_blocks import notice_blocks
from tracker.notices import LIST_APART_OVER, NoticeDetail, NoticeLine
from tracker.render import docx_bytes, render_markdown, render_text
from tracker.title_lines import title_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEDGER = "国家智慧城市试点过程管理（第一批试点）城市基础设施建设工作台账"
ISSUED = dt.datetime(2017, 9, 15, 1, 30, tzinfo=dt.UTC)


TASK = "完成建设单位申请、政府研究同意、成立建设工作机构（项目部）工作。"


def line(unit: str, seq: str = "3", task: str = TASK) -> NoticeLine:
    return NoticeLine(unit, "张三", seq, task, "2017年3月底完成", dt.date(2017, 3, 31), 168)


def detail(kind: str = "warning", lines: list[NoticeLine] | None = None, **extra: object) -> NoticeDetail:
    lines = lines if lines is not None else [line("濮阳县政府"), line("濮阳县政府", "4", "建成数据中心")]
    units = list(dict.fromkeys(ln.unit for ln in lines))
    values: dict[str, object] = {
        "id": 1,
        "kind": kind,
        "number": "督查〔2017〕1号",
        "title": "督办通知",
        "ledger": LEDGER,
        "doc_number": "濮政办〔2017〕13号",
        "issuer": "濮阳市委市政府督查局",
        "as_of": dt.date(2017, 9, 15),
        "fix_by": dt.date(2017, 9, 25),
        "units": units,
        "persons": ["张三"] * len(units),
        "lines": lines,
        "issued_at": ISSUED,
        **extra,
    }
    return NoticeDetail(**values)  # type: ignore[arg-type]


def bulletin(units: int, per_unit: int) -> NoticeDetail:
    lines = [
        NoticeLine(f"第{u}单位", "", "", "季度工作动态简报（漏报）", "每季度末", dt.date(2017, 3, 31), 100 + u)
        for u in range(units)
        for _ in range(per_unit)
    ]
    return detail("criticism", lines)


def read(notice: NoticeDetail, settings: NoticeSettings | None = None) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes(notice, settings=settings)))


def framed(paragraph: docx.text.paragraph.Paragraph) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(f"{W}framePr") is not None


def paragraphs(document: docx.document.Document) -> list[docx.text.paragraph.Paragraph]:
    """The text's paragraphs, not the 版记's (in frames at the page's foot)."""
    return [p for p in document.paragraphs if p.text.strip() and not framed(p)]


def imprint(document: docx.document.Document) -> list[docx.text.paragraph.Paragraph]:
    return [p for p in document.paragraphs if framed(p)]


def rules(paragraph: docx.text.paragraph.Paragraph) -> dict[str, str]:
    borders = paragraph._p.pPr.find(f"{W}pBdr")
    return {child.tag.removeprefix(W): child.get(qn("w:sz")) for child in borders}


def east_asian(paragraph: docx.text.paragraph.Paragraph) -> str:
    return paragraph.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))


def size(paragraph: docx.text.paragraph.Paragraph) -> float:
    return paragraph.runs[0].font.size.pt


def test_page_text_block_and_grid() -> None:
    document = read(detail())
    section = document.sections[0]
    mm = lambda length: round(length / Mm(1), 1)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37.0, 28.0)  # 天头, 订口
    width = Length(section.page_width - section.left_margin - section.right_margin)
    height = section.page_height - section.top_margin - section.bottom_margin
    assert (mm(width), mm(height)) == (156.0, 225.0)
    grid = section._sectPr.find(qn("w:docGrid"))
    pitch = int(grid.get(qn("w:linePitch")))
    twips = int(height) // 635  # EMU per twip
    assert pitch * 22 <= twips < pitch * 23  # 22 lines fill the block
    # 28 characters a line: 16 pt characters tightened to fit the width 28 times, not 29.
    spacing = document.styles.element.find(f"{W}docDefaults").find(f".//{W}spacing")
    advance = 16 + int(spacing.get(qn("w:val"))) / 20
    assert int(width.pt // advance) == 28
    char_pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(width.pt / char_pitch + 0.01) == 28
    body = next(p for p in paragraphs(document) if p.text.startswith("根据"))
    assert body.paragraph_format.line_spacing.twips == pitch == LINE_TW
    assert east_asian(body) == "仿宋_GB2312" and size(body) == 16  # 3号仿宋


def test_letterhead_mark_number_and_red_line() -> None:
    settings = NoticeSettings(issuer="濮阳市委市政府督查局", authority_mark="濮阳市人民政府督查室文件")
    found = paragraphs(read(detail(), settings))
    mark, number, title = found[0], found[1], found[2]
    assert mark.text == "濮阳市人民政府督查室文件" and mark.alignment == 1  # centred
    assert str(mark.runs[0].font.color.rgb) == "FF0000" and east_asian(mark) == "方正小标宋简体"
    assert number.text == "督查〔2017〕1号" and number.alignment == 1
    line = number._p.pPr.find(f"{W}pBdr").find(f"{W}bottom")
    assert line.get(qn("w:color")) == "FF0000" and line.get(qn("w:val")) == "single"
    assert number.paragraph_format.left_indent is None and number.paragraph_format.right_indent is None  # full width
    assert title.text == "督办通知" and size(title) == 22 and title.alignment == 1
    # By default the mark is the issuer followed by 文件.
    assert paragraphs(read(detail()))[0].text == "濮阳市委市政府督查局文件"


def test_letter_form_puts_the_number_top_right() -> None:
    found = paragraphs(read(detail(), NoticeSettings(letterhead=False)))
    assert found[0].text == "督查〔2017〕1号" and found[0].alignment == 2  # right
    assert found[0]._p.pPr.find(f"{W}pBdr") is None
    assert found[1].text == "督办通知"
    assert not any(p.runs[0].font.color.rgb is not None for p in found if p.runs)


@pytest.mark.parametrize(
    "title",
    [
        f"关于{LEDGER}进展情况的通报",
        "关于濮阳市所辖县数字化城市管理系统建设工作台账进展情况的通报",
        "关于2017年第一批试点城市生态环境建设工作台账进展情况的通报",
    ],
)
def test_title_breaks_only_between_words(title: str) -> None:
    lines = title_lines(title, 20, [LEDGER])
    assert "".join(lines) == title and len(lines) >= 2
    assert all(len(ln) <= 20 for ln in lines)
    for word in ("建设工作台账", "第一批试点", "2017年", "进展情况"):
        if word in title:
            assert any(word in ln for ln in lines), (word, lines)


def test_title_in_the_document_is_broken_with_line_breaks() -> None:
    notice = detail("criticism", [line("濮阳县政府"), line("清丰县政府")])
    title = paragraphs(read(notice))[2]
    assert title._p.findall(f".//{W}br")  # explicit breaks, not Word's wrapping
    assert "建设工作台账" in title.text or "第一批试点" in title.text
    assert "第一批试点" in title.text.replace("\n", "") and "第一批试\n点" not in title.text


def test_signature_and_date_right_four_characters_in() -> None:
    found = paragraphs(read(detail()))
    issuer, date = found[-2], found[-1]
    assert (issuer.text, date.text) == ("濮阳市委市政府督查局", "2017年9月15日")
    # The issuer is the longer: it goes two characters in, the date under its middle.
    assert issuer.alignment == date.alignment == 2
    assert issuer._p.pPr.find(f"{W}ind").get(qn("w:rightChars")) == "200"
    assert date._p.pPr.find(f"{W}ind").get(qn("w:rightChars")) == "375"  # 2 + (10 - 6.5) / 2
    assert issuer.paragraph_format.space_before.twips == LINE_TW  # a blank line after the body


def test_signature_issuer_shorter_than_date_is_centred_over_it() -> None:
    notice = detail(issuer="督查室")
    found = paragraphs(read(notice, NoticeSettings(issuer="督查室")))
    issuer, date = found[-2], found[-1]
    assert date._p.pPr.find(f"{W}ind").get(qn("w:rightChars")) == "400"  # 右空四字
    assert int(issuer._p.pPr.find(f"{W}ind").get(qn("w:rightChars"))) > 400


def test_page_numbers_odd_right_even_left() -> None:
    document = read(detail())
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer in (odd, even):
        xml = footer._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert all(r.font.size.pt == 14 for r in footer.runs)  # 4号
        assert {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in footer.runs} == {"宋体"}
    assert odd.alignment == 2 and odd.paragraph_format.right_indent.pt == 14
    assert even.alignment == 0 and even.paragraph_format.left_indent.pt == 14
    # The 一字线 about 7 mm under the block: the 14 pt line starts 4.5 mm under it.
    bottom = (section.bottom_margin - section.footer_distance) / Mm(1) - 14 / 72 * 25.4
    assert 4 <= bottom <= 5


def test_imprint_with_copy_to_printer_and_date_at_the_foot() -> None:
    settings = NoticeSettings(
        issuer="濮阳市委市政府督查局", copy_to=("市委办公室", "市政府办公室"), printed_by="濮阳市政府办公室"
    )
    document = read(detail(), settings)
    copy, printed = imprint(document)
    assert copy.text == "\u3000抄送：市委办公室，市政府办公室。"
    assert printed.text == "\u3000濮阳市政府办公室\t2017年9月15日印发\u3000"  # the date to the right by a tab
    assert rules(copy) == {"top": "8", "bottom": "6"} and rules(printed) == {"bottom": "8"}  # 0.35, 0.25, 0.35 mm
    assert all(r.font.size.pt == 14 for p in (copy, printed) for r in p.runs)  # 4号
    # Frames the width of the block, at its foot: the 印发 line last, 抄送 one line above it.
    last = printed._p.pPr.find(f"{W}framePr")
    above = copy._p.pPr.find(f"{W}framePr")
    assert last.get(qn("w:yAlign")) == "bottom" and last.get(qn("w:vAnchor")) == "margin"
    assert last.get(qn("w:w")) == above.get(qn("w:w")) == "8845"
    assert int(above.get(qn("w:y"))) == round(225 * 1440 / 25.4) - 2 * LINE_TW
    body = document.element.body
    assert body.index(printed._p) > body.index(paragraphs(document)[-1]._p)  # after the text
    # Without 抄送 the 印发 line alone, between the thick rules, the printer defaulting to the issuer.
    (alone,) = imprint(read(detail()))
    assert alone.text.split("\t")[0] == "\u3000濮阳市委市政府督查局" and rules(alone) == {"top": "8", "bottom": "8"}


def test_table_header_repeats_rows_do_not_split_widths_fit() -> None:
    table = read(detail()).tables[0]
    header = table.rows[0]._tr.trPr
    assert header.find(f"{W}tblHeader") is not None
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in table.rows)
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
    headings = [c.text for c in table.rows[0].cells]
    by_name = dict(zip(headings, grid, strict=True))
    assert by_name["序号"] < by_name["完成时限"] < by_name["任务"]
    assert sum(grid) <= 8845
    assert table._tbl.tblPr.find(f"{W}tblLayout").get(qn("w:type")) == "fixed"
    cell_widths = [int(c._tc.tcPr.find(f"{W}tcW").get(qn("w:w"))) for c in table.rows[1].cells]
    assert cell_widths == grid


def test_column_widths_count_chinese_double() -> None:
    rows = [("序号", "任务"), ("1", "完成建设单位申请、政府研究同意、成立建设工作机构（项目部）工作。" * 2)]
    narrow, wide = column_widths(rows, total_tw=8845)
    assert narrow < 1500 and wide > 6000 and narrow + wide <= 8845


def test_a_long_bulletin_counts_by_unit_and_attaches_the_list() -> None:
    notice = bulletin(units=99, per_unit=10)  # 990 missed reports
    assert notice.listed_apart
    document = read(notice)
    summary, attached = document.tables[0], document.tables[1]
    assert len(summary.rows) == 1 + 99
    assert [c.text for c in summary.rows[0].cells][:3] == ["责任单位", "逾期任务", "漏报"]
    assert [c.text for c in summary.rows[1].cells][:3] == ["第0单位", "0", "10"]
    assert len(attached.rows) == 1 + 990
    grid = [int(c.get(qn("w:w"))) for c in attached._tbl.tblGrid.findall(f"{W}gridCol")]
    last = attached.rows[-1]  # formatted like the first (cells after the first of a kind are copies)
    assert [int(c._tc.tcPr.find(f"{W}tcW").get(qn("w:w"))) for c in last.cells] == grid
    assert [c.text for c in last.cells] == ["第98单位", "", "季度工作动态简报（漏报）", "每季度末", "198"]
    assert {east_asian(c.paragraphs[0]) for c in last.cells} == {"仿宋_GB2312"}
    assert last.cells[4].paragraphs[0].alignment == 2  # days to the right
    assert last._tr.trPr.find(f"{W}cantSplit") is not None
    texts = [p.text for p in paragraphs(document)]
    assert "附件：逾期事项明细" in texts
    label = next(p for p in paragraphs(document) if p.text == "附件")
    assert label.paragraph_format.page_break_before and east_asian(label) == "黑体"
    assert texts.index("附件：逾期事项明细") < texts.index("2017年9月15日") < texts.index("附件")
    # The Markdown and the text say the same: counts in the body, the list after the signature.
    markdown = render_markdown(notice)
    assert "按单位统计" in markdown and markdown.count("季度工作动态简报（漏报）") == 990
    text = render_text(notice)
    assert text.index("2017年9月15日") < text.index("逾期事项明细\n")


def test_a_short_list_stays_in_the_body() -> None:
    notice = bulletin(units=3, per_unit=LIST_APART_OVER // 3)
    assert not notice.listed_apart
    document = read(notice)
    assert len(document.tables) == 1
    assert "附件" not in [p.text for p in paragraphs(document)]


def test_a_single_heading_is_not_numbered() -> None:
    blocks = notice_blocks("# 题\n\n## 一、整改要求\n\n正文。\n")
    assert [b.text for b in blocks if b.kind == "heading"] == ["整改要求"]
    two = notice_blocks("# 题\n\n## 一、甲\n\n## 二、乙\n")
    assert [b.text for b in two if b.kind == "heading"] == ["一、甲", "二、乙"]
    assert "一、" not in render_markdown(detail())
    heading = next(p for p in paragraphs(read(detail())) if p.text == "整改要求")
    assert east_asian(heading) == "黑体"


def test_document_properties_and_language() -> None:
    data = docx_bytes(detail())
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.author == properties.last_modified_by == "濮阳市委市政府督查局"
    assert properties.created == properties.modified == ISSUED
    assert properties.language == "zh-CN" and properties.title == "督办通知"
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "python-docx" not in core and "2013" not in core
    package = zipfile.ZipFile(io.BytesIO(data))
    assert "docProps/thumbnail.jpeg" not in package.namelist()  # the template's blank page
    app = package.read("docProps/app.xml").decode()
    assert "<Company>濮阳市委市政府督查局</Company>" in app and "Macintosh" not in app
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="zh-CN"' in defaults and "ja-JP" not in defaults
