"""What people do in the portal, as the browser tests (tests/web/test_browser*.py) play it with
Playwright: an account's first login, a unit's progress report, completion application and
extension request, a clerk's review, a step of an approval chain, and the weekly table
downloaded and read. Each step waits for what the page says (``expect``), never for a time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.web.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

OWN = 28  # the unit account's (南乐县政府) 任务 6 of ledger 1, due 2017-11-30
OWN_SUBJECT = "任务 6 / 南乐县政府"
NEW_PASSWORD = "新的密码 2017"
GREEN = "C6EFCE"  # 按期完成's fill (tracker.report.LIGHTS)


def new_page(browser: Browser, errors: list[str], width: int, **options: Any) -> Page:
    """A page in a context of its own (its own cookies: one account), ``width`` pixels wide, whose
    console errors (a CSP violation, a script error) are added to ``errors``."""
    page = browser.new_context(viewport={"width": width, "height": 900}, **options).new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page


def first_login(page: Page, url: str, login: str) -> None:
    """``login`` opens the portal (sent to the login page), logs in, and changes the password an
    admin set, as its first login must."""
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page).to_have_url(url + "/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=登录")
    expect(page).to_have_url(url + "/password")
    expect(page.locator("main")).to_contain_text("首次登录")
    page.fill("#old", PASSWORD)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#again", NEW_PASSWORD)
    page.click("text=保存新密码")
    expect(page.locator("main")).to_contain_text("密码已修改")


def report_progress(page: Page, pdf: Path, note: str, percent: int) -> None:
    """On an assignment's page: 进行中 at ``percent``, with ``note`` and the file ``pdf``; the
    note shown as typed (text, never markup) and the file listed."""
    from playwright.sync_api import expect

    page.select_option("#status", "doing")
    page.fill("#percent", str(percent))
    page.fill("#note", note)
    page.set_input_files("#evidence", str(pdf))
    page.click("form button[type=submit] >> text=提交")
    expect(page.locator("main")).to_contain_text("进度已报送")
    expect(page.locator("main")).to_contain_text(note)
    expect(page.locator(".facts")).to_contain_text(f"{percent}%")
    expect(page.locator("a[href^='/evidence/']", has_text=pdf.name)).to_have_count(1)


def apply(page: Page, pdf: Path, note: str) -> None:
    """On the unit's 申请办结 page of OWN: done on 2017-09-10 (before its deadline), with ``note``
    and the file ``pdf``."""
    from playwright.sync_api import expect

    page.fill("#done_on", "2017-09-10")
    page.fill("#note", note)
    page.set_input_files("#evidence", str(pdf))
    page.click("button >> text=提交办结申请")
    expect(page.locator("main")).to_contain_text("已提交办结申请，等待督查室复核")
    expect(page.locator("main")).to_contain_text(pdf.name)


def send_back(clerk: Page, url: str, reason: str) -> None:
    """The clerk returns OWN's submission from the review queue with ``reason``; it leaves the queue."""
    from playwright.sync_api import expect

    clerk.goto(url + "/review")
    clerk.locator("tr", has_text=OWN_SUBJECT).locator("input[name=reason]").fill(reason)
    clerk.locator("tr", has_text=OWN_SUBJECT).locator("button", has_text="退回").click()
    expect(clerk.locator("main")).to_contain_text("已退回提交")
    expect(clerk.locator("main")).not_to_contain_text(OWN_SUBJECT)


def accept(clerk: Page, url: str, note: str) -> None:
    """The clerk finds OWN's submission again (with the unit's ``note``) and accepts it (销号)."""
    from playwright.sync_api import expect

    clerk.goto(url + "/review")
    row = clerk.locator("tr", has_text=OWN_SUBJECT)
    expect(row).to_contain_text(note)
    expect(row.locator("td[data-label=是否按期]")).to_have_text("是")
    row.locator("button", has_text="销号").click()
    expect(clerk.locator("main")).to_contain_text("已销号")
    expect(clerk.locator("main")).not_to_contain_text(OWN_SUBJECT)


def download_weekly(page: Page, url: str, target: Path) -> Path:
    """The weekly table (进度表, every ledger, as of today) from the exports page, saved as ``target``."""
    page.goto(url + "/exports")
    with page.expect_download() as table:
        page.click("button >> text=下载进度表")
    name = table.value.suggested_filename
    assert name.startswith("进度表-") and name.endswith(".xlsx"), name
    table.value.save_as(target)
    return target


def assert_own_done_on_time(table: Path) -> None:
    """In the weekly table: OWN (任务 6 / 南乐县政府) 已完成 on 2017-09-10, no days late, its status
    cell filled with the colour the sheet's legend gives 按期完成; the unit summary counts it."""
    import openpyxl

    book = openpyxl.load_workbook(table)
    progress = book[next(n for n in book.sheetnames if n.startswith("进度表"))]
    legend = next(c for row in progress.iter_rows() for c in row if c.value == "按期完成")
    rows = [r for r in progress.iter_rows() if r[0].value == "6" and r[5].value == "南乐县政府"]
    assert len(rows) == 1
    cells = rows[0]
    assert cells[7].value == "已完成" and str(cells[9].value)[:10] == "2017-09-10"
    assert cells[10].value in (None, "")  # no days late
    assert str(legend.fill.fgColor.rgb).upper().endswith(GREEN)
    assert cells[7].fill.fgColor.rgb == legend.fill.fgColor.rgb  # 按期完成
    summary = book[next(n for n in book.sheetnames if n.startswith("单位汇总"))]
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "责任单位")
    line = next(r for r in summary.iter_rows(values_only=True) if r[0] == "南乐县政府")
    assert line[header.index("按期完成")] == 1  # 任务 1 was done late; 任务 6 on time


def ask_extension(unit: Page, url: str, assignment: int, due: str, wanted: str, reason: str) -> None:
    """The unit asks to move ``assignment``'s deadline ``due`` to ``wanted``; the request waits for
    the two steps of the chain (clerk, supervisor)."""
    from playwright.sync_api import expect

    unit.goto(f"{url}/assignments/{assignment}/extension")
    expect(unit.locator(".due")).to_contain_text(due)
    unit.fill("#to", wanted)
    unit.fill("#reason", reason)
    unit.click("text=提交延期申请")
    expect(unit.locator("main")).to_contain_text("延期申请已提交")
    request = unit.locator("article.request").first
    expect(request).to_contain_text("审批中")
    expect(request.locator(".step-waiting")).to_have_count(2)


def approve_step(page: Page, asked: str, step: str, says: str, note: str = "") -> None:
    """On the approval queue open in ``page``: the request whose reason is ``asked``, waiting at
    ``step`` (e.g. 第1步 · 督查员), approved (with ``note``); the page says ``says`` and the request
    leaves this account's queue."""
    from playwright.sync_api import expect

    card = page.locator("article.request", has_text=asked)
    expect(card.locator(".facts")).to_contain_text(step)
    if note:
        card.locator("textarea").fill(note)
    card.locator("button[value=approve]").click()
    expect(page.locator("main")).to_contain_text(says)
    expect(page.locator("article.request", has_text=asked)).to_have_count(0)


def assert_extended(unit: Page, due: str, wanted: str) -> None:
    """The unit's extension page, reloaded: ``wanted`` in force (``due`` the original), the request
    approved by both steps."""
    from playwright.sync_api import expect

    unit.reload()
    expect(unit.locator(".due")).to_contain_text(wanted)
    expect(unit.locator(".due")).to_contain_text(f"原期限 {due}")
    expect(unit.locator("article.request").first).to_contain_text("已批准")
    expect(unit.locator("article.request").first.locator(".step-approved")).to_have_count(2)
