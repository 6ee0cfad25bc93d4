"""The weekly progress table written out: xlsx, csv or html, one file or one per ledger.

CSV is UTF-8 with a byte-order mark by default, which is what makes Excel and WPS on Chinese
Windows read it as UTF-8. Older tools in some offices want the legacy code page instead:
``gb18030`` holds every character (it is a full Unicode encoding), ``gbk`` holds the common
ones and is refused, naming the cell, when a name or note has a character outside it (a rare
surname character, an emoji) rather than writing a "?" that nobody notices.

Text that a spreadsheet would take for a formula (= + - @, tab, CR at the start) is prefixed
with an apostrophe, as OWASP advises for CSV injection.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from tracker.errors import InputError
from tracker.files import written_atomically
from tracker.models import STATUS_LABELS, Status
from tracker.report import LIGHTS, LedgerSection, WeeklyReport

FORMATS = ("xlsx", "csv", "html")
# --encoding choice → Python codec. "utf-8" carries the BOM (utf-8-sig) that spreadsheets need.
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
CSV_HEADER = (
    "台账",
    "序号",
    "阶段",
    "任务",
    "完成时限",
    "时限日期",
    "责任单位",
    "责任人",
    "状态",
    "进度",
    "完成日期",
    "逾期天数",
    "进展说明",
    "督办等级",
    "预警",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell a spreadsheet must show as text, never evaluate."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_rows(report: WeeklyReport) -> Iterable[list[str]]:
    yield list(CSV_HEADER)
    for section in report.sections:
        for item in section.rows():
            r = item.row
            texts = (section.title, r.seq, r.phase, r.task, r.deadline_text)
            late = item.days_late
            yield [
                *(neutralise(t) for t in texts),
                r.deadline_shown,
                neutralise(r.unit),
                neutralise(r.person),
                STATUS_LABELS[Status(r.status)],
                f"{r.percent}%",
                r.completed_on.isoformat() if r.completed_on else "",
                str(late) if late is not None else "",
                neutralise(r.note),
                item.level,
                LIGHTS[item.light][0] if item.light else "",
            ]


def write_csv(path: Path, report: WeeklyReport, encoding: str = "utf-8") -> None:
    codec = CSV_ENCODINGS[encoding]
    with written_atomically(path) as temporary, temporary.open("w", encoding=codec, newline="") as handle:
        writer = csv.writer(handle)
        for number, row in enumerate(csv_rows(report), start=1):
            try:
                writer.writerow(row)
            except UnicodeEncodeError:  # the half-written file is thrown away by written_atomically
                raise _unencodable(path, number, row, encoding, codec) from None


def _unencodable(path: Path, number: int, row: list[str], encoding: str, codec: str) -> InputError:
    """The error for a row the encoding cannot hold, naming the line, the column and the character."""
    for column, text in zip(CSV_HEADER, row, strict=True):
        try:
            text.encode(codec)
        except UnicodeEncodeError as exc:
            char = text[exc.start]
            where = f"第{number}行「{column}」" + (f"（{row[0]} 任务{row[1]} {row[6]}）" if number > 1 else "")
            return InputError(
                f"-o {path}: {where}: {char!r} (U+{ord(char):04X}) cannot be written in {encoding.upper()}; "
                "use --encoding gb18030 or utf-8",
                key="csv_encoding",
                where=path,
                line=number,
                column=column,
                char=char,
                encoding=encoding,
            )
    return InputError(f"-o {path}: line {number} cannot be written in {encoding.upper()}", key="csv_encoding")


def write_html(path: Path, report: WeeklyReport, templates: str | None = None) -> None:
    from tracker.render import render_weekly_html

    with written_atomically(path) as temporary, temporary.open("w", encoding="utf-8") as handle:
        render_weekly_html(report, handle, templates)


def write_xlsx(path: Path, report: WeeklyReport) -> None:
    from tracker.report_xlsx import write_weekly_xlsx

    with written_atomically(path) as temporary:
        write_weekly_xlsx(temporary, report)


def format_of(path: Path, wanted: str | None) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if wanted:
        if suffix and suffix != wanted:
            raise InputError(
                f"-o {path}: the name says .{suffix} but --format says {wanted}", key="report_kind", where=path
            )
        return wanted
    if suffix not in FORMATS:
        raise InputError(
            f"-o {path}: name a .xlsx, .csv or .html file (or a folder ending in /)", key="report_kind", where=path
        )
    return suffix


def write_report(
    path: Path, report: WeeklyReport, fmt: str, templates: str | None = None, encoding: str = "utf-8"
) -> None:
    if fmt == "xlsx":
        write_xlsx(path, report)
    elif fmt == "csv":
        write_csv(path, report, encoding)
    else:
        write_html(path, report, templates)


def file_name(section: LedgerSection, report: WeeklyReport, fmt: str) -> str:
    """进度表-<ledger>-<date>.<fmt>, with what a file system refuses taken out of the title."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", section.title)[:40] or f"ledger{section.ledger_id}"
    return f"进度表-{safe}-{report.as_of.isoformat()}.{fmt}"


def write_each(
    folder: Path, report: WeeklyReport, fmt: str, templates: str | None = None, encoding: str = "utf-8"
) -> list[Path]:
    """One file per ledger in ``folder``."""
    written: list[Path] = []
    for section in report.sections:
        path = folder / file_name(section, report, fmt)
        if path in written:  # two ledgers with one title (different document numbers)
            path = path.with_stem(f"{path.stem}-{section.ledger_id}")
        write_report(path, WeeklyReport(report.as_of, [section], report.lag_margin), fmt, templates, encoding)
        written.append(path)
    return written
