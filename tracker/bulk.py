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


# The driver's placeholder for a positional parameter, by DB-API paramstyle (psycopg takes %s
# whether SQLAlchemy speaks to it in the "format" or the "pyformat" style).
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class Inserter:
    """INSERTs of many rows into one table that differ in a few columns (``varying``) and share
    the rest (``constants``), handed to the driver's executemany as plain tuples.

    SQLAlchemy's own executemany processes every parameter of every row in Python, which costs
    several times the database's work at a million rows; here the constants are processed once
    and, per row, only the varying values whose type needs it (a date, on SQLite)."""

    def __init__(self, session: Session, table: sa.Table, constants: dict[str, Any], varying: Sequence[str]) -> None:
        self.session = session
        dialect = session.connection().dialect
        placeholder = _PLACEHOLDERS[dialect.paramstyle]

        def processor(name: str) -> Any:
            return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

        names = [*varying, *constants]
        quote = dialect.identifier_preparer.quote
        self.sql = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(name) for name in names)}) VALUES ({', '.join([placeholder] * len(names))})"
        )
        self.constants = tuple(p(value) if (p := processor(name)) else value for name, value in constants.items())
        self.processed = [(i, p) for i, name in enumerate(varying) if (p := processor(name)) is not None]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        if self.processed:
            changed = list(values)
            for i, process in self.processed:
                if changed[i] is not None:
                    changed[i] = process(changed[i])
            values = tuple(changed)
        self.rows.append(values + self.constants)
        if len(self.rows) >= ROWS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.session.connection().exec_driver_sql(self.sql, self.rows)
            self.rows = []
