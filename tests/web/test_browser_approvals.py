"""An extension decided in two steps, in a real browser (Playwright driving Debian's Chromium)
against a real `tracker serve` with ``[approval] extension = ["clerk", "supervisor"]``: the unit
asks, a clerk approves step 1, a supervisor step 2, and the unit sees its new deadline in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests.tui.conftest import AS_OF
from tests.web.conftest import PASSWORD, LiveServer, seed_accounts, start_server
from tracker.app import build
from tracker.demo import seed_demo
from tracker.models import Assignment

pytestmark = pytest.mark.slow
OWN = 28  # the unit account's (南乐县政府) task 6


@pytest.fixture
def chained_server(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LiveServer, dt.date]]:
    """The demo served with the two-step chain; the unit's task 6 due in 30 days (the real clock)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = build(db_url, None, "测试员")
    seed_demo(app, AS_OF)
    seed_accounts(app)
    due = app.today() + dt.timedelta(days=30)
    with app.session() as session:
        assignment = session.exec(select(Assignment).where(Assignment.id == OWN)).one()
        assignment.due_on = due
        session.add(assignment)
        session.commit()
    app.engine.dispose()
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
            unit.goto(f"{server.url}/assignments/{OWN}/extension")
            expect(unit.locator(".due")).to_contain_text(due.isoformat())
            unit.fill("#to", wanted.isoformat())
            unit.fill("#reason", "设备到货延迟，需延期安装调试")
            unit.click("text=提交延期申请")
            expect(unit.locator("main")).to_contain_text("延期申请已提交")
            request = unit.locator("article.request").first
            expect(request).to_contain_text("审批中")
            expect(request.locator(".step-waiting")).to_have_count(2)
            unit.screenshot(path=str(tmp_path / "extension-asked-phone.png"), full_page=True)

            clerk = logged_in("clerk", 1280)
            clerk.goto(server.url + "/approvals")
            card = clerk.locator("article.request", has_text="设备到货延迟")
            expect(card).to_contain_text("第1步 · 督查员")
            card.locator("textarea").fill("情况属实，同意")
            card.locator("button[value=approve]").click()
            expect(clerk.locator("main")).to_contain_text("第1步已同意，下一步等待科长/分管领导审批")
            expect(clerk.locator("article.request", has_text="设备到货延迟")).to_have_count(0)

            supervisor = logged_in("supervisor", 1280)
            supervisor.goto(server.url + "/approvals")
            card = supervisor.locator("article.request", has_text="设备到货延迟")
            expect(card.locator(".step-approved")).to_contain_text("clerk")
            expect(card.locator(".step-approved")).to_contain_text("情况属实，同意")
            supervisor.screenshot(path=str(tmp_path / "approvals-desktop.png"), full_page=True)
            card.locator("button[value=approve]").click()
            expect(supervisor.locator("main")).to_contain_text("已批准")

            unit.reload()
            expect(unit.locator(".due")).to_contain_text(wanted.isoformat())
            expect(unit.locator(".due")).to_contain_text(f"原期限 {due.isoformat()}")
            expect(unit.locator("article.request").first).to_contain_text("已批准")
            expect(unit.locator("article.request").first.locator(".step-approved")).to_have_count(2)
            unit.screenshot(path=str(tmp_path / "extension-approved-phone.png"), full_page=True)
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in server.log.read_text()
