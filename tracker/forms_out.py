"""Units' progress forms (进度填报表): one workbook per unit, filled in by the unit, read back by
``forms_in``.

What the bureau owns (task, deadline, role) is locked; what the unit reports (状态, 完成日期,
完成百分比, 进展说明, 佐证材料) is editable and validated in Excel itself. Each row carries its
assignment's id and version in hidden columns, and a hidden sheet names the ledger, the unit and
the reporting period, so a form for another unit, another ledger or an older state is recognised
when it comes back. A second hidden sheet keeps each row's editable cells as the form was made, so
a row the unit left alone is recognised as such even when its assignment has changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.deadlines import cn_date
from tracker.files import written_atomically
from tracker.models import (
    ROLE_LABELS,
    STATUS_LABELS,
    Assignment,
    Ledger,
    ReportDue,
    ReportDuty,
    Role,
    Status,
    Task,
    Unit,
)
from tracker.progress import current_person
from tracker.spreadsheets import open_workbook

FORM_MARK = "tracker-progress-form"
FORM_FORMAT = 2  # 2: the 表单原值 sheet; a form of format 1 has none
SHEET = "进度填报"
META_SHEET = "表单信息"
ORIGINALS_SHEET = "表单原值"  # 编号 and the editable cells as written, in the columns of SHEET
# Hidden id and version first, then what the bureau owns, then what the unit fills in.
COLUMNS = (
    ("编号", 6),
    ("版本", 6),
    ("序号", 6),
    ("阶段", 12),
    ("任务", 40),
    ("完成时限", 16),
    ("时限日期", 12),
    ("角色", 6),
    ("状态", 10),
    ("完成日期", 14),
    ("完成百分比", 10),
    ("进展说明", 40),
    ("佐证材料", 30),
)
EDITABLE = ("状态", "完成日期", "完成百分比", "进展说明", "佐证材料")
UNIT_STATUSES = (Status.TODO, Status.DOING, Status.DONE)  # 已终止 is the bureau's decision
HEADER_ROW = 4  # 0-based: title, unit line, instructions, blank, header


@dataclass(frozen=True)
class Period:
    """The report period a form answers: a duty's due date for the unit, if the ledger has one."""

    duty: str
    due_on: dt.date


def report_period(session: Session, ledger: Ledger, unit: Unit, as_of: dt.date) -> Period | None:
    """The unit's next progress report not yet received, due on or after ``as_of``."""
    from tracker.scan import materialize_reports

    materialize_reports(session, as_of + dt.timedelta(days=400), asked=as_of)
    found = session.execute(
        sa.select(col(ReportDuty.name), col(ReportDue.due_on))
        .join(ReportDue, col(ReportDue.duty_id) == col(ReportDuty.id))
        .where(
            col(ReportDuty.ledger_id) == ledger.id,
            col(ReportDue.unit_id) == unit.id,
            col(ReportDue.received_on).is_(None),
            col(ReportDue.due_on) >= as_of,
        )
        .order_by(col(ReportDue.due_on), col(ReportDuty.id))
        .limit(1)
    ).first()
    return Period(found[0], found[1]) if found else None


def form_name(ledger: Ledger, unit: Unit, as_of: dt.date, taken: set[str] | None = None) -> str:
    """The form's file name. A character a file name cannot hold becomes _, and a name that another
    unit's form already has in this batch (甲/乙 and 甲_乙, a long name cut short; compared as a
    case-insensitive file system would) gets the unit's id, so no form overwrites another."""

    def safe(text: str) -> str:
        return re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", text)[:30]

    name = f"进度填报-{safe(ledger.title)}-{safe(unit.name)}-{as_of.isoformat()}.xlsx"
    if taken is not None:
        if name.casefold() in taken:
            name = f"进度填报-{safe(ledger.title)}-{safe(unit.name)}-{unit.id}-{as_of.isoformat()}.xlsx"
        taken.add(name.casefold())
    return name


def write_forms(session: Session, ledger: Ledger, folder: Path, *, as_of: dt.date, now: dt.datetime) -> list[Path]:
    """One form per unit of the ledger that has assignments; returns the files written."""
    written = []
    taken: set[str] = set()
    units = session.exec(select(Unit).where(Unit.ledger_id == ledger.id).order_by(col(Unit.position)))
    for unit in list(units):
        rows = _unit_rows(session, ledger, unit)
        if not rows:
            continue
        path = folder / form_name(ledger, unit, as_of, taken)
        with written_atomically(path) as temporary:
            _write_form(temporary, session, ledger, unit, rows, as_of=as_of, now=now)
        written.append(path)
    return written


def _unit_rows(session: Session, ledger: Ledger, unit: Unit) -> list[Any]:
    from tracker.models import Phase

    return list(
        session.execute(
            sa.select(
                col(Assignment.id),
                col(Assignment.version),
                col(Task.seq),
                sa.func.coalesce(col(Phase.name), ""),
                col(Task.text),
                col(Task.deadline_text),
                col(Assignment.due_on),
                col(Assignment.role),
                col(Assignment.status),
                col(Assignment.completed_on),
                col(Assignment.percent),
                col(Assignment.note),
                col(Assignment.evidence),
            )
            .join(Task, col(Task.id) == col(Assignment.task_id))
            .outerjoin(Phase, col(Phase.id) == col(Task.phase_id))
            .where(col(Task.ledger_id) == ledger.id, col(Assignment.unit_id) == unit.id)
            .order_by(col(Task.position))
        )
    )


def _write_form(
    path: Path,
    session: Session,
    ledger: Ledger,
    unit: Unit,
    rows: list[Any],
    *,
    as_of: dt.date,
    now: dt.datetime,
) -> None:
    period = report_period(session, ledger, unit, as_of)
    person = current_person(session, unit)
    book = open_workbook(path)
    sheet = book.add_worksheet(SHEET)
    base = {"border": 1, "valign": "vcenter", "font_name": "宋体", "font_size": 10}
    locked = book.add_format({**base, "text_wrap": True, "bg_color": "#EDEDED"})
    locked_date = book.add_format({**base, "bg_color": "#EDEDED", "num_format": "yyyy-mm-dd"})
    editable = book.add_format({**base, "text_wrap": True, "locked": False})
    editable_date = book.add_format({**base, "locked": False, "num_format": "yyyy-mm-dd"})
    head = book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2", "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "黑体"})
    last = len(COLUMNS) - 1
    originals = book.add_worksheet(ORIGINALS_SHEET)
    originals.protect()
    originals.very_hidden()
    sheet.merge_range(0, 2, 0, last, f"{ledger.title}进度填报表", title)
    due = f"　本期报送截止：{cn_date(period.due_on)}（{period.duty}）" if period else ""
    who = f"责任单位：{unit.name}　责任人：{person.name if person else '—'}{due}　制表日期：{cn_date(as_of)}"
    sheet.merge_range(1, 2, 1, last, who, book.add_format({"font_name": "宋体"}))
    note = (
        "填报说明：只填写白色各列（状态、完成日期、完成百分比、进展说明、佐证材料）；灰色各列由督查室维护，"
        "不能修改。已完成的须填写完成日期；佐证材料每行一项。填好后原文件报回，勿改文件结构。"
    )
    sheet.merge_range(2, 2, 2, last, note, book.add_format({"text_wrap": True, "font_name": "宋体", "font_size": 9}))
    sheet.set_row(2, 30)
    for column, (name, width) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, column, name, head)
        sheet.set_column(column, column, width, None, {"hidden": column < 2})
    for offset, (
        aid,
        version,
        seq,
        phase,
        task,
        text,
        due_on,
        role,
        status,
        done_on,
        percent,
        note_,
        evidence,
    ) in enumerate(rows, start=1):
        row = HEADER_ROW + offset
        sheet.write_number(row, 0, aid, locked)
        sheet.write_number(row, 1, version, locked)
        for column, value in ((2, seq), (3, phase), (4, task), (5, text), (7, ROLE_LABELS[Role(role)])):
            sheet.write_string(row, column, value, locked)
        if due_on:
            sheet.write_datetime(row, 6, due_on, locked_date)
        else:
            sheet.write_blank(row, 6, None, locked_date)
        _write_reported(sheet, row, (status, done_on, percent, note_, evidence), editable, editable_date, locked)
        originals.write_number(row, 0, aid)
        _write_reported(originals, row, (status, done_on, percent, note_, evidence), editable, editable_date, locked)
    first, final = HEADER_ROW + 1, HEADER_ROW + len(rows)
    labels = [STATUS_LABELS[s] for s in UNIT_STATUSES]
    sheet.data_validation(
        first, 8, final, 8, {"validate": "list", "source": labels, "error_message": "请从下拉列表中选择"}
    )
    sheet.data_validation(
        first,
        9,
        final,
        9,
        {
            "validate": "date",
            "criteria": "<=",
            "value": dt.datetime(as_of.year + 5, 12, 31),
            "error_message": "请填写日期，如 2017-03-31",
        },
    )
    sheet.data_validation(
        first,
        10,
        final,
        10,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_message": "0 到 100 的整数",
        },
    )
    sheet.freeze_panes(HEADER_ROW + 1, 3)
    sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True})
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(HEADER_ROW)
    sheet.fit_to_pages(1, 0)
    sheet.activate()
    meta = book.add_worksheet(META_SHEET)
    facts: list[tuple[str, str | int]] = [
        ("form", FORM_MARK),
        ("format", FORM_FORMAT),
        ("ledger_id", int(ledger.id or 0)),
        ("ledger", ledger.title),
        ("doc_number", ledger.doc_number),
        ("unit_id", int(unit.id or 0)),
        ("unit", unit.name),
        ("duty", period.duty if period else ""),
        ("period", period.due_on.isoformat() if period else ""),
        ("made_on", as_of.isoformat()),
        ("made_at", now.isoformat()),
    ]
    for row, (key, value) in enumerate(facts):
        meta.write_string(row, 0, key)
        if isinstance(value, int):
            meta.write_number(row, 1, value)
        else:
            meta.write_string(row, 1, value)
    meta.protect()
    meta.very_hidden()
    book.close()


def _write_reported(sheet: Any, row: int, values: tuple[Any, ...], editable: Any, date: Any, locked: Any) -> None:
    """A row's status, completion date, percent, note and evidence, in columns 8 to 12, as the
    unit's form shows them: the same calls write the hidden original, so an untouched row reads
    back equal to it."""
    status, done_on, percent, note, evidence = values
    if status == Status.TERMINATED:  # ended by the bureau: shown, not for the unit to change
        sheet.write_string(row, 8, STATUS_LABELS[Status(status)], locked)
        for column in range(9, 13):
            sheet.write_blank(row, column, None, locked)
        return
    sheet.write_string(row, 8, STATUS_LABELS[Status(status)], editable)
    if done_on and status == Status.DONE:
        sheet.write_datetime(row, 9, done_on, date)
    else:
        sheet.write_blank(row, 9, None, date)
    sheet.write_number(row, 10, percent, editable)
    sheet.write_string(row, 11, note, editable)
    sheet.write_string(row, 12, "\n".join(json.loads(evidence)), editable)
