"""A notice as a Word document laid out to GB/T 9704-2012 (党政机关公文格式).

The page: A4, text block 156 × 225 mm (天头 37 mm, 订口 28 mm), a document grid of 22 lines ×
28 characters for 3号 (16 pt) 仿宋 body text. The 版头: the red 发文机关标志 35 mm below the top of
the block, the 发文字号 two lines under it, the red separator line 4 mm under the number; or,
for the 函 form, the number alone at the top right. The title in 2号小标宋 two lines under the
line, broken only between words (``tracker.title_lines``); headings 黑体 and 楷体; the issuer and
the 成文日期 right, four characters in; page numbers "— 1 —" in 4号宋体 7 mm under the block,
odd pages right and even pages left; the 版记 (抄送, 印发机关 and 印发日期 between rules) last.

Fonts are referenced by name (w:eastAsia), not embedded; the font table names a common fallback
for each (仿宋 for 仿宋_GB2312, …) that Word and WPS use where the exact font is missing.
python-docx has no API for the grid, fields, borders, table-row properties or the font table;
those are written as OOXML elements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracker.title_lines import display_width, title_lines

if TYPE_CHECKING:
    from tracker.config import NoticeSettings
    from tracker.notices import NoticeDetail
    from tracker.render import Block

FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
FALLBACKS = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体"}
RED = "FF0000"

BODY_PT, TITLE_PT, MARK_PT, FOOT_PT, TABLE_PT = 16, 22, 36, 14, 12  # 3号, 2号, 小初, 4号, 小四
TEXT_WIDTH_TW = 8845  # 156 mm in twips (1/20 pt): page 11906 less margins 1587 and 1474
LINE_TW = 579  # 225 mm / 22 lines, rounded down so that 22 whole lines fit
CHAR_PT = TEXT_WIDTH_TW / 20 / 28  # 28 characters a line: 15.79 pt
CHAR_SPACE = round((CHAR_PT - BODY_PT) * 4096)  # w:charSpace: the pitch less the font size, in 1/4096 pt
MM = 1440 / 25.4  # twips per millimetre
TIGHTEN = -5  # w:spacing of every character, in 1/20 pt: 16 - 0.25 pt fits the 15.79 pt pitch


def _tw(twips: float) -> Any:
    from docx.shared import Twips

    return Twips(round(twips))


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


# Children of w:pPr in schema order: a new one goes before the first of those after it.
# fmt: off
_PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)
# fmt: on


def _add_to_ppr(paragraph: Any, element: Any) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    tag = element.tag.rsplit("}", 1)[-1]
    later = _PPR_ORDER[_PPR_ORDER.index(f"w:{tag}") + 1 :]
    ppr.insert_element_before(element, *later)


def _font(run: Any, name: str, size_pt: float, *, color: str = "") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size_pt)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(slot), name)


def _paragraph(
    container: Any,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    align: str = "justify",
    first_line_chars: float = 0,
    line_tw: float = LINE_TW,
    before_tw: float = 0,
    right_chars: float = 0,
    on_grid: bool = True,
    color: str = "",
) -> Any:
    """A paragraph at an exact line height (the grid's pitch for body text), no space after; indents
    given in characters of the body's pitch, written also as w:firstLineChars (Word's own unit)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn

    paragraph = container.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = _tw(line_tw)
    fmt.space_before, fmt.space_after = _tw(before_tw), _tw(0)
    fmt.widow_control = True
    if not on_grid:  # a title or a table cell keeps its own size, not the body's pitch
        _add_to_ppr(paragraph, _element("w:snapToGrid", val="0"))
    if first_line_chars:
        fmt.first_line_indent = _tw(first_line_chars * CHAR_PT * 20)
        fmt._element.pPr.ind.set(qn("w:firstLineChars"), str(round(first_line_chars * 100)))
    if right_chars:
        fmt.right_indent = _tw(right_chars * CHAR_PT * 20)
        fmt._element.pPr.ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
    if text:
        _font(paragraph.add_run(text), font, size, color=color)
    return paragraph


def _border(paragraph: Any, side: str, *, eighths: int, color: str, space_pt: int) -> None:
    borders = _element("w:pBdr")
    borders.append(_element(f"w:{side}", val="single", sz=str(eighths), space=str(space_pt), color=color))
    _add_to_ppr(paragraph, borders)


# --- the page ----------------------------------------------------------------------------


def _page(document: Any) -> None:
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The 一字线 of "— 1 —" 7 mm under the block (which ends 35 mm above the edge): the dashes sit
    # mid-line, so the 14 pt line starts 4.5 mm under the block.
    section.footer_distance = _tw((35 - 4.5) * MM - FOOT_PT * 20)
    grid = section._sectPr.find(_qn("w:docGrid"))
    if grid is None:
        grid = _element("w:docGrid")
        section._sectPr.append(grid)
    # A line grid: 22 lines of the block. The 28 characters a line come from the characters'
    # own width (16 pt less TIGHTEN); w:charSpace records the pitch for an editor who switches to
    # a character grid. Not "linesAndChars": LibreOffice (7.4) then puts a 16 pt character in two
    # cells of a 15.8 pt pitch and spreads lines to 14 characters.
    grid.set(_qn("w:type"), "lines")
    grid.set(_qn("w:linePitch"), str(LINE_TW))
    grid.set(_qn("w:charSpace"), str(CHAR_SPACE))


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _defaults(document: Any) -> None:
    """Body font, size and language for everything (the grid's pitch is reckoned from this size),
    no theme fonts and no space after paragraphs; the font table's fallbacks."""
    from docx.shared import Pt

    styles = document.styles.element
    rpr = styles.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(_element("w:rFonts", ascii=FANGSONG, hAnsi=FANGSONG, eastAsia=FANGSONG, cs=FANGSONG))
    # A hair narrower than the grid's pitch: LibreOffice gives a character wider than the pitch
    # two cells of the grid (14 characters a line); Word spaces them out to the pitch anyway.
    rpr.append(_element("w:spacing", val=str(TIGHTEN)))
    rpr.append(_element("w:sz", val=str(BODY_PT * 2)))
    rpr.append(_element("w:szCs", val=str(BODY_PT * 2)))
    # Chinese text zh-CN; Latin runs (numbers) en-US, as in a Chinese Word's own template:
    # LibreOffice breaks a number such as 2016 across lines when their language is zh-CN.
    rpr.append(_element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    _font_fallbacks(document)


def _font_fallbacks(document: Any) -> None:
    from lxml import etree  # type: ignore[import-untyped]

    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    for name, fallback in FALLBACKS.items():
        font = etree.SubElement(table, _qn("w:font"), {_qn("w:name"): name})
        etree.SubElement(font, _qn("w:altName"), {_qn("w:val"): fallback})
        etree.SubElement(font, _qn("w:charset"), {_qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, _qn("w:family"), {_qn("w:val"): "modern" if name != XIAOBIAOSONG else "script"})
        etree.SubElement(font, _qn("w:pitch"), {_qn("w:val"): "fixed"})
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(document: Any) -> None:
    """ "— 1 —" in 4号 half-width 宋体: odd pages at the right one character in, even pages at the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = 2 if align == "right" else 0
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = _tw(0)
        if align == "right":
            fmt.right_indent = _tw(FOOT_PT * 20)
        else:
            fmt.left_indent = _tw(FOOT_PT * 20)
        _add_to_ppr(paragraph, _element("w:snapToGrid", val="0"))
        _font(paragraph.add_run("— "), SONG, FOOT_PT)
        field = paragraph.add_run()
        _font(field, SONG, FOOT_PT)
        field._element.append(_element("w:fldChar", fldCharType="begin"))
        instruction = _element("w:instrText")
        instruction.set(_qn("xml:space"), "preserve")
        instruction.text = " PAGE "
        field._element.append(instruction)
        field._element.append(_element("w:fldChar", fldCharType="separate"))
        shown = paragraph.add_run("1")
        _font(shown, SONG, FOOT_PT)
        _font(paragraph.add_run(), SONG, FOOT_PT)
        paragraph.runs[-1]._element.append(_element("w:fldChar", fldCharType="end"))
        _font(paragraph.add_run(" —"), SONG, FOOT_PT)


def _properties(document: Any, detail: NoticeDetail, title: str) -> None:
    """The bureau as author, the notice's own time as created and modified (the template's are
    python-docx's, of 2013), Chinese as the language."""
    when = detail.issued_at or dt.datetime.combine(detail.as_of, dt.time())
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.author = properties.last_modified_by = detail.issuer
    properties.created = properties.modified = when
    properties.title = title
    properties.subject = detail.number
    properties.comments = properties.keywords = properties.category = ""
    properties.language = "zh-CN"
    properties.revision = 1


# --- the parts of a notice ------------------------------------------------------------------


def _letterhead(document: Any, mark: str, number: str) -> None:
    """发文机关标志 35 mm below the block's top, red 小标宋 centred (smaller when it would not fit
    one line); the number two lines under it; the red line 4 mm under the number."""
    size = min(MARK_PT, TEXT_WIDTH_TW / 20 / max(display_width(mark) / 2, 1))
    line = size * 1.3 * 20
    _paragraph(
        document,
        mark,
        font=XIAOBIAOSONG,
        size=size,
        align="center",
        line_tw=line,
        before_tw=35 * MM - (line - size * 20) / 2,
        on_grid=False,
        color=RED,
    )
    numbered = _paragraph(document, number, align="center", before_tw=2 * LINE_TW)
    _border(numbered, "bottom", eighths=12, color=RED, space_pt=11)


def _title(document: Any, text: str, detail: NoticeDetail, *, before_tw: float) -> None:
    per_line = int(TEXT_WIDTH_TW / 20 // TITLE_PT)
    keep = [detail.ledger, *detail.units]
    paragraph = _paragraph(document, align="center", line_tw=TITLE_PT * 1.5 * 20, before_tw=before_tw, on_grid=False)
    for i, line in enumerate(title_lines(text, per_line, keep)):
        run = paragraph.add_run(line)
        _font(run, XIAOBIAOSONG, TITLE_PT)
        if i:
            run._element.addprevious(_break())
    paragraph.paragraph_format.keep_with_next = True


def _break() -> Any:
    run = _element("w:r")
    run.append(_element("w:br"))
    return run


def _signature(document: Any, lines: Sequence[str]) -> None:
    """The issuer centred over the 成文日期, the date right four characters in (右空四字); when
    the issuer is the longer, it goes two characters in and the date moves in to stay centred."""
    if not lines:
        return
    *issuers, date = lines
    date_w = display_width(date) / 2
    issuer_w = max((display_width(i) / 2 for i in issuers), default=0)
    if issuer_w <= date_w:
        date_in, issuer_in = 4.0, 4 + (date_w - issuer_w) / 2
    else:
        issuer_in, date_in = 2.0, 2 + (issuer_w - date_w) / 2
    for i, issuer in enumerate(issuers):
        before = LINE_TW if i == 0 else 0  # a blank line after the body
        paragraph = _paragraph(document, issuer, align="right", right_chars=issuer_in, before_tw=before)
        paragraph.paragraph_format.keep_with_next = True
    _paragraph(document, date, align="right", right_chars=date_in, before_tw=0 if issuers else LINE_TW)


def _imprint(document: Any, copy_to: Sequence[str], printer: str, printed_on: dt.date) -> None:
    """版记 at the foot of the last page: 抄送 (when there is any) and 印发机关 with 印发日期 in
    4号仿宋, one character in, between rules of 0.35 mm (first and last) and 0.25 mm (between).
    Paragraphs in a frame (w:framePr) held to the bottom of the text block; Word, WPS and
    LibreOffice all place such a frame, where LibreOffice ignores a floating table's position."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    from tracker.deadlines import cn_date

    inset = "\u3000"  # one character: an indent would shorten the rules, which span the indents
    block_tw = round(225 * MM)
    lines: list[tuple[str, dict[str, str], dict[str, int]]] = []
    if copy_to:  # a frame of its own one line above the last: two lines in one frame LibreOffice drops
        place = {"y": str(block_tw - 2 * LINE_TW), "h": str(LINE_TW), "hRule": "exact"}
        lines.append((f"{inset}抄送：{'，'.join(copy_to)}。", place, {"top": 8, "bottom": 6}))
    last = {"bottom": 8} if copy_to else {"top": 8, "bottom": 8}
    lines.append((f"{inset}{printer}\t{cn_date(printed_on)}印发{inset}", {"yAlign": "bottom"}, last))
    for i, (text, place, rules) in enumerate(lines):
        if i:
            _last_paragraph_tight(document)  # frames apart: LibreOffice drops one followed by another
        paragraph = _paragraph(document, align="left", on_grid=False)
        frame = {"w": str(TEXT_WIDTH_TW), "wrap": "notBeside", "vAnchor": "margin", "hAnchor": "margin"}
        _add_to_ppr(paragraph, _element("w:framePr", **frame, xAlign="center", **place))
        borders = _element("w:pBdr")
        for side in ("top", "bottom"):
            if side in rules:
                borders.append(_element(f"w:{side}", val="single", sz=str(rules[side]), space="0", color="000000"))
        _add_to_ppr(paragraph, borders)
        paragraph.paragraph_format.tab_stops.add_tab_stop(_tw(TEXT_WIDTH_TW), WD_TAB_ALIGNMENT.RIGHT)
        _font(paragraph.add_run(text), FANGSONG, FOOT_PT)


def _last_paragraph_tight(document: Any) -> None:
    """An empty paragraph one point high: it takes no room in the text."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    fmt.space_before = fmt.space_after = Pt(0)
    _add_to_ppr(paragraph, _element("w:snapToGrid", val="0"))


def _row_properties(row: Any, *, header: bool) -> None:
    """A row never splits across pages; the header row repeats on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_element("w:cantSplit"))
    if header:
        tr_pr.append(_element("w:tblHeader"))


def column_widths(rows: Sequence[Sequence[str]], total_tw: int = TEXT_WIDTH_TW, size_pt: float = TABLE_PT) -> list[int]:
    """Twips per column that fit the block's width and make the table as short as it can be: each
    column starts at its header's width (at least four characters, at most its widest cell; a
    CJK character counts two half-widths), then the room left goes, a few characters at a time,
    to the column where it saves the most wrapped lines per width (measured on the first 100
    rows): 序号 stays narrow, the task gets the room."""
    # The cell's margins, and a character of slack: LibreOffice and Word put a small space
    # between Chinese and Latin text (2017年), which no width count sees.
    padding = 2 * 115 + round(size_pt * 20)
    half = size_pt / 2 * 20  # twips per half-width column
    sample = [[display_width(cell) for cell in row] for row in rows[:100]]
    columns = range(len(rows[0]))
    natural = [max(display_width(row[c]) for row in rows) for c in columns]
    width = [min(natural[c], max(sample[0][c], 8)) for c in columns]
    room = (total_tw - len(width) * padding) / half - sum(width)

    def height(c: int, w: int) -> list[int]:
        return [-(-row[c] // w) if row[c] else 1 for row in sample]

    heights = [height(c, max(width[c], 1)) for c in columns]
    while room >= 2:
        now = sum(max(h) for h in zip(*heights, strict=True))
        best: tuple[float, float, int] = (0.0, 0.0, 0)
        choice = None
        for c in columns:  # each column tried a few characters wider: the best saving per width
            for step in range(2, min(int(room), natural[c] - width[c], 16) + 1, 2):
                trial = [*heights[:c], height(c, width[c] + step), *heights[c + 1 :]]
                rows_saved = now - sum(max(h) for h in zip(*trial, strict=True))
                score = (rows_saved / step, (sum(heights[c]) - sum(trial[c])) / step, natural[c])
                if score > best:
                    best, choice = score, (c, step)
        if choice is None or best[:2] == (0.0, 0.0):
            break
        c, step = choice
        width[c] += step
        heights[c] = height(c, width[c])
        room -= step
    widest = max(columns, key=lambda c: natural[c])
    width[widest] += max(int(room), 0)  # what is left, to the longest text
    return [round(w * half) + padding for w in width]


def _table(document: Any, block: Block) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT

    rows = block.rows
    widths = column_widths(rows)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: the widths below, not Word's guess
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = _tw(width)
    # Row by row: python-docx's table.cell(r, c) lays out the whole grid on every call, which made
    # a bulletin naming a hundred units (a thousand rows) take minutes.
    for r, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        _row_properties(row, header=r == 0)
        for c, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = _tw(widths[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            align = "center" if r == 0 else (block.align[c] or "left")
            _cell_paragraph(paragraph, text, align, HEITI if r == 0 else FANGSONG)


def _cell_paragraph(paragraph: Any, text: str, align: str, font: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_PT * 1.4)
    fmt.space_before = fmt.space_after = Pt(0)
    _add_to_ppr(paragraph, _element("w:snapToGrid", val="0"))
    _font(paragraph.add_run(text), font, TABLE_PT)


def build_document(blocks: Sequence[Block], detail: NoticeDetail, settings: NoticeSettings) -> Any:
    """The notice's blocks (``tracker.render.notice_blocks``) as a python-docx Document."""
    from docx import Document

    document = Document()
    _page(document)
    _defaults(document)
    _page_numbers(document)
    number = next((b.text for b in blocks if b.kind == "number"), detail.number)
    title = next((b.text for b in blocks if b.kind == "title"), detail.title)
    _properties(document, detail, title)
    if settings.letterhead:
        _letterhead(document, settings.mark(detail.issuer), number)
        title_before = 2 * LINE_TW
    else:  # 函: the number at the top right, the title two lines under it
        _paragraph(document, number, align="right")
        title_before = 2 * LINE_TW
    signature = [b.text for b in blocks if b.kind == "signature"]
    signed = False
    for block in blocks:
        kind = block.kind
        if kind == "title":
            _title(document, block.text, detail, before_tw=title_before)
        elif kind == "address":
            _paragraph(document, block.text, align="left", before_tw=LINE_TW)
        elif kind == "table":
            _table(document, block)
        elif kind == "heading":
            _paragraph(document, block.text, font=HEITI, first_line_chars=2).paragraph_format.keep_with_next = True
        elif kind == "subheading":
            _paragraph(document, block.text, font=KAITI, first_line_chars=2).paragraph_format.keep_with_next = True
        elif kind == "annex-note":
            _paragraph(document, block.text, first_line_chars=2, before_tw=LINE_TW)
        elif kind == "signature":
            if not signed:
                _signature(document, signature)
                signed = True
        elif kind == "annex-label":
            _paragraph(document, block.text, font=HEITI, align="left").paragraph_format.page_break_before = True
        elif kind == "annex-title":
            _title(document, block.text, detail, before_tw=LINE_TW)
        elif kind == "paragraph":
            _paragraph(document, block.text, first_line_chars=2)
    _imprint(document, settings.copy_to, settings.printer(detail.issuer), detail.as_of)
    return document
