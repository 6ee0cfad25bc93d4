"""Accounts and permissions through the use cases, on the demo's database (both backends): every
use case's action × every role is allowed or refused as tracker/permissions.py's table says, a
refusal writes nothing but its own audit row, and a unit account cannot reach another unit's rows
by id or by name (refused exactly as a missing one is)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select

from tests.conftest import LEDGERS
from tests.evidence_samples import SAMPLES, write
from tests.tui.conftest import AS_OF, demo
from tracker.app import Tracker
from tracker.errors import InputError, NotFoundError
from tracker.models import AuditEntry
from tracker.permissions import ROLES, SYSTEM, TABLE, OutOfScope, PermissionDenied, allowed
from tracker.progress import Reach
from tracker.usecases import (
    accounts,
    changes,
    check,
    evidence,
    ledgers,
    notices,
    progress,
    reports,
    review,
    sending,
    sessions,
    units,
)
from tracker.usecases.work import Actor, reading

PUYANG = "濮政办〔2017〕13号"
PILOTS = "建科研函[2013]183号"
OWN_UNIT = "南乐县政府"  # the unit account's: notices 3 and 6 concern it alone
OTHER_UNIT = "濮阳县政府"
PASSWORD = "correct horse 42"
ADMIN = Actor("admin")


@pytest.fixture(autouse=True)
def _evidence_store_in_the_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Evidence added by the cases lands in the test's folder, not the user's data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """The demo's database with one account of each role (the admin first, as it must be)."""
    for app in demo(db_url):
        accounts.add_account(app, Actor("desk"), ADMIN.name, role="admin", password=PASSWORD)
        for role in ROLES:
            if role != "admin":
                unit = OWN_UNIT if role == "unit" else ""
                accounts.add_account(app, ADMIN, role, role=role, unit=unit, password=PASSWORD)
        yield app


Case = Callable[[Tracker, Actor, Path], Any]

# One call of a use case per action (the table's keys: a test below holds that every one is here).
CASES: dict[str, Case] = {
    "read": lambda t, a, tmp: reports.export_calendar(t, a, tmp / "deadlines.ics"),
    "check.run": lambda t, a, tmp: check.run_daily_check(t, a, as_of=AS_OF),
    "report.queue": lambda t, a, tmp: sending.queue_weekly_report(t, a, as_of=AS_OF),
    "outbox.list": lambda t, a, tmp: sending.outbox_messages(t, a),
    "outbox.send": lambda t, a, tmp: sending.send_messages(t, a, manual=True, dry_run=True),
    "outbox.approve": lambda t, a, tmp: sending.approve_messages(t, a),
    "progress.record": lambda t, a, tmp: progress.record_progress(
        t, a, PUYANG, "6", OWN_UNIT, progress.Progress("doing", percent=60)
    ),
    "extension.request": lambda t, a, tmp: changes.request_extension(
        t, a, PUYANG, "6", OWN_UNIT, to=dt.date(2018, 6, 30), reason="资金未到位", late=True
    ),
    "extension.decide": lambda t, a, tmp: changes.decide_extension(t, a, "1", approve=False, reason="理由不足"),
    "change.decide": lambda t, a, tmp: changes.decide_change(t, a, "T1", approve=False, reason="理由不足"),
    "approval.queue": lambda t, a, tmp: changes.approval_queue(t, a),
    "notice.acknowledge": lambda t, a, tmp: notices.acknowledge_notice(t, a, "3"),
    "evidence.add": lambda t, a, tmp: evidence.add_evidence(
        t, a, PUYANG, "6", OWN_UNIT, [str(write(tmp / "in", "现场.png", SAMPLES["截图.png"]))]
    ),
    "evidence.get": lambda t, a, tmp: evidence.get_evidence(t, a, 1, tmp / "out.png", force=True),
    "review.submit": lambda t, a, tmp: review.submit_completion(t, a, PUYANG, "6", OWN_UNIT, AS_OF, note="已完成"),
    "review.decide": lambda t, a, tmp: review.return_completion(t, a, 1, "佐证不足"),
    "review.queue": lambda t, a, tmp: review.review_queue(t, a),
    "task.trigger": lambda t, a, tmp: changes.set_trigger_date(t, a, PILOTS, "4", on=dt.date(2017, 9, 1)),
    "report.received": lambda t, a, tmp: changes.record_report_received(t, a, PILOTS, "南京市", on=AS_OF),
    # A unit account submits its own unit's (南乐县政府 owes no report in the demo: refused for that).
    "report.submit": lambda t, a, tmp: changes.submit_report(t, a, PILOTS, None if a.name == "unit" else "南京市"),
    "work.mine": lambda t, a, tmp: units.my_work(t, a, None if a.name == "unit" else OTHER_UNIT),
    "interview.record": lambda t, a, tmp: changes.record_interview_held(t, a, PUYANG, OWN_UNIT, on=AS_OF),
    "interview.schedule": lambda t, a, tmp: changes.schedule_interview(t, a, "3", at="2017-09-20 09:30"),
    "unit.person": lambda t, a, tmp: progress.change_person(t, a, PUYANG, OWN_UNIT, name="王五", reach=Reach()),
    "unit.terminate": lambda t, a, tmp: changes.terminate(t, a, PUYANG, OWN_UNIT, reason="机构撤并", on=AS_OF),
    "forms.write": lambda t, a, tmp: reports.write_unit_forms(t, a, PUYANG, tmp / "forms", as_of=AS_OF),
    "forms.read": lambda t, a, tmp: reports.read_unit_forms(t, a, [], dry_run=True, as_of=AS_OF),
    "ledger.import": lambda t, a, tmp: ledgers.import_ledgers(
        t, a, [LEDGERS / "puyang-2017-digital-city.toml"], dry_run=True
    ),
    "account.manage": lambda t, a, tmp: accounts.add_account(t, a, f"新人{a.name}", role="viewer", password=PASSWORD),
    "account.whoami": lambda t, a, tmp: accounts.who_acts(t, a),
    "account.password": lambda t, a, tmp: sessions.change_password(t, a, PASSWORD, "another pass 42"),
    "session.open": lambda t, a, tmp: sessions.log_in(t, "admin", PASSWORD, address="127.0.0.1", actor=a),
    "notice.list": lambda t, a, tmp: notices.notices_for(t, a),
}


def test_every_action_is_in_the_matrix() -> None:
    assert set(CASES) == set(TABLE)


def snapshot(tracker: Tracker) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit trail."""
    with tracker.session() as session:
        return {
            table.name: sorted(map(tuple, session.connection().execute(sa.select(table)).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name != "audit"
        }


def audit_rows(tracker: Tracker) -> list[AuditEntry]:
    with tracker.session() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


@pytest.mark.parametrize("action", sorted(TABLE))
def test_permission_matrix(tracker: Tracker, tmp_path: Path, action: str) -> None:
    """Each role, refused ones first (they must leave everything as it was but one audit row)."""
    roles = sorted(ROLES, key=lambda role: allowed(role, action))
    for role in roles:
        actor = Actor(role, role="admin")  # the role an actor carries in is never trusted: the account's is
        before, trail = snapshot(tracker), audit_rows(tracker)
        if not allowed(role, action):
            with pytest.raises(PermissionDenied) as refusal:
                CASES[action](tracker, actor, tmp_path)
            assert refusal.value.key == "permission_denied" and action in str(refusal.value)
            assert snapshot(tracker) == before, f"{role} refused {action} yet something was written"
            added = audit_rows(tracker)[len(trail) :]
            assert [(e.action, e.by, e.subject) for e in added] == [("refused", role, action)]
            continue
        try:
            CASES[action](tracker, actor, tmp_path)
        except PermissionDenied:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{role} may {action} yet was refused")
        except InputError:
            pass  # allowed, and then refused for what was asked (nothing to send, nothing to read)
        assert not [e for e in audit_rows(tracker)[len(trail) :] if e.action == "refused"]


def test_the_scheduler_runs_its_jobs_only(tracker: Tracker, tmp_path: Path) -> None:
    system = Actor.system()
    for action in ("check.run", "report.queue"):
        assert allowed(SYSTEM, action)
        CASES[action](tracker, system, tmp_path)
    with pytest.raises(PermissionDenied):
        CASES["progress.record"](tracker, system, tmp_path)


def test_unknown_and_disabled_accounts_are_refused_before_anything_runs(tracker: Tracker, tmp_path: Path) -> None:
    before = snapshot(tracker)
    with pytest.raises(PermissionDenied) as unknown:
        CASES["progress.record"](tracker, Actor("路人"), tmp_path)
    assert unknown.value.key == "account_unknown" and "路人" in str(unknown.value)
    assert (audit_rows(tracker)[-1].action, audit_rows(tracker)[-1].by) == ("refused", "路人")
    accounts.disable_account(tracker, ADMIN, "clerk")
    with pytest.raises(PermissionDenied) as disabled:
        CASES["progress.record"](tracker, Actor("clerk"), tmp_path)
    assert disabled.value.key == "account_disabled"
    assert [(e.action, e.by) for e in audit_rows(tracker)[-2:]] == [("account.disable", "admin"), ("refused", "clerk")]
    after = snapshot(tracker)
    assert [a for a in after["account"] if a not in before["account"]]  # only the disabling changed
    assert {k: v for k, v in after.items() if k != "account"} == {k: v for k, v in before.items() if k != "account"}


def test_audit_rows_carry_the_account(tracker: Tracker, tmp_path: Path) -> None:
    CASES["progress.record"](tracker, Actor("clerk"), tmp_path)
    CASES["notice.acknowledge"](tracker, Actor("unit"), tmp_path)
    rows = audit_rows(tracker)
    assert [e.by for e in rows[-2:]] == ["clerk", "unit"]
    add = [e for e in rows if e.action == "account.add"]
    assert (
        add[0].by == "desk"
        and '"desk_mode_ends": true' in add[0].after
        and PASSWORD not in str([(e.before, e.after) for e in rows])
    )


def test_desk_mode_allows_everything(db_url: str, tmp_path: Path) -> None:
    """No account: whoever the desk says, every action (the existing tests all run this way)."""
    for app in demo(db_url):
        CASES["extension.decide"](app, Actor("张三"), tmp_path)
        assert audit_rows(app)[-1].by == "张三"


def other_units_assignment(tracker: Tracker) -> int:
    from tracker.models import Assignment, Unit

    with tracker.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == OTHER_UNIT, Unit.ledger_id == 1)).one()
        return session.exec(select(Assignment.id).where(Assignment.unit_id == unit.id)).first() or 0


def refused_as_missing(tracker: Tracker, attempt: Callable[[], Any], missing: Callable[[], Any]) -> None:
    """``attempt`` is refused with the very message of ``missing`` (a row that does not exist),
    writes nothing, and leaves a ``refused`` audit row."""
    with pytest.raises(NotFoundError) as absent:
        missing()
    before, trail = snapshot(tracker), audit_rows(tracker)
    with pytest.raises(OutOfScope) as refusal:
        attempt()
    assert str(refusal.value) == str(absent.value).replace("999999", str(refusal.value).split()[-1])
    assert snapshot(tracker) == before
    assert [e.action for e in audit_rows(tracker)[len(trail) :]] == ["refused"]


def test_unit_account_reaches_its_own_unit_only(tracker: Tracker) -> None:
    unit, other = Actor("unit"), other_units_assignment(tracker)
    doing = progress.Progress("doing", percent=10)
    # By id: another unit's assignment is refused as a missing one is.
    refused_as_missing(
        tracker,
        lambda: progress.record_progress_on(tracker, unit, other, doing, expected_version=None),
        lambda: progress.record_progress_on(tracker, unit, 999999, doing, expected_version=None),
    )
    refused_as_missing(
        tracker,
        lambda: progress.request_extension_on(
            tracker, unit, other, to=dt.date(2018, 1, 1), reason="x", late=True, as_of=AS_OF
        ),
        lambda: progress.request_extension_on(
            tracker, unit, 999999, to=dt.date(2018, 1, 1), reason="x", late=True, as_of=AS_OF
        ),
    )
    # By name: the other unit, in the same ledger.
    with pytest.raises(OutOfScope) as by_name:
        progress.record_progress(tracker, unit, PUYANG, "6", OTHER_UNIT, doing)
    assert str(by_name.value) == f"ledger {'濮阳市所辖县数字化城市管理系统建设工作台账'!r} has no unit {OTHER_UNIT!r}"
    with pytest.raises(OutOfScope):
        changes.request_extension(tracker, unit, PUYANG, "6", OTHER_UNIT, to=dt.date(2018, 1, 1), reason="x", late=True)
    with pytest.raises(OutOfScope):
        review.submit_completion(tracker, unit, PUYANG, "6", OTHER_UNIT, AS_OF)
    # A notice that concerns other units only (notice 2: 清丰县政府) is missing to it; its own is not.
    with pytest.raises(OutOfScope) as notice:
        notices.acknowledge_notice(tracker, unit, "2")
    assert str(notice.value) == "no notice '2' (see `tracker notices`)"
    assert notices.acknowledge_notice(tracker, unit, "6").acknowledged_by == "unit"
    done = progress.record_progress(tracker, unit, PUYANG, "6", OWN_UNIT, doing)
    assert done.unit == OWN_UNIT
    # Its done on a reviewed ledger (the shipped ones are) is a submission the bureau decides.
    sent = progress.record_progress(tracker, unit, PUYANG, "6", OWN_UNIT, progress.Progress("done"))
    assert (sent.status, sent.completed_on) == ("submitted", None)
    waiting = review.review_queue(tracker, Actor("clerk"))
    assert [(w.unit, w.submitted_by, w.done_on) for w in waiting] == [(OWN_UNIT, "unit", AS_OF)]
    with pytest.raises(PermissionDenied):
        review.accept_completion(tracker, unit, waiting[0].id)
    assert review.accept_completion(tracker, Actor("supervisor"), waiting[0].id).status == "done"


def test_unit_account_cannot_read_the_bureau_lists(tracker: Tracker) -> None:
    """The lists show every unit: a unit account is refused them (its own views come with the portal)."""
    with pytest.raises(PermissionDenied), reading(tracker, Actor("unit")):
        pass
    with reading(tracker, Actor("viewer")) as session:
        assert session is not None
