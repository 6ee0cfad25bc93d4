"""A file too large for the evidence store is told in the browser as soon as it is chosen, beside
the field, and the form is not sent: the note typed stays, nothing reaches the server, and a
file within the limit then goes through. Playwright with Debian's Chromium against a real
`tracker serve` whose store takes 1 MiB a file (``server_config``); both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence_samples import SAMPLES, write
from tests.web import browser_steps as steps
from tests.web.browser_steps import OWN
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.slow

NOTE = "已完成机房布线，验收报告见附件"


@pytest.fixture
def server_config() -> str:
    return "[evidence]\nmax_mib = 1\n"


def test_a_file_too_large_is_told_before_it_is_sent(live_server: LiveServer, chromium: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = live_server.url
    small = write(tmp_path / "files", "验收报告.pdf", SAMPLES["评审意见.pdf"])
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = steps.new_page(browser, errors, 390)
            steps.first_login(page, url, "unit")
            page.goto(f"{url}/assignments/{OWN}")
            page.fill("#note", NOTE)
            big = {"name": "全部照片.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 1_500_000}
            page.set_input_files("#evidence", big)
            said = page.eval_on_selector("#evidence", "input => input.validationMessage")
            assert said == "“全部照片.pdf”超过 1 MiB，未上传；请压缩或拆分后再选择"
            page.click("form button[type=submit] >> text=提交")
            expect(page).to_have_url(f"{url}/assignments/{OWN}")  # not sent: still the form, as typed
            expect(page.locator("#note")).to_have_value(NOTE)
            assert "/progress" not in live_server.log.read_text()
            page.set_input_files("#evidence", str(small))  # within the limit: told nothing, sent
            assert page.eval_on_selector("#evidence", "input => input.validationMessage") == ""
            page.click("form button[type=submit] >> text=提交")
            expect(page.locator("main")).to_contain_text("进度已报送")
            expect(page.locator("a[href^='/evidence/']", has_text=small.name)).to_have_count(1)
        finally:
            browser.close()
    assert not errors, errors
