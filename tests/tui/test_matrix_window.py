"""The ledger matrix reads its cells a window at a time: paging and scrolling past the first
window shows the right cells further down and across, and memory stays bounded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

import tracker.matrix as matrix_module
from tracker.app import Tracker, build
from tracker.matrix import TASK_BLOCK, UNIT_BLOCK, load_matrix
from tracker.models import Assignment, Ledger, Task, Unit
from tui.app import TrackerApp
from tui.screens.ledger import LedgerScreen
from tui.widgets.matrix import HEADER, MatrixView

AS_OF = dt.date(2017, 9, 15)
TASKS, UNITS = 3 * TASK_BLOCK + 5, 2 * UNIT_BLOCK + 7  # three task blocks and a bit, two unit blocks and a bit


def percent(task: int, unit: int) -> int:
    """Each cell's own figure, so a cell drawn from the wrong place shows."""
    return (task * 7 + unit * 3) % 100


@pytest.fixture
def big(db_url: str) -> Iterator[Tracker]:
    """One ledger of TASKS × UNITS assignments, every one in progress and due after AS_OF."""
    app = build(db_url, None, "测试员", clock=lambda: dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC))
    now = dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    with app.engine.begin() as c:
        ledger = c.execute(
            sa.insert(Ledger).values(
                title="大台账",
                doc_number="测〔2017〕1号",
                issuer="测",
                source="test",
                year=2017,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        c.execute(
            sa.insert(Unit),
            [
                {"ledger_id": ledger, "position": u, "name": f"单位{u:03d}", "kind": "", "group_name": ""}
                for u in range(UNITS)
            ],
        )
        c.execute(
            sa.insert(Task),
            [
                {
                    "ledger_id": ledger,
                    "position": i,
                    "seq": str(i + 1),
                    "text": f"任务{i + 1}",
                    "deadline_text": "2017年12月31日",
                    "deadline_kind": "absolute",
                    "due_on": dt.date(2017, 12, 31),
                }
                for i in range(TASKS)
            ],
        )
        units = [r[0] for r in c.execute(sa.select(Unit.id).where(Unit.ledger_id == ledger).order_by(Unit.position))]
        tasks = [r[0] for r in c.execute(sa.select(Task.id).where(Task.ledger_id == ledger).order_by(Task.position))]
        c.execute(
            sa.insert(Assignment),
            [
                {
                    "task_id": task_id,
                    "unit_id": unit_id,
                    "role": "lead",
                    "status": "doing",
                    "percent": percent(t, u),
                    "note": "",
                    "evidence": "[]",
                    "due_on": dt.date(2017, 12, 31),
                    "version": 1,
                    "updated_at": now,
                    "notified_level": 0,
                }
                for t, task_id in enumerate(tasks)
                for u, unit_id in enumerate(units)
            ],
        )
    yield app
    app.engine.dispose()


def cursor_cell_text(view: MatrixView) -> str:
    """The text drawn in the cursor's cell, read from the line the widget renders."""
    y = view.cursor_line - int(view.scroll_offset.y) + HEADER
    segments = list(view.render_line(y))
    return segments[1 + view.cursor_unit - view._first_unit()].text.strip()


async def test_paging_past_the_first_window_shows_the_cells_there(big: Tracker) -> None:
    app = TrackerApp(big, as_of=AS_OF)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("enter")  # the dashboard's only ledger
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LedgerScreen) and screen.matrix is not None
        view = screen.query_one(MatrixView)
        # Only the first window and a screen around it (read ahead) were read, not the ledger.
        assert (0, 0) in screen.matrix.blocks and set(screen.matrix.blocks) <= {(0, 0), (0, 1), (1, 0), (1, 1)}
        assert cursor_cell_text(view) == f"{percent(0, 0)}%"
        for _ in range(5):
            await pilot.press("pagedown")
        for _ in range(UNIT_BLOCK + 9):
            await pilot.press("right")
        await pilot.pause()
        task, unit = view.current()
        assert task is not None and task >= 2 * TASK_BLOCK and unit == UNIT_BLOCK + 9
        assert cursor_cell_text(view) == f"{percent(task, unit)}%"
        status = str(screen.query_one("#matrix-status").render())
        assert f"单位{unit:03d}" in status and f"任务{task + 1}" in status
        await pilot.press("end")  # the last task, past the last full block
        await pilot.pause()
        assert view.current() == (TASKS - 1, unit)
        assert cursor_cell_text(view) == f"{percent(TASKS - 1, unit)}%"
        await pilot.press("home")
        await pilot.pause()
        assert cursor_cell_text(view) == f"{percent(0, unit)}%"


def test_every_cell_read_right_with_few_blocks_kept(big: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Walking the whole matrix keeps at most MAX_BLOCKS loaded; a dropped block is read again."""
    monkeypatch.setattr(matrix_module, "MAX_BLOCKS", 2)
    with big.session() as session:
        ledger = session.execute(sa.select(Ledger.id)).scalar_one()
        matrix = load_matrix(
            session, ledger, as_of=AS_OF, settings=big.settings, calendar=big.calendar, open_session=big.session
        )
    for _ in range(2):  # the second pass reads every block again
        for t in range(TASKS):
            for u in range(UNITS):
                judged = matrix.judge(t, u)
                assert judged is not None and judged.cell.percent == percent(t, u), (t, u)
                assert len(matrix.blocks) <= 2
    assert matrix.loaded_cells() <= 2 * TASK_BLOCK * UNIT_BLOCK


def test_late_only_asks_the_whole_ledger(big: Tracker) -> None:
    """The late-only filter finds late tasks outside the loaded window."""
    with big.engine.begin() as c:
        far = c.execute(sa.select(Task.id).where(Task.position == TASKS - 1)).scalar_one()
        unit = c.execute(sa.select(Unit.id).where(Unit.position == UNITS - 1)).scalar_one()
        c.execute(
            sa.update(Assignment)
            .where(Assignment.task_id == far, Assignment.unit_id == unit)
            .values(due_on=dt.date(2017, 9, 1))
        )
    with big.session() as session:
        ledger = session.execute(sa.select(Ledger.id)).scalar_one()
        matrix = load_matrix(
            session, ledger, as_of=AS_OF, settings=big.settings, calendar=big.calendar, open_session=big.session
        )
    assert matrix.late_tasks() == {TASKS - 1}
    assert matrix.late_tasks(UNITS - 1) == {TASKS - 1}
    assert matrix.late_tasks(0) == set()
    assert list(matrix.blocks) == [(0, 0)]  # answered without reading the cells


def test_cells_read_ahead_are_drawn_without_the_database(big: Tracker) -> None:
    with big.session() as session:
        ledger = session.execute(sa.select(Ledger.id)).scalar_one()
        matrix = load_matrix(
            session, ledger, as_of=AS_OF, settings=big.settings, calendar=big.calendar, open_session=big.session
        )
    window = (range(2 * TASK_BLOCK + 2), range(UNIT_BLOCK + 8))
    assert matrix.missing(*window) == [(0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]  # (0, 0) came with the ledger
    matrix.read_ahead(matrix.missing(*window))
    assert matrix.missing(*window) == []

    def no_database() -> Session:
        raise AssertionError("read from the database")

    matrix.open_session = no_database
    judged = matrix.judge(2 * TASK_BLOCK + 1, UNIT_BLOCK + 7)
    assert judged is not None and judged.cell.percent == percent(2 * TASK_BLOCK + 1, UNIT_BLOCK + 7)
