"""The portal in a real browser: Playwright driving Debian's Chromium against a real `tracker
serve` on loopback (tests/web/conftest.py's ``live_server``), both backends. Never downloads a
browser: skipped when /usr/bin/chromium is missing, a failure under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.slow


def test_a_unit_logs_in_changes_its_first_password_and_signs_a_notice(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(live_server.url + "/")
            expect(page).to_have_url(live_server.url + "/login")
            page.fill("#login", "unit")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit] >> text=登录")
            expect(page).to_have_url(live_server.url + "/password")
            expect(page.locator("main")).to_contain_text("首次登录")
            page.fill("#old", PASSWORD)
            page.fill("#new", "新的密码 2017")
            page.fill("#again", "新的密码 2017")
            page.click("text=保存新密码")
            expect(page.locator("main")).to_contain_text("密码已修改")
            page.click("header >> text=首页")
            expect(page.locator("main")).to_contain_text("督查〔2017〕3号")
            page.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)
            row = page.locator("tr", has_text="督查〔2017〕3号")
            row.locator("button", has_text="签收").click()
            expect(page.locator("main")).to_contain_text("已签收通知 督查〔2017〕3号")
            expect(page.locator("tr", has_text="督查〔2017〕3号")).to_contain_text("unit 于")
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()
