"""Tables in a notice: widths fitted to the content, the header row repeated on every page, rows
never split across pages (w:tblHeader, w:cantSplit, fixed layout)."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import TYPE_CHECKING, Any

from tracker.docx_parts import FANGSONG, HEITI, TABLE_PT, TEXT_WIDTH_TW, add_to_ppr, element, set_font, tw
from tracker.text_width import display_width

if TYPE_CHECKING:
    from tracker.render import Block


def _row_properties(row: Any, *, header: bool) -> None:
    """A row never splits across pages; the header row repeats on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(element("w:cantSplit"))
    if header:
        tr_pr.append(element("w:tblHeader"))


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
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT

    rows = block.rows
    widths = column_widths(rows)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: the widths below, not Word's guess
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths, strict=True):
        column.width = tw(width)
    # Row by row: python-docx's table.cell(r, c) lays out the whole grid on every call, which made
    # a bulletin naming a hundred units (a thousand rows) take minutes. Each kind of cell is
    # formatted once through python-docx and copied after that: its setters cost a millisecond a
    # cell, seconds for a thousand rows.
    formatted: dict[tuple[int, str, str], Any] = {}
    for r, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        _row_properties(row, header=r == 0)
        for c, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            align = "center" if r == 0 else (block.align[c] or "left")
            kind = (c, align, HEITI if r == 0 else FANGSONG)
            first = formatted.get(kind)
            if first is None:
                cell.width = tw(widths[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                _cell_paragraph(cell.paragraphs[0], text, align, kind[2])
                formatted[kind] = cell._tc
            else:
                _copy_cell(first, cell._tc, text)


def _copy_cell(model: Any, tc: Any, text: str) -> None:
    """``tc`` formatted as ``model`` (cell, paragraph and run properties), holding ``text``."""
    if tc.tcPr is not None:
        tc.remove(tc.tcPr)
    tc.insert(0, deepcopy(model.tcPr))
    p, model_p = tc.p_lst[0], model.p_lst[0]
    p.insert(0, deepcopy(model_p.pPr))
    run = p.add_r()
    run.insert(0, deepcopy(model_p.r_lst[0].rPr))
    run.text = text


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
