"""签收 per unit over HTTP (the ASGI test client), both backends: a bulletin names 南乐县 and
濮阳县; 濮阳县's account signs it, and 南乐县's 我的任务 and 通知 still show it 未签收, with its
own button; the bureau sees each unit's state and 代单位签收 for the one still unsigned; 南乐县
then signs for itself."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.web.conftest import OTHER_UNIT, OWN_UNIT, Portal, csrf_of
from tracker.usecases import notices
from tracker.usecases.work import Actor

Client = Callable[..., TestClient]


def bulletin(portal: Portal) -> notices.NoticeRow:
    """The demo's newest bulletin naming both units (on the first page of the bureau's list)."""
    return [
        n
        for n in notices.notices_for(portal.tracker, Actor("clerk"))
        if n.kind == "criticism" and OWN_UNIT in n.units and OTHER_UNIT in n.units
    ][-1]


def row_of(page: str, number: str) -> str:
    """The table row of the notice ``number``."""
    rows = [r for r in re.split(r"<tr[ >]", page) if number in r]
    assert len(rows) == 1, f"{number} in {len(rows)} rows"
    return rows[0].split("</tr>")[0]


def listed(browser: TestClient, number: str, show: str = "all") -> str:
    """The notices page (``show``), on whichever page of it lists ``number``; "" when none does."""
    for page in range(1, 30):
        text = browser.get(f"/notices?show={show}&page={page}").text
        if number in text:
            return text
        if 'rel="next"' not in text:
            return ""
    return ""


def sign(browser: TestClient, notice_id: int, **fields: str) -> str:
    token = csrf_of(browser.get("/notices").text)
    answer = browser.post(f"/notices/{notice_id}/ack", data={"csrf": token, **fields})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_each_unit_signs_a_bulletin_for_itself(portal: Portal, client: Client) -> None:
    found = bulletin(portal)
    assert found.acknowledged_at is None and len(found.receipts) >= 2
    own, other, clerk = client("unit"), client("unit2"), client("clerk")
    assert sign(other, found.id) == f"/notices?signed={found.id}"  # 濮阳县 signs for itself
    for page in (own.get("/").text, own.get("/notices").text):  # 我的任务 and 通知
        row = row_of(page, found.number)
        assert "未签收" in row and "unit2" not in row and f'action="/notices/{found.id}/ack"' in row
    theirs = row_of(other.get("/notices").text, found.number)
    assert "unit2 于" in theirs and "/ack" not in theirs
    # The bureau: how many signed, each unit's state, 代单位签收 for those still unsigned.
    staff = row_of(listed(clerk, found.number), found.number)
    assert f"已签收 1/{len(found.receipts)}" in staff and "unit2 于" in staff
    assert f'name="unit" value="{OWN_UNIT}"' in staff and f'name="unit" value="{OTHER_UNIT}"' not in staff
    assert "代单位签收" in staff
    assert listed(clerk, found.number, "unsigned") and not listed(other, found.number, "unsigned")
    # Staff posting without a unit for a bulletin are refused (which unit?), nothing signed.
    token = csrf_of(clerk.get("/notices").text)
    refused = clerk.post(f"/notices/{found.id}/ack", data={"csrf": token})
    assert refused.status_code == 400 and OWN_UNIT in refused.text
    # 南乐县 signs for itself; staff then signing for 濮阳县 are told it had signed.
    assert sign(own, found.id) == f"/notices?signed={found.id}"
    assert "unit 于" in row_of(own.get("/notices").text, found.number)
    assert sign(clerk, found.id, unit=OTHER_UNIT) == f"/notices?already={found.id}"
    by_unit = {r.unit: r.acknowledged_by for r in bulletin(portal).receipts}
    assert by_unit[OWN_UNIT] == "unit" and by_unit[OTHER_UNIT] == "unit2"
