"""Read a ledger from the spreadsheet an office already keeps (shaped like the Puyang table).

The sheet: a title row, maybe a preamble (附件, the document number), a header row found by its
names, then task rows. Merged cells (phase, units, persons spanning rows) are read as if every
covered cell held the value. One cell may list several units and persons (newline, 、, ，, ;),
matched by position. Deadlines are text or real date cells. An optional sheet 通讯录 / 联系人
gives each unit's person, phone and email.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from tracker.errors import InputError
from tracker.ledger_spec import LedgerSpec, TaskSpec, UnitSpec, clean_name

# Header names and their usual variants, compared with all whitespace removed.
HEADERS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "phase": ("阶段", "工作阶段", "建设阶段", "项目阶段", "实施阶段"),
    "task": (
        "任务",
        "建设任务",
        "工作任务",
        "重点任务",
        "主要任务",
        "任务内容",
        "工作内容",
        "具体任务",
        "节点任务",
        "目标任务",
    ),
    "deadline": ("完成时限", "时间节点", "完成时间", "完成期限", "时限", "时限要求", "完成时限要求", "截止时间"),
    "unit": ("责任单位", "牵头单位", "主办单位", "承办单位"),
    "assist": ("协办单位", "配合单位", "协助单位"),
    "person": ("责任人", "负责人", "责任领导"),
}
CONTACT_SHEETS = ("通讯录", "联系人", "联系方式")
CONTACT_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("责任单位", "单位", "单位名称"),
    "person": ("责任人", "联系人", "姓名", "负责人"),
    "phone": ("电话", "联系电话", "手机", "手机号码"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail"),
}
_SPLIT = re.compile(r"[\n\r、，,;；/]+")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,10}[〔\[(（]\d{4}[〕\])）]\d+号")


def _plain(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def split_names(value: Any) -> list[str]:
    """ "濮阳县政府\\n清丰县政府" or "甲、乙" → names, padding spaces removed."""
    if value is None:
        return []
    return [clean_name(part) for part in _SPLIT.split(str(value)) if clean_name(part)]


@dataclass
class _Grid:
    """A sheet's values with merged ranges filled in."""

    sheet: Worksheet

    def __post_init__(self) -> None:
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in self.sheet.merged_cells.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for column in range(rng.min_col, rng.max_col + 1):
                    self.merged[(row, column)] = (rng.min_row, rng.min_col)

    def value(self, row: int, column: int) -> Any:
        r, c = self.merged.get((row, column), (row, column))
        value = self.sheet.cell(r, c).value
        return value.strip() if isinstance(value, str) else value

    def span(self, row: int, column: int) -> tuple[int, int]:
        """Columns covered by the (merged) cell at row, column."""
        origin = self.merged.get((row, column))
        if origin is None:
            return column, column
        columns = [c for (r, c), o in self.merged.items() if o == origin and r == row]
        return min(columns), max(columns)

    def where(self, row: int, column: int) -> str:
        return f"{self.sheet.title}!{get_column_letter(column)}{row}"


def _match_header(text: str, names: dict[str, tuple[str, ...]]) -> str | None:
    plain = _plain(text).lower()
    for role, variants in names.items():
        if plain in variants:
            return role
    return None


def _find_header(grid: _Grid) -> tuple[int, dict[str, int]] | None:
    sheet = grid.sheet
    for row in range(1, min(sheet.max_row, 15) + 1):
        roles: dict[str, int] = {}
        spans: dict[str, tuple[int, int]] = {}
        for column in range(1, sheet.max_column + 1):
            if grid.merged.get((row, column), (row, column)) != (row, column):
                continue
            role = _match_header(grid.value(row, column) or "", HEADERS)
            if role and role not in roles:
                roles[role] = column
                spans[role] = grid.span(row, column)
        if "task" in roles and "deadline" in roles and "unit" in roles:
            # A header merged over two columns (序号 over 序号 + 阶段, 任务 over 阶段 + 任务):
            # the role takes its own column, the spare one holds the phase if none is named.
            if "phase" not in roles:
                for role in ("seq", "task"):
                    first, last = spans.get(role, (0, 0))
                    if last > first:
                        roles[role] = first if role == "seq" else last
                        roles["phase"] = last if role == "seq" else first
                        break
            return row, roles
    return None


def _title_and_doc(grid: _Grid, header_row: int) -> tuple[str, str]:
    title, doc = "", ""
    for row in range(1, header_row):
        for column in range(1, grid.sheet.max_column + 1):
            text = grid.value(row, column)
            if not isinstance(text, str) or not text:
                continue
            if m := _DOC_NUMBER.search(_plain(text)):
                doc = doc or m.group()
            elif not re.fullmatch(r"附\s*件\s*\d*[:：]?", text) and len(_plain(text)) > len(title):
                title = _plain(text)
    return title, doc


def _year(title: str, doc: str) -> int | None:
    for text in (doc, title):
        if m := re.search(r"(\d{4})", text):
            return int(m.group(1))
    return None


def _contacts(workbook: Any, path: Path) -> dict[str, tuple[str, str, str]]:
    """Unit name → (person, phone, email) from the 通讯录 sheet, if any."""
    sheet = next((workbook[name] for name in workbook.sheetnames if _plain(name) in CONTACT_SHEETS), None)
    if sheet is None:
        return {}
    grid = _Grid(sheet)
    for row in range(1, min(sheet.max_row, 10) + 1):
        columns = {}
        for column in range(1, sheet.max_column + 1):
            role = _match_header(grid.value(row, column) or "", CONTACT_HEADERS)
            if role and role not in columns:
                columns[role] = column
        if "unit" in columns:
            break
    else:
        raise InputError(f"{path}: {sheet.title}: no header row with 责任单位")
    found: dict[str, tuple[str, str, str]] = {}
    for r in range(row + 1, sheet.max_row + 1):
        unit = clean_name(str(grid.value(r, columns["unit"]) or ""))
        if not unit:
            continue

        def get(role: str, r: int = r) -> str:
            return str(grid.value(r, columns[role]) or "").strip() if role in columns else ""

        found[unit] = (clean_name(get("person")), get("phone"), get("email"))
    return found


def _deadline(value: Any) -> tuple[str, dt.date | None]:
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), value
    return (str(value).strip() if value is not None else ""), None


def read_xlsx_ledger(path: Path) -> LedgerSpec:
    try:
        workbook = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__})", key="not_xlsx", where=path
        ) from None
    for sheet in workbook.worksheets:
        if _plain(sheet.title) in CONTACT_SHEETS:
            continue
        grid = _Grid(sheet)
        found = _find_header(grid)
        if found is not None:
            return _read_sheet(path, workbook, grid, *found)
    raise InputError(
        f"{path}: no sheet has a header row with 任务, 完成时限 and 责任单位 columns", key="no_header", where=path
    )


def _read_sheet(path: Path, workbook: Any, grid: _Grid, header: int, cols: dict[str, int]) -> LedgerSpec:
    title, doc = _title_and_doc(grid, header)
    if not title:
        raise InputError(f"{path}: {grid.sheet.title}: no title row above the header (row {header})")
    spec = LedgerSpec(title=title, source=str(path), doc_number=doc, year=_year(title, doc))
    contacts = _contacts(workbook, path)
    units: dict[str, UnitSpec] = {}
    seq_values = (
        [grid.value(r, cols["seq"]) for r in range(header + 1, grid.sheet.max_row + 1)] if "seq" in cols else []
    )
    # A 序号 merged over several task rows numbers the phase, not the task.
    seq_is_task = len({v for v in seq_values if v not in (None, "")}) == len(
        [v for v in seq_values if v not in (None, "")]
    )
    for row in range(header + 1, grid.sheet.max_row + 1):
        text = grid.value(row, cols["task"])
        if text is None or not str(text).strip():
            continue
        text = str(text).strip()
        if text.startswith(("注：", "注:", "备注")):
            continue
        deadline_text, due = _deadline(grid.value(row, cols["deadline"]))
        if not deadline_text:
            where = f"{path}: {grid.where(row, cols['deadline'])}"
            raise InputError(f"{where}: the task has no deadline", key="no_deadline_cell", where=where)
        unit_names = split_names(grid.value(row, cols["unit"]))
        if not unit_names:
            where = f"{path}: {grid.where(row, cols['unit'])}"
            raise InputError(f"{where}: the task has no responsible unit", key="no_unit_for_task", where=where)
        persons = split_names(grid.value(row, cols["person"])) if "person" in cols else []
        if persons and len(persons) != len(unit_names):
            raise InputError(
                f"{path}: {grid.where(row, cols['person'])}: {len(persons)} persons for "
                f"{len(unit_names)} units in {grid.where(row, cols['unit'])} (they are matched by position)"
            )
        assist = split_names(grid.value(row, cols["assist"])) if "assist" in cols else []
        for i, name in enumerate(unit_names + [a for a in assist if a not in unit_names]):
            person = persons[i] if i < len(persons) else ""
            known = units.get(name)
            if known is None:
                c_person, phone, email = contacts.get(name, ("", "", ""))
                if person and c_person and c_person != person:  # the contacts name someone else
                    phone = email = ""
                units[name] = UnitSpec(
                    name=name,
                    person=person or c_person,
                    phone=phone,
                    email=email,
                    where=f"{path}: {grid.where(row, cols['unit'])}",
                )
            elif person and known.person and person != known.person:
                raise InputError(
                    f"{path}: {grid.where(row, cols['person'])}: {name} has {person} here but {known.person} above"
                )
        phase = None
        if "phase" in cols and (raw_phase := grid.value(row, cols["phase"])):
            phase = _plain(raw_phase)
            if phase not in spec.phases:
                spec.phases.append(phase)
        seq = ""
        if seq_is_task and "seq" in cols and grid.value(row, cols["seq"]) not in (None, ""):
            raw = grid.value(row, cols["seq"])
            seq = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        spec.tasks.append(
            TaskSpec(
                text=text,
                deadline_text=deadline_text,
                due_date=due,
                phase=phase,
                seq=seq,
                units=unit_names + [a for a in assist if a not in unit_names],
                assist=assist,
                where=f"{path}: {grid.where(row, cols['task'])}",
                deadline_where=f"{path}: {grid.where(row, cols['deadline'])}",
            )
        )
    if not spec.tasks:
        raise InputError(
            f"{path}: {grid.sheet.title}: no task rows below the header (row {header})",
            key="no_task_rows",
            where=f"{path}: {grid.sheet.title}",
        )
    spec.units = list(units.values())
    return spec
