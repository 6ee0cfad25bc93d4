"""The steady check's plans do not depend on SQLite's statistics (issue 17).

With ``sqlite_stat1`` as ``ANALYZE`` leaves it on a million assignments, SQLite chose to start
the "ten most overdue" query from ledger × unit and sort every open row: 4 s instead of 0.85 s.
Here the statistics of that database are put in place on a small one (the planner reads only
the numbers), and the plans of the statements the check runs are read with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's query planner")

LEDGER = """
title = "老旧小区改造"
doc_number = "测试〔2017〕2号"
year = 2017

[[units]]
name = "南乐县政府"
person = "李新"
[[units]]
name = "范县政府"
person = "王芳"

[[tasks]]
text = "完成改造方案"
deadline = "2017年3月31日"
[[tasks]]
text = "开工建设"
deadline = "2017年4月10日"
"""

# sqlite_stat1 of benchmarks/make_db.py's 1,000 × 1,000 database after its first check and ANALYZE.
MILLION = [
    ("assignment", "ix_assignment_scan", "1000000 333334 548 548 548 2"),
    ("assignment", "ix_assignment_unit_id", "1000000 1000"),
    ("assignment", "ix_assignment_task_id", "1000000 1000"),
    ("assignment", "sqlite_autoindex_assignment_1", "1000000 1000 1"),
    ("notice", "ix_notice_ledger_id", "3001 3001"),
    ("notice_item", "ix_notice_item_notice_id", "320434 107"),
    ("unit", "ix_unit_ledger_id", "1000 1000"),
    ("unit", "sqlite_autoindex_unit_1", "1000 1000 1"),
    ("person", "uq_person_current", "1000 1"),
    ("person", "ix_person_unit_id", "1000 1"),
    ("ledger", "sqlite_autoindex_ledger_1", "1 1 1"),
    ("task", "ix_task_ledger_id", "1000 1000"),
    ("task", "ix_task_due_on", "1000 2"),
    ("task", "sqlite_autoindex_task_1", "1000 1000 1"),
]


def with_million_statistics(url: str) -> sa.Engine:
    from tracker.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")  # creates sqlite_stat1
        connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        connection.execute(
            sa.text("INSERT INTO sqlite_stat1 VALUES (:t, :i, :s)"), [dict(zip("tis", r, strict=True)) for r in MILLION]
        )
    engine.dispose()  # new connections read the statistics
    return make_engine(url)


def plans_of_most_overdue(engine: sa.Engine, as_of: dt.date) -> list[tuple[str, list[str]]]:
    """Each statement ``task_findings(most_overdue=10)`` runs, with its plan."""
    from tracker.config import Settings
    from tracker.scan import task_findings

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, params))

    settings = Settings()
    sa.event.listen(engine, "before_cursor_execute", record)
    with Session(engine) as session:
        findings = task_findings(session, as_of, settings.escalation, settings.work_calendar(), most_overdue=10)
    sa.event.remove(engine, "before_cursor_execute", record)
    assert findings, "the ledger has overdue assignments"
    plans = []
    with engine.connect() as connection:
        for statement, params in statements:
            if "FROM assignment" in statement:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
                plans.append((statement, [str(r[-1]) for r in rows]))
    return plans


def test_the_most_overdue_stay_on_the_scan_index_with_statistics(cli, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ledger.toml").write_text(LEDGER, encoding="utf-8")
    assert cli("import", tmp_path / "ledger.toml").code == 0
    engine = with_million_statistics(db_url)
    plans = plans_of_most_overdue(engine, dt.date(2017, 4, 20))
    engine.dispose()
    assert plans
    for _statement, plan in plans:
        text = "\n".join(plan)
        assert "SCAN unit" not in text, text  # never from ledger × unit, nor through every unit
        assert "USE TEMP B-TREE FOR ORDER BY" not in text, text  # never a sort of every open row
        first = plan[0]
        # Driven by assignments: along the scan index in deadline order, or by id for the few found.
        assert first.startswith(
            ("SEARCH assignment USING COVERING INDEX ix_assignment_scan", "SEARCH assignment USING INTEGER PRIMARY KEY")
        ), text
    assert any("ix_assignment_scan (status=? AND due_on<?)" in p[0] for _, p in plans)
