"""Shared fixtures. The whole suite runs once per database backend:

TRACKER_TEST_DB=sqlite (default) gives each test a fresh SQLite file; TRACKER_TEST_DB=postgresql
gives each test its own schema in the database TRACKER_TEST_PG points at, dropped afterwards.
When PostgreSQL is unreachable the run is skipped, unless TRACKER_REQUIRE_PG=1 (as CI sets), which
turns the skip into a failure.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.http_server import FakeService, running_service
from tests.smtp_server import Server

ROOT = Path(__file__).resolve().parent.parent
LEDGERS = ROOT / "ledgers"
BACKEND = os.environ.get("TRACKER_TEST_DB", "sqlite")
PG_URL = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_problem() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    return None


def pytest_report_header(config: pytest.Config) -> str:
    return f"tracker test database: {BACKEND}" + (f" ({PG_URL})" if BACKEND == "postgresql" else "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgresql":
        return
    problem = _pg_problem()
    if problem is None:
        return
    if os.environ.get("TRACKER_REQUIRE_PG") == "1":
        pytest.exit(f"PostgreSQL is required (TRACKER_REQUIRE_PG=1) but unreachable: {problem}", returncode=1)
    skip = pytest.mark.skip(reason=f"PostgreSQL unreachable: {problem}")
    for item in items:
        item.add_marker(skip)


def _pg_schema_url(schema: str) -> str:
    url = sa.make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def _refusals_in_chinese() -> Iterator[None]:
    """Every test starts with refusals worded in Chinese, the default, whatever language the test
    before it chose (the terminal UI's app and `tracker --lang` choose one for the process)."""
    from tracker import refusals

    refusals.set_language("zh")
    yield
    refusals.set_language("zh")


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the backend under test."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            _drop_logins_made_in(connection, schema)
        admin.dispose()


def _drop_logins_made_in(connection: sa.Connection, schema: str) -> None:
    """Drop the login roles `tracker user add` made in ``schema`` (roles are the cluster's: they
    outlive the schema, and would meet the next run's accounts of the same name)."""
    from tracker.pg_roles import MARK, quote_role

    where = connection.execute(sa.text("SELECT current_database()")).scalar_one() + "." + schema
    made = connection.execute(
        sa.text("SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') = :mark"),
        {"mark": f"{MARK} ({where})"},
    ).scalars()
    for name in list(made):
        try:
            with connection.begin_nested():  # one still in use elsewhere stays: it is harmless
                connection.exec_driver_sql(f"DROP ROLE IF EXISTS {quote_role(name)}".replace("%", "%%"))
        except sa.exc.DBAPIError:
            pass


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        import json

        return json.loads(self.out)


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `tracker ARGS` in-process against the test database; returns code, stdout, stderr."""
    from tracker.cli import main

    monkeypatch.setenv("TRACKER_DB", db_url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # nothing lands in the real data folder
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def tracker_exe() -> list[str]:
    """The installed `tracker` command, for tests that need a real process."""
    return [sys.executable, "-m", "tracker"]


@pytest.fixture
def server() -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), recording what it accepts."""
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def service() -> Iterator[FakeService]:
    """A real HTTP server on 127.0.0.1 (a robot, a webhook), answering as the test says."""
    with running_service() as fake:
        yield fake
