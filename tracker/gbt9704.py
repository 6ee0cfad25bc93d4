"""A notice as a Word document laid out to GB/T 9704-2012 (党政机关公文格式).

The page: A4, text block 156 × 225 mm (天头 37 mm, 订口 28 mm), a line grid of 22 lines, 3号 (16 pt)
仿宋 body set 28 characters a line. The 版头: the red 发文机关标志 35 mm below the top of the block,
the 发文字号 two lines under it, the red separator line 4 mm under the number; or, for the 函 form,
the number alone at the top right. The title in 2号小标宋 two lines under the line, broken only
between words (``tracker.title_lines``); headings 黑体 and 楷体; the issuer and the 成文日期 right,
four characters in; page numbers "— 1 —" in 4号宋体 7 mm under the block, odd pages right and even
pages left; tables (``tracker.docx_tables``); the 版记 (抄送, 印发机关 and 印发日期 between rules)
at the foot of the last page.

Fonts are referenced by name (w:eastAsia), not embedded; the font table names a common fallback
for each (仿宋 for 仿宋_GB2312, …) that Word and WPS use where the exact font is missing.
python-docx has no API for the grid, fields, borders, frames or the font table; those are written
as OOXML elements (``tracker.docx_parts``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from copy import deepcopy
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from tracker.docx_package import APP, CORE, DOCUMENT, Frame, build_frame, package, xml_bytes
from tracker.docx_parts import (
    BODY_PT,
    CHAR_SPACE,
    FALLBACKS,
    FANGSONG,
    FOOT_PT,
    HEITI,
    KAITI,
    LINE_TW,
    MARK_PT,
    MM,
    RED,
    SONG,
    TEXT_WIDTH_TW,
    TIGHTEN,
    TITLE_PT,
    XIAOBIAOSONG,
    add_paragraph,
    add_run,
    add_to_ppr,
    element,
    insert_copy,
    paragraph_model,
    qname,
    set_font,
    tight_paragraph,
    tw,
)
from tracker.docx_tables import add_table
from tracker.text_width import display_width
from tracker.title_lines import title_lines

if TYPE_CHECKING:
    from tracker.config import NoticeSettings
    from tracker.notice_blocks import Block
    from tracker.notices import NoticeDetail


def _border(paragraph: Any, side: str, *, eighths: int, color: str, space_pt: int) -> None:
    borders = element("w:pBdr")
    borders.append(element(f"w:{side}", val="single", sz=str(eighths), space=str(space_pt), color=color))
    add_to_ppr(paragraph, borders)


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
    section.footer_distance = tw((35 - 4.5) * MM - FOOT_PT * 20)
    grid = section._sectPr.find(qname("w:docGrid"))
    if grid is None:
        grid = element("w:docGrid")
        section._sectPr.append(grid)
    # A line grid: 22 lines of the block. The 28 characters a line come from the characters'
    # own width (16 pt less TIGHTEN); w:charSpace records the pitch for an editor who switches to
    # a character grid. Not "linesAndChars": LibreOffice (7.4) then puts a 16 pt character in two
    # cells of a 15.8 pt pitch and spreads lines to 14 characters.
    grid.set(qname("w:type"), "lines")
    grid.set(qname("w:linePitch"), str(LINE_TW))
    grid.set(qname("w:charSpace"), str(CHAR_SPACE))


def _defaults(document: Any) -> None:
    """Body font, size and language for everything (the grid's pitch is reckoned from this size),
    no theme fonts and no space after paragraphs; the font table's fallbacks."""
    from docx.shared import Pt

    styles = document.styles.element
    rpr = styles.find(qname("w:docDefaults")).find(qname("w:rPrDefault")).find(qname("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(element("w:rFonts", ascii=FANGSONG, hAnsi=FANGSONG, eastAsia=FANGSONG, cs=FANGSONG))
    # A quarter point narrower than 16 pt: 28 characters fit the 156 mm line (16 pt gives 27).
    rpr.append(element("w:spacing", val=str(TIGHTEN)))
    rpr.append(element("w:sz", val=str(BODY_PT * 2)))
    rpr.append(element("w:szCs", val=str(BODY_PT * 2)))
    # Chinese text zh-CN; Latin runs (numbers) en-US, as in a Chinese Word's own template:
    # LibreOffice breaks a number such as 2016 across lines when their language is zh-CN.
    rpr.append(element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    _font_fallbacks(document)


def _font_fallbacks(document: Any) -> None:
    from lxml import etree  # type: ignore[import-untyped]

    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    for name, fallback in FALLBACKS.items():
        font = etree.SubElement(table, qname("w:font"), {qname("w:name"): name})
        etree.SubElement(font, qname("w:altName"), {qname("w:val"): fallback})
        etree.SubElement(font, qname("w:charset"), {qname("w:val"): "86"})  # GB2312
        etree.SubElement(font, qname("w:family"), {qname("w:val"): "auto"})
        etree.SubElement(font, qname("w:pitch"), {qname("w:val"): "fixed"})
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(document: Any) -> None:
    """Page numbers "— 1 —" in 4号 half-width 宋体: odd pages at the right one character in, even
    pages at the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = 2 if align == "right" else 0
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = tw(0)
        if align == "right":
            fmt.right_indent = tw(FOOT_PT * 20)
        else:
            fmt.left_indent = tw(FOOT_PT * 20)
        add_to_ppr(paragraph, element("w:snapToGrid", val="0"))
        set_font(paragraph.add_run("— "), SONG, FOOT_PT)
        field = paragraph.add_run()
        set_font(field, SONG, FOOT_PT)
        field._element.append(element("w:fldChar", fldCharType="begin"))
        instruction = element("w:instrText")
        instruction.set(qname("xml:space"), "preserve")
        instruction.text = " PAGE "
        field._element.append(instruction)
        field._element.append(element("w:fldChar", fldCharType="separate"))
        shown = paragraph.add_run("1")
        set_font(shown, SONG, FOOT_PT)
        set_font(paragraph.add_run(), SONG, FOOT_PT)
        paragraph.runs[-1]._element.append(element("w:fldChar", fldCharType="end"))
        set_font(paragraph.add_run(" —"), SONG, FOOT_PT)


def _created(detail: NoticeDetail) -> dt.datetime:
    """The notice's own time (UTC, naive): the document's created and modified, the zip's dates."""
    when = detail.issued_at or dt.datetime.combine(detail.as_of, dt.time())
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _properties(properties: Any, detail: NoticeDetail, title: str) -> None:
    """The bureau as author, the notice's own time as created and modified (the template's are
    python-docx's, of 2013), Chinese as the language."""
    properties.author = properties.last_modified_by = detail.issuer
    properties.created = properties.modified = _created(detail)
    properties.title = title
    properties.subject = detail.number
    properties.comments = properties.keywords = properties.category = ""
    properties.language = "zh-CN"
    properties.revision = 1


def _application(document: Any) -> None:
    """No thumbnail (a picture of python-docx's blank template page); tracker as the application."""
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]
    app = next(p for p in package.iter_parts() if str(p.partname) == "/docProps/app.xml")
    app._blob = app.blob.replace(
        b"<Application>Microsoft Macintosh Word</Application>", "<Application>督查台账 tracker</Application>".encode()
    )


def _lay_out(document: Any) -> None:
    """What every notice shares: the page, the defaults and font table, the page numbers."""
    _page(document)
    _defaults(document)
    _page_numbers(document)
    _application(document)


@functools.cache
def frame() -> Frame:
    """The blank laid-out notice, built once per process (``tracker.docx_package``)."""
    return build_frame(_lay_out)


# --- the parts of a notice ------------------------------------------------------------------


def _letterhead(document: Any, mark: str, number: str) -> None:
    """发文机关标志 35 mm below the block's top, red 小标宋 centred (smaller when it would not fit
    one line); the number two lines under it; the red line 4 mm under the number."""
    size = min(MARK_PT, TEXT_WIDTH_TW / 20 / max(display_width(mark) / 2, 1))
    line = size * 1.3 * 20
    add_paragraph(
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
    numbered = add_paragraph(document, number, align="center", before_tw=2 * LINE_TW)
    _border(numbered, "bottom", eighths=12, color=RED, space_pt=11)


def _title(document: Any, text: str, detail: NoticeDetail, *, before_tw: float) -> None:
    per_line = int(TEXT_WIDTH_TW / 20 // TITLE_PT)
    keep = [detail.ledger, *detail.units]
    paragraph = add_paragraph(
        document, align="center", line_tw=TITLE_PT * 1.5 * 20, before_tw=before_tw, on_grid=False, keep_with_next=True
    )
    for i, line in enumerate(title_lines(text, per_line, keep)):
        run = add_run(paragraph, line, XIAOBIAOSONG, TITLE_PT)
        if i:
            run.addprevious(_break())


def _break() -> Any:
    run = element("w:r")
    run.append(element("w:br"))
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
        add_paragraph(document, issuer, align="right", right_chars=issuer_in, before_tw=before, keep_with_next=True)
    add_paragraph(document, date, align="right", right_chars=date_in, before_tw=0 if issuers else LINE_TW)


def _imprint(document: Any, copy_to: Sequence[str], printer: str, printed_on: dt.date) -> None:
    """版记 at the foot of the last page: 抄送 (when there is any) and 印发机关 with 印发日期 in
    4号仿宋, one character in, between rules of 0.35 mm (first and last) and 0.25 mm (between).
    Paragraphs in a frame (w:framePr) held to the bottom of the text block; Word, WPS and
    LibreOffice all place such a frame, where LibreOffice ignores a floating table's position."""
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
            tight_paragraph(document)  # frames apart: LibreOffice drops one followed by another
        insert_copy(document, _imprint_model(tuple(place.items()), tuple(rules.items())), text)


@functools.lru_cache(maxsize=8)
def _imprint_model(place: tuple[tuple[str, str], ...], rules: tuple[tuple[str, int], ...]) -> Any:
    """A 版记 line's paragraph, formatted once per process: its frame at ``place``, its rules
    (eighths of a point) above and below, a right tab at the block's edge, an empty 4号仿宋 run."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.text.paragraph import Paragraph

    # add_paragraph(align="left", on_grid=False)'s model, with no run
    model = deepcopy(paragraph_model(FANGSONG, BODY_PT, "left", 0, LINE_TW, 0, 0, False, "", False, False, False))
    paragraph = Paragraph(model, None)  # type: ignore[arg-type]
    frame = {"w": str(TEXT_WIDTH_TW), "wrap": "notBeside", "vAnchor": "margin", "hAnchor": "margin"}
    add_to_ppr(paragraph, element("w:framePr", **frame, xAlign="center", **dict(place)))
    borders = element("w:pBdr")
    for side, eighths in rules:
        borders.append(element(f"w:{side}", val="single", sz=str(eighths), space="0", color="000000"))
    add_to_ppr(paragraph, borders)
    paragraph.paragraph_format.tab_stops.add_tab_stop(tw(TEXT_WIDTH_TW), WD_TAB_ALIGNMENT.RIGHT)
    set_font(paragraph.add_run(), FANGSONG, FOOT_PT)
    return model


def notice_docx(blocks: Sequence[Block], detail: NoticeDetail, settings: NoticeSettings) -> bytes:
    """The notice's blocks (``tracker.render.notice_blocks``) as a .docx: the shared parts from
    ``frame``, this notice's body and properties built on copies of the frame's."""
    shared = frame()
    document = shared.new_document()
    number = next((b.text for b in blocks if b.kind == "number"), detail.number)
    title = next((b.text for b in blocks if b.kind == "title"), detail.title)
    _body(document, blocks, detail, settings, number)
    properties = shared.new_core()
    _properties(properties, detail, title)
    own = {
        DOCUMENT: xml_bytes(document.element),
        CORE: xml_bytes(properties._element),
        APP: shared.app.replace(b"<Company/>", f"<Company>{escape(detail.issuer)}</Company>".encode()),
    }
    return package(shared, own, _created(detail))


def _body(document: Any, blocks: Sequence[Block], detail: NoticeDetail, settings: NoticeSettings, number: str) -> None:
    if settings.letterhead:
        _letterhead(document, settings.mark(detail.issuer), number)
    else:  # 函: the number at the top right
        add_paragraph(document, number, align="right")
    title_before = 2 * LINE_TW  # two lines under the red line, or under the number
    signature = [b.text for b in blocks if b.kind == "signature"]
    signed = False
    for block in blocks:
        kind = block.kind
        if kind == "title":
            _title(document, block.text, detail, before_tw=title_before)
        elif kind == "address":
            add_paragraph(document, block.text, align="left", before_tw=LINE_TW)
        elif kind == "table":
            add_table(document, block)
        elif kind == "heading":
            add_paragraph(document, block.text, font=HEITI, first_line_chars=2, keep_with_next=True)
        elif kind == "subheading":
            add_paragraph(document, block.text, font=KAITI, first_line_chars=2, keep_with_next=True)
        elif kind == "annex-note":
            add_paragraph(document, block.text, first_line_chars=2, before_tw=LINE_TW)
        elif kind == "signature":
            if not signed:
                _signature(document, signature)
                signed = True
        elif kind == "annex-label":
            add_paragraph(document, block.text, font=HEITI, align="left", page_break_before=True)
        elif kind == "annex-title":
            _title(document, block.text, detail, before_tw=LINE_TW)
        elif kind == "paragraph":
            add_paragraph(document, block.text, first_line_chars=2)
    _imprint(document, settings.copy_to, settings.printer(detail.issuer), detail.as_of)
