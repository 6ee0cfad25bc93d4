"""The portal in a real browser: Playwright driving Debian's Chromium against a real `tracker
serve` on loopback (tests/web/conftest.py's ``live_server``), both backends. Never downloads a
browser: skipped when /usr/bin/chromium is missing, a failure under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser_steps import first_login, report_progress
from tests.web.conftest import LiveServer

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


def test_the_leaders_dashboard_shows_a_completion_recorded_after_it_was_opened(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    """A leader opens the dashboard; a clerk then records a unit's completion; the leader's
    reload shows it in the unit's row. The page raises no CSP violation (its charts are inline
    SVG) and prints without the navigation, on A4."""
    import datetime as dt

    from playwright.sync_api import expect, sync_playwright

    from tests.web.conftest import OWN_UNIT
    from tracker.app import build
    from tracker.usecases.ledgers import ledger_rows
    from tracker.usecases.progress import Progress, record_progress_on
    from tracker.usecases.work import Actor

    day = dt.date(2017, 9, 15)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            first_login(page, live_server.url, "supervisor")
            page.click("header >> text=领导驾驶舱")
            page.select_option("#ledger", "1")
            page.fill("#as_of", day.isoformat())
            page.fill("#weeks", "4")
            page.click("form.filter button")
            row = page.locator("tbody tr", has=page.locator(f"a:text-is('{OWN_UNIT}')"))
            done, rate = row.locator("td").nth(1), row.locator("td").nth(2)
            expect(done).to_have_text("1")
            expect(rate).to_have_text("11.1%")
            expect(page.locator("figure.chart svg")).to_have_count(3)

            # Meanwhile a clerk records the unit's completion of a task not yet due (on time).
            tracker = build(live_server.db_url, None, "clerk")
            try:
                rows = ledger_rows(tracker, "1", day).rows
                todo = next(
                    r for r in rows if r.unit == OWN_UNIT and r.status != "done" and r.due_on and r.due_on > day
                )
                record_progress_on(
                    tracker,
                    Actor("clerk"),
                    todo.assignment_id,
                    Progress("done", completed_on=day),
                    expected_version=todo.version,
                )
            finally:
                tracker.engine.dispose()

            page.reload()
            expect(done).to_have_text("2")
            expect(rate).to_have_text("22.2%")
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

            # The unit's profile from its row.
            row.locator("a").click()
            expect(page.locator("h1")).to_have_text(f"单位画像：{OWN_UNIT}")
            expect(page.locator("main")).to_contain_text("截至 2017-09-15")

            # Printed: no navigation or form, the charts and tables kept.
            page.go_back()
            page.emulate_media(media="print")
            expect(page.locator("header.top")).to_be_hidden()
            expect(page.locator("form.filter")).to_be_hidden()
            expect(page.locator("table.figures").first).to_be_visible()
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
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
            report_progress(page, pdf, "可研报告已报审 <b>见附件</b>", 60)  # the note shown as text
            listed = page.locator("a[href^='/evidence/']", has_text="评审意见.pdf")
            page.screenshot(path=str(tmp_path / "assignment-phone.png"), full_page=True)
            with page.expect_download() as download:
                listed.click()
            assert Path(download.value.path()).read_bytes() == SAMPLES["评审意见.pdf"]
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()
