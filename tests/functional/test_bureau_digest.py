"""The bureau's own digest ([notify] bureau): what waits for review (待复核), requests of every kind
in approval chains (待审批: extensions, terminations, person changes) and notices unsigned past
their signing days (逾期未签收), with how many working days each has waited; true on any sequence
of days (what was decided or signed is gone the next day) and never sent again unchanged."""

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
from tracker.progress import Reach
from tracker.usecases import progress
from tracker.usecases.changes import decide_extension, decide_request, request_extension, terminate
from tracker.usecases.check import run_daily_check
from tracker.usecases.notices import acknowledge_notice
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


CHAINS = '[approval]\ntermination = ["supervisor"]\nperson_change = ["clerk", "supervisor"]'


@pytest.fixture(params=[""], ids=["plain"])
def bureau(
    db_url: str, tmp_path: Path, server: Server, request: pytest.FixtureRequest
) -> Iterator[tuple[Tracker, Clock]]:
    extra = f'[notify]\nbureau = ["{BUREAU}"]\n{request.param}'
    tracker = make_tracker(db_url, tmp_path, LEDGER, smtp_config(server.port, extra=extra))
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
    check_and_send(tracker, clock.day(dt.date(2017, 4, 10)))  # nothing waits for review or approval
    last = bureau_rows(tracker)[-1]  # only the notices of Wednesday, unsigned past their 3 working days
    assert last.subject == "【逾期未签收】督查事项：2份通知逾期未签收" and "待审批" not in last.text
    assert not [line for line in json.loads(last.items) if line.startswith(("review:", "approval:"))]


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


def approval_lines(row: OutboxMessage) -> list[str]:
    return sorted(line for line in json.loads(row.items) if line.startswith("approval:"))


@pytest.mark.parametrize("bureau", [CHAINS], ids=["chains"], indirect=True)
def test_terminations_and_person_changes_wait_in_the_bureau_digest(bureau: tuple[Tracker, Clock]) -> None:
    """Every kind of request waiting at a step of its chain, each named by its ref: extension 1,
    termination T1 and person change P2 never collide; each is gone the day after it is decided."""
    tracker, clock = bureau
    wed = clock.day(dt.date(2017, 4, 5))
    asked = request_extension(tracker, DESK, TITLE, "2", "南乐县政府", to=dt.date(2017, 4, 30), reason="资金未到位")
    ended = terminate(tracker, DESK, TITLE, "范县政府", reason="机构撤并")
    moved = progress.change_person(tracker, DESK, TITLE, "台前县政府", name="王新", reach=Reach(phone="0393-1234567"))
    assert (asked.id, ended.request, moved.request) == (1, "T1", "P2")
    check_and_send(tracker, wed)
    [first] = bureau_rows(tracker)
    assert first.status == "sent" and first.subject == "【待审批】督查事项：3项申请待审批"
    assert approval_lines(first) == ["approval:1:1:0", "approval:P2:1:0", "approval:T1:1:0"]
    assert (
        "延期申请1：老旧小区改造 任务2 南乐县政府，延期至2017年4月30日，测试员申请，第1步待科长/分管领导审批"
        in first.text
    )
    assert "终止申请T1：老旧小区改造 范县政府，批准之日起终止，测试员申请，第1步待科长/分管领导审批" in first.text
    assert (
        "更换责任人申请P2：老旧小区改造 台前县政府，责任人更换为王新（原赵强），测试员申请，第1步待督查员审批"
        in first.text
    )
    assert "<td>T1</td><td>终止</td>" in first.html and "<td>P2</td><td>更换责任人</td>" in first.html

    thu = clock.day(dt.date(2017, 4, 6))
    decide_request(tracker, DESK, "P2", approve=True)  # the clerk's step: P2 now waits at step 2, since today
    check_and_send(tracker, thu)
    second = bureau_rows(tracker)[-1]
    assert approval_lines(second) == ["approval:1:1:1", "approval:P2:2:0", "approval:T1:1:1"]
    assert "更换责任人申请P2：老旧小区改造 台前县政府，责任人更换为王新（原赵强）" in second.text
    assert "第2步待科长/分管领导审批，已等待0个工作日" in second.text

    decide_request(tracker, DESK, "T1", approve=True)  # the termination's only step, on Thursday
    fri = clock.day(dt.date(2017, 4, 7))
    check_and_send(tracker, fri)
    third = bureau_rows(tracker)[-1]
    assert third.as_of == fri and approval_lines(third) == ["approval:1:1:2", "approval:P2:2:1"]
    assert "终止申请" not in third.text and third.subject == "【待审批】督查事项：2项申请待审批"

    decide_request(tracker, DESK, "P2", approve=False, reason="人选未定")  # refused at step 2: gone too
    mon = clock.day(dt.date(2017, 4, 10))
    check_and_send(tracker, mon)
    fourth = bureau_rows(tracker)[-1]
    assert fourth.as_of == mon and approval_lines(fourth) == ["approval:1:1:3"]
    assert "更换责任人申请" not in fourth.text and "延期申请1" in fourth.text


def late_lines(row: OutboxMessage) -> list[str]:
    return sorted(line for line in json.loads(row.items) if line.startswith("unsigned_late:"))


def test_notices_unsigned_past_their_days_are_listed_to_the_bureau_day_by_day(bureau: tuple[Tracker, Clock]) -> None:
    """逾期未签收 in the bureau's digest: from the day a notice's signing days ([notices] ack_days,
    3 working days) are over, as `tracker notices` marks it, with the working days since its
    issue; gone the day after it is signed, and right on days the check did not run."""
    tracker, clock = bureau
    check_and_send(tracker, clock.day(dt.date(2017, 4, 5)))  # Wednesday: notices 1 to 3 issued, one per unit
    assert bureau_rows(tracker) == []  # nothing waits for the bureau yet
    check_and_send(tracker, clock.day(dt.date(2017, 4, 7)))  # Friday: still within their days
    assert bureau_rows(tracker) == []

    check_and_send(tracker, clock.day(dt.date(2017, 4, 10)))  # Monday: 3 working days, unsigned
    [first] = bureau_rows(tracker)
    assert late_lines(first) == ["unsigned_late:1:1:3", "unsigned_late:2:2:3", "unsigned_late:3:3:3"]
    assert first.subject == "【逾期未签收】督查事项：3份通知逾期未签收"
    assert "督办通知 督查〔2017〕1号：老旧小区改造 南乐县政府，2017年4月5日印发，已3个工作日未签收" in first.text
    assert "<td>督查〔2017〕3号</td><td>老旧小区改造</td><td>台前县政府</td>" in first.html

    acknowledge_notice(tracker, DESK, "督查〔2017〕1号")  # signed on Monday: gone on Tuesday
    check_and_send(tracker, clock.day(dt.date(2017, 4, 11)))
    second = bureau_rows(tracker)[-1]
    assert len(bureau_rows(tracker)) == 2 and late_lines(second) == ["unsigned_late:2:2:4", "unsigned_late:3:3:4"]
    assert "督查〔2017〕1号" not in second.text

    check_and_send(tracker, clock.day(dt.date(2017, 4, 13)))  # Thursday, Wednesday's check skipped
    third = bureau_rows(tracker)[-1]
    assert len(bureau_rows(tracker)) == 3 and late_lines(third) == ["unsigned_late:2:2:6", "unsigned_late:3:3:6"]

    acknowledge_notice(tracker, DESK, "督查〔2017〕2号")
    acknowledge_notice(tracker, DESK, "督查〔2017〕3号")
    check_and_send(tracker, clock.day(dt.date(2017, 4, 14)))  # Friday: 2 and 3 signed, gone
    fourth = bureau_rows(tracker)[-1]  # only Tuesday's notices on task 2 (due Monday), now late in turn
    assert late_lines(fourth) == ["unsigned_late:4:1:3", "unsigned_late:5:2:3", "unsigned_late:6:3:3"]
    assert "督查〔2017〕2号" not in fourth.text and "督查〔2017〕3号" not in fourth.text
