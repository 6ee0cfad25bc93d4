"""Notice items name what exists, on both backends (issue 17: PostgreSQL checks per statement).

SQLite keeps its foreign keys; PostgreSQL checks a statement's items at once and refuses the
deletion of anything items still name (migration 0009). Either way: an IntegrityError.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.functional.test_notify import LEDGER, check

MISSING = 10**9


@pytest.fixture
def checked(cli, db_url: str, tmp_path: Path) -> sa.Engine:  # type: ignore[no-untyped-def]
    (tmp_path / "ledger.toml").write_text(LEDGER, encoding="utf-8")
    assert cli("import", tmp_path / "ledger.toml").code == 0
    check(cli, "2017-04-20")  # notices with items for every unit
    from tracker.db import make_engine

    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def one_item(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT notice_id, unit_id, assignment_id FROM notice_item WHERE assignment_id IS NOT NULL")
        ).first()
    assert row is not None
    return dict(row._mapping)


@pytest.mark.parametrize("column", ["notice_id", "unit_id", "assignment_id", "report_id"])
def test_an_item_naming_nothing_is_refused(checked: sa.Engine, column: str) -> None:
    item = {**one_item(checked), "report_id": None, column: MISSING}
    insert = sa.text(
        "INSERT INTO notice_item (notice_id, unit_id, assignment_id, report_id, level, deadline, days_overdue)"
        " VALUES (:notice_id, :unit_id, :assignment_id, :report_id, 9, NULL, 0)"
    )
    with pytest.raises(sa.exc.IntegrityError), checked.begin() as connection:
        connection.execute(insert, item)


def test_many_items_at_once_are_checked_as_one(checked: sa.Engine) -> None:
    """A bulk insert with one bad row among good ones fails whole (as the check writes them)."""
    item = one_item(checked)
    rows = [{**item, "level": 10 + n} for n in range(50)] + [{**item, "level": 99, "notice_id": MISSING}]
    insert = sa.text(
        "INSERT INTO notice_item (notice_id, unit_id, assignment_id, level, deadline, days_overdue)"
        " VALUES (:notice_id, :unit_id, :assignment_id, :level, NULL, 0)"
    )
    with pytest.raises(sa.exc.IntegrityError), checked.begin() as connection:
        connection.execute(insert, rows)
    with checked.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM notice_item WHERE level >= 10")).scalar() == 0
    with checked.begin() as connection:  # the good ones alone are fine
        connection.execute(insert, rows[:-1])


@pytest.mark.parametrize("table,column", [("notice", "notice_id"), ("assignment", "assignment_id")])
def test_what_items_name_cannot_be_deleted(checked: sa.Engine, table: str, column: str) -> None:
    named = one_item(checked)[column]
    with pytest.raises(sa.exc.IntegrityError), checked.begin() as connection:
        connection.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": named})
