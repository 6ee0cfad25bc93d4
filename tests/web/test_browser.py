"""The portal in a real browser: Playwright driving Debian's Chromium against a real `tracker
serve` on loopback (tests/web/conftest.py's ``live_server``), both backends. Never downloads a
browser: skipped when /usr/bin/chromium is missing, a failure under CI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import PASSWORD, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow


def first_login(page: Page, url: str, login: str) -> None:
    """Log in as ``login`` for the first time: to the login page, then the forced password change."""
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page).to_have_url(url + "/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=登录")
    expect(page).to_have_url(url + "/password")
    expect(page.locator("main")).to_contain_text("首次登录")
    page.fill("#old", PASSWORD)
    page.fill("#new", "新的密码 2017")
    page.fill("#again", "新的密码 2017")
    page.click("text=保存新密码")
    expect(page.locator("main")).to_contain_text("密码已修改")


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
            first_login(page, live_server.url, "unit")
            page.click("header >> text=我的任务")  # a unit's home
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


def test_a_unit_reports_progress_with_an_uploaded_pdf_and_sees_it_listed(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.evidence_samples import SAMPLES

    pdf = tmp_path / "评审意见.pdf"
    pdf.write_bytes(SAMPLES["评审意见.pdf"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            first_login(page, live_server.url, "unit")
            page.click("header >> text=我的任务")
            expect(page.locator("h1")).to_have_text("我的任务")
            page.click("a >> text=工作台账 · 2")
            expect(page.locator("h1")).to_contain_text("任务 2")
            page.select_option("#status", "doing")
            page.fill("#percent", "60")
            page.fill("#note", "可研报告已报审 <b>见附件</b>")
            page.set_input_files("#evidence", str(pdf))
            page.click("form button[type=submit] >> text=提交")
            expect(page.locator("main")).to_contain_text("进度已报送")
            expect(page.locator("main")).to_contain_text("可研报告已报审 <b>见附件</b>")  # shown as text
            listed = page.locator("a[href^='/evidence/']", has_text="评审意见.pdf")
            expect(listed).to_have_count(1)
            page.screenshot(path=str(tmp_path / "assignment-phone.png"), full_page=True)
            with page.expect_download() as download:
                listed.click()
            assert Path(download.value.path()).read_bytes() == SAMPLES["评审意见.pdf"]
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()
