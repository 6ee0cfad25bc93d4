"""The completion review loop in a real browser: Playwright driving Debian's Chromium against a
real `tracker serve` on loopback (tests/web/conftest.py's ``live_server``), both backends. A unit
applies for completion with a PDF, a clerk returns it with a reason, the unit reads the reason
and submits again, the clerk accepts (销号); the weekly table the clerk downloads shows the task
done on time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence_samples import SAMPLES, write
from tests.web.browser_steps import (
    OWN,
    OWN_SUBJECT,
    accept,
    apply,
    assert_own_done_on_time,
    download_weekly,
    first_login,
    new_page,
    send_back,
)
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.slow

REASON = "佐证材料不全，请补充验收报告"


def test_apply_return_resubmit_accept_and_the_weekly_table(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = live_server.url
    pdf = write(tmp_path / "files", "评审意见.pdf", SAMPLES["评审意见.pdf"])
    report = write(tmp_path / "files", "验收报告.pdf", SAMPLES["评审意见.pdf"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            errors: list[str] = []
            unit = new_page(browser, errors, 390)  # a phone
            clerk = new_page(browser, errors, 1280, accept_downloads=True)
            first_login(unit, url, "unit")
            first_login(clerk, url, "clerk")

            unit.goto(f"{url}/assignments/{OWN}/complete")
            apply(unit, pdf, "系统已上线运行")
            unit.screenshot(path=str(tmp_path / "applied-phone.png"), full_page=True)

            clerk.goto(url + "/review")
            row = clerk.locator("tr", has_text=OWN_SUBJECT)
            expect(row).to_contain_text("评审意见.pdf")
            with clerk.expect_download() as evidence:
                row.locator("a", has_text="评审意见.pdf").click()
            assert evidence.value.suggested_filename == "评审意见.pdf"
            assert Path(evidence.value.path()).read_bytes() == SAMPLES["评审意见.pdf"]
            send_back(clerk, url, REASON)

            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator(".notice-returned")).to_contain_text(REASON)
            expect(unit.locator("main")).to_contain_text("重新提交办结申请")
            unit.screenshot(path=str(tmp_path / "returned-phone.png"), full_page=True)
            apply(unit, report, "已补充验收报告")

            accept(clerk, url, "已补充验收报告")

            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator("main")).to_contain_text("已销号（办结）")

            saved = download_weekly(clerk, url, tmp_path / "weekly.xlsx")
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()

    assert_own_done_on_time(saved)
