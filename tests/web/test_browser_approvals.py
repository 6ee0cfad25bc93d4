"""An extension decided in two steps, in a real browser (Playwright driving Debian's Chromium)
against a real `tracker serve` with ``[approval] extension = ["clerk", "supervisor"]``: the unit
asks, a clerk approves step 1, a supervisor step 2, and the unit sees its new deadline in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.conftest import AS_OF
from tests.web.browser_steps import OWN, approve_step, ask_extension, assert_extended
from tests.web.conftest import PASSWORD, LiveServer, move_deadline, seed_accounts, start_server
from tracker.app import build
from tracker.demo import seed_demo

pytestmark = pytest.mark.slow
ASKED = "设备到货延迟，需延期安装调试"


@pytest.fixture
def chained_server(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LiveServer, dt.date]]:
    """The demo served with the two-step chain; the unit's task 6 due in 30 days (the real clock)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = build(db_url, None, "测试员")
    seed_demo(app, AS_OF)
    seed_accounts(app)
    app.engine.dispose()
    due = move_deadline(db_url, OWN, days=30)
    config = tmp_path / "config.toml"
    config.write_text('[approval]\nextension = ["clerk", "supervisor"]\n', encoding="utf-8")
    for server in start_server(db_url, tmp_path, config):
        yield server, due


def test_an_extension_approved_in_two_steps(
    chained_server: tuple[LiveServer, dt.date], chromium: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    server, due = chained_server
    wanted = due + dt.timedelta(days=45)
    errors: list[str] = []

    def logged_in(login: str, width: int) -> Page:
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server.url + "/login")
        page.fill("#login", login)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit] >> text=登录")
        expect(page).to_have_url(server.url + "/")
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            unit = logged_in("unit", 390)  # a phone
            ask_extension(unit, server.url, OWN, due.isoformat(), wanted.isoformat(), ASKED)
            unit.screenshot(path=str(tmp_path / "extension-asked-phone.png"), full_page=True)

            clerk = logged_in("clerk", 1280)
            clerk.goto(server.url + "/approvals")
            approve_step(
                clerk, ASKED, "第1步 · 督查员", "第1步已同意，下一步等待科长/分管领导审批", note="情况属实，同意"
            )

            supervisor = logged_in("supervisor", 1280)
            supervisor.goto(server.url + "/approvals")
            card = supervisor.locator("article.request", has_text=ASKED)
            expect(card.locator(".step-approved")).to_contain_text("clerk")
            expect(card.locator(".step-approved")).to_contain_text("情况属实，同意")
            supervisor.screenshot(path=str(tmp_path / "approvals-desktop.png"), full_page=True)
            approve_step(supervisor, ASKED, "第2步 · 科长/分管领导", "已批准")

            assert_extended(unit, due.isoformat(), wanted.isoformat())
            unit.screenshot(path=str(tmp_path / "extension-approved-phone.png"), full_page=True)
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in server.log.read_text()
