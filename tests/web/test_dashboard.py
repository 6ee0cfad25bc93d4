"""The leader's dashboard in the portal (tracker/web/pages/dashboard.py): what it shows, its
parameters checked (a bad one: a 400 page saying which and why, never a trace), a unit's profile
linked from the tables, a unit's name with markup escaped in the charts and the table alike, and
the security headers unchanged (inline SVG needs no looser CSP)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from starlette.testclient import TestClient

from tests.web.conftest import OTHER_UNIT, OWN_UNIT, Portal
from tracker.web.guard import HEADERS

Client = Callable[..., TestClient]
AS_OF = "as_of=2017-09-15"


def test_the_dashboard_shows_each_ledger_its_charts_and_a_table_per_unit(client: Client) -> None:
    page = client("viewer").get(f"/dashboard?{AS_OF}&weeks=6")
    assert page.status_code == 200
    text = page.text
    ledgers = text.count('<section class="ledger">') - 1  # the last: overdue by level
    assert ledgers == 4 and text.count("<svg ") == 2 * ledgers + 1
    assert "完成率（按周）" in text and "按期办结率（按周）" in text and "逾期未完成事项" in text
    assert "2017-08-11 至 2017-09-15，共 6 周" in text
    # The unit's row links to its profile, keeping the day and the weeks.
    link = f'href="/dashboard/units/{quote(OWN_UNIT)}?as_of=2017-09-15&amp;weeks=6"'
    assert link in text
    row = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*><a {re.escape(link)}>{OWN_UNIT}</a></th>(.*?)</tr>", text, re.S)
    assert row is not None
    cells = re.findall(r">([^<>]*)</td>", row.group(1))
    assert cells[:7] == ["9", "1", "11.1%", "5", "0", "0.0%", "1"]  # …, then overdue by level: 通报批评 1


def test_one_ledger_chosen_and_the_selector_keeps_it(client: Client) -> None:
    browser = client("clerk")
    everything = browser.get(f"/dashboard?{AS_OF}").text
    one = browser.get(f"/dashboard?ledger=1&{AS_OF}").text
    assert one.count('<section class="ledger">') == 2 < everything.count('<section class="ledger">')
    assert '<option value="1" selected>' in one


BAD = [
    ("weeks=0", "周数：应为 1 至 104 之间的整数，不是“0”"),
    ("weeks=105", "不是“105”"),
    ("weeks=abc", "不是“abc”"),
    ("weeks=%EF%BC%95", "不是“５”"),  # a full-width digit: not a week count
    ("as_of=2017-13-45", "截至日期："),
    ("as_of=%3Cb%3Ex", "截至日期："),
    ("as_of=1066-10-14", "截至日期："),  # outside the supported years: no overflow, no trace
    ("ledger=999", "台账：没有编号为“999”的台账"),
    ("ledger=1%20or%201", "台账：没有编号为“1 or 1”的台账"),
]


def test_a_bad_parameter_is_a_400_page_that_says_which(client: Client) -> None:
    browser = client("supervisor")
    for query, says in BAD:
        profile = [] if query.startswith("ledger") else [f"/dashboard/units/{quote(OWN_UNIT)}"]  # no ledger there
        for path in ["/dashboard", *profile]:
            answer = browser.get(f"{path}?{query}")
            assert answer.status_code == 400, (path, query)
            assert says in answer.text and "Traceback" not in answer.text
            assert "<b>" not in answer.text  # what was typed shows as text
            assert 'role="alert"' in answer.text and 'name="weeks"' in answer.text  # the form to put it right


def test_a_bad_parameter_tells_a_unit_account_nothing(client: Client) -> None:
    answer = client("unit").get("/dashboard?weeks=abc")
    assert answer.status_code == 403 and "周数" not in answer.text
    answer = client("unit").get(f"/dashboard/units/{quote(OTHER_UNIT)}?weeks=abc")
    assert answer.status_code == 403


def test_a_units_profile(client: Client) -> None:
    page = client("admin").get(f"/dashboard/units/{quote(OWN_UNIT)}?{AS_OF}&weeks=4")
    assert page.status_code == 200
    assert f"单位画像：{OWN_UNIT}" in page.text
    for words in ("累计逾期工作日", "复核退回", "申请延期", "未签收通知", "按周走势"):
        assert words in page.text
    assert page.text.count("<svg ") == 2
    assert 'href="/dashboard?as_of=2017-09-15&amp;weeks=4"' in page.text
    missing = client("admin").get("/dashboard/units/丁县政府")
    assert missing.status_code == 404 and "丁县政府" in missing.text


def test_a_unit_named_with_markup_is_escaped_in_the_charts_and_the_table(client: Client, portal: Portal) -> None:
    from tracker.models import Unit

    name = "<script>alert(1)</script>"
    with portal.tracker.session() as session:
        unit = session.get(Unit, 2)
        assert unit is not None
        unit.name = name
        session.commit()
    browser = client("viewer")
    for path in (f"/dashboard?{AS_OF}", f"/dashboard/units/{quote(name, safe='')}?{AS_OF}"):
        page = browser.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # in the table and the charts' titles
        svgs = re.findall(r"<svg .*?</svg>", page.text, re.S)
        assert svgs and any("&lt;script&gt;" in svg for svg in svgs)
        assert not any(re.search(r"\sstyle=|<script|\son\w+=", svg) for svg in svgs)
    assert f'href="/dashboard/units/{quote(name)}?' in browser.get(f"/dashboard?{AS_OF}").text


def test_the_csp_is_as_strict_with_inline_svg(client: Client) -> None:
    page = client("viewer").get(f"/dashboard?{AS_OF}")
    policy = page.headers["content-security-policy"]
    assert policy == HEADERS["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
