"""The import writes in bulk (issue 17): the statements it sends do not grow with the ledger, and a
re-import that changes nothing writes no task or assignment."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.db import open_database
from tracker.importing import IMPORT_CACHE_KIB, import_ledgers, read_ledger_file
from tracker.models import Assignment, AuditEntry, Task
from tracker.workdays import WorkCalendar

NOW = dt.datetime(2017, 5, 2, 8, 0, tzinfo=dt.UTC)


def _ledger(path: Path, tasks: int, units: int, deadline: str = "2017年6月30日") -> Path:
    lines = ['title = "批量台账"', 'doc_number = "批〔2017〕1号"', "year = 2017"]
    for u in range(units):
        lines += ["[[units]]", f'name = "单位{u}"', f'person = "责任人{u}"']
    for t in range(tasks):
        lines += ["[[tasks]]", f'text = "任务{t}"', f'deadline = "{deadline}"']
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _import(engine: sa.Engine, path: Path) -> list[str]:
    """Import the file; the SQL statements sent, as sent (an executemany counts once)."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as session:
            import_ledgers(session, read_ledger_file(path), by="test", now=NOW, calendar=WorkCalendar())
            session.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return sent


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    return open_database(db_url)


def test_the_statements_do_not_grow_with_the_tasks(engine: sa.Engine, tmp_path: Path) -> None:
    small = _import(engine, _ledger(tmp_path / "small.toml", tasks=3, units=4))
    large = _import(engine, _ledger(tmp_path / "large.toml", tasks=300, units=4))  # the same ledger, grown
    assert len(large) <= len(small) + 5, large[len(small) :]
    with Session(engine) as session:
        assert len(session.exec(select(Task)).all()) == 300
        assert len(session.exec(select(Assignment)).all()) == 1200


def test_a_reimport_that_changes_nothing_writes_no_task_or_assignment(engine: sa.Engine, tmp_path: Path) -> None:
    path = _ledger(tmp_path / "ledger.toml", tasks=50, units=3)
    _import(engine, path)
    again = _import(engine, path)
    written = {m[1] for s in again if (m := re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', s, re.I))}
    assert "audit" in written and written <= {"audit", "ledger"}, written
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry).order_by(sa.column("id")))]
    assert actions == ["import", "reimport"]


def test_a_new_deadline_is_audited_per_task_and_followed_by_its_assignments(engine: sa.Engine, tmp_path: Path) -> None:
    _import(engine, _ledger(tmp_path / "ledger.toml", tasks=40, units=3))
    _import(engine, _ledger(tmp_path / "ledger.toml", tasks=40, units=3, deadline="2017年9月30日"))
    with Session(engine) as session:
        dues = {a.due_on for a in session.exec(select(Assignment))}
        audited = [e for e in session.exec(select(AuditEntry)) if e.action == "deadline"]
    assert dues == {dt.date(2017, 9, 30)}
    assert len(audited) == 40 and {e.task_id for e in audited} == set(range(1, 41))


def test_the_import_writes_with_a_small_page_cache_and_sets_it_back(engine: sa.Engine, tmp_path: Path) -> None:
    """SQLite's page cache is kept small while an import writes (memory, issue 17) and is the
    connection's usual one again afterwards: the connection goes back to the pool."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache")
    seen: list[int] = []

    def cache(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO task"):
            seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar())

    with Session(engine) as session:
        usual = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        sa.event.listen(engine, "after_cursor_execute", cache)
        try:
            import_ledgers(
                session,
                read_ledger_file(_ledger(tmp_path / "l.toml", 3, 2)),
                by="test",
                now=NOW,
                calendar=WorkCalendar(),
            )
        finally:
            sa.event.remove(engine, "after_cursor_execute", cache)
        assert seen and set(seen) == {-IMPORT_CACHE_KIB}
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == usual == -65536
        session.commit()
