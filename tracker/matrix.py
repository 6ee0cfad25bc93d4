"""A ledger as a matrix: tasks (grouped by phase) × units, each cell an assignment.

Built for the terminal UI's ledger screen at real size (1,000 tasks × 100 units): one lean query
for the cells, and each cell judged (days late, level, traffic light) only when it is looked at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.config import Settings
from tracker.ladder import Rung, ladder_for, rank_for
from tracker.models import Assignment, Ledger, Phase, Status, Task, Unit, ledger_start
from tracker.progress import lags_expected
from tracker.report import light_for
from tracker.scan import criticism_counts
from tracker.views import days_overdue, expected_percent, progress_reported
from tracker.workdays import WorkCalendar

OPEN = (Status.TODO.value, Status.DOING.value)


@dataclass(frozen=True, slots=True)
class MatrixTask:
    id: int
    seq: str
    phase: str
    text: str
    deadline_text: str
    start_on: dt.date | None


@dataclass(frozen=True, slots=True)
class MatrixUnit:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Cell:
    assignment_id: int
    status: str
    due_on: dt.date | None
    completed_on: dt.date | None
    percent: int
    reported: bool  # any progress ever recorded (see progress.lags_expected)


@dataclass(frozen=True, slots=True)
class Judged:
    """A cell as the ledger screen shows it."""

    cell: Cell
    days_overdue: int | None
    rank: int
    light: str


@dataclass
class Matrix:
    ledger_id: int
    title: str
    as_of: dt.date
    tasks: list[MatrixTask]
    units: list[MatrixUnit]
    # (task index, unit index) → its assignment's (id, status, due_on, completed_on, percent, reported):
    # plain tuples, made into Cells when looked at (100,000 objects cost a third of the load).
    cells: dict[tuple[int, int], tuple[Any, ...]]
    rungs: list[Rung] = field(default_factory=list)
    criticisms: dict[int, int] = field(default_factory=dict)
    lag_margin: int = 10
    default_start: dt.date | None = None
    _judged: dict[tuple[int, int], Judged] = field(default_factory=dict, repr=False)

    def judge(self, task: int, unit: int) -> Judged | None:
        """The cell at (task index, unit index), judged as of the matrix's date; None: not owed."""
        key = (task, unit)
        found = self._judged.get(key)
        if found is not None:
            return found
        values = self.cells.get(key)
        if values is None:
            return None
        cell = Cell(*values)
        late = days_overdue(cell.due_on, cell.status, cell.completed_on, self.as_of)
        rank, lagging = 0, False
        if cell.status in OPEN and cell.due_on is not None:
            rank = rank_for(self.rungs, cell.due_on, self.as_of, self.criticisms.get(self.units[unit].id, 0))
            if cell.due_on >= self.as_of:
                start = self.tasks[task].start_on or self.default_start
                expected = expected_percent(start, cell.due_on, self.as_of)
                lagging = lags_expected(cell.percent, expected, self.lag_margin, reported=bool(cell.reported))
        found = Judged(cell, late, rank, light_for(cell.status, late, rank, lagging))
        self._judged[key] = found
        return found

    def is_late(self, task: int, unit: int) -> bool:
        values = self.cells.get((task, unit))
        if values is None:
            return False
        _, status, due, *_ = values
        return bool(status in OPEN and due is not None and due < self.as_of)

    def phases(self) -> list[str]:
        return list(dict.fromkeys(t.phase for t in self.tasks))


def load_matrix(
    session: Session, ledger_id: int, *, as_of: dt.date, settings: Settings, calendar: WorkCalendar
) -> Matrix:
    ledger = session.get(Ledger, ledger_id)
    if ledger is None:
        raise LookupError(f"no ledger {ledger_id}")
    tasks = [
        MatrixTask(*row)
        for row in session.execute(
            sa.select(
                col(Task.id),
                col(Task.seq),
                sa.func.coalesce(col(Phase.name), ""),
                col(Task.text),
                col(Task.deadline_text),
                col(Task.start_on),
            )
            .outerjoin(Phase, col(Phase.id) == col(Task.phase_id))
            .where(col(Task.ledger_id) == ledger_id)
            .order_by(col(Task.position))
        )
    ]
    units = [
        MatrixUnit(*row)
        for row in session.execute(
            sa.select(col(Unit.id), col(Unit.name)).where(col(Unit.ledger_id) == ledger_id).order_by(col(Unit.position))
        )
    ]
    task_index = {t.id: i for i, t in enumerate(tasks)}
    unit_index = {u.id: i for i, u in enumerate(units)}
    cells: dict[tuple[int, int], tuple[Any, ...]] = {}
    query = sa.select(
        col(Assignment.task_id),
        col(Assignment.unit_id),
        col(Assignment.id),
        col(Assignment.status),
        col(Assignment.due_on),
        col(Assignment.completed_on),
        col(Assignment.percent),
        progress_reported(),
    ).where(col(Assignment.task_id).in_(sa.select(col(Task.id)).where(col(Task.ledger_id) == ledger_id)))
    for task_id, unit_id, *values in session.connection().execute(query):  # Core rows: no ORM overhead
        cells[(task_index[task_id], unit_index[unit_id])] = tuple(values)
    return Matrix(
        ledger_id,
        ledger.title,
        as_of,
        tasks,
        units,
        cells,
        rungs=ladder_for(ledger.escalation, settings.escalation, where=ledger.title).rungs(as_of, calendar),
        criticisms=criticism_counts(session, as_of),
        lag_margin=settings.progress.lag_margin,
        default_start=ledger_start(ledger.issued_on, ledger.year),
    )
