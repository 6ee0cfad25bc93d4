"""What the portal's tests share: the demo's database with one account of each role (and a
second unit), a clock the tests move, the ASGI test client logged in as any of them, and a real
`tracker serve` on a free loopback port (``live_server``) for the browser tests. Both backends."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from tests.tui.conftest import AS_OF
from tracker.app import Tracker, build
from tracker.demo import seed_demo
from tracker.importing import import_ledgers, read_ledger_file
from tracker.models import Account, Assignment
from tracker.permissions import ROLES
from tracker.usecases import accounts
from tracker.usecases.work import Actor

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse 42"
OWN_UNIT = "南乐县政府"  # the unit account's: notices 3 and 6 concern it alone
OTHER_UNIT = "濮阳县政府"
START = dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC)


class Clock:
    """The portal's clock: tests move it to expire sessions and lockouts."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@dataclass
class Portal:
    tracker: Tracker
    clock: Clock


def seed_accounts(app: Tracker, *, first_change: bool = False) -> None:
    """admin first, then one account per role (``unit`` of OWN_UNIT) and ``unit2`` of OTHER_UNIT,
    all with PASSWORD; their forced first change is cleared unless ``first_change``."""
    accounts.add_account(app, Actor("desk"), "admin", role="admin", password=PASSWORD)
    for role in ROLES:
        if role != "admin":
            accounts.add_account(
                app, Actor("admin"), role, role=role, unit=OWN_UNIT if role == "unit" else "", password=PASSWORD
            )
    accounts.add_account(app, Actor("admin"), "unit2", role="unit", unit=OTHER_UNIT, password=PASSWORD)
    if not first_change:
        with app.session() as session:
            for account in session.exec(select(Account)):
                account.must_change_password = False
            session.commit()


@pytest.fixture
def portal(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    clock = Clock()
    app = build(db_url, None, "测试员", clock=clock)
    seed_demo(app, AS_OF)
    seed_accounts(app)
    yield Portal(app, clock)
    app.engine.dispose()


def import_reporting(portal: Portal, folder: Path) -> None:
    """Add tests/functional/test_unit_side.py's 月报台账 (a monthly report owed by 南乐县政府) to
    the portal's database, as `tracker import` would."""
    from tests.functional.test_unit_side import REPORTING

    source = folder / "reporting.toml"
    source.write_text(REPORTING, encoding="utf-8")
    tracker = portal.tracker
    with tracker.session() as session:
        import_ledgers(session, read_ledger_file(source), by="测试员", now=tracker.now(), calendar=tracker.calendar)
        session.commit()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf": token}, follow_redirects=False)


@pytest.fixture
def client(portal: Portal) -> Iterator[Callable[..., TestClient]]:
    """``client()`` anonymous, ``client("unit")`` logged in as that account."""
    from tracker.web.app import create_app

    made: list[TestClient] = []

    def make(login: str | None = None) -> TestClient:
        browser = TestClient(create_app(portal.tracker), follow_redirects=False)
        made.append(browser)
        if login is not None:
            answer = log_in(browser, login)
            assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
        return browser

    yield make
    for browser in made:
        browser.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    db_url: str
    log: Path


def start_server(db_url: str, folder: Path, config: Path | None = None, workers: int = 1) -> Iterator[LiveServer]:
    """A real `tracker serve` on a free port of 127.0.0.1 (a separate process), stopped after;
    with the config file ``config`` when given, in ``workers`` processes."""
    port = free_port()
    log = folder / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(folder / "data")}
    env.pop("TRACKER_CONFIG", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tracker",
                "--db",
                db_url,
                *(["--config", str(config)] if config else []),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"tracker serve did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield LiveServer(f"http://127.0.0.1:{port}", db_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


@pytest.fixture
def server_config() -> str:
    """The config file ``live_server`` serves with (empty: none, the defaults); a test module
    overrides this fixture to serve with its own, e.g. an approval chain."""
    return ""


@pytest.fixture
def live_server(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server_config: str
) -> Iterator[LiveServer]:
    """The demo's database with the accounts (each to change its password at first login),
    served by a real `tracker serve` (the real clock), with ``server_config`` when given."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = build(db_url, None, "测试员")
    seed_demo(app, AS_OF)
    seed_accounts(app, first_change=True)
    app.engine.dispose()
    config = tmp_path / "config.toml" if server_config else None
    if config is not None:
        config.write_text(server_config, encoding="utf-8")
    yield from start_server(db_url, tmp_path, config)


def move_deadline(db_url: str, assignment_id: int, days: int) -> dt.date:
    """Give the assignment ``assignment_id`` the deadline ``days`` after today (the real clock, as
    `tracker serve` has it), for what may be done only before a deadline; the new deadline."""
    app = build(db_url, None, "测试员")
    try:
        due = app.today() + dt.timedelta(days=days)
        with app.session() as session:
            assignment = session.exec(select(Assignment).where(Assignment.id == assignment_id)).one()
            assignment.due_on = due
            session.add(assignment)
            session.commit()
        return due
    finally:
        app.engine.dispose()


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium for Playwright (never a downloaded browser). Missing: skipped, but a
    failure under CI (CI=true), where .ci/run installs it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    return CHROMIUM
