"""The whole story in a real browser, in order, against one `tracker serve` and one database
(tests/web/conftest.py's ``live_server``, with the two-step extension chain), each person in a
browser context of their own: a unit signs a notice, reports progress with a PDF and applies for
completion; a clerk returns it with a reason; the unit submits again and the clerk accepts it;
the weekly table shows it done on time; a clerk and then a supervisor approve the unit's
extension and the unit sees its new deadline; the leader's dashboard, opened before it all and
again after, shows what changed. Playwright drives Debian's Chromium; both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.evidence_samples import SAMPLES, write
from tests.web import browser_steps as steps
from tests.web.browser_steps import OWN, OWN_SUBJECT
from tests.web.conftest import OWN_UNIT, LiveServer, move_deadline

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

NEXT = 33  # the unit's 任务 7, given a deadline 30 days ahead so that it may ask for more time
REASON = "佐证材料不全，请补充验收报告"
ASKED = "设备到货延迟，需延期安装调试"
DASHBOARD = "/dashboard?ledger=1&as_of=2017-09-15&weeks=4"  # the demo's day: the figures are known


@pytest.fixture
def server_config() -> str:
    return '[approval]\nextension = ["clerk", "supervisor"]\n'


def figures(page: Page, path: str) -> tuple[list[str], list[str], dict[str, str]]:
    """What the leader reads at ``path`` (the dashboard, then the unit's profile): the unit's row of
    ledger 1, the whole ledger's row, and the unit's record (what → how many)."""
    from playwright.sync_api import expect

    page.goto(path)
    expect(page.locator("h1")).to_have_text("领导驾驶舱")
    row = page.locator("tbody tr", has=page.locator(f"a:text-is('{OWN_UNIT}')"))
    cells, whole = row.locator("td").all_inner_texts(), page.locator("tfoot tr td").all_inner_texts()
    row.locator("a").click()  # the unit's profile
    expect(page.locator("h1")).to_have_text(f"单位画像：{OWN_UNIT}")
    expect(page.locator("main")).to_contain_text("截至 2017-09-15")
    record = dict(
        zip(
            page.locator("table.profile tbody th").all_inner_texts(),
            page.locator("table.profile tbody td").all_inner_texts(),
            strict=True,
        )
    )
    return cells, whole, record


def test_the_story_from_a_signed_notice_to_the_leaders_dashboard(
    live_server: LiveServer, chromium: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = live_server.url
    due = move_deadline(live_server.db_url, NEXT, days=30)  # before any page is served
    wanted = due + dt.timedelta(days=45)
    files = tmp_path / "files"
    progress = write(files, "进度说明.pdf", SAMPLES["评审意见.pdf"])
    first = write(files, "评审意见.pdf", SAMPLES["评审意见.pdf"])
    again = write(files, "验收报告.pdf", SAMPLES["评审意见.pdf"])
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            unit = steps.new_page(browser, errors, 390)  # a phone
            clerk = steps.new_page(browser, errors, 1280, accept_downloads=True)
            supervisor = steps.new_page(browser, errors, 1280)
            leader = steps.new_page(browser, errors, 1280)  # a read-only (查看) account
            for page, login in ((unit, "unit"), (clerk, "clerk"), (supervisor, "supervisor"), (leader, "viewer")):
                steps.first_login(page, url, login)

            # The leader's dashboard before anything happens.
            row, whole, record = figures(leader, url + DASHBOARD)
            assert row[:6] == ["9", "1", "11.1%", "5", "0", "0.0%"]

            # The unit signs the notice that concerns it.
            unit.goto(url + "/")
            expect(unit.locator("h1")).to_have_text("我的任务")
            notice = unit.locator("tr", has_text="督查〔2017〕3号")
            expect(notice).to_contain_text("未签收")
            notice.locator("button", has_text="签收").click()
            expect(unit.locator("main")).to_contain_text("已签收通知 督查〔2017〕3号")
            expect(unit.locator("tr", has_text="督查〔2017〕3号")).to_contain_text("unit 于")

            # It reports progress on 任务 6 with a PDF, then applies for completion.
            unit.goto(url + "/")
            unit.click("a >> text=工作台账 · 6")
            expect(unit.locator("h1")).to_contain_text("任务 6")
            steps.report_progress(unit, progress, "系统集成测试中", 80)
            unit.click("a >> text=申请办结")
            expect(unit).to_have_url(f"{url}/assignments/{OWN}/complete")
            steps.apply(unit, first, "系统已上线运行")

            # The clerk returns it with a reason; the unit reads the reason and submits again.
            clerk.goto(url + "/review")
            expect(clerk.locator("tr", has_text=OWN_SUBJECT)).to_contain_text(first.name)
            steps.send_back(clerk, url, REASON)
            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator(".notice-returned")).to_contain_text(REASON)
            expect(unit.locator(".notice-returned")).to_contain_text("退回人：clerk")
            expect(unit.locator("main")).to_contain_text("重新提交办结申请")
            steps.apply(unit, again, "已补充验收报告")

            # The clerk accepts; the unit sees it done.
            steps.accept(clerk, url, "已补充验收报告")
            unit.goto(f"{url}/assignments/{OWN}/complete")
            expect(unit.locator("main")).to_contain_text("已销号（办结）")
            unit.goto(url + "/")
            expect(unit.locator("tr", has_text="工作台账 · 6")).to_contain_text("已完成")

            # The weekly table the clerk downloads shows it done on time.
            table = steps.download_weekly(clerk, url, tmp_path / "weekly.xlsx")

            # The unit asks for more time on 任务 7; a clerk and then a supervisor approve.
            steps.ask_extension(unit, url, NEXT, due.isoformat(), wanted.isoformat(), ASKED)
            clerk.goto(url + "/approvals")
            steps.approve_step(
                clerk, ASKED, "第1步 · 督查员", "第1步已同意，下一步等待科长/分管领导审批", note="情况属实，同意"
            )
            supervisor.goto(url + "/approvals")
            expect(supervisor.locator("article.request", has_text=ASKED).locator(".step-approved")).to_contain_text(
                "情况属实，同意"
            )
            steps.approve_step(supervisor, ASKED, "第2步 · 科长/分管领导", "已批准")
            steps.assert_extended(unit, due.isoformat(), wanted.isoformat())
            unit.goto(url + "/")
            expect(unit.locator("tr", has_text="工作台账 · 7")).to_contain_text(wanted.isoformat())

            # The leader's dashboard again: the unit's completion, on time, in its row and the
            # ledger's (overdue by level unchanged: 任务 6 was not yet due on the day shown), and
            # the unit's record: the notice signed, the two submissions, the extension.
            after, whole_after, record_after = figures(leader, url + DASHBOARD)
            assert after == ["9", "2", "22.2%", "6", "1", "16.7%", *row[6:]]
            assert whole[:6] == ["45", "8", "17.8%", "25", "6", "24.0%"]
            assert whole_after == ["45", "9", "20.0%", "26", "7", "26.9%", *whole[6:]]
            changed = {what: (n, record_after[what]) for what, n in record.items() if record_after[what] != n}
            assert changed == {
                "已完成": ("1", "2"),
                "未签收通知": ("3", "2"),  # its own 签收 of the bulletin naming it counts too
                "提交复核": ("0", "2"),
                "复核退回": ("0", "1"),
                "复核通过": ("0", "1"),
                "申请延期": ("0", "1"),
                "延期获批": ("0", "1"),
            }
            assert record_after.keys() == record.keys()
            assert errors == []  # no CSP violation, no script error
        finally:
            browser.close()
    assert "Traceback" not in live_server.log.read_text()
    steps.assert_own_done_on_time(table)
