"""Database roles on PostgreSQL: each person connects as their own login role, a member of one of
the groups migration 0015 makes (tracker/pg_roles.py). A viewer's connection cannot write even
with raw SQL outside the product, a clerk's records progress through the product as itself (the
audit's ``by`` is the role connected), and ``--as`` cannot name someone else on such a connection.

Each test makes its own login roles with unique names and drops them afterwards, whatever
happened: only the four group roles outlive the run."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from tests.conftest import BACKEND, PG_URL
from tests.tui.conftest import AS_OF, demo
from tracker.app import Tracker
from tracker.db import open_database
from tracker.models import AuditEntry
from tracker.permissions import PermissionDenied
from tracker.pg_roles import GROUPS
from tracker.usecases import accounts, check, progress
from tracker.usecases.work import Actor, actor_of

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="database roles are PostgreSQL's (SQLite is one desk's file, without roles)"
)

PUYANG = "濮政办〔2017〕13号"
UNIT = "南乐县政府"
PASSWORD = "correct horse 42"
ADMIN = Actor("admin")
DOING = progress.Progress("doing", percent=60)

Connect = Callable[..., tuple[str, Tracker]]


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """The demo's database, owner connection, with an admin account (accounts are on)."""
    for app in demo(db_url):
        accounts.add_account(app, Actor("desk"), ADMIN.name, role="admin", password=PASSWORD)
        yield app


@pytest.fixture
def connect_as(tracker: Tracker) -> Iterator[Connect]:
    """``connect_as(role, user=…)``: a new login role in ``role``'s group with an account of the
    same name, and the tracker as that role connects (the OS user ``user``, ``--as`` when
    ``named``). The login roles are dropped at the end, also when the test failed."""
    owner = sa.create_engine(PG_URL)
    made: list[tuple[str, sa.Engine | None]] = []

    def connect(role: str, *, user: str = "os-user", named: bool = False) -> tuple[str, Tracker]:
        login = f"trk_{role}_{uuid.uuid4().hex[:12]}"
        made.append((login, None))
        with owner.begin() as connection:
            connection.exec_driver_sql(f'CREATE ROLE "{login}" LOGIN IN ROLE {GROUPS[role]}')
        accounts.add_account(tracker, ADMIN, login, role=role, password=PASSWORD)
        url = tracker.engine.url.set(username=login).render_as_string(hide_password=False)
        engine = open_database(url)
        made[-1] = (login, engine)
        return login, dataclasses.replace(tracker, engine=engine, user=user, named=named)

    try:
        yield connect
    finally:
        for login, engine in made:
            if engine is not None:
                engine.dispose()
            with owner.begin() as connection:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{login}"')
        owner.dispose()


def trail(tracker: Tracker) -> list[AuditEntry]:
    with tracker.session() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def refused(engine: sa.Engine, statement: str) -> str:
    with pytest.raises(sa.exc.ProgrammingError) as error, engine.begin() as connection:
        connection.exec_driver_sql(statement)
    return str(error.value.orig)


def test_a_viewer_cannot_write_even_outside_the_product(connect_as: Connect) -> None:
    _, viewer = connect_as("viewer")
    with viewer.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM assignment").scalar_one() > 0
    for statement in (
        "INSERT INTO assignment SELECT * FROM assignment LIMIT 1",
        "UPDATE assignment SET status = status",
        "DELETE FROM assignment",
        "UPDATE account SET role = 'admin'",
    ):
        assert "permission denied" in refused(viewer.engine, statement), statement
    with pytest.raises(PermissionDenied):
        progress.record_progress(viewer, actor_of(viewer), PUYANG, "6", UNIT, DOING)


def test_nobody_but_the_owner_rewrites_the_audit_trail_or_the_accounts(connect_as: Connect) -> None:
    for role in ("clerk", "supervisor", "admin"):
        _, app = connect_as(role)
        for statement in ("UPDATE audit SET by = 'x'", "DELETE FROM audit"):
            assert "permission denied" in refused(app.engine, statement), (role, statement)
        if role != "admin":
            assert "permission denied" in refused(app.engine, "UPDATE account SET role = 'admin'"), role


def test_a_clerk_records_progress_as_the_role_it_connects_as(tracker: Tracker, connect_as: Connect) -> None:
    login, clerk = connect_as("clerk", user="someone-else-on-this-pc")
    assert actor_of(clerk) == Actor(login)  # the OS user is not who acts: the database role is
    before = len(trail(tracker))
    progress.record_progress(clerk, actor_of(clerk), PUYANG, "6", UNIT, DOING)
    added = trail(tracker)[before:]
    assert added and {entry.by for entry in added} == {login}
    check.run_daily_check(clerk, actor_of(clerk), as_of=AS_OF)  # the grants cover the daily check too
    assert actor_of(dataclasses.replace(clerk, user=login, named=True)) == Actor(login)  # --as yourself


def test_as_cannot_name_someone_else_on_a_role_connection(tracker: Tracker, connect_as: Connect) -> None:
    login, clerk = connect_as("clerk", user=ADMIN.name, named=True)
    before = len(trail(tracker))
    with pytest.raises(PermissionDenied) as refusal:
        actor_of(clerk)
    assert refusal.value.key == "identity_not_yours"
    assert [(e.action, e.by, e.subject) for e in trail(tracker)[before:]] == [("refused", login, "as")]
    with pytest.raises(PermissionDenied):
        actor_of(dataclasses.replace(clerk, named=False), ADMIN.name)
    # The owner's connection (the DBA's, the scheduler's) may still name who acts, as on SQLite.
    assert actor_of(tracker, ADMIN.name) == Actor(ADMIN.name)


def test_as_refused_through_the_command_line(cli, connect_as: Connect) -> None:  # type: ignore[no-untyped-def]
    _, clerk = connect_as("clerk")
    url = clerk.engine.url.render_as_string(hide_password=False)
    result = cli("--db", url, "--as", ADMIN.name, "ack", "3")
    assert result.code == 2 and "admin" in result.err and "Traceback" not in result.err


def test_a_termination_chain_through_role_connections(tracker: Tracker, connect_as: Connect) -> None:
    """The grants cover the requests and steps tables: a supervisor's connection asks, a clerk's
    approves, and each audit row carries the role connected."""
    from tracker.config import ApprovalSettings
    from tracker.usecases import changes

    tracker.settings = tracker.settings.model_copy(update={"approval": ApprovalSettings(termination=["clerk"])})
    asker, supervisor = connect_as("supervisor")
    decider, clerk = connect_as("clerk")
    made = changes.terminate(supervisor, actor_of(supervisor), PUYANG, UNIT, reason="机构撤并")
    assert made.request == "T1"
    assert changes.decide_request(clerk, actor_of(clerk), made.request, approve=True).status == "approved"
    done = [(e.action, e.by) for e in trail(tracker) if e.action.startswith(("termination", "terminate"))]
    assert done == [
        ("termination-request", asker),
        ("termination-step-approved", decider),
        ("termination-approved", decider),
        ("terminate", decider),
    ]


def test_only_an_admin_role_touches_the_portals_sessions(connect_as: Connect) -> None:
    """A clerk's own connection could otherwise insert a session row for an admin's login and
    hold its token (the table keeps SHA-256 of tokens): the portal connects as the owner."""
    forged = (
        "INSERT INTO web_session (token_hash, login, created_at, expires_at, last_seen_at) "
        "VALUES ('x', 'admin', now(), now() + interval '1 hour', now())"
    )
    for role in ("viewer", "clerk", "supervisor"):
        _, app = connect_as(role)
        for statement in (forged, "SELECT * FROM web_session", "DELETE FROM login_attempt", "SELECT * FROM login_link"):
            assert "permission denied" in refused(app.engine, statement), (role, statement)
