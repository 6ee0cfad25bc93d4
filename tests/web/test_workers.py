"""`tracker serve --workers 2`: a real server of two processes on a free loopback port; a login
made in one process holds in the other (sessions are in the database, each process builds its
own Tracker). Both backends."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.tui.conftest import AS_OF
from tests.web.conftest import OWN_UNIT, PASSWORD, csrf_of, seed_accounts, start_server
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
