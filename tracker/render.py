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
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from tracker.deadlines import cn_date
from tracker.errors import InputError
from tracker.notice_blocks import Block, notice_blocks
from tracker.notices import NoticeDetail

if TYPE_CHECKING:
    from tracker.config import NoticeSettings
    from tracker.report import WeeklyReport

SHIPPED = Path(__file__).parent / "templates"


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


# How a digest names the notices it lists.
# The digest (tracker.digests.Digest) reaches the templates as ``d``; it is typed ``object`` here
# because this module only hands it over, and naming its class would tie render to digests both ways.
KIND_LABELS = {"warning": "督办通知", "criticism": "通报", "interview": "约谈通知", "accountability": "问责建议"}


def render_digest(digest: object, templates: str | None = None, issuer: str = "") -> tuple[str, str]:
    """A digest's plain-text and HTML bodies (``digest.txt.j2``, ``digest.html.j2``; the HTML
    one autoescaped: ledger text is data, never markup)."""
    context = {"d": digest, "kinds": KIND_LABELS, "issuer": issuer}
    try:
        text = _environment(templates, trim=True).get_template("digest.txt.j2").render(**context)
        html = _environment(templates, autoescape=True, trim=True).get_template("digest.html.j2").render(**context)
    except TemplateError as exc:
        raise _template_error(exc, "digest templates") from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


def render_digest_markdown(digest: object, template: str, templates: str | None = None, issuer: str = "") -> str:
    """A digest as the markdown a group robot or a webhook carries (``template``, e.g.
    ``digest.md.j2``): notices named, not attached."""
    context = {"d": digest, "kinds": KIND_LABELS, "issuer": issuer}
    try:
        text = _environment(templates, trim=True).get_template(template).render(**context)
    except TemplateError as exc:
        raise _template_error(exc, template) from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


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
