"""A notice's Markdown (the template's output) read into blocks: title, number, 主送, headings,
paragraphs, tables, the signature and the attachment, as the template's conventions name them.

Both the .docx layout (tracker.gbt9704) and the terminal text (tracker.render) read these."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.text_width import is_wide

# Markers the templates put in comments: where the signature and the attachment begin.
SIGNATURE = "<!-- signature -->"
ATTACHMENT = "<!-- attachment -->"


@dataclass(frozen=True)
class Block:
    """One part of a notice, as the template's conventions name it.

    ``kind`` is title, number, address (主送), heading (##), subheading (### and deeper),
    paragraph, annex-note (the 附件说明 "附件：…"), signature (one line after the signature
    marker), table (``rows``, the header first, every row as long as the longest; ``align`` per
    column: left, right, center or "" when the separator row does not say), and after the
    attachment marker annex-label ("附件", "附件1") and annex-title."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    align: tuple[str, ...] = ()


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_SEPARATOR_CELL = re.compile(r":?-+:?")


def _join(lines: list[str]) -> str:
    """A Markdown paragraph's lines as one: a soft break is a space between words, nothing
    between Chinese characters (it would show as a gap in the middle of a sentence)."""
    text = ""
    for line in (ln.strip() for ln in lines):
        if text and line and not (is_wide(text[-1]) or is_wide(line[0])):
            text += " "
        text += line
    return text


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_block(lines: list[str]) -> Block:
    rows: list[list[str]] = []
    align: list[str] = []
    for line in lines:
        cells = _cells(line)
        if rows and not align and all(_SEPARATOR_CELL.fullmatch(c) for c in cells):
            align = [
                "center" if c.startswith(":") and c.endswith(":") else "right" if c.endswith(":") else "" for c in cells
            ]
        else:
            rows.append(cells)
    width = max(len(row) for row in rows)
    return Block(
        "table",
        rows=tuple(tuple(row + [""] * (width - len(row))) for row in rows),
        align=tuple(align + [""] * (width - len(align))),
    )


_ANNEX_NOTE = re.compile(r"附件[:：]")
_LONE_FIRST = re.compile(r"一、\s*")


def notice_blocks(markdown: str) -> list[Block]:
    """The notice's Markdown read by the conventions at the top of ``notice.md.j2``: "# " the title,
    the line after it the number, the first line ending in "：" the 主送 line, "## " and "### "
    headings, "|" rows a table, "附件：" the 附件说明, every line after the signature marker a
    signature line, and after the attachment marker the attachment. HTML comments are notes for
    the template's editor, never text; "**" marks are dropped. A heading "一、" with no "二、"
    loses its number: a list of one is not numbered."""
    main, _, attachment = markdown.partition(ATTACHMENT)
    blocks = _main_blocks(main) + _attachment_blocks(attachment)
    headings = [b for b in blocks if b.kind == "heading"]
    if len(headings) == 1 and _LONE_FIRST.match(headings[0].text):
        lone = headings[0]
        blocks[blocks.index(lone)] = Block("heading", _LONE_FIRST.sub("", lone.text, count=1))
    return blocks


def _attachment_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", _COMMENT.sub("", markdown)):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        if lines[0].lstrip().startswith("|"):
            blocks.append(_table_block(lines))
            continue
        text = _join(lines).replace("**", "")
        heading = _HEADING.fullmatch(text)
        if heading:
            blocks.append(Block("annex-title", heading.group(2).strip()))
        elif not blocks:
            blocks.append(Block("annex-label", text))
        else:
            blocks.append(Block("paragraph", text))
    return blocks


def _main_blocks(markdown: str) -> list[Block]:
    body, marker, signature = markdown.partition(SIGNATURE)
    blocks: list[Block] = []
    after_title = addressed = False
    for chunk in re.split(r"\n\s*\n", _COMMENT.sub("", body)):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        if lines[0].lstrip().startswith("|"):
            blocks.append(_table_block(lines))
            after_title = False
            continue
        text = _join(lines).replace("**", "")
        heading = _HEADING.fullmatch(text)
        if heading:
            level = len(heading.group(1))
            kind = "title" if level == 1 else "heading" if level == 2 else "subheading"
            blocks.append(Block(kind, heading.group(2).strip()))
            after_title = level == 1
            continue
        if after_title and len(lines) == 1 and not text.endswith("：") and len(text) < 40:
            blocks.append(Block("number", text))
        elif not addressed and text.endswith("："):
            blocks.append(Block("address", text))
            addressed = True
        elif _ANNEX_NOTE.match(text):
            blocks.append(Block("annex-note", text))
        else:
            blocks.append(Block("paragraph", text))
        after_title = False
    if marker:
        for line in _COMMENT.sub("", signature).splitlines():
            if line.strip():
                blocks.append(Block("signature", line.strip().replace("**", "")))
    return blocks


# --- plain text --------------------------------------------------------------------------------
