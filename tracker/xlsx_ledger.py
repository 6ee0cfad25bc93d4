"""Read a ledger from the spreadsheet an office already keeps (shaped like the Puyang table).

The sheet: a title row, maybe a preamble (附件, the document number, ``牵头单位：县住建局　填报日期：
2019年3月1日``), a header row found by its names, then task rows. The title is the title row
(merged across the table, usually ending in 台账 or 一览表), never a ``key：value`` line: those
are the preamble, kept as the ledger's issuer, date and source. Merged cells (phase, units,
persons spanning rows) are read as if every covered cell held the value. One cell may list
several units and persons (newline, 、, ，, ;), matched by position. Deadlines are text or real
date cells. An optional sheet 通讯录 / 联系人 gives each unit's person, phone and email. A bad row
is noted (``LedgerSpec.problems``) and reading goes on, so that every bad cell is reported at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.deadlines import Absolute, DeadlineError, parse
from tracker.errors import InputError, raise_all
from tracker.input_files import column_letter
from tracker.ledger_spec import CellAt, LedgerSpec, TaskSpec, UnitSpec, clean_name
from tracker.xlsx_cells import SheetCells, Workbook

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
HEADER_WITHIN = 100  # the header row is looked for in the first rows of a sheet (a long preamble fits)
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
    """A sheet's values with merged ranges filled in: the rows read (``sheet.rows``) cell by cell,
    the rows after them column by column as they stream past (``below``)."""

    sheet: SheetCells

    def __post_init__(self) -> None:
        # Every cell of a merged range within the rows read → its origin (a dict over the 阶段
        # merged down 100,000 rows weighed 16 MiB: rows further down are found by ``_ranges``).
        read = len(self.sheet.rows)
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}
        self._ranges: dict[int, list[tuple[int, int, int]]] = {}  # column → (top, bottom, left), by top
        for min_row, min_col, max_row, max_col in self.sheet.merged:
            for row in range(min_row, min(max_row, read) + 1):
                for column in range(min_col, max_col + 1):
                    self.merged[(row, column)] = (min_row, min_col)
            if max_row > read:
                for column in range(min_col, max_col + 1):
                    self._ranges.setdefault(column, []).append((min_row, max_row, min_col))
        for ranges in self._ranges.values():
            ranges.sort()

    def value(self, row: int, column: int) -> Any:
        r, c = self.merged.get((row, column), (row, column))
        value = self.sheet.value(r, c)
        return value.strip() if isinstance(value, str) else value

    def below(self, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row, role → value as ``value`` gives it) for each row after those read, once each."""
        ranges = {role: self._ranges.get(column, []) for role, column in columns.items()}
        passed = {role: 0 for role in columns}  # role → index of the first range not yet passed
        origins: dict[str, tuple[Any]] = {}  # role → the value of that range's origin, once seen
        for row, cells in self.sheet.rest():
            found: dict[str, Any] = {}
            for role, column in columns.items():
                value = cells[column - 1] if column <= len(cells) else None
                spans, at = ranges[role], passed[role]
                while at < len(spans) and spans[at][1] < row:
                    at += 1
                    origins.pop(role, None)
                passed[role] = at
                if at < len(spans) and spans[at][0] <= row:
                    top, _, left = spans[at]
                    if role not in origins:  # the origin: above (among the rows read) or in this row
                        origins[role] = (
                            self.sheet.value(top, left)
                            if top < row
                            else cells[left - 1]
                            if left <= len(cells)
                            else None,
                        )
                    value = origins[role][0]
                found[role] = value.strip() if isinstance(value, str) else value
            yield row, found

    def rows_after(self, header: int, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row, role → value) for each row below the header to the sheet's last (a merged range
        may reach further than the last cell written)."""
        for row in range(header + 1, len(self.sheet.rows) + 1):
            yield row, {role: self.value(row, column) for role, column in columns.items()}
        last = max(header, len(self.sheet.rows))
        for last, found in self.below(columns):
            yield last, found
        for row in range(last + 1, self.sheet.max_row + 1):
            yield row, {role: self.value(row, column) for role, column in columns.items()}

    def origin(self, row: int, column: int) -> tuple[int, int]:
        """The top-left cell of the merged range covering row, column (or that cell)."""
        if row <= len(self.sheet.rows):
            return self.merged.get((row, column), (row, column))
        spans = self._ranges.get(column, [])
        at = bisect.bisect_right(spans, (row, self.sheet.max_row + 1, 0)) - 1
        if at >= 0 and spans[at][0] <= row <= spans[at][1]:
            return spans[at][0], spans[at][2]
        return row, column

    def span(self, row: int, column: int) -> tuple[int, int]:
        """Columns covered by the (merged) cell at row, column (a row among those read)."""
        origin = self.merged.get((row, column))
        if origin is None:
            return column, column
        columns = [c for (r, c), o in self.merged.items() if o == origin and r == row]
        return min(columns), max(columns)

    def where(self, row: int, column: int) -> str:
        return f"{self.sheet.title}!{column_letter(column)}{row}"


def _match_header(text: str, names: dict[str, tuple[str, ...]]) -> str | None:
    plain = _plain(text).lower()
    for role, variants in names.items():
        if plain in variants:
            return role
    return None


def _find_header(grid: _Grid) -> tuple[int, dict[str, int]] | None:
    sheet = grid.sheet
    for row in range(1, min(sheet.max_row, HEADER_WITHIN) + 1):
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


# A title row usually ends so; a preamble line starts with a short label and a colon.
_TITLE_END = re.compile(r"(台账|一览表|计划表|清单|表)$")
_ANNEX = re.compile(r"^附\s*件\s*\d*\s*[:：]?")
_LABEL = re.compile(r"(?:^|(?<=\s))([\u4e00-\u9fa5A-Za-z（）()]{1,10})\s*[:：]")
ISSUER_LABELS = ("发文单位", "印发单位", "牵头单位", "主办单位", "制表单位", "编制单位", "填报单位", "报送单位", "单位")
DATE_LABELS = ("印发日期", "发文日期", "制表日期", "编制日期", "填报日期", "填报时间", "制表时间", "日期", "时间")
PREAMBLE_LABELS = (*ISSUER_LABELS, *DATE_LABELS, "文号", "联系人", "联系电话", "电话", "填报人", "审核人", "负责人")


@dataclass
class _Top:
    """What stands above the header: the title, the document number, the preamble's fields."""

    title: str = ""
    doc: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    preamble: list[str] = field(default_factory=list)


def _fields(text: str) -> list[tuple[str, str]]:
    """``牵头单位：县住建局　　填报日期：2019年3月1日`` → [(牵头单位, 县住建局), (填报日期, 2019年3月1日)]."""
    labels = list(_LABEL.finditer(text))
    return [
        (
            re.sub(r"[（(].*?[）)]", "", m.group(1)),  # 填报单位（盖章）: 填报单位
            text[m.end() : labels[i + 1].start() if i + 1 < len(labels) else len(text)].strip(),
        )
        for i, m in enumerate(labels)
    ]


def _is_preamble(text: str) -> bool:
    """A ``key：value`` line (a known key, or any short label not in front of a title)."""
    found = _fields(text)
    if not found or not _LABEL.match(text):
        return False
    return found[0][0] in PREAMBLE_LABELS or not _TITLE_END.search(_plain(text))


def _date_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        found = parse(str(value)) if value else None
    except DeadlineError:
        return None
    return found.date if isinstance(found, Absolute) else None


def _top(grid: _Grid, header_row: int, columns: dict[str, int]) -> _Top:
    top = _Top()
    width = max(columns.values()) - min(columns.values()) + 1
    candidates: list[tuple[bool, bool, int, str]] = []
    used: set[tuple[int, int]] = set()  # cells read as a preamble field's value
    for row in range(1, header_row):
        for column in range(1, grid.sheet.max_column + 1):
            if grid.merged.get((row, column), (row, column)) != (row, column) or (row, column) in used:
                continue  # a merged cell is read once, at its origin
            raw = grid.value(row, column)
            if not isinstance(raw, str) or not raw:
                continue
            text = _ANNEX.sub("", raw).strip()
            if not text:
                continue  # 附件, 附件1：
            doc = _DOC_NUMBER.search(_plain(text))
            if doc:
                top.doc = top.doc or doc.group()
            if _is_preamble(text):
                line = re.sub(r"\s+", " ", text)
                for label, value in _fields(text):
                    after: Any = value
                    if not after and (found := _next_value(grid, row, column)):
                        after, at = found
                        used.add(at)
                        line += after.date().isoformat() if isinstance(after, dt.datetime) else str(after)
                    if label in ISSUER_LABELS and after and not top.issuer:
                        top.issuer = clean_name(str(after))
                    elif label in DATE_LABELS and top.issued_on is None:
                        top.issued_on = _date_of(after)
                top.preamble.append(line)
            elif not doc:
                first, last = grid.span(row, column)
                plain = _plain(text)
                candidates.append(
                    (bool(_TITLE_END.search(plain)), last - first + 1 >= max(2, width // 2), len(plain), plain)
                )
    if candidates:
        top.title = max(candidates)[3]
    return top


def _next_value(grid: _Grid, row: int, column: int) -> tuple[Any, tuple[int, int]] | None:
    """The value of a preamble field written in the next cell (``填报日期：`` | 2019-03-01)."""
    _, last = grid.span(row, column)
    for c in range(last + 1, grid.sheet.max_column + 1):
        value = grid.value(row, c)
        if value not in (None, ""):
            return None if isinstance(value, str) and _LABEL.match(value) else (value, (row, c))
    return None


def _year(title: str, doc: str) -> int | None:
    for text in (doc, title):
        if m := re.search(r"(\d{4})", text):
            return int(m.group(1))
    return None


def _contacts(workbook: Workbook, path: Path, problems: list[InputError]) -> dict[str, tuple[str, str, str, str]]:
    """Unit name → (person, phone, email, the row's place: an error in it is reported there) from
    the 通讯录 sheet, if any."""
    sheet = next((workbook.sheet(name) for name in workbook.sheetnames if _plain(name) in CONTACT_SHEETS), None)
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
        problems.append(InputError(f"{path}: {sheet.title}: no header row with 责任单位"))
        return {}
    found: dict[str, tuple[str, str, str, str]] = {}
    for r in range(row + 1, sheet.max_row + 1):
        unit = clean_name(str(grid.value(r, columns["unit"]) or ""))
        if not unit:
            continue

        def get(role: str, r: int = r) -> str:
            return str(grid.value(r, columns[role]) or "").strip() if role in columns else ""

        at = f"{path}: {grid.where(r, columns.get('email', columns['unit']))}"
        found[unit] = (clean_name(get("person")), get("phone"), get("email"), at)
    return found


def _deadline(value: Any) -> tuple[str, dt.date | None]:
    if isinstance(value, dt.date):
        return _date_cell(value)
    return (str(value).strip() if value is not None else ""), None


@functools.lru_cache(maxsize=4096)  # a sheet repeats its deadlines: one text and date per day, not per row
def _date_cell(value: dt.date) -> tuple[str, dt.date]:
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.isoformat(), day


def read_xlsx_ledger(path: Path, *, keep_going: bool = False) -> LedgerSpec:
    """Read a ledger sheet. A bad cell raises (every one found: ``InputErrors`` for several); with
    ``keep_going`` it is noted in ``LedgerSpec.problems`` instead, for the import's check to raise
    together with its own findings. A workbook without a ledger sheet raises either way."""
    workbook = Workbook(path)
    for name in workbook.sheetnames:
        if _plain(name) in CONTACT_SHEETS:
            continue
        grid = _Grid(workbook.sheet(name, head=HEADER_WITHIN))
        found = _find_header(grid)
        if found is not None:
            spec = _read_sheet(path, workbook, grid, *found)
            if not keep_going:
                raise_all(spec.problems)
            return spec
    raise InputError(
        f"{path}: no sheet has a header row with 任务, 完成时限 and 责任单位 columns "
        f"(within its first {HEADER_WITHIN} rows)",
        key="no_header",
        where=path,
    )


def _read_sheet(path: Path, workbook: Workbook, grid: _Grid, header: int, cols: dict[str, int]) -> LedgerSpec:
    top = _top(grid, header, cols)
    if not top.title:
        raise InputError(f"{path}: {grid.sheet.title}: no title row above the header (row {header})")
    year = _year(top.title, top.doc) or (top.issued_on.year if top.issued_on else None)
    spec = LedgerSpec(
        title=top.title,
        source=f"{path}（{'；'.join(top.preamble)}）" if top.preamble else str(path),
        doc_number=top.doc,
        issuer=top.issuer,
        issued_on=top.issued_on,
        year=year,
        where=str(path),
    )
    problems = spec.problems
    contacts = _contacts(workbook, path, problems)
    units: dict[str, UnitSpec] = {}
    miscounted: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    phases_seen: dict[str, str] = {}  # each phase once (not a string per row), and found fast
    sheet_at = f"{path}: {grid.sheet.title}!"
    task_letter, deadline_letter = column_letter(cols["task"]), column_letter(cols["deadline"])
    names_of: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple of units for the tasks they owe together
    # 序号 values seen, to tell whether they number the tasks (see below).
    seqs_seen: set[Any] = set()
    seqs_count = 0
    # Row by row as the sheet streams past: no row is kept once read (the sheet at 100,000 rows
    # weighed 47 MiB as Python values).
    for row, values in grid.rows_after(header, cols):
        if (seq_value := values.get("seq")) not in (None, ""):
            seqs_seen.add(seq_value)
            seqs_count += 1
        text = values["task"]
        if text is None or not str(text).strip():
            continue
        text = str(text).strip()
        if text.startswith(("注：", "注:", "备注")):
            continue
        before = len(problems)
        deadline_text, due = _deadline(values["deadline"])
        if not deadline_text:
            where = f"{path}: {grid.where(row, cols['deadline'])}"
            problems.append(InputError(f"{where}: the task has no deadline", key="no_deadline_cell", where=where))
        unit_names = split_names(values["unit"])
        if not unit_names:
            where = f"{path}: {grid.where(row, cols['unit'])}"
            problems.append(
                InputError(f"{where}: the task has no responsible unit", key="no_unit_for_task", where=where)
            )
        persons = split_names(values["person"]) if "person" in cols else []
        if persons and unit_names and len(persons) != len(unit_names):
            cells = (grid.origin(row, cols["person"]), grid.origin(row, cols["unit"]))
            if cells not in miscounted:  # a merged cell is one cell: said once
                miscounted.add(cells)
                problems.append(
                    InputError(
                        f"{path}: {grid.where(*cells[0])}: {len(persons)} persons for "
                        f"{len(unit_names)} units in {grid.where(*cells[1])} (they are matched by position)"
                    )
                )
            persons = []
        assist = split_names(values["assist"]) if "assist" in cols else ()
        for i, name in enumerate(unit_names + [a for a in assist if a not in unit_names]):
            person = persons[i] if i < len(persons) else ""
            known = units.get(name)
            if known is None:
                c_person, phone, email, contact_at = contacts.get(name, ("", "", "", ""))
                if person and c_person and c_person != person:  # the contacts name someone else
                    phone = email = contact_at = ""
                units[name] = UnitSpec(
                    name=name,
                    person=person or c_person,
                    phone=phone,
                    email=email,
                    where=f"{path}: {grid.where(row, cols['unit'])}",
                    contact_where=contact_at,
                )
            elif person and known.person and person != known.person:
                problems.append(
                    InputError(
                        f"{path}: {grid.where(row, cols['person'])}: {name} has {person} here but {known.person} above"
                    )
                )
        phase = None
        if "phase" in cols and (raw_phase := values["phase"]):
            phase = _plain(raw_phase)
            if phase in phases_seen:
                phase = phases_seen[phase]
            else:
                phases_seen[phase] = phase
                spec.phases.append(phase)
        seq = ""
        if seq_value not in (None, ""):
            raw = seq_value
            seq = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        spec.tasks.append(
            TaskSpec(
                text=text,
                deadline_text=deadline_text,
                due_date=due,
                phase=phase,
                seq=seq,
                units=names_of.setdefault(owed := (*unit_names, *(a for a in assist if a not in unit_names)), owed),
                assist=assist or (),
                where=CellAt(sheet_at, task_letter, row),
                deadline_where=CellAt(sheet_at, deadline_letter, row),
                broken=len(problems) > before,
            )
        )
    if len(seqs_seen) != seqs_count:  # a 序号 merged over several task rows numbers the phase, not the task
        for task in spec.tasks:
            task.seq = ""
    if not spec.tasks:
        raise InputError(
            f"{path}: {grid.sheet.title}: no task rows below the header (row {header})",
            key="no_task_rows",
            where=f"{path}: {grid.sheet.title}",
        )
    spec.units = list(units.values())
    return spec
