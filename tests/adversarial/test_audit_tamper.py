"""The audit trail cannot be rewritten with raw SQL, on either database.

UPDATE and DELETE were refused from the start; these are the ways around them: SQLite's
``INSERT OR REPLACE`` (its implicit delete fires no DELETE trigger), an upsert, and PostgreSQL's
``TRUNCATE`` (no row trigger fires on it).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import BACKEND
from tracker import audit
from tracker.db import open_database

NOW = dt.datetime(2017, 5, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    engine = open_database(db_url)
    with Session(engine) as session:
        audit.record(session, at=NOW, by="clerk", action="note", ledger_id=None, subject="x", after={"a": 1})
        session.commit()
    return engine


def _rows(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT id, by, subject FROM audit ORDER BY id"))]


def _refused(engine: sa.Engine, statement: str) -> None:
    before = _rows(engine)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert _rows(engine) == before


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite syntax")
def test_insert_or_replace_cannot_overwrite_a_row(engine: sa.Engine) -> None:
    (first,) = _rows(engine)
    _refused(
        engine,
        f"INSERT OR REPLACE INTO audit (id, at, by, action, subject, before, after) "
        f"VALUES ({first[0]}, '2017-05-02 08:00:00', 'intruder', 'note', 'y', '', '')",
    )
    _refused(
        engine,
        "REPLACE INTO audit (id, at, by, action, subject, before, after) "
        f"SELECT id, at, 'intruder', action, subject, before, after FROM audit WHERE id = {first[0]}",
    )


def test_upsert_cannot_overwrite_a_row(engine: sa.Engine) -> None:
    (first,) = _rows(engine)
    _refused(
        engine,
        f"INSERT INTO audit (id, at, by, action, subject, before, after) "
        f"VALUES ({first[0]}, '2017-05-02 08:00:00', 'intruder', 'note', 'y', '', '') "
        "ON CONFLICT (id) DO UPDATE SET by = 'intruder'",
    )


@pytest.mark.skipif(BACKEND != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused(engine: sa.Engine) -> None:
    _refused(engine, "TRUNCATE audit")
    _refused(engine, "TRUNCATE audit RESTART IDENTITY CASCADE")


def test_new_rows_are_still_appended(engine: sa.Engine) -> None:
    with Session(engine) as session:
        audit.record(session, at=NOW, by="clerk", action="note", ledger_id=None, subject="z")
        rows = [audit.entry(at=NOW, by="clerk", action="note", ledger_id=None, subject=s) for s in "uv"]
        audit.record_many(session, rows)
        session.commit()
    assert sorted(row[2] for row in _rows(engine)) == ["u", "v", "x", "z"]
