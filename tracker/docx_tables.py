"""Tables in a notice: widths fitted to the content, the header row repeated on every page, rows
never split across pages (w:tblHeader, w:cantSplit, fixed layout)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from copy import deepcopy
from typing import TYPE_CHECKING, Any

from tracker.docx_parts import FANGSONG, HEITI, TABLE_PT, TEXT_WIDTH_TW, add_to_ppr, element, set_font, set_text, tw
from tracker.text_width import display_width

if TYPE_CHECKING:
    from tracker.notice_blocks import Block


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


def add_table(document: Any, block: Block) -> None:
    """The block's rows as a table at the end of the document's body: the columns' widths fitted
    to the content, each cell a copy of a cell formatted once per process for its alignment and
    font (``cell_model``), each row a copy of ``row_model``. python-docx's setters cost a
    millisecond a cell and its grid look-ups a row's worth a cell: a bulletin naming a hundred
    units (a thousand rows) took minutes, then seconds; copies take milliseconds."""
    from docx.oxml.ns import qn

    rows = block.rows
    widths = column_widths(rows)
    tbl = deepcopy(table_model(document.part))
    grid = tbl.tblGrid
    for width in widths:
        grid.append(element("w:gridCol", w=str(width)))
    w_attribute = qn("w:w")
    for r, cells in enumerate(rows):
        tr = deepcopy(row_model(header=r == 0))
        for c, text in enumerate(cells):
            align = "center" if r == 0 else (block.align[c] or "left")
            tc = deepcopy(cell_model(align, HEITI if r == 0 else FANGSONG))
            tc.tcPr.tcW.set(w_attribute, str(widths[c]))
            set_text(tc.p_lst[0].r_lst[0], text)
            tr.append(tc)
        tbl.append(tr)
    document.element.body._insert_tbl(tbl)


@functools.lru_cache(maxsize=4)
def table_model(part: Any) -> Any:
    """An empty w:tbl (no columns, no rows): style Table Grid (its id looked up in ``part``'s
    styles), fixed layout (the widths given, not Word's guess), centred."""
    from types import SimpleNamespace

    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.table import CT_Tbl
    from docx.shared import Emu
    from docx.table import Table

    table = Table(CT_Tbl.new_tbl(0, 0, Emu(0)), SimpleNamespace(part=part))
    table.style = "Table Grid"
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table._tbl.tblGrid.text = None  # python-docx's template leaves a line break in the empty grid
    return table._tbl


@functools.lru_cache(maxsize=2)
def row_model(*, header: bool) -> Any:
    """A w:tr that never splits across pages; the header row repeats on every page."""
    tr = element("w:tr")
    properties = element("w:trPr")
    properties.append(element("w:cantSplit"))
    if header:
        properties.append(element("w:tblHeader"))
    tr.append(properties)
    return tr


@functools.lru_cache(maxsize=16)
def cell_model(align: str, font: str) -> Any:
    """A w:tc centred vertically (its width 0, set per table) holding an empty run in ``font``."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml.table import CT_Tc
    from docx.table import _Cell

    cell = _Cell(CT_Tc.new(), None)  # type: ignore[arg-type]
    cell.width = tw(0)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _cell_paragraph(cell.paragraphs[0], "", align, font)
    return cell._tc


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
    add_to_ppr(paragraph, element("w:snapToGrid", val="0"))
    set_font(paragraph.add_run(text), font, TABLE_PT)
