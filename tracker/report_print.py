"""Print set-up shared by the weekly workbook's sheets: page, scale, titles and row heights.

A sheet is printed one page wide (``fit_to_pages(1, 0)``), so its columns decide the scale the
spreadsheet prints at; ``print_scale`` works it out so the column widths can be chosen to keep
10 pt text at 9 pt or more on paper (a 118-unit summary printed at 2 pt when a chart as wide as
the units were many sat beside it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tracker.text_width import PIXELS_PER_WIDTH_UNIT, columns_for, row_height, wrapped_line_count

Columns = tuple[tuple[str, int, str], ...]  # (header, width in character units, cell kind)

A4 = 9  # XlsxWriter's paper code
A4_MM = (210.0, 297.0)
SIDE_MARGIN_INCHES = 0.3
MM_PER_INCH = 25.4


def printable_pixels(landscape: bool) -> float:
    """The width between the side margins of an A4 page, in pixels at 96 dpi."""
    paper = A4_MM[1] if landscape else A4_MM[0]
    return (paper / MM_PER_INCH - 2 * SIDE_MARGIN_INCHES) * 96


def columns_pixels(columns: Columns) -> float:
    """The sheet's width on screen: Excel's column of w units is 7w + 5 pixels wide."""
    return sum(width * PIXELS_PER_WIDTH_UNIT + 5 for _, width, _ in columns)


def print_scale(columns: Columns, landscape: bool) -> float:
    """The scale a sheet fitted to one page wide prints at (never above 1: fitting only shrinks)."""
    return min(1.0, printable_pixels(landscape) / columns_pixels(columns))


TOP_BOTTOM_MARGIN_INCHES = 0.6
# The height a page holds between its top and bottom margins, in points (A4 is 841.9 pt tall).
PORTRAIT_PAGE_POINTS = A4_MM[1] / MM_PER_INCH * 72 - 2 * TOP_BOTTOM_MARGIN_INCHES * 72


def page_setup(sheet: Any, columns: Columns, *, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.set_margins(
        left=SIDE_MARGIN_INCHES, right=SIDE_MARGIN_INCHES, top=TOP_BOTTOM_MARGIN_INCHES, bottom=TOP_BOTTOM_MARGIN_INCHES
    )
    sheet.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as it takes
    sheet.set_footer("&C第 &P 页，共 &N 页")
    # 1: grid lines on screen (as Excel shows any sheet), not on paper: the table draws its own
    # borders, and printed grid lines would box the titles and the empty cells around it too.
    sheet.hide_gridlines(1)


def fit_row(
    sheet: Any, row: int, cells: Iterable[tuple[int, str]], columns: Columns, font_size: float, at_least: int = 1
) -> float:
    """Give ``row`` the height its wrapped cells need (``cells``: column and text); returns it in
    points. Must be
    called before the next row is written (constant-memory mode writes rows out as it goes)."""
    lines = at_least
    for column, text in cells:
        if text:
            lines = max(lines, wrapped_line_count(text, columns_for(columns[column][1], font_size)))
    height = row_height(lines, font_size)
    sheet.set_row(row, height)
    return height


_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\'\s]+")


def sheet_names(kind: str, titles: list[str]) -> list[str]:
    """One sheet name per ledger: ``kind`` alone for one ledger, else "<kind><n>-<title>" cut to
    Excel's 31 characters (the number keeps them apart when titles begin alike)."""
    if len(titles) == 1:
        return [kind]
    return [f"{kind}{n}-{_NOT_IN_SHEET_NAMES.sub('', t)}"[:31].rstrip("-") for n, t in enumerate(titles, start=1)]
