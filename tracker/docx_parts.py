"""OOXML building blocks for the GB/T 9704 notice (``tracker.gbt9704``): the page's measures,
the fonts, and what python-docx has no API for (elements in schema order, exact line heights,
indents in characters)."""

from __future__ import annotations

import functools
from copy import deepcopy
from typing import Any

FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
FALLBACKS = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体"}
RED = "FF0000"

BODY_PT, TITLE_PT, MARK_PT, FOOT_PT, TABLE_PT = 16, 22, 36, 14, 12  # 3号, 2号, 小初, 4号, 小四
TEXT_WIDTH_TW = 8845  # 156 mm in twips (1/20 pt): page 11906 less margins 1587 and 1474
LINE_TW = 579  # 225 mm / 22 lines, rounded down so that 22 whole lines fit
CHAR_PT = TEXT_WIDTH_TW / 20 / 28  # 28 characters a line: 15.79 pt
CHAR_SPACE = round((CHAR_PT - BODY_PT) * 4096)  # w:charSpace: the pitch less the font size, in 1/4096 pt
MM = 1440 / 25.4  # twips per millimetre
TIGHTEN = -5  # w:spacing of every character, in 1/20 pt: 16 - 0.25 pt fits the 15.79 pt of a 28th


def tw(twips: float) -> Any:
    from docx.shared import Twips

    return Twips(round(twips))


def element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


# Children of w:pPr in schema order: a new one goes before the first of those after it.
# fmt: off
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)
# fmt: on


def add_to_ppr(paragraph: Any, child: Any) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    tag = child.tag.rsplit("}", 1)[-1]
    later = PPR_ORDER[PPR_ORDER.index(f"w:{tag}") + 1 :]
    ppr.insert_element_before(child, *later)


def set_font(run: Any, name: str, size_pt: float, *, color: str = "") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size_pt)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(slot), name)


def add_paragraph(
    document: Any,
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
    keep_with_next: bool = False,
    page_break_before: bool = False,
) -> Any:
    """A paragraph at an exact line height (the grid's pitch for body text), no space after; indents
    given in characters of the body's pitch, written also as w:firstLineChars (Word's own unit).

    A copy of a paragraph formatted once per process for these arguments (``paragraph_model``):
    python-docx's setters cost a millisecond a paragraph, a copy a few microseconds."""
    model = paragraph_model(
        font, size, align, first_line_chars, line_tw, before_tw, right_chars, on_grid, color, keep_with_next,
        page_break_before, bool(text),
    )  # fmt: skip
    return insert_copy(document, model, text)


def insert_copy(document: Any, model: Any, text: str = "") -> Any:
    """A copy of the w:p ``model`` at the end of the document's body, ``text`` in its run."""
    from docx.text.paragraph import Paragraph

    p = deepcopy(model)
    if text:
        set_text(p.r_lst[0], text)
    document.element.body._insert_p(p)
    return Paragraph(p, document._body)


@functools.lru_cache(maxsize=256)
def paragraph_model(
    font: str,
    size: float,
    align: str,
    first_line_chars: float,
    line_tw: float,
    before_tw: float,
    right_chars: float,
    on_grid: bool,
    color: str,
    keep_with_next: bool,
    page_break_before: bool,
    with_run: bool,
) -> Any:
    """A w:p formatted through python-docx (with an empty run in ``font`` when ``with_run``):
    what ``add_paragraph`` copies. Never handed out itself: a notice gets a copy."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    paragraph = Paragraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = tw(line_tw)
    fmt.space_before, fmt.space_after = tw(before_tw), tw(0)
    fmt.widow_control = True
    if not on_grid:  # a title or a table cell keeps its own size, not the body's pitch
        add_to_ppr(paragraph, element("w:snapToGrid", val="0"))
    if first_line_chars:
        fmt.first_line_indent = tw(first_line_chars * CHAR_PT * 20)
        fmt._element.pPr.ind.set(qn("w:firstLineChars"), str(round(first_line_chars * 100)))
    if right_chars:
        fmt.right_indent = tw(right_chars * CHAR_PT * 20)
        fmt._element.pPr.ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
    if keep_with_next:
        fmt.keep_with_next = True
    if page_break_before:
        fmt.page_break_before = True
    if with_run:
        set_font(paragraph.add_run(), font, size, color=color)
    return paragraph._p


def add_run(paragraph: Any, text: str, font: str, size: float) -> Any:
    """A run of ``text`` in ``font`` at the end of ``paragraph`` (a copy of ``run_model``)."""
    run = deepcopy(run_model(font, size))
    set_text(run, text)
    paragraph._p.append(run)
    return run


def set_text(run: Any, text: str) -> None:
    """What python-docx's ``run.text = text`` writes into a run holding no text yet, quickly for
    text with no tab or line break (all but the 版记's line): python-docx reads the text a
    character at a time, a tenth of a notice's time."""
    if "\t" in text or "\n" in text or "\r" in text:
        run.text = text
    elif text:
        t = run.makeelement(qname("w:t"))
        t.text = text
        if len(text.strip()) < len(text):
            t.set(qname("xml:space"), "preserve")
        run.append(t)


@functools.lru_cache(maxsize=64)
def run_model(font: str, size: float) -> Any:
    from docx.oxml import OxmlElement
    from docx.text.run import Run

    run = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
    set_font(run, font, size)
    return run._r


def qname(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def tight_paragraph(document: Any) -> None:
    """An empty paragraph one point high: it takes no room in the text."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    fmt.space_before = fmt.space_after = Pt(0)
    add_to_ppr(paragraph, element("w:snapToGrid", val="0"))
