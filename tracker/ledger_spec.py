"""A ledger as read from a file, before it touches the database.

Both readers (TOML and spreadsheets) produce a ``LedgerSpec``; ``check_spec`` validates it in one
place (deadlines understood, units known, no duplicates), with errors that name the file and the
line or cell each value came from. Every error is reported, not only the first: the readers keep
going past a bad value (``LedgerSpec.problems``, and ``broken`` on the item so that the check does
not report a missing value again), and the check collects its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.addresses import looks_like_email
from tracker.deadlines import MAX_YEAR, MIN_YEAR, YEARS, Absolute, Deadline, DeadlineError, check_date, parse
from tracker.errors import InputError, raise_all
from tracker.models import Role

# Full-width letters and digits (ＡＢＣ, １２３) read as plain ones; full-width punctuation stays, as
# Chinese names write it: 地级及以上城市人民政府（不含计划单列市）, not (…), which NFKC would make.
_WIDE_ALNUM = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # the keys of _WIDE_ALNUM
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)  # names recur on every row of a sheet
def clean_name(text: str) -> str:
    """A name as compared and stored: composed (NFC), full-width letters and digits as plain ones,
    without format characters (zero-width spaces and joiners, RTL/LTR marks, a BOM: they would
    make two names that look the same distinct), and without the spaces that pad names for
    typesetting ("范  县政府", "刘  兵")."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub("", text.translate(_WIDE_ALNUM) if _WIDE.search(text) else text)
    if text.isprintable():  # no format character (they are not printable): the usual case, fast
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@dataclass
class UnitSpec:
    name: str
    person: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""  # DingTalk robots @ by mobile number
    dingtalk_id: str = ""
    wecom_id: str = ""
    kind: str = ""
    group: str = ""
    where: str = ""
    contact_where: str = ""  # where its email and phone came from (a 通讯录 row), when not ``where``
    broken: bool = False  # the reader reported a problem with this unit (a missing value is not reported twice)

    def reach(self) -> dict[str, str]:
        """How the channels reach its person besides email and phone (empty values: unchanged)."""
        return {"mobile": self.mobile, "dingtalk_id": self.dingtalk_id, "wecom_id": self.wecom_id}


@dataclass(frozen=True, slots=True)
class CellAt:
    """A sheet's cell a value came from, spelt out only when an error names it: a string per task
    and cell (``book.xlsx: 台账!C123``) weighed 26 MiB at 100,000 rows."""

    sheet: str  # the file and the sheet, as an error starts: ``book.xlsx: 台账!``
    column: str  # its letter(s)
    row: int

    def __str__(self) -> str:
        return f"{self.sheet}{self.column}{self.row}"


@dataclass(slots=True)  # slots: a sheet of 100,000 rows makes as many
class TaskSpec:
    text: str
    deadline_text: str
    phase: str | None = None
    seq: str = ""
    units: Sequence[str] | None = None  # None: every unit (or every unit of unit_kinds)
    # Read only, hence sequences: none (a shared empty tuple) is what nearly every task has, where
    # an empty list per task weighed 5 MiB each at 100,000 rows.
    unit_kinds: Sequence[str] = ()
    assist: Sequence[str] = ()  # units in the 协办 role; the rest lead
    start_on: dt.date | None = None
    due_date: dt.date | None = None  # a real date cell: no parsing needed
    where: str | CellAt = ""
    deadline_where: str | CellAt = ""
    broken: bool = False  # the reader reported a problem with this task (a missing value is not reported twice)


@dataclass
class ReportSpec:
    name: str
    deadline_text: str
    unit_kinds: list[str] = field(default_factory=list)
    where: str = ""
    broken: bool = False  # the reader reported a problem with this report (a missing value is not reported twice)


@dataclass
class LedgerSpec:
    title: str
    source: str
    doc_number: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    year: int | None = None
    units: list[UnitSpec] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    reports: list[ReportSpec] = field(default_factory=list)
    escalation: list[dict[str, object]] | None = None
    review_required: bool | None = None  # [review] required, when the ledger says
    approval: dict[str, object] | None = None  # [approval] overriding the config's for this ledger
    where: str = ""  # the file, for an error about the whole ledger (``source`` may be a document's name)
    problems: list[InputError] = field(default_factory=list)  # what the reader found wrong

    @property
    def at(self) -> str:
        return self.where or self.source


@dataclass(frozen=True, slots=True)
class CheckedTask:
    spec: TaskSpec
    seq: str
    deadline: Deadline
    owners: Sequence[tuple[str, Role]]


def _owners(task: TaskSpec, units: dict[str, UnitSpec], errors: list[InputError]) -> list[tuple[str, Role]]:
    """The task's units and their roles; a problem is added to ``errors`` (and the owners are
    what could be made of them)."""
    if task.units is not None:
        names = [clean_name(n) for n in task.units]
        for name in names:
            if name not in units:
                errors.append(
                    InputError(
                        f"{task.where}: unit {name!r} is not among the ledger's units",
                        key="unknown_unit",
                        where=str(task.where),
                        name=name,
                    )
                )
    else:
        kinds = set(task.unit_kinds)
        names = [u.name for u in units.values() if not kinds or u.kind in kinds]
        if kinds and not names:
            errors.append(InputError(f"{task.where}: no unit is of kind {', '.join(sorted(kinds))}"))
            return []
    if len(set(names)) != len(names):
        errors.append(
            InputError(f"{task.where}: a unit is named twice", key="unit_twice_in_task", where=str(task.where))
        )
        names = list(dict.fromkeys(names))
    assist = {clean_name(n) for n in task.assist}
    unknown = assist - set(names)
    if unknown:
        errors.append(InputError(f"{task.where}: assisting unit {sorted(unknown)[0]!r} does not owe this task"))
    if not names and task.units is not None and not task.broken:  # broken: the reader said so already
        errors.append(InputError(f"{task.where}: no responsible unit", key="no_unit_for_task", where=str(task.where)))
    return [_owner(name, Role.ASSIST if name in assist else Role.LEAD) for name in names]


@functools.lru_cache(maxsize=4096)
def _owner(name: str, role: Role) -> tuple[str, Role]:
    """One tuple per unit and role, shared by every task it owes (a tuple per task and unit
    weighed 7 MiB at 100,000 tasks)."""
    return name, role


def check_spec(spec: LedgerSpec) -> list[CheckedTask]:
    """Validate a ledger; return its tasks with deadlines understood and owners resolved.

    Raises every problem found, the reader's and the check's, as one ``InputError`` (several:
    ``InputErrors``)."""
    errors: list[InputError] = list(spec.problems)
    if not spec.title.strip():
        errors.append(InputError(f"{spec.at}: the ledger has no title", key="no_title", where=spec.at))
    units: dict[str, UnitSpec] = {}
    for unit in spec.units:
        unit.name = clean_name(unit.name)
        unit.person = clean_name(unit.person)
        if not unit.name:
            if unit.broken:  # the reader said so already
                continue
            errors.append(InputError(f"{unit.where}: a unit has no name", key="unit_no_name", where=unit.where))
            continue
        if unit.name in units:
            errors.append(
                InputError(
                    f"{unit.where}: unit {unit.name!r} is listed twice",
                    key="unit_twice",
                    where=unit.where,
                    name=unit.name,
                )
            )
        contact_at = unit.contact_where or unit.where
        if unit.email and not looks_like_email(unit.email):
            errors.append(
                InputError(
                    f"{contact_at}: {unit.email!r} is not an email address",
                    key="unit_email",
                    where=contact_at,
                    value=unit.email,
                )
            )
        if "\n" in unit.phone or "\r" in unit.phone:
            errors.append(InputError(f"{contact_at}: the phone number has a line break"))
        units.setdefault(unit.name, unit)
    if not spec.units:
        errors.append(InputError(f"{spec.at}: the ledger has no responsible units", key="no_units", where=spec.at))
    checked: list[CheckedTask] = []
    seqs: set[str] = set()
    # Deadlines (immutable) by text: a ledger writes the same few deadlines on many tasks.
    understood: dict[str, Deadline] = {}
    owners_of: dict[tuple[object, ...], Sequence[tuple[str, Role]]] = {}
    dated: dict[dt.date, Deadline] = {}  # and by date cell (one object per day, not per task)
    for position, task in enumerate(spec.tasks, start=1):
        seq = task.seq.strip() or str(position)
        if not task.text.strip() and not task.broken:
            errors.append(InputError(f"{task.where}: a task has no text", key="task_no_text", where=str(task.where)))
        if seq in seqs:
            errors.append(
                InputError(f"{task.where}: 序号 {seq} is used twice", key="seq_twice", where=str(task.where), seq=seq)
            )
        seqs.add(seq)
        if task.start_on is not None and not MIN_YEAR <= task.start_on.year <= MAX_YEAR:
            errors.append(InputError(f"{task.where}: start {task.start_on}: outside the supported years {YEARS}"))
        deadline: Deadline
        if task.broken and task.due_date is None and not task.deadline_text:  # the reader said so already
            continue
        try:
            # a real date cell needs no parsing, but its year is checked like a written one
            if task.due_date is not None:
                if (day := dated.get(task.due_date)) is None:
                    day = dated[task.due_date] = Absolute(
                        check_date(task.due_date, task.deadline_text or task.due_date.isoformat())
                    )
                deadline = day
            elif (known := understood.get(task.deadline_text)) is not None:
                deadline = known
            else:
                deadline = understood[task.deadline_text] = parse(task.deadline_text, spec.year)
        except DeadlineError as exc:
            errors.append(
                InputError(
                    f"{task.deadline_where or task.where}: {exc}",
                    key="bad_deadline",
                    where=str(task.deadline_where or task.where),
                    text=task.deadline_text,
                    reason=str(exc),  # the part not understood and the form to write instead
                )
            )
            continue
        owners: Sequence[tuple[str, Role]] = ()
        if spec.units:
            # Tasks owed by the same units share one list of owners (a list per task weighed
            # 9 MiB at 100,000 rows); a task whose owners are wrong says so at its own cell.
            key = (None if task.units is None else tuple(task.units), tuple(task.unit_kinds), tuple(task.assist))
            if (known_owners := owners_of.get(key)) is not None:
                owners = known_owners
            else:
                found: list[InputError] = []
                owners = _owners(task, units, found)
                if not found and not task.broken:
                    owners_of[key] = owners = tuple(owners)
                errors.extend(found)
        checked.append(CheckedTask(task, seq, deadline, owners))
    if not spec.tasks:
        errors.append(InputError(f"{spec.at}: the ledger has no tasks", key="no_tasks", where=spec.at))
    for report in spec.reports:
        if report.broken and not report.deadline_text:  # the reader said so already
            continue
        try:
            parsed = parse(report.deadline_text, spec.year)
        except DeadlineError as exc:
            errors.append(InputError(f"{report.where}: {exc}"))
            continue
        if parsed.kind != "recurring":
            errors.append(InputError(f"{report.where}: a progress report needs a recurring deadline (e.g. 每月25日前)"))
        kinds = set(report.unit_kinds)
        if kinds and spec.units and not any(u.kind in kinds for u in units.values()):
            errors.append(InputError(f"{report.where}: no unit is of kind {', '.join(sorted(kinds))}"))
    errors.sort(key=lambda error: _place(error, spec.at))
    raise_all(errors)
    return checked


def _place(error: InputError, file: str) -> tuple[int, int]:
    """Where in its file an error is, to list them in the file's order: (line, 0) in a TOML file,
    (row, column) in a sheet, (0, 0) for the file as a whole."""
    text = str(error)
    rest = text[len(file) :] if text.startswith(file) else text
    if found := re.match(r":(\d+):", rest):
        return int(found[1]), 0
    if found := re.match(r": [^:]*!([A-Z]+)(\d+)", rest):
        column = 0
        for letter in found[1]:
            column = column * 26 + ord(letter) - ord("A") + 1
        return int(found[2]), column
    return 0, 0
