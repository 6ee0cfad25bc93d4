"""What one portal request costs the database: the statements a page sends (each is a round trip
and a few milliseconds of SQLAlchemy under load), and the session look-up writing ``last_seen_at``
at most once a minute. Both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import select
from starlette.testclient import TestClient

from tests.web.conftest import Portal
from tests.web.test_work import OWN
from tracker.models import WebSession

Client = Callable[..., TestClient]


@contextmanager
def statements(portal: Portal) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement.split(None, 1)[0].upper())

    sa.event.listen(portal.tracker.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(portal.tracker.engine, "before_cursor_execute", count)


def test_a_page_sends_few_statements(client: Client, portal: Portal) -> None:
    """The session and its account in one query; the permission check's account look-up without
    counting the accounts first; a task's assignment, unit, task and ledger in one query; 我的任务
    without asking first whether the unit exists, its units and their ledgers in one query."""
    unit = client("unit")
    unit.get("/")
    with statements(portal) as home:
        assert unit.get("/").status_code == 200
    with statements(portal) as task:
        assert unit.get(f"/assignments/{OWN}").status_code == 200
    assert len(home) <= 7, home
    assert len(task) <= 7, task


def test_the_session_look_up_is_one_query_that_writes_at_most_once_a_minute(client: Client, portal: Portal) -> None:
    from tracker.usecases.sessions import visitor_of

    unit = client("unit")
    token = unit.cookies["tracker_session"]

    def last_seen() -> object:
        with portal.tracker.session() as session:
            return session.exec(select(WebSession.last_seen_at)).one()

    opened = last_seen()
    portal.clock.advance(seconds=50)
    with statements(portal) as sent:
        visitor = visitor_of(portal.tracker, token)
    assert visitor is not None and visitor.login == "unit"
    assert sent == ["SELECT"]  # no UPDATE within the minute
    assert last_seen() == opened
    portal.clock.advance(seconds=20)
    with statements(portal) as sent:
        assert visitor_of(portal.tracker, token) is not None
    assert sent == ["SELECT", "UPDATE"]
    assert last_seen() != opened
