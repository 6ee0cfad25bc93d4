"""Notices as documents: Markdown for email bodies, Word (.docx) in the official-document layout,
plain text for a person reading in a terminal (``tracker notice show``, the UI's preview).

All three come from one Jinja2 template (``templates/notice.md.j2``, editable; a bureau's own copy
in ``[notices] templates`` wins), whose Markdown is read into blocks once (``notice_blocks``) by the
conventions written at the top of the template; the .docx and the text are laid out from those.
The .docx follows GB/T 9704-2012 (``tracker.gbt9704``: 版头, the 22 × 28 grid, page numbers, 版记).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from tracker.deadlines import cn_date
from tracker.errors import InputError
from tracker.notices import NoticeDetail
from tracker.text_width import is_wide

if TYPE_CHECKING:
    from tracker.config import NoticeSettings
    from tracker.digests import Digest
    from tracker.report import WeeklyReport

SHIPPED = Path(__file__).parent / "templates"
SIGNATURE = "<!-- signature -->"
ATTACHMENT = "<!-- attachment -->"


def _cell(value: str) -> str:
    """Table cells never break the table: pipes and line breaks are neutralised."""
    return re.sub(r"\s+", " ", value).replace("|", "｜")


@functools.lru_cache(maxsize=8)
def _environment(templates: str | None, *, autoescape: bool = False, trim: bool = False) -> Environment:
    """One environment per kind, kept: compiling a template costs more than rendering it."""
    folders = ([templates] if templates else []) + [str(SHIPPED)]
    env = Environment(
        loader=FileSystemLoader(folders),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=trim,
        lstrip_blocks=trim,
    )
    env.filters["cn_date"] = cn_date
    env.filters["cell"] = _cell
    return env


def _template_error(exc: TemplateError, name: str) -> InputError:
    where = getattr(exc, "filename", None) or name
    line = getattr(exc, "lineno", None)
    return InputError(f"template {where}{f':{line}' if line else ''}: {exc.message}")


def render_markdown(detail: NoticeDetail, templates: str | None = None) -> str:
    try:
        text = _environment(templates).get_template("notice.md.j2").render(n=detail)
    except TemplateError as exc:
        raise _template_error(exc, "notice.md.j2") from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_digest(digest: Digest, templates: str | None = None, issuer: str = "") -> tuple[str, str]:
    """A digest's plain-text and HTML bodies (``digest.txt.j2``, ``digest.html.j2``; the HTML
    one autoescaped: ledger text is data, never markup)."""
    from tracker.digests import KIND_LABELS

    context = {"d": digest, "kinds": KIND_LABELS, "issuer": issuer}
    try:
        text = _environment(templates, trim=True).get_template("digest.txt.j2").render(**context)
        html = _environment(templates, autoescape=True, trim=True).get_template("digest.html.j2").render(**context)
    except TemplateError as exc:
        raise _template_error(exc, "digest templates") from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


def render_digest_markdown(digest: Digest, template: str, templates: str | None = None, issuer: str = "") -> str:
    """A digest as the markdown a group robot or a webhook carries (``template``, e.g.
    ``digest.md.j2``): notices named, not attached."""
    from tracker.digests import KIND_LABELS

    context = {"d": digest, "kinds": KIND_LABELS, "issuer": issuer}
    try:
        text = _environment(templates, trim=True).get_template(template).render(**context)
    except TemplateError as exc:
        raise _template_error(exc, template) from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- the template's Markdown, read into blocks ----------------------------------------------


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

TEXT_WIDTH = 100  # at most: wider, a notice stops looking like a page
INDENT = "\u3000\u3000"  # a paragraph's first line is indented by two characters, as on paper
_TOKEN = re.compile(r"[!-~]+| +|.", re.S)  # a run of ASCII (a number, a word, an address) stays whole
_NO_LINE_START = set("，。、；：？！）》」』〕】”’,.;:?!)%")


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal columns (a Chinese character takes two): broken between
    characters, never inside a number or a word that fits on a line, never before a closing mark
    such as "，" (the character before it goes down with it)."""
    from rich.cells import cell_len

    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        too_long = not token.startswith(" ") and cell_len(token) > width
        tokens.extend(token if too_long else [token])  # longer than a line: the only word ever cut
    lines: list[list[str]] = [[]]
    used = 0
    for token in tokens:
        line, size = lines[-1], cell_len(token)
        if used + size <= width or not line:
            if line or not token.startswith(" "):  # a line never starts with a space (an indent may)
                line.append(token)
                used += size
        elif not token.startswith(" "):  # a break takes the place of a space
            carried = [line.pop()] if token[0] in _NO_LINE_START and len(line) > 1 else []
            lines.append([*carried, token])
            used = sum(cell_len(t) for t in lines[-1])
    return ["".join(line).rstrip() for line in lines]


def _pad(text: str, width: int, align: str) -> str:
    from rich.cells import cell_len

    room = max(width - cell_len(text), 0)
    if align == "right":
        return " " * room + text
    if align == "center":
        return " " * (room // 2) + text + " " * (room - room // 2)
    return text + " " * room


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?%?")


def _table_lines(block: Block, width: int) -> list[str]:
    """The table as aligned columns under a rule; numbers to the right; the widest columns
    wrapped within their width until the table fits."""
    from rich.cells import cell_len

    header, body = block.rows[0], block.rows[1:]
    columns = range(len(header))
    numeric = [bool(body) and all(_NUMBER.fullmatch(row[c]) or not row[c] for row in body) for c in columns]
    align = [block.align[c] or ("right" if numeric[c] else "left") for c in columns]
    widths = [max(cell_len(row[c]) for row in block.rows) for c in columns]
    floors = [w if numeric[c] else min(w, max(cell_len(header[c]), 8)) for c, w in enumerate(widths)]
    gap = "  "
    excess = sum(widths) + len(gap) * (len(widths) - 1) - width
    while excess > 0:
        shrinkable = [c for c in columns if widths[c] > floors[c]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda c: widths[c])
        step = min(excess, widths[widest] - floors[widest], 1 + widths[widest] // 8)
        widths[widest] -= step
        excess -= step

    def row_lines(row: tuple[str, ...]) -> list[str]:
        cells = [_wrap(text, widths[c]) if text else [""] for c, text in enumerate(row)]
        height = max(len(cell) for cell in cells)
        return [
            gap.join(
                _pad(cell[i] if i < len(cell) else "", widths[c], align[c]) for c, cell in enumerate(cells)
            ).rstrip()
            for i in range(height)
        ]

    lines = row_lines(header)
    lines.append(gap.join("─" * w for w in widths))
    for row in body:
        lines.extend(row_lines(row))
    return lines


def markdown_text(markdown: str, width: int = TEXT_WIDTH) -> str:
    """A notice's Markdown as a person reads it, in ``width`` columns (at most TEXT_WIDTH): the
    title and number centred, paragraphs indented and wrapped, headings without their marks, the
    table in aligned columns, the signature to the right; no Markdown or HTML left."""
    width = max(min(width, TEXT_WIDTH), 20)
    parts: list[list[str]] = []
    signature: list[str] = []
    annex: list[list[str]] = []
    for block in notice_blocks(markdown):
        into = annex if annex or block.kind in ("annex-label", "annex-title") else parts
        if block.kind in ("title", "number", "annex-title"):
            into.append([_pad(line, width, "center").rstrip() for line in _wrap(block.text, width)])
        elif block.kind in ("address", "annex-label"):
            into.append(_wrap(block.text, width))
        elif block.kind == "table":
            into.append(_table_lines(block, width))
        elif block.kind == "signature":
            signature.append(block.text)
        else:
            into.append(_wrap(INDENT + block.text, width))
    if signature:  # the issuer and the date, one under the other
        parts.append([_pad(line, width, "right") for line in signature])
    if annex:  # on paper a page of its own; here under a rule
        parts.append(["─" * width])
        parts.extend(annex)
    return "\n\n".join("\n".join(lines) for lines in parts) + "\n"


def render_text(detail: NoticeDetail, templates: str | None = None, width: int = TEXT_WIDTH) -> str:
    """The notice as plain text for a terminal (see ``markdown_text``)."""
    return markdown_text(render_markdown(detail, templates), width)


# --- docx ----------------------------------------------------------------------------------


def render_docx(
    detail: NoticeDetail, path: Path, templates: str | None = None, settings: NoticeSettings | None = None
) -> None:
    from tracker.files import written_atomically

    data = docx_bytes(detail, templates, settings)
    with written_atomically(path) as temporary:
        temporary.write_bytes(data)


def docx_bytes(detail: NoticeDetail, templates: str | None = None, settings: NoticeSettings | None = None) -> bytes:
    """The notice laid out to GB/T 9704 (``tracker.gbt9704``) as .docx bytes; ``settings`` give the
    版头 and the 版记 (the defaults when none: a mark made from the issuer, no 抄送)."""
    from tracker.config import NoticeSettings
    from tracker.gbt9704 import notice_docx

    blocks = notice_blocks(render_markdown(detail, templates))
    return notice_docx(blocks, detail, settings or NoticeSettings(issuer=detail.issuer))


def render_to_file(
    detail: NoticeDetail, path: Path, templates: str | None = None, settings: NoticeSettings | None = None
) -> None:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        render_docx(detail, path, templates, settings)
    elif suffix in (".md", ".txt"):
        from tracker.files import written_atomically

        text = render_markdown(detail, templates) if suffix == ".md" else render_text(detail, templates)
        with written_atomically(path) as temporary:
            temporary.write_text(text, encoding="utf-8")
    else:
        raise InputError(f"-o {path}: write .docx, .md or .txt")


def render_weekly_html(report: WeeklyReport, out: TextIO, templates: str | None = None) -> None:
    """The weekly table as one standalone, printable HTML page (``weekly.html.j2``, autoescaped),
    streamed to ``out`` piece by piece: a big ledger's page is tens of megabytes."""
    from tracker.models import STATUS_LABELS
    from tracker.report import LIGHTS

    context = {"r": report, "lights": LIGHTS, "statuses": {str(k): v for k, v in STATUS_LABELS.items()}}
    try:
        template = _environment(templates, autoescape=True, trim=True).get_template("weekly.html.j2")
        out.writelines(template.generate(**context))
    except TemplateError as exc:
        raise _template_error(exc, "weekly.html.j2") from None
