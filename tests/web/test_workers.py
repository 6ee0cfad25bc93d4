"""`tracker serve --workers 2`: a real server of two processes on a free loopback port; a login
made in one process holds in the other (sessions are in the database, each process builds its
own Tracker). Both backends."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from tests.tui.conftest import AS_OF
from tests.web.conftest import OWN_UNIT, PASSWORD, Portal, csrf_of, log_in, seed_accounts, start_server
from tracker.app import build
from tracker.demo import seed_demo

ANSWERED = re.compile(r"\[(\d+)\] tracker\.web\.access INFO \S+ \"GET /\" 200 \S+ unit$", re.M)


def test_a_login_holds_in_every_worker(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = build(db_url, None, "测试员")
    seed_demo(app, AS_OF)
    seed_accounts(app)
    app.engine.dispose()
    server_context = start_server(db_url, tmp_path, workers=2)
    server = next(server_context)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as browser:
            token = csrf_of(browser.get("/login").text)
            answer = browser.post("/login", data={"login": "unit", "password": PASSWORD, "csrf": token})
            assert answer.status_code == 303 and answer.headers["location"] == "/"
            cookies = dict(browser.cookies)
        pids: set[str] = set()
        for _ in range(80):  # a new connection each time: either process may take it
            with httpx.Client(base_url=server.url, timeout=30, cookies=cookies) as again:
                page = again.get("/", headers={"connection": "close"})
            assert page.status_code == 200, page.text
            assert OWN_UNIT in page.text
            pids = set(ANSWERED.findall(server.log.read_text()))
            if len(pids) >= 2:
                break
        assert len(pids) == 2, f"one process answered every request: {server.log.read_text()}"
        assert "Traceback" not in server.log.read_text()
    finally:
        server_context.close()


def test_workers_must_be_at_least_one(db_url: str) -> None:
    from click.testing import CliRunner

    from tracker.cli import cli

    result = CliRunner().invoke(cli, ["--db", db_url, "serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


@pytest.mark.parametrize("threads", [1, 2])
def test_a_process_works_on_web_threads_requests_at_once(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """``[web] threads``: three unit pages asked at once, at most that many in the use case
    together (the others wait their turn); each page answered."""
    import dataclasses

    import tracker.usecases.units as units
    from tracker.web.app import create_app

    web = portal.tracker.settings.web.model_copy(update={"threads": threads})
    tracker = dataclasses.replace(portal.tracker, settings=portal.tracker.settings.model_copy(update={"web": web}))
    inside, most, lock, crowded = 0, 0, threading.Lock(), threading.Event()
    real = units.my_work

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
            if inside >= threads:
                crowded.set()
        crowded.wait(timeout=0.5 if threads == 1 else 10)  # room for a second one, if the limit let it in
        try:
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                inside -= 1

    with TestClient(create_app(tracker), follow_redirects=False) as browser:
        assert log_in(browser, "unit").status_code == 303  # type: ignore[attr-defined]
        monkeypatch.setattr(units, "my_work", counted)
        answers: list[int] = []
        askers = [threading.Thread(target=lambda: answers.append(browser.get("/").status_code)) for _ in range(3)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join(timeout=60)
    assert answers == [200, 200, 200]
    assert most == threads
