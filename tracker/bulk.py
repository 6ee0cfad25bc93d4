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


class Inserter:
    """INSERTs of many rows into one table that differ in a few columns (``varying``) and share
    the rest (``constants``), handed to the driver's executemany as they are.

    SQLAlchemy's own executemany processes every parameter of every row in Python, which costs
    several times the database's work at a million rows; here the constants are processed once
    and only the varying columns that need it (a date on SQLite) per row."""

    def __init__(self, session: Session, table: sa.Table, constants: dict[str, Any], varying: Sequence[str]) -> None:
        self.session = session
        connection = session.connection()
        dialect = connection.dialect
        names = [*varying, *constants]
        compiled = sa.insert(table).compile(dialect=dialect, column_keys=names)
        self.sql = compiled.string

        def processor(name: str) -> Any:
            return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

        fixed = {name: (p(value) if (p := processor(name)) else value) for name, value in constants.items()}
        self.processors = [processor(name) for name in varying]
        self.varying = list(varying)
        order = compiled.positiontup if compiled.positional else None
        # Where each varying value goes, and the constants in place: a row is built by one copy.
        self.names = list(order) if order is not None else names
        self.positional = order is not None
        self.slots = [self.names.index(name) for name in varying]
        self.template = [fixed.get(name) for name in self.names]
        self.rows: list[Any] = []

    def add(self, *values: Any) -> None:
        row = self.template.copy()
        for slot, process, value in zip(self.slots, self.processors, values, strict=True):
            row[slot] = process(value) if process is not None and value is not None else value
        self.rows.append(tuple(row) if self.positional else dict(zip(self.names, row, strict=True)))
        if len(self.rows) >= ROWS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.session.connection().exec_driver_sql(self.sql, self.rows)
            self.rows = []


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
