"""A ledger as a matrix: tasks (grouped by phase) × units, each cell an assignment.

Built for the terminal UI's ledger screen at real size (1,000 tasks × 1,000 units): the tasks and
units are read whole, the cells only as a window of them comes into view, a block of tasks ×
units at a time (one indexed query each), and each cell is judged (days late, level, traffic
light) only when it is looked at. A bounded number of blocks stays loaded, so paging back is
instant and memory does not grow with the ledger.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.config import Settings
from tracker.ladder import Rung, ladder_for, rank_for
from tracker.models import Assignment, Ledger, Phase, Task, Unit, ledger_start
from tracker.progress import lags_expected
from tracker.report import light_for
from tracker.scan import criticism_counts
from tracker.statuses import OPEN_STATUSES
from tracker.views import days_overdue, expected_percent, progress_reported
from tracker.workdays import WorkCalendar

# A block of cells is read at once: more task lines than a tall terminal shows and more unit
# columns than a wide one, so that a screenful needs one to four small queries.
TASK_BLOCK = 64
UNIT_BLOCK = 32
# Blocks kept loaded (at most ~100,000 cells); the least recently drawn is dropped first.
MAX_BLOCKS = 48


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


@dataclass(slots=True)
class Block:
    """A window of the matrix's cells: (task index, unit index) → its assignment's (id, status,
    due_on, completed_on, percent), plain tuples made into Cells when looked at."""

    cells: dict[tuple[int, int], tuple[Any, ...]]
    judged: dict[tuple[int, int], Judged] = field(default_factory=dict)


@dataclass
class Matrix:
    ledger_id: int
    title: str
    as_of: dt.date
    tasks: list[MatrixTask]
    units: list[MatrixUnit]
    # Opens a (read-only) session for the cells read later, as the window moves (the UI's own thread).
    open_session: Callable[[], AbstractContextManager[Session]]
    rungs: list[Rung] = field(default_factory=list)
    criticisms: dict[int, int] = field(default_factory=dict)
    lag_margin: int = 10
    default_start: dt.date | None = None
    blocks: OrderedDict[tuple[int, int], Block] = field(default_factory=OrderedDict, repr=False)
    _late: dict[int | None, set[int]] = field(default_factory=dict, repr=False)
    # Blocks may be read ahead in another thread (prefetch); the lock guards the table of blocks.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def judge(self, task: int, unit: int) -> Judged | None:
        """The cell at (task index, unit index), judged as of the matrix's date; None: not owed."""
        key = (task, unit)
        block = self.block_of(task, unit)
        found = block.judged.get(key)
        if found is not None:
            return found
        values = block.cells.get(key)
        if values is None:
            return None
        cell = Cell(*values)
        late = days_overdue(cell.due_on, cell.status, cell.completed_on, self.as_of)
        rank, lagging = 0, False
        if cell.status in OPEN_STATUSES and cell.due_on is not None:
            rank = rank_for(self.rungs, cell.due_on, self.as_of, self.criticisms.get(self.units[unit].id, 0))
            if cell.due_on >= self.as_of:
                start = self.tasks[task].start_on or self.default_start
                expected = expected_percent(start, cell.due_on, self.as_of)
                lagging = lags_expected(cell.percent, expected, self.lag_margin, reported=bool(cell.reported))
        found = Judged(cell, late, rank, light_for(cell.status, late, rank, lagging))
        block.judged[key] = found
        return found

    def block_of(self, task: int, unit: int) -> Block:
        """The loaded block holding (task, unit), read now if it is not loaded."""
        key = (task // TASK_BLOCK, unit // UNIT_BLOCK)
        with self._lock:
            block = self.blocks.get(key)
            if block is not None:
                self.blocks.move_to_end(key)
                return block
        with self.open_session() as session:
            return self.load_block(session, *key)

    def missing(self, tasks: Iterable[int], units: Iterable[int]) -> list[tuple[int, int]]:
        """The blocks holding these tasks × units (indexes) that are not loaded."""
        unit_blocks = {u // UNIT_BLOCK for u in units}
        wanted = {(t // TASK_BLOCK, u) for t in set(tasks) for u in unit_blocks}
        with self._lock:
            return sorted(wanted - self.blocks.keys())

    def read_ahead(self, blocks: Sequence[tuple[int, int]]) -> None:
        """Read these blocks now (in a worker thread), so that moving there later draws from
        memory instead of waiting for the database."""
        with self.open_session() as session:
            for task_block, unit_block in blocks:
                self.load_block(session, task_block, unit_block)

    def load_block(self, session: Session, task_block: int, unit_block: int) -> Block:
        tasks = range(task_block * TASK_BLOCK, min(len(self.tasks), (task_block + 1) * TASK_BLOCK))
        units = range(unit_block * UNIT_BLOCK, min(len(self.units), (unit_block + 1) * UNIT_BLOCK))
        task_index = {self.tasks[i].id: i for i in tasks}
        unit_index = {self.units[i].id: i for i in units}
        cells: dict[tuple[int, int], tuple[Any, ...]] = {}
        if task_index and unit_index:
            query = sa.select(
                col(Assignment.task_id),
                col(Assignment.unit_id),
                col(Assignment.id),
                col(Assignment.status),
                col(Assignment.due_on),
                col(Assignment.completed_on),
                col(Assignment.percent),
                progress_reported(),
            ).where(col(Assignment.task_id).in_(list(task_index)), col(Assignment.unit_id).in_(list(unit_index)))
            for task_id, unit_id, *values in session.connection().execute(query):  # Core rows: no ORM overhead
                cells[(task_index[task_id], unit_index[unit_id])] = tuple(values)
        with self._lock:
            block = self.blocks.setdefault((task_block, unit_block), Block(cells))  # another thread's if it won
            self.blocks.move_to_end((task_block, unit_block))
            while len(self.blocks) > MAX_BLOCKS:
                self.blocks.popitem(last=False)
        return block

    def loaded_cells(self) -> int:
        with self._lock:
            return sum(len(block.cells) for block in self.blocks.values())

    def late_tasks(self, unit: int | None = None) -> set[int]:
        """The tasks (indexes) with an open assignment past its deadline: of ``unit`` (an index)
        or of any unit. One query over the whole ledger, not the loaded window."""
        found = self._late.get(unit)
        if found is not None:
            return found
        query = (
            sa.select(col(Assignment.task_id))
            .where(
                col(Assignment.task_id).in_(sa.select(col(Task.id)).where(col(Task.ledger_id) == self.ledger_id)),
                col(Assignment.status).in_(OPEN_STATUSES),
                col(Assignment.due_on) < self.as_of,
            )
            .distinct()
        )
        if unit is not None:
            query = query.where(col(Assignment.unit_id) == self.units[unit].id)
        index = {task.id: i for i, task in enumerate(self.tasks)}
        with self.open_session() as session:
            found = {index[task_id] for (task_id,) in session.connection().execute(query)}
        self._late[unit] = found
        return found

    def phases(self) -> list[str]:
        return list(dict.fromkeys(t.phase for t in self.tasks))


def load_matrix(
    session: Session,
    ledger_id: int,
    *,
    as_of: dt.date,
    settings: Settings,
    calendar: WorkCalendar,
    open_session: Callable[[], AbstractContextManager[Session]],
    first_window: Sequence[tuple[int, int]] = ((0, 0),),
) -> Matrix:
    """The ledger's tasks and units, with the blocks of ``first_window`` (the top left: what the
    screen shows first) already read; ``open_session`` reads the rest as it is looked at."""
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
    matrix = Matrix(
        ledger_id,
        ledger.title,
        as_of,
        tasks,
        units,
        open_session,
        rungs=ladder_for(ledger.escalation, settings.escalation, where=ledger.title).rungs(as_of, calendar),
        criticisms=criticism_counts(session, as_of),
        lag_margin=settings.progress.lag_margin,
        default_start=ledger_start(ledger.issued_on, ledger.year),
    )
    for task_block, unit_block in first_window:
        matrix.load_block(session, task_block, unit_block)
    return matrix
