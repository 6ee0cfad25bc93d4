"""Engines and migrations.

SQLite by default (a file in the user's data directory, WAL mode, readable by its owner only);
PostgreSQL by URL (``postgresql+psycopg://…``). Every command opens the database through
``open_database``, which brings an older schema up to date first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlalchemy.engine import Engine

from tracker.errors import InputError

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Comparing against this constant (a test keeps it equal to Alembic's head)
# lets a current database open without importing Alembic, which costs a quarter second per command.
HEAD = "0020"


def default_url() -> str:
    path = Path(user_data_dir("tracker", appauthor=False)) / "tracker.db"
    return f"sqlite:///{path}"


def _prepare_sqlite_file(url: sa.URL) -> None:
    """Create the file (and its folder) readable by its owner only, before SQLite does."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    try:
        if path.exists() and not path.is_file():  # a folder, /dev/null, a FIFO (opening one hangs)
            raise InputError(f"--db: {path} is not a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename and str(exc.filename) != str(path) else ""
        raise InputError(f"--db: cannot create {path} ({where}{exc.strerror or exc})") from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs the log at checkpoints, not at every commit: a commit survives a
    # crash of the process (the log is in the OS's hands once the commit returns) and only a
    # power cut can lose the last few; the outbox's claim → send → mark needs no more, and the
    # notify run's two commits per message no longer wait for the disk.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def optimize(connection: sa.Connection) -> None:
    """Refresh SQLite's statistics where they are missing or stale, as SQLite advises doing when a
    connection that did real work closes (``PRAGMA optimize``), approximately (analysis_limit: a
    few hundred rows per index, milliseconds even at a million assignments). The queries that
    matter do not depend on these statistics (tests/functional/test_query_plan.py); the others
    may profit from them. Nothing on PostgreSQL, whose autovacuum does the same. The caller's
    transaction commits what it wrote (a session's own: committing the connection under the
    session would leave the session's transaction dead)."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("PRAGMA analysis_limit=400")
    connection.exec_driver_sql("PRAGMA optimize")


def make_engine(url: str) -> Engine:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise InputError(f"--db: {url!r} is not a database URL (sqlite:///FILE or postgresql+psycopg://…)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise InputError(f"--db: {backend} is not supported (use sqlite:/// or postgresql+psycopg://)")
    try:
        if backend == "sqlite":
            engine = sa.create_engine(parsed)
            _prepare_sqlite_file(parsed)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    except sa.exc.ArgumentError:  # NoSuchModuleError: an unknown driver after the +
        raise InputError(
            f"--db: {parsed.drivername} is not a driver we know (use sqlite:/// or postgresql+psycopg://)"
        ) from None


def _alembic_config(connection: sa.Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """Alembic's own idea of the newest revision (tests compare it with HEAD)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when it is current)."""
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    except sa.exc.DatabaseError as exc:  # unreachable, or a file that is not a database at all
        raise InputError(f"--db: cannot open the database {engine.url!r}: {exc.orig}") from None
    if current == HEAD:
        return
    from alembic import command

    from tracker.locks import hold_on

    with engine.begin() as connection:
        # Several processes may open a new database at once (cron, the scheduler, a clerk): one
        # upgrades, the others wait for it and then find the schema current.
        hold_on(connection, "migrate")
        if current_revision(connection) == HEAD:
            return
        command.upgrade(_alembic_config(connection), "head")
        from tracker.pg_roles import grant_groups

        grant_groups(connection)  # the new revisions' tables too (nothing on SQLite)


def open_database(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine
