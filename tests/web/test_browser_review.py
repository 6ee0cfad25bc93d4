"""The completion review loop in a real browser: Playwright driving Debian's Chromium against a
real `tracker serve` on loopback (tests/web/conftest.py's ``live_server``), both backends. A unit
applies for completion with a PDF, a clerk returns it with a reason, the unit reads the reason
and submits again, the clerk accepts (销号); the weekly table the clerk downloads shows the task
done on time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.evidence_samples import SAMPLES, write
from tests.web.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.slow

OWN = 28  # 任务 6 / 南乐县政府, due 2017-11-30
NEW_PASSWORD = "新的密码 2017"
REASON = "佐证材料不全，请补充验收报告"
GREEN = "C6EFCE"  # 按期完成's fill (tracker.report.LIGHTS)


def first_login(page: Any, url: str, login: str) -> None:
    """Log in as ``login`` and change the password an admin set (the accounts' first login)."""
    from playwright.sync_api import expect

    page.goto(url + "/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=登录")
    expect(page).to_have_url(url + "/password")
    page.fill("#old", PASSWORD)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#again", NEW_PASSWORD)
    page.click("text=保存新密码")
    expect(page.locator("main")).to_contain_text("密码已修改")


def apply(page: Any, url: str, pdf: Path, note: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/assignments/{OWN}/complete")
    page.fill("#done_on", "2017-09-10")  # before the deadline (2017-11-30)
    page.fill("#note", note)
    page.set_input_files("#evidence", str(pdf))
    page.click("button >> text=提交办结申请")
    expect(page.locator("main")).to_contain_text("已提交办结申请，等待督查室复核")
    expect(page.locator("main")).to_contain_text(pdf.name)


def test_apply_return_resubmit_accept_and_the_weekly_table(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    import openpyxl
    from playwright.sync_api import expect, sync_playwright

    url = live_server.url
    pdf = write(tmp_path / "files", "评审意见.pdf", SAMPLES["评审意见.pdf"])
    report = write(tmp_path / "files", "验收报告.pdf", SAMPLES["评审意见.pdf"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            unit = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # a phone
            clerk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
            errors: list[str] = []
            for page in (unit, clerk):
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            first_login(unit, url, "unit")
            first_login(clerk, url, "clerk")

            apply(unit, url, pdf, "系统已上线运行")
            unit.screenshot(path=str(tmp_path / "applied-phone.png"), full_page=True)

            clerk.goto(url + "/review")
            row = clerk.locator("tr", has_text="任务 6 / 南乐县政府")
            expect(row).to_contain_text("评审意见.pdf")
            with clerk.expect_download() as evidence:
                row.locator("a", has_text="评审意见.pdf").click()
            assert evidence.value.suggested_filename == "评审意见.pdf"
            assert Path(evidence.value.path()).read_bytes() == SAMPLES["评审意见.pdf"]
            row.locator("input[name=reason]").fill(REASON)
            row.locator("button", has_text="退回").click()
            expect(clerk.locator("main")).to_contain_text("已退回提交")
            expect(clerk.locator("main")).not_to_contain_text("任务 6 / 南乐县政府")

            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator(".notice-returned")).to_contain_text(REASON)
            expect(unit.locator("main")).to_contain_text("重新提交办结申请")
            unit.screenshot(path=str(tmp_path / "returned-phone.png"), full_page=True)
            apply(unit, url, report, "已补充验收报告")

            clerk.goto(url + "/review")
            row = clerk.locator("tr", has_text="任务 6 / 南乐县政府")
            expect(row).to_contain_text("已补充验收报告")
            clerk.screenshot(path=str(tmp_path / "queue-wide.png"), full_page=True)
            row.locator("button", has_text="销号").click()
            expect(clerk.locator("main")).to_contain_text("已销号")

            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator("main")).to_contain_text("已销号（办结）")

            clerk.goto(url + "/exports")
            with clerk.expect_download() as table:
                clerk.click("button >> text=下载进度表")
            assert table.value.suggested_filename.startswith("进度表-") and table.value.suggested_filename.endswith(
                ".xlsx"
            )
            saved = tmp_path / "weekly.xlsx"
            table.value.save_as(saved)
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()

    book = openpyxl.load_workbook(saved)
    progress = book[next(n for n in book.sheetnames if n.startswith("进度表"))]
    rows = [r for r in progress.iter_rows() if [c.value for c in r][:1] == ["6"] and r[5].value == "南乐县政府"]
    assert len(rows) == 1
    cells = rows[0]
    assert cells[7].value == "已完成" and str(cells[9].value)[:10] == "2017-09-10"
    assert cells[10].value in (None, "")  # no days late
    assert str(cells[7].fill.fgColor.rgb).upper().endswith(GREEN)  # 按期完成
    summary = book[next(n for n in book.sheetnames if n.startswith("单位汇总"))]
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "责任单位")
    line = next(r for r in summary.iter_rows(values_only=True) if r[0] == "南乐县政府")
    assert line[header.index("按期完成")] == 1  # 任务 1 was done late; 任务 6 on time
