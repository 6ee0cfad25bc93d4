"""Many rows in few statements: the import writes tens of thousands of tasks and a million
assignments, where a statement (or an ORM object) per row costs far more than the rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")

ROWS_PER_BATCH = 20_000  # rows kept before an executemany: bounds the memory of a million-row import
IDS_PER_QUERY = 900  # values in one IN (...): far below SQLite's 32,766 bound parameters and PG's 65,535


def chunks(items: Sequence[T], size: int = IDS_PER_QUERY) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_many(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows (dicts with the same keys) by executemany, and empty the list."""
    if rows:
        session.connection().execute(sa.insert(table), rows)
        rows.clear()


def update_many(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """UPDATE by primary key ``id``: each row is {"id": ..., column: new value, ...}, all with the
    same columns; the list is emptied."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    # Bound names differ from the columns' (SQLAlchemy reserves those for the SET clause itself).
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in columns})
    )
    params = [{"row_id": row["id"], **{f"new_{name}": row[name] for name in columns}} for row in rows]
    session.connection().execute(statement, params)
    rows.clear()
