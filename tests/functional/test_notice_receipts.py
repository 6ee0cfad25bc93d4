"""签收 per unit addressed, both backends: a criticism bulletin names several units and each signs
for itself (a unit account for its own unit, staff on one's behalf with --unit); one unit signing
leaves the others 未签收 in `tracker mine`, `tracker notices` and the use cases; the chase and the
bureau's 逾期未签收 are per unit, day by day; migration 0020 carries the old one-per-notice 签收
over and back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from tests.functional.test_notify import LEDGER as MAIL_LEDGER
from tests.functional.test_unit_side import CLERK, Clock, make
from tests.smtp_server import Server, smtp_config
from tracker.app import Tracker
from tracker.models import AuditEntry, NoticeReceipt, OutboxMessage, Unit
from tracker.usecases import accounts, notices, units
from tracker.usecases.check import run_daily_check
from tracker.usecases.sending import send_messages
from tracker.usecases.work import Actor

PASSWORD = "correct horse 42"
NANLE, FANXIAN = "南乐县政府", "范县政府"
BUREAU = "ducha@example.gov.cn"

# test_notify's ledger without 台前县 and its second task: one task late since 03-31, so the first
# check, on Thursday 04-20, issues bulletin 1 naming 南乐县 and 范县.
BULLETIN = MAIL_LEDGER.replace('[[units]]\nname = "台前县政府"\nperson = "赵强"\n', "").replace(
    '[[tasks]]\ntext = "开工建设"\ndeadline = "2017年4月10日"\n', ""
)
ISSUED = dt.date(2017, 4, 20)
DUE = dt.date(2017, 4, 25)  # ack_days = 3 working days


def with_units(app: Tracker) -> Tracker:
    accounts.add_account(app, Actor("desk"), "admin", role="admin", password=PASSWORD)
    accounts.add_account(app, Actor("admin"), CLERK.name, role="clerk", password=PASSWORD)
    accounts.add_account(app, Actor("admin"), "nanle", role="unit", unit=NANLE, password=PASSWORD)
    accounts.add_account(app, Actor("admin"), "fanxian", role="unit", unit=FANXIAN, password=PASSWORD)
    return app


def receipts(tracker: Tracker) -> dict[str, tuple[str, dt.date | None]]:
    """Unit → (who signed, the day it was chased) of bulletin 1."""
    with tracker.session() as session:
        rows = session.exec(
            select(Unit.name, NoticeReceipt.acknowledged_by, NoticeReceipt.chased_on)
            .join(Unit, col(Unit.id) == col(NoticeReceipt.unit_id))
            .where(NoticeReceipt.notice_id == 1)
        )
        return {unit: (by, chased) for unit, by, chased in rows}


def test_each_unit_named_in_a_bulletin_signs_for_itself(  # type: ignore[no-untyped-def]
    db_url: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the lists' tables on one line each
    clock = Clock(ISSUED)
    tracker = with_units(make(db_url, tmp_path, BULLETIN, clock, "[notices]\nack_days = 3\n"))
    [bulletin] = run_daily_check(tracker, CLERK, as_of=ISSUED).notices
    assert bulletin.kind == "criticism" and list(bulletin.units) == [NANLE, FANXIAN]
    config = tmp_path / "tracker.toml"

    def run(who: str, *args: str):  # type: ignore[no-untyped-def]
        return cli("--config", config, "--as", who, *args)

    def mine(who: str) -> dict[str, object]:
        found = run(who, "mine", "--json", "--as-of", ISSUED.isoformat())
        assert found.code == 0, found.err
        [notice] = json.loads(found.out)["notices"]
        return notice  # type: ignore[no-any-return]

    # Staff must say which unit they sign for: refused, naming the units.
    refused = run(CLERK.name, "ack", "1")
    assert refused.code == 2 and NANLE in refused.err and FANXIAN in refused.err and "--unit" in refused.err
    # 范县 signs for itself; 南乐 has still not signed, as its own list says.
    signed = run("fanxian", "ack", "1")
    assert signed.code == 0 and f"{FANXIAN}已签收（fanxian）" in signed.out, signed.err
    assert mine("fanxian")["acknowledged_by"] == "fanxian"
    theirs = mine("nanle")
    assert not theirs["acknowledged_by"] and theirs["acknowledged_at"] is None and theirs["ack_overdue"] is False
    shown = run("nanle", "mine", "--as-of", ISSUED.isoformat())
    assert shown.code == 0 and "未签收" in shown.out and "fanxian" not in shown.out
    assert units.my_work(tracker, Actor("nanle")).notices[0].acknowledged_at is None
    # A unit account signs for its own unit only.
    other = run("nanle", "ack", "1", "--unit", FANXIAN)
    assert other.code == 2 and "只为本单位（南乐县政府）签收" in other.err
    # The bureau's list: 1 of 2, each unit's receipt in JSON.
    listed = run(CLERK.name, "notices")
    assert listed.code == 0 and "已签收 1/2" in listed.out, listed.out
    [row] = json.loads(run(CLERK.name, "notices", "--json").out)
    assert row["acknowledged_at"] is None
    assert [(r["unit"], r["acknowledged_by"]) for r in row["receipts"]] == [(NANLE, None), (FANXIAN, "fanxian")]
    unsigned = json.loads(run(CLERK.name, "notices", "--unacknowledged", "--json").out)
    assert [r["number"] for r in unsigned] == [bulletin.number]
    # 南乐 signs for itself: told it signed, not that 范县 had.
    own = run("nanle", "ack", "1")
    assert own.code == 0 and f"{NANLE}已签收（nanle）" in own.out and "无需再签" not in own.out
    again = run("nanle", "ack", "1", "--json")
    assert json.loads(again.out)["already"] is True and json.loads(again.out)["acknowledged_by"] == "nanle"
    # Staff on 范县's behalf: it had signed.
    staff = run(CLERK.name, "ack", "1", "--unit", FANXIAN)
    assert staff.code == 0 and "已由 fanxian" in staff.out
    assert receipts(tracker) == {NANLE: ("nanle", None), FANXIAN: ("fanxian", None)}
    assert "已签收 2/2" in run(CLERK.name, "notices").out
    assert json.loads(run(CLERK.name, "notices", "--unacknowledged", "--json").out) == []
    with tracker.session() as session:
        acks = session.exec(select(AuditEntry.by, AuditEntry.unit_id).where(AuditEntry.action == "ack")).all()
    assert len(acks) == 2 and len({u for _, u in acks}) == 2
    tracker.engine.dispose()


def test_the_chase_and_the_bureau_digest_are_per_unit(db_url: str, tmp_path: Path, server: Server) -> None:
    """Each day from the issue (Thursday 04-20) to Thursday 04-27 the check runs (twice on the day
    to sign by, Tuesday 04-25) and the outbox is sent. 范县 signs on Friday: never chased, never
    listed to the bureau; 南乐 is reminded once, on 04-25, and listed to the bureau until it signs
    on 04-26."""
    clock = Clock(ISSUED)
    extra = f'[notices]\nack_days = 3\n[notify]\nbureau = ["{BUREAU}"]\n'
    tracker = make(db_url, tmp_path, BULLETIN, clock, smtp_config(server.port, extra=extra))
    reminded: dict[str, list[dt.date]] = {}
    late: dict[dt.date, list[str]] = {}
    day = ISSUED
    while day <= dt.date(2017, 4, 27):
        clock.day = day
        if day == dt.date(2017, 4, 21):
            notices.acknowledge_notice(tracker, CLERK, "1", signed_by="王芳", unit=FANXIAN)
        if day == dt.date(2017, 4, 26):
            notices.acknowledge_notice(tracker, CLERK, "1", signed_by="李新", unit=NANLE)
        for _ in range(2 if day == DUE else 1):
            run_daily_check(tracker, CLERK, as_of=day)
        send_messages(tracker, CLERK, manual=True, as_of=day, anyway=True)
        with tracker.session() as session:
            for row in session.exec(select(OutboxMessage).where(OutboxMessage.as_of == day)):
                if row.to_addr == BUREAU:
                    late[day] = sorted(line for line in json.loads(row.items) if line.startswith("unsigned_late:"))
                elif "尚未签收" in row.text:
                    reminded.setdefault(row.to_addr, []).append(day)
        listed = {n.number: n for n in notices.list_notices(tracker, as_of=day)}
        assert listed["督查〔2017〕1号"].ack_overdue is (DUE <= day < dt.date(2017, 4, 26))
        day += dt.timedelta(days=1)
    assert reminded == {"lixin@example.gov.cn": [DUE]}
    with tracker.session() as session:
        nanle = session.exec(select(Unit.id).where(Unit.name == NANLE)).one()
        trail = session.exec(select(AuditEntry.unit_id).where(AuditEntry.action == "notice-chased")).all()
    assert late == {DUE: [f"unsigned_late:1:{nanle}:3"]}  # only the unit still unsigned; gone once signed
    assert receipts(tracker) == {NANLE: ("李新", DUE), FANXIAN: ("王芳", None)}
    assert trail == [nanle]  # chased once
    [mail] = [m for m in server.received if m.rcpt_tos == [BUREAU]]
    body = mail.message.get_body(("plain",))
    assert body is not None and f"老旧小区改造 {NANLE}，" in body.get_content() and FANXIAN not in body.get_content()
    tracker.engine.dispose()


def test_migration_0020_carries_the_old_acks_over_and_back(db_url: str, tmp_path: Path) -> None:
    """Down to 0019 the old one-per-notice columns are set as a database of then had them: a
    warning signed and chased, a warning chased, bulletin 7 signed by 范县's own account, bulletin 8
    signed by staff. Up again: the warning's receipt as it was, bulletin 7 signed by 范县 alone,
    bulletin 8 by every unit it names; down again, the notice's first 签收 back."""
    from alembic import command

    from tracker.db import HEAD, _alembic_config

    clock = Clock(dt.date(2017, 4, 5))
    tracker = with_units(make(db_url, tmp_path, MAIL_LEDGER, clock))
    for day in (dt.date(2017, 4, 5), dt.date(2017, 4, 20), dt.date(2017, 5, 5)):
        clock.day = day
        run_daily_check(tracker, CLERK, as_of=day)
    kinds = {n.id: (n.kind, n.units) for n in notices.list_notices(tracker)}
    assert kinds[1] == ("warning", [NANLE]) and kinds[2] == ("warning", [FANXIAN])
    assert kinds[7][0] == kinds[8][0] == "criticism" and len(kinds[7][1]) == len(kinds[8][1]) == 3
    at = dt.datetime(2017, 4, 21, 2, 0, tzinfo=dt.UTC)
    old = {  # notice → (acknowledged_by, chased_on)
        1: ("李新", dt.date(2017, 4, 10)),
        2: ("", dt.date(2017, 4, 10)),
        7: ("fanxian", dt.date(2017, 4, 25)),
        8: ("测试员", None),
    }
    with tracker.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0019")
        for nid, (by, chased) in old.items():
            connection.execute(
                sa.text(
                    "UPDATE notice SET acknowledged_at = :at, acknowledged_by = :by, chased_on = :chased WHERE id = :id"
                ),
                {"at": at if by else None, "by": by, "chased": chased, "id": nid},
            )
    with tracker.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), HEAD)
    shown = {n.id: n for n in notices.list_notices(tracker)}

    def state(nid: int) -> dict[str, tuple[str | None, str | None]]:
        return {
            r.unit: (r.acknowledged_by or None, r.chased_on and r.chased_on.isoformat()) for r in shown[nid].receipts
        }

    assert state(1) == {NANLE: ("李新", "2017-04-10")}
    assert state(2) == {FANXIAN: (None, "2017-04-10")}
    assert state(3) == {"台前县政府": (None, "2017-04-20")}  # chased by the check of 04-20, down and up
    assert state(7) == {
        NANLE: (None, "2017-04-25"),
        FANXIAN: ("fanxian", "2017-04-25"),
        "台前县政府": (None, "2017-04-25"),
    }
    assert state(8) == dict.fromkeys(kinds[8][1], ("测试员", None))
    assert shown[8].acknowledged_at == at and shown[7].acknowledged_at is None
    with tracker.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0019")
        back = connection.execute(
            sa.text("SELECT id, acknowledged_by, chased_on FROM notice WHERE id IN (1, 2, 7, 8) ORDER BY id")
        )
        assert [
            (i, by, chased if chased is None else dt.date.fromisoformat(str(chased))) for i, by, chased in back
        ] == [(nid, by, chased) for nid, (by, chased) in old.items()]
    with tracker.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), HEAD)
    shown = {n.id: n for n in notices.list_notices(tracker)}
    assert state(7) == {
        NANLE: (None, "2017-04-25"),
        FANXIAN: ("fanxian", "2017-04-25"),
        "台前县政府": (None, "2017-04-25"),
    }
    tracker.engine.dispose()
