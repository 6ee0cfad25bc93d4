"""The units' side through its use cases, on both backends: what a unit owes (``my_work``, `tracker
mine`), a unit submitting its own periodic report (counted as the bureau's ``report received``
would count it), and unsigned notices chased once after ``[notices] ack_days`` working days,
driven day by day through the check and the outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.functional.test_notify import LEDGER as MAIL_LEDGER
from tests.functional.test_usecases_check import make_tracker
from tests.smtp_server import Server, smtp_config
from tests.tui.conftest import AS_OF, demo
from tracker.app import Tracker
from tracker.errors import InputError, NotFoundError
from tracker.models import AuditEntry, Notice, NoticeReceipt, OutboxMessage
from tracker.permissions import OutOfScope
from tracker.usecases import accounts, changes, notices, units
from tracker.usecases.check import run_daily_check
from tracker.usecases.sending import send_messages
from tracker.usecases.work import Actor

PASSWORD = "correct horse 42"
ADMIN, CLERK = Actor("admin"), Actor("测试员")  # the clerk is the desk's user: the lists read as it
OWN, OTHER = "南乐县政府", "濮阳县政府"


def with_accounts(app: Tracker, unit: str = OWN) -> Tracker:
    accounts.add_account(app, Actor("desk"), ADMIN.name, role="admin", password=PASSWORD)
    accounts.add_account(app, ADMIN, CLERK.name, role="clerk", password=PASSWORD)
    accounts.add_account(app, ADMIN, "unit", role="unit", unit=unit, password=PASSWORD)
    return app


@pytest.fixture
def demo_accounts(db_url: str) -> Iterator[Tracker]:
    for app in demo(db_url):
        yield with_accounts(app)


def test_a_unit_account_sees_its_own_unit_only(demo_accounts: Tracker) -> None:
    tracker, unit = demo_accounts, Actor("unit")
    mine = units.my_work(tracker, unit)
    assert mine.unit == OWN and mine.as_of == AS_OF
    # Staff asking for the unit by name see the very same thing.
    assert units.my_work(tracker, CLERK, OWN) == mine == units.my_work(tracker, unit, OWN)
    with tracker.session() as session:
        from tracker.models import Assignment, Unit

        own_ids = set(
            session.exec(
                select(Assignment.id).join(Unit, col(Unit.id) == col(Assignment.unit_id)).where(Unit.name == OWN)
            )
        )
    assert {t.assignment_id for t in mine.tasks} == own_ids and own_ids
    # Deadlines as written and as understood; days left or late, in working days too; the ladder.
    late = [t for t in mine.tasks if t.days_left is not None and t.days_left < 0]
    assert late and all(t.level and t.level_label and t.deadline_text and t.due_on for t in late)
    assert all(t.workdays_left is not None and t.workdays_left < 0 for t in late)
    assert all(t.days_left is None and not t.level for t in mine.tasks if t.status in ("done", "terminated"))
    # The notices it received concern it, and only them; the bureau's list agrees.
    bureau = {n.id: n for n in notices.list_notices(tracker)}
    assert mine.notices and all(OWN in bureau[n.id].units for n in mine.notices)
    assert {n.id for n in mine.notices} == {i for i, n in bureau.items() if OWN in n.units}
    # Another unit's name is refused as a unit that does not exist is (and audited).
    with pytest.raises(NotFoundError) as absent:
        units.my_work(tracker, CLERK, "不存在县政府")
    with pytest.raises(OutOfScope) as refused:
        units.my_work(tracker, unit, OTHER)
    assert str(refused.value) == str(absent.value).replace("不存在县政府", OTHER)
    with tracker.session() as session:
        last = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
        assert last is not None and (last.action, last.by, last.subject) == ("refused", "unit", "work.mine")
    # Staff must name a unit; a unit account's report is its own unit's, another's is missing.
    with pytest.raises(InputError, match="--unit"):
        units.my_work(tracker, CLERK)
    with pytest.raises(OutOfScope) as report:
        changes.submit_report(tracker, unit, "建科研函[2013]183号", "北京东城区")
    assert str(report.value).endswith("has no unit '北京东城区'")


def test_mine_on_the_command_line(demo_accounts: Tracker, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli
    base = ["--as", "unit"]
    found = run(*[*base, "mine", "--json", "--as-of", AS_OF.isoformat()])
    assert found.code == 0, found.err
    payload = json.loads(found.out)
    assert payload["unit"] == OWN and payload["as_of"] == AS_OF.isoformat()
    assert {"ledger", "task", "deadline_text", "due_on", "days_left", "workdays_left", "level", "status"} <= set(
        payload["tasks"][0]
    )
    assert {"number", "kind", "issued_on", "acknowledged_by", "ack_due", "ack_overdue"} <= set(payload["notices"][0])
    refused = run(*base, "mine", "--unit", OTHER)
    assert refused.code == 2 and OTHER in refused.err
    shown = run(*base, "mine", "--as-of", AS_OF.isoformat())
    assert shown.code == 0 and OWN in shown.out


REPORTING = """
title = "月报台账"
doc_number = "测试〔2017〕9号"
year = 2017
issued_on = 2017-04-01

[[units]]
name = "南乐县政府"
person = "李新"
[[units]]
name = "范县政府"
person = "王芳"

[[reports]]
name = "月度进展报告"
deadline = "每月25日前"

[[tasks]]
text = "完成改造方案"
deadline = "2017年6月30日"
"""


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(2, 0), tzinfo=dt.UTC)


def make(db_url: str, tmp_path: Path, ledger: str, clock: Clock, config: str = "") -> Tracker:
    return make_tracker(db_url, tmp_path, ledger, config, clock=clock)


def test_a_unit_submits_its_periodic_report_on_time_and_late(db_url: str, tmp_path: Path) -> None:
    clock = Clock(dt.date(2017, 4, 20))
    tracker = with_accounts(make(db_url, tmp_path, REPORTING, clock))
    unit = Actor("unit")
    due = units.my_work(tracker, unit).reports
    assert [(r.report, r.due_on, r.days_late) for r in due] == [("月度进展报告", dt.date(2017, 4, 25), -5)]

    on_time = changes.submit_report(tracker, unit, "月报台账")
    assert (on_time.unit, on_time.due_on, on_time.received_on, on_time.standing) == (
        OWN,
        dt.date(2017, 4, 25),
        dt.date(2017, 4, 20),
        "",
    )
    # The next period is what it owes now.
    assert [r.due_on for r in units.my_work(tracker, unit).reports] == [dt.date(2017, 5, 25)]

    clock.day = dt.date(2017, 5, 29)  # the May report is late: 迟报, as the bureau's record says
    assert [r.days_late for r in units.my_work(tracker, unit).reports] == [4, -27]
    late = changes.submit_report(tracker, unit, "月报台账")
    assert (late.due_on, late.received_on, late.standing) == (dt.date(2017, 5, 25), dt.date(2017, 5, 29), "迟报")
    staff = changes.record_report_received(tracker, CLERK, "月报台账", "范县政府", on=dt.date(2017, 5, 29))
    assert (staff.due_on, staff.standing) == (dt.date(2017, 4, 25), "迟报")
    with tracker.session() as session:
        received = select(AuditEntry).where(AuditEntry.action == "report-received")
        rows = session.exec(received.order_by(col(AuditEntry.id)))
        assert [(e.by, e.subject, json.loads(e.after)["late"]) for e in rows] == [
            ("unit", "月度进展报告 2017-04-25", False),
            ("unit", "月度进展报告 2017-05-25", True),
            ("测试员", "月度进展报告 2017-04-25", True),
        ]
    # The same period twice is refused; staff name the unit.
    with pytest.raises(InputError):
        changes.submit_report(tracker, unit, "月报台账", period=dt.date(2017, 5, 25))
    with pytest.raises(InputError, match="--unit"):
        changes.submit_report(tracker, CLERK, "月报台账")
    tracker.engine.dispose()


def all_numbers(tracker: Tracker) -> list[str]:
    with tracker.session() as session:
        return list(session.exec(select(Notice.number)))


def test_unsigned_notices_are_chased_once_day_by_day(db_url: str, tmp_path: Path, server: Server) -> None:
    """Notices issued Wednesday 2017-04-05 (after 清明), ack_days = 3: chased on Monday 04-10.
    范县's is signed on Friday: it is never chased. Each day the check runs (twice on 04-10) and
    the outbox is sent."""
    clock = Clock(dt.date(2017, 4, 5))
    config = smtp_config(server.port, extra="[notices]\nack_days = 3\n")
    tracker = make(db_url, tmp_path, MAIL_LEDGER, clock, config)
    day, sent_unsigned = dt.date(2017, 4, 5), {}
    numbers: dict[str, str] = {}
    while day <= dt.date(2017, 4, 14):
        clock.day = day
        for _ in range(2 if day == dt.date(2017, 4, 10) else 1):
            run_daily_check(tracker, CLERK, as_of=day)
        if day == dt.date(2017, 4, 5):
            issued = notices.list_notices(tracker)
            numbers = {n.units[0]: n.number for n in issued if n.kind == "warning"}
            assert set(numbers) == {"南乐县政府", "范县政府", "台前县政府"}
            assert all(n.ack_due == dt.date(2017, 4, 10) and not n.ack_overdue for n in issued)
        if day == dt.date(2017, 4, 7):
            notices.acknowledge_notice(tracker, CLERK, numbers["范县政府"], signed_by="王芳")
        send_messages(tracker, CLERK, manual=True, as_of=day, anyway=True)
        with tracker.session() as session:
            for row in session.exec(select(OutboxMessage).where(OutboxMessage.as_of == day)):
                if "尚未签收" in row.text:
                    named = [number for number in all_numbers(tracker) if number in row.text.split("尚未签收")[1]]
                    sent_unsigned.setdefault((row.to_addr, row.status), []).append((day, named))
        listed = {n.number: n for n in notices.list_notices(tracker, unacknowledged=True)}
        assert listed[numbers["南乐县政府"]].ack_overdue is (day >= dt.date(2017, 4, 10))
        day += dt.timedelta(days=1)
    # One reminder, on the day, to 李新 (南乐县政府); none to 王芳, who signed; 台前 has no address.
    # The warnings of 04-11 (task 2, due 04-10) are chased on Friday 04-14, each once.
    second = {n.units[0]: n.number for n in notices.list_notices(tracker) if n.as_of == dt.date(2017, 4, 11)}
    assert sent_unsigned == {
        ("lixin@example.gov.cn", "sent"): [
            (dt.date(2017, 4, 10), [numbers["南乐县政府"]]),
            (dt.date(2017, 4, 14), [second["南乐县政府"]]),
        ],
        ("wangfang@example.gov.cn", "sent"): [(dt.date(2017, 4, 14), [second["范县政府"]])],
    }
    with tracker.session() as session:
        first = (
            select(Notice.number, NoticeReceipt.chased_on)
            .join(NoticeReceipt, col(NoticeReceipt.notice_id) == col(Notice.id))
            .where(Notice.as_of == dt.date(2017, 4, 5))
        )
        chased = dict(session.exec(first).all())
        trail = session.exec(select(AuditEntry.subject).where(AuditEntry.action == "notice-chased")).all()
    assert chased == {
        numbers["南乐县政府"]: dt.date(2017, 4, 10),
        numbers["台前县政府"]: dt.date(2017, 4, 10),
        numbers["范县政府"]: None,
    }
    assert sorted(trail) == sorted([numbers["南乐县政府"], numbers["台前县政府"], *second.values()])  # once each
    # The bureau's list marks it; the unit's own view says the same.
    shown = {n.number: n for n in notices.list_notices(tracker, as_of=dt.date(2017, 4, 14))}
    assert shown[numbers["南乐县政府"]].ack_overdue and not shown[numbers["范县政府"]].ack_overdue
    theirs = units.my_work(tracker, CLERK, "南乐县政府", as_of=dt.date(2017, 4, 14)).notices
    assert [(n.number, n.ack_overdue, n.chased_on) for n in theirs if n.kind == "warning"] == [
        (numbers["南乐县政府"], True, dt.date(2017, 4, 10)),
        (second["南乐县政府"], True, dt.date(2017, 4, 14)),
    ]
    tracker.engine.dispose()


def test_a_notice_signed_after_the_reminder_was_queued_drops_out(db_url: str, tmp_path: Path, server: Server) -> None:
    clock = Clock(dt.date(2017, 4, 5))
    config = smtp_config(server.port, extra="[notices]\nack_days = 3\n")
    tracker = make(db_url, tmp_path, MAIL_LEDGER, clock, config)
    run_daily_check(tracker, CLERK, as_of=dt.date(2017, 4, 5))
    clock.day = dt.date(2017, 4, 10)
    run_daily_check(tracker, CLERK, as_of=clock.day)
    number = next(n.number for n in notices.list_notices(tracker) if n.units == ["南乐县政府"])

    def waiting() -> list[str]:
        with tracker.session() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == "lixin@example.gov.cn"))
            return [line for row in rows if row.status != "obsolete" for line in json.loads(row.items)]

    assert any(line.startswith("unsigned:") for line in waiting())
    notices.acknowledge_notice(tracker, CLERK, number, signed_by="李新")
    send_messages(tracker, CLERK, manual=True, as_of=clock.day, anyway=True)
    assert not any(line.startswith("unsigned:") for line in waiting())
    [mail] = [r for r in server.received if r.rcpt_tos == ["lixin@example.gov.cn"]]
    body = mail.message.get_body(("plain",))
    assert body is not None and "尚未签收" not in body.get_content() and "逾期任务" in body.get_content()
    # 王芳 did not sign: hers still reminds her.
    [other] = [r for r in server.received if r.rcpt_tos == ["wangfang@example.gov.cn"]]
    body = other.message.get_body(("plain",))
    assert body is not None and "尚未签收" in body.get_content()
    tracker.engine.dispose()


def test_no_chase_in_a_year_the_calendar_does_not_know(db_url: str, tmp_path: Path) -> None:
    """The check goes on in a year without a working-day calendar; nothing is chased, no date guessed."""
    clock = Clock(dt.date(2031, 4, 7))
    ledger = MAIL_LEDGER.replace("2017", "2031")
    tracker = make(db_url, tmp_path, ledger, clock)
    assert run_daily_check(tracker, CLERK, as_of=dt.date(2031, 4, 7)).notices
    clock.day = dt.date(2031, 4, 21)
    run_daily_check(tracker, CLERK, as_of=clock.day)
    listed = notices.list_notices(tracker)
    assert listed and all(n.chased_on is None and n.ack_due is None and not n.ack_overdue for n in listed)
    tracker.engine.dispose()
