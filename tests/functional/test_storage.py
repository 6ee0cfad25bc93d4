"""Storage: migrations, the append-only audit trail, concurrent edits, the SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from tests.conftest import BACKEND, LEDGERS
from tracker import audit
from tracker.audit import Stamp
from tracker.db import HEAD, head_revision, make_engine, open_database
from tracker.errors import StaleEditError
from tracker.importing import import_ledgers, read_ledger_file
from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
from tracker.models import Assignment, AuditEntry, ProgressEvent, Status
from tracker.progress import ProgressUpdate, record_progress
from tracker.workdays import WorkCalendar

NOW = dt.datetime(2017, 5, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    engine = open_database(db_url)
    with Session(engine) as session:
        import_ledgers(
            session,
            read_ledger_file(LEDGERS / "puyang-2017-digital-city.toml"),
            by="test",
            now=NOW,
            calendar=WorkCalendar(),
        )
        session.commit()
    return engine


def test_migrations_match_the_models(engine: sa.Engine) -> None:
    dialect = engine.dialect.name

    def on_this_backend(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        """An index the models create only on another backend (``ddl_if``) is not expected here."""
        condition = getattr(obj, "_ddl_if", None)
        return reflected or condition is None or condition.dialect in (None, dialect)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": on_this_backend})
        assert context.get_current_revision() == head_revision() == HEAD
        assert compare_metadata(context, SQLModel.metadata) == []
        indexes = {i["name"] for i in sa.inspect(connection).get_indexes("assignment")}
        # The covering index on SQLite; on PostgreSQL none that holds the escalation state.
        assert ("ix_assignment_scan" in indexes) == (dialect == "sqlite")
        assert ("ix_assignment_due" in indexes) == (dialect == "postgresql")


def test_opening_again_is_a_no_op_and_an_empty_database_is_brought_up_to_date(db_url: str) -> None:
    first = open_database(db_url)
    second = open_database(db_url)
    with second.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        assert "assignment" in sa.inspect(connection).get_table_names()
    first.dispose()
    second.dispose()


def test_audit_trail_is_append_only_in_the_database_itself(engine: sa.Engine) -> None:
    with Session(engine) as session:
        audit.record(session, at=NOW, by="test", action="note", ledger_id=None, subject="x", after={"a": 1})
        session.commit()
        count = len(list(session.exec(select(AuditEntry))))
    for statement in ("UPDATE audit SET by = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text(statement))
    with Session(engine) as session:
        rows = list(session.exec(select(AuditEntry)))
    assert len(rows) == count and all(row.by == "test" for row in rows)


def _assignment(session: Session, seq: str, unit: str) -> Assignment:
    ledger = find_ledger(session, "1")
    return find_assignment(session, find_task(session, ledger, seq), find_unit(session, ledger, unit))


def test_two_sessions_editing_the_same_assignment(engine: sa.Engine) -> None:
    """Both read version 1; the first write wins, the second is refused, nothing is lost."""
    first, second = Session(engine), Session(engine)
    try:
        a1 = _assignment(first, "2", "南乐县")
        a2 = _assignment(second, "2", "南乐县")
        assert a1.version == a2.version == 1
        first.commit()  # end the read transactions; the versions were read
        second.commit()
        today = dt.date(2017, 5, 2)
        record_progress(
            first,
            a1,
            ProgressUpdate(Status.DOING, note="方案编写中"),
            Stamp("甲", NOW),
            today=today,
            expected_version=1,
        )
        first.commit()
        with pytest.raises(StaleEditError, match="changed by someone else"):
            record_progress(
                second,
                a2,
                ProgressUpdate(Status.DONE, dt.date(2017, 5, 1)),
                Stamp("乙", NOW),
                today=today,
                expected_version=1,
                subject="任务 2 / 南乐县政府",
            )
        second.rollback()
    finally:
        first.close()
        second.close()
    with Session(engine) as session:
        stored = _assignment(session, "2", "南乐县")
        events = list(session.exec(select(ProgressEvent).where(ProgressEvent.assignment_id == stored.id)))
    assert (stored.status, stored.note, stored.version) == ("doing", "方案编写中", 2)
    assert [(e.by, e.status) for e in events] == [("甲", "doing")]


def test_progress_without_expected_version_still_detects_a_concurrent_write(engine: sa.Engine) -> None:
    reader = Session(engine, expire_on_commit=False)  # as the app's sessions: loaded values are kept
    try:
        stale = _assignment(reader, "1", "濮阳县")
        reader.commit()
        with Session(engine) as other:
            record_progress(
                other,
                _assignment(other, "1", "濮阳县"),
                ProgressUpdate(Status.DOING),
                Stamp("甲", NOW),
                today=dt.date(2017, 5, 2),
            )
            other.commit()
        with pytest.raises(StaleEditError):
            record_progress(
                reader,
                stale,
                ProgressUpdate(Status.DONE, dt.date(2017, 3, 30)),
                Stamp("乙", NOW),
                today=dt.date(2017, 5, 2),
            )
    finally:
        reader.close()


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite file's own properties")
def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "tracker.db"
    engine = open_database(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_default_database_lives_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from tracker.db import default_url

    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'tracker' / 'tracker.db'}"


def test_unreachable_database_is_a_clear_error() -> None:
    from tracker.errors import InputError

    with pytest.raises(InputError, match="cannot open the database"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(InputError, match="not a database URL"):
        make_engine("::::")


def test_an_older_database_is_brought_up_to_date(db_url: str) -> None:
    """A database left at the first revision, with data in it, is upgraded by the next command."""
    from alembic import command

    from tracker.db import _alembic_config

    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.execute(
            sa.text(
                "INSERT INTO ledger (title, doc_number, issuer, source, created_at, updated_at) "
                "VALUES ('旧台账', '', '', '', '2017-01-01 00:00:00', '2017-01-01 00:00:00')"
            )
        )
    upgraded = open_database(db_url)
    with upgraded.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert "notice" in sa.inspect(connection).get_table_names()
        assert connection.execute(sa.text("SELECT title FROM ledger")).scalar() == "旧台账"
