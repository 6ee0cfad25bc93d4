"""The bureau's own digest ([notify] bureau): what waits for review (待复核) and in approval chains
(待审批), with how many working days each has waited; true on any sequence of days (what was
decided is gone the next day) and never sent again unchanged."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.functional.test_notify import LEDGER
from tests.functional.test_usecases_check import make_tracker
from tests.smtp_server import Server, smtp_config
from tracker.app import Tracker
from tracker.models import OutboxMessage
from tracker.usecases.changes import decide_extension, request_extension
from tracker.usecases.check import run_daily_check
from tracker.usecases.review import accept_completion, return_completion, submit_completion
from tracker.usecases.sending import send_messages
from tracker.usecases.work import Actor

BUREAU = "duban-ke@example.gov.cn"
DESK = Actor("测试员")
TITLE = "老旧小区改造"


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2017, 4, 5, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

    def __call__(self) -> dt.datetime:
        return self.at

    def day(self, day: dt.date) -> dt.date:
        self.at = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
        return day


@pytest.fixture
def bureau(db_url: str, tmp_path: Path, server: Server) -> Iterator[tuple[Tracker, Clock]]:
    tracker = make_tracker(db_url, tmp_path, LEDGER, smtp_config(server.port, extra=f'[notify]\nbureau = ["{BUREAU}"]'))
    clock = Clock()
    tracker.clock = clock
    yield tracker, clock
    tracker.engine.dispose()


def bureau_rows(tracker: Tracker) -> list[OutboxMessage]:
    with tracker.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.to_addr == BUREAU, OutboxMessage.status != "obsolete")
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


def check_and_send(tracker: Tracker, day: dt.date) -> None:
    run_daily_check(tracker, DESK, as_of=day)
    send_messages(tracker, DESK, manual=True, as_of=day, anyway=True)


def test_the_bureau_is_told_what_waits_for_it_day_by_day(bureau: tuple[Tracker, Clock], server: Server) -> None:
    tracker, clock = bureau
    wed = clock.day(dt.date(2017, 4, 5))
    sent = submit_completion(tracker, DESK, TITLE, "1", "南乐县政府", dt.date(2017, 3, 30), note="已完成")
    asked = request_extension(tracker, DESK, TITLE, "2", "范县政府", to=dt.date(2017, 4, 30), reason="资金未到位")
    check_and_send(tracker, wed)
    [first] = bureau_rows(tracker)
    assert first.status == "sent" and first.subject == "【待复核】督查事项：1项办结待复核、1项申请待审批"
    assert first.cc == "[]"  # the supervisors copied on the units' digests are not copied on the bureau's
    assert "待复核" in first.text and "南乐县政府" in first.text and "测试员于2017年4月5日提交" in first.text
    assert "已等待0个工作日" in first.text and "待审批" in first.text and "第1步待科长/分管领导审批" in first.text
    assert "待复核" in first.html and "范县政府" in first.html
    assert [m for m in server.received if BUREAU in m.rcpt_tos]
    # The units' own digests never carry the bureau's list.
    with tracker.session() as session:
        others = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr != BUREAU)).all()
    assert others and all("待复核" not in m.text for m in others)

    check_and_send(tracker, wed)  # the same day again: nothing new, nothing sent again
    assert len(bureau_rows(tracker)) == 1

    thu = clock.day(dt.date(2017, 4, 6))
    check_and_send(tracker, thu)  # a working day later: still waiting, one day longer
    second = bureau_rows(tracker)[-1]
    assert len(bureau_rows(tracker)) == 2 and "已等待1个工作日" in second.text
    assert sorted(json.loads(second.items)) == sorted(
        [f"to:{BUREAU}:", "as_of:2017-04-06", "cc:[]", f"review:{sent.id}:1", f"approval:{asked.id}:1:1"]
    )

    accept_completion(tracker, DESK, sent.id)  # 销号 on Thursday: gone from Friday's digest
    fri = clock.day(dt.date(2017, 4, 7))
    check_and_send(tracker, fri)
    third = bureau_rows(tracker)[-1]
    assert len(bureau_rows(tracker)) == 3 and third.as_of == fri
    assert "南乐县政府" not in third.text and third.subject == "【待审批】督查事项：1项申请待审批"
    assert "已等待2个工作日" in third.text

    check_and_send(tracker, clock.day(dt.date(2017, 4, 8)))  # Saturday: no working day passed, unchanged
    assert len(bureau_rows(tracker)) == 3

    decide_extension(tracker, DESK, str(asked.id), approve=True)
    check_and_send(tracker, clock.day(dt.date(2017, 4, 10)))  # nothing waits: nothing for the bureau
    assert len(bureau_rows(tracker)) == 3


def test_a_waiting_bureau_digest_drops_what_was_decided_before_it_went(bureau: tuple[Tracker, Clock]) -> None:
    tracker, clock = bureau
    day = clock.day(dt.date(2017, 4, 5))
    sent = submit_completion(tracker, DESK, TITLE, "1", "南乐县政府", dt.date(2017, 3, 30))
    run_daily_check(tracker, DESK, as_of=day)
    [waiting] = bureau_rows(tracker)
    assert "南乐县政府" in waiting.text
    accept_completion(tracker, DESK, sent.id)
    send_messages(tracker, DESK, manual=True, as_of=day, anyway=True)
    # Rebuilt before it went: nothing left to say, so it is not sent at all.
    assert bureau_rows(tracker) == []


def test_without_a_bureau_list_no_bureau_digest(db_url: str, tmp_path: Path, server: Server) -> None:
    tracker = make_tracker(db_url, tmp_path, LEDGER, smtp_config(server.port))
    try:
        submit_completion(tracker, DESK, TITLE, "1", "南乐县政府", dt.date(2017, 3, 30))
        run_daily_check(tracker, DESK, as_of=dt.date(2017, 4, 5))
        with tracker.session() as session:
            rows = session.exec(select(OutboxMessage)).all()
        assert rows and all("待复核" not in m.text for m in rows)
    finally:
        tracker.engine.dispose()


def test_a_units_digest_says_which_late_task_was_returned(bureau: tuple[Tracker, Clock]) -> None:
    """退回 in the responsible person's digest: the returned task is late again, and says why it is there."""
    tracker, clock = bureau
    day = clock.day(dt.date(2017, 4, 5))
    sent = submit_completion(tracker, DESK, TITLE, "1", "南乐县政府", dt.date(2017, 4, 1))
    return_completion(tracker, DESK, sent.id, "佐证材料不全")
    run_daily_check(tracker, DESK, as_of=day)
    with tracker.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.status != "obsolete")).all()
    mine = next(m for m in rows if m.to_addr.lower() == "lixin@example.gov.cn")
    other = next(m for m in rows if m.to_addr.lower() == "wangfang@example.gov.cn")
    assert "南乐县政府），复核退回、仍须办理，完成时限2017年3月31日" in mine.text
    assert "复核退回、仍须办理" in mine.html and any(line.endswith(":returned") for line in json.loads(mine.items))
    assert "复核退回" not in other.text
