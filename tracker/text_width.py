"""How many lines a wrapped cell takes, so a spreadsheet can be given its row heights.

Excel fits a wrapped row's height when the file is opened; LibreOffice and WPS keep the height
the file says (XlsxWriter writes none, so the default 15 pt), and the text overprints the next
row on screen and on paper. The writer therefore works the height out itself: the text's width
in half-width columns (a Chinese character or a full-width sign takes two), wrapped greedily at
the column's width, Latin words kept whole as the spreadsheets keep them.

The one measure of text width for every document the product lays out (spreadsheet rows, notice
tables and titles, Markdown line joins).
"""

from __future__ import annotations

import functools
import math
import unicodedata

# One unit of an xlsx column width is the maximum digit width of the default font (Calibri 11:
# 7 pixels at 96 dpi); a cell keeps a few pixels of padding on each side.
PIXELS_PER_WIDTH_UNIT = 7.0
CELL_PADDING_PIXELS = 6.0
# Line pitch of a CJK font (宋体 / Noto Serif CJK as LibreOffice substitutes it) over its size,
# and the space kept above and below the text in a cell, in points.
LINE_PITCH = 1.35
ROW_PADDING_POINTS = 4.0


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if is_wide(char) else 1


def display_width(text: str) -> int:
    """Width in half-width columns: 2 for each CJK or full-width character, 1 for the others."""
    return sum(char_width(c) for c in text)


def _pieces(line: str) -> list[str]:
    """The line cut where a spreadsheet may wrap it: runs of spaces, each wide character alone,
    and runs of other characters (a Latin word or number is kept whole unless wider than the
    column; Chinese text may break between any two characters)."""
    pieces: list[str] = []
    kind_of_last = ""
    for char in line:
        kind = "space" if char in " \t" else "wide" if is_wide(char) else "word"
        if pieces and kind == kind_of_last and kind != "wide":
            pieces[-1] += char
        else:
            pieces.append(char)
        kind_of_last = kind
    return pieces


@functools.lru_cache(maxsize=8192)  # a task's text repeats on the row of every unit it is owed by
def wrapped_line_count(text: str, columns: float) -> int:
    """Lines ``text`` fills when wrapped at ``columns`` half-width columns; explicit line breaks
    count. An empty text takes one line; a column too narrow for one wide character still holds
    one per line."""
    capacity = max(2.0, columns)
    if len(text) * 2 <= capacity and "\n" not in text and "\r" not in text:
        return 1  # fits even if every character is wide: the common short cell, counted fast
    total = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines, used = 1, 0.0
        for piece in _pieces(line):
            width = display_width(piece)
            if used + width <= capacity or (piece.isspace() and used):
                used += width  # trailing spaces hang past the edge, as in the spreadsheets
                continue
            if piece.isspace():
                continue
            if width <= capacity:
                lines, used = lines + 1, width
                continue
            for char in piece:  # a word wider than the column is broken wherever it must be
                step = char_width(char)
                if used + step > capacity and used:
                    lines, used = lines + 1, 0.0
                used += step
        total += lines
    return total


def columns_for(width: float, font_size: float) -> float:
    """Half-width columns of text at ``font_size`` points that fit a column ``width`` units wide
    (a half-width character at size s is s/2 points, that is s/2 × 4/3 pixels)."""
    pixels = width * PIXELS_PER_WIDTH_UNIT + 5 - CELL_PADDING_PIXELS
    return pixels / (font_size * 2 / 3)


def row_height(lines: int, font_size: float) -> float:
    """Points a row needs for ``lines`` lines of text at ``font_size`` points."""
    return math.ceil((max(1, lines) * font_size * LINE_PITCH + ROW_PADDING_POINTS) * 4) / 4
