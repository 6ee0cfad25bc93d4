"""Notices as documents: Markdown for email bodies, Word (.docx) in the official-document layout.

Both come from one Jinja2 template (``templates/notice.md.j2``, editable; a bureau's own copy in
``[notices] templates`` wins). The .docx follows GB/T 9704: A4, margins 37/35/28/26 mm, title in
方正小标宋简体 二号, body in 仿宋_GB2312 三号 with 28 pt lines, headings in 黑体 and 楷体_GB2312,
page numbers "— 1 —" at the foot. Fonts are referenced by name (w:eastAsia), not embedded.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from tracker.deadlines import cn_date
from tracker.errors import InputError
from tracker.notices import NoticeDetail

if TYPE_CHECKING:
    from tracker.digests import Digest
    from tracker.report import WeeklyReport

SHIPPED = Path(__file__).parent / "templates"
SIGNATURE = "<!-- signature -->"


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


# --- docx ----------------------------------------------------------------------------------


def _font(run: Any, name: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _paragraph(
    document: Any,
    text: str,
    *,
    font: str = "仿宋_GB2312",
    size: float = 16,
    align: str = "justify",
    indent: bool = True,
    bold: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters
    _font(paragraph.add_run(text.replace("**", "")), font, size, bold)
    return paragraph


def _page_number_footer(section: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = 1  # center

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        _font(r, "宋体", 14)
        return r

    run("— ")
    field = run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field._element.append(element)
    run(" —")


def _table(document: Any, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    # Row by row: python-docx's table.cell(r, c) lays out the whole grid on every call, which made
    # a bulletin naming a hundred units (a thousand rows) take minutes.
    for r, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        for cell, text in zip(row.cells, cells, strict=True):
            _font(cell.paragraphs[0].add_run(text), "黑体" if r == 0 else "仿宋_GB2312", 12)


def render_docx(detail: NoticeDetail, path: Path, templates: str | None = None) -> None:
    document = _build_docx(detail, templates)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def docx_bytes(detail: NoticeDetail, templates: str | None = None) -> bytes:
    """The .docx as bytes (an email attachment)."""
    import io

    buffer = io.BytesIO()
    _build_docx(detail, templates).save(buffer)
    return buffer.getvalue()


def _build_docx(detail: NoticeDetail, templates: str | None) -> Any:
    from docx import Document
    from docx.shared import Mm

    markdown = render_markdown(detail, templates)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)
    blocks = [b.strip("\n") for b in markdown.split("\n\n") if b.strip()]
    after_title = addressed = signature = False
    for block in blocks:
        if block.strip() == SIGNATURE:
            signature = True
            continue
        lines = block.splitlines()
        if lines[0].startswith("|"):
            rows = [
                [c.strip() for c in ln.strip().strip("|").split("|")]
                for ln in lines
                if not re.fullmatch(r"\|?[\s\-|:]+\|?", ln)
            ]
            _table(document, rows)
            continue
        text = " ".join(ln.strip() for ln in lines)
        if text.startswith("# "):
            _paragraph(document, text[2:], font="方正小标宋简体", size=22, align="center", indent=False)
            after_title = True
        elif after_title and "〔" in text and text.endswith("号") and len(text) < 30:
            _paragraph(document, text, align="center", indent=False)
            after_title = False
        elif text.startswith("## "):
            _paragraph(document, text[3:], font="黑体")
        elif text.startswith("### "):
            _paragraph(document, text[4:], font="楷体_GB2312")
        elif signature:
            _paragraph(document, text, align="right", indent=False)
        elif not addressed and text.endswith("："):
            _paragraph(document, text, align="left", indent=False)
            addressed = True
        else:
            _paragraph(document, text)
    return document


def render_to_file(detail: NoticeDetail, path: Path, templates: str | None = None) -> None:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        render_docx(detail, path, templates)
    elif suffix in (".md", ".txt"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_markdown(detail, templates), encoding="utf-8")
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
