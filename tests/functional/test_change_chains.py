"""Approval chains of terminations and person changes ([approval] termination / person_change) on
a real database, both backends: with a chain, `terminate` and `person` record a request waiting at
step 1 and change nothing; the change is made (audited, as of the decision, by the last decider)
when the last step approves; a refusal at any step ends it with nothing changed; a role that is not
the step's is refused; the queue lists requests of every kind; two deciding one step at once: one
wins, the other is told. With no chain (the default) both are done at once, as the other tests
show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.functional.test_approval_chains import (
    ADMIN,
    ASKER,
    CLERK,
    PUYANG,
    SUPERVISOR,
    UNIT,
    ask,
    staffed,
    staffed_cli,
    two_at_once,
)
from tests.tui.conftest import demo
from tracker.app import Tracker
from tracker.config import ApprovalSettings
from tracker.errors import InputError
from tracker.models import ApprovalStep, Assignment, AuditEntry, ChangeRequest, Person, Unit
from tracker.progress import Reach
from tracker.statuses import OPEN_STATUSES
from tracker.usecases import changes, progress
from tracker.usecases.work import Actor


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """The demo with an admin, a clerk and a supervisor; chains set by each test."""
    for app in demo(db_url):
        yield staffed(app)


def chains(app: Tracker, **kinds: list[str]) -> Tracker:
    app.settings = app.settings.model_copy(update={"approval": ApprovalSettings(**kinds)})
    return app


def open_count(app: Tracker) -> int:
    """The unit's assignments still open (not terminated) in the Puyang ledger."""
    with app.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == UNIT, Unit.ledger_id == 1)).one()
        rows = session.exec(select(Assignment.status).where(Assignment.unit_id == unit.id)).all()
        return sum(status in OPEN_STATUSES for status in rows)


def person_now(app: Tracker) -> str:
    with app.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == UNIT, Unit.ledger_id == 1)).one()
        person = session.exec(select(Person).where(Person.unit_id == unit.id, col(Person.until).is_(None))).first()
        return person.name if person else ""


def steps(app: Tracker, kind: str, request: int) -> list[tuple[int, str, str, str, str]]:
    with app.session() as session:
        rows = session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.kind == kind, ApprovalStep.request_id == request)
            .order_by(col(ApprovalStep.position))
        )
        return [(s.position, s.role, s.decision, s.decided_by, s.reason) for s in rows]


def request_status(app: Tracker, ref: str) -> str:
    with app.session() as session:
        found = session.get(ChangeRequest, int(ref[1:]))
        assert found is not None
        return found.status


def audited(app: Tracker, *prefixes: str) -> list[tuple[str, str]]:
    with app.session() as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(e.action, e.by) for e in rows if e.action.startswith(prefixes)]


def queued(app: Tracker, actor: Actor) -> list[tuple[str, str, str]]:
    return [(str(r["ref"]), str(r["kind"]), str(r["类型"])) for r in changes.approval_queue(app, actor)]


def ask_termination(app: Tracker) -> str:
    made = changes.terminate(app, ASKER, PUYANG, UNIT, reason="机构撤并")
    assert made.request.startswith("T") and made.count == 0 and made.on is None
    return made.request


def ask_person(app: Tracker) -> str:
    made = progress.change_person(app, ASKER, PUYANG, UNIT, name="王新", reach=Reach(phone="0393-1234567"))
    assert made.request.startswith("P") and made.name == "王新"
    return made.request


def test_a_termination_waits_for_its_chain_and_ends_the_work_when_the_last_step_approves(tracker: Tracker) -> None:
    chains(tracker, termination=["clerk", "supervisor"])
    before = open_count(tracker)
    assert before > 0
    ref = ask_termination(tracker)
    assert open_count(tracker) == before  # nothing ended yet
    assert (ref, "termination", "终止") in queued(tracker, CLERK)
    assert all(row[0] != ref for row in queued(tracker, SUPERVISOR))
    with pytest.raises(InputError) as early:  # a supervisor may not decide the clerk's step
        changes.decide_request(tracker, SUPERVISOR, ref, approve=True)
    assert early.value.key == "not_your_step" and "终止申请" in str(early.value) and ref in str(early.value)
    with pytest.raises(InputError) as twice:
        changes.terminate(tracker, SUPERVISOR, PUYANG, UNIT, reason="again")
    assert twice.value.key == "change_pending" and ref in str(twice.value)
    first = changes.decide_request(tracker, CLERK, ref, approve=True, reason="情况属实")
    assert (first.status, first.step, first.waits_for) == ("pending", 1, "supervisor")
    assert open_count(tracker) == before and request_status(tracker, ref) == "pending"
    with pytest.raises(InputError) as again:  # a clerk may not decide the supervisor's step
        changes.decide_request(tracker, CLERK, ref, approve=True)
    assert again.value.key == "not_your_step"
    last = changes.decide_request(tracker, SUPERVISOR, ref, approve=True)
    assert (last.status, last.step) == ("approved", 2)
    assert open_count(tracker) == 0 and request_status(tracker, ref) == "approved"
    assert steps(tracker, "termination", int(ref[1:])) == [
        (1, "clerk", "approved", "clerk", "情况属实"),
        (2, "supervisor", "approved", "supervisor", ""),
    ]
    assert audited(tracker, "termination", "terminate") == [
        ("termination-request", "asker"),
        ("termination-step-approved", "clerk"),
        ("termination-step-approved", "supervisor"),
        ("termination-approved", "supervisor"),
        ("terminate", "supervisor"),
    ]
    with tracker.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == UNIT, Unit.ledger_id == 1)).one()
        assert unit.terminated_on == tracker.today()  # no day given: the day it was approved
    with pytest.raises(InputError) as decided:
        changes.decide_request(tracker, SUPERVISOR, ref, approve=True)
    assert decided.value.key == "decided"


def test_a_person_change_waits_for_its_chain(tracker: Tracker) -> None:
    chains(tracker, person_change=["clerk"])
    before = person_now(tracker)
    ref = ask_person(tracker)
    assert person_now(tracker) == before
    assert [row for row in queued(tracker, CLERK) if row[0] == ref] == [(ref, "person_change", "更换责任人")]
    assert all(row[0] != ref for row in queued(tracker, SUPERVISOR))  # the clerk's step only
    with pytest.raises(InputError) as other:
        changes.decide_request(tracker, SUPERVISOR, ref, approve=True)
    assert other.value.key == "not_your_step" and "更换责任人申请" in str(other.value)
    done = changes.decide_request(tracker, CLERK, ref, approve=True)
    assert (done.status, done.step) == ("approved", 1)
    assert person_now(tracker) == "王新"
    assert audited(tracker, "person") == [
        ("person-change-request", "asker"),
        ("person-change-step-approved", "clerk"),
        ("person-change-approved", "clerk"),
        ("person", "clerk"),
    ]
    # The same person's contact details change at once: no request.
    same = progress.change_person(tracker, CLERK, PUYANG, UNIT, name="王新", reach=Reach(phone="0393-7654321"))
    assert same.request == "" and same.phone == "0393-7654321"


@pytest.mark.parametrize("kind", ["termination", "person_change"])
@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_refusal_at_any_step_ends_the_request_and_changes_nothing(tracker: Tracker, kind: str, at: int) -> None:
    chains(tracker, **{kind: ["clerk", "supervisor", "admin"]})
    before = (open_count(tracker), person_now(tracker))
    ref = ask_termination(tracker) if kind == "termination" else ask_person(tracker)
    deciders = [CLERK, SUPERVISOR, ADMIN]
    for actor in deciders[: at - 1]:
        assert changes.decide_request(tracker, actor, ref, approve=True).status == "pending"
    with pytest.raises(InputError) as bare:
        changes.decide_request(tracker, deciders[at - 1], ref, approve=False)
    assert bare.value.key == "reason_needed"
    done = changes.decide_request(tracker, deciders[at - 1], ref, approve=False, reason="理由不足")
    assert done.status == "refused" and request_status(tracker, ref) == "refused"
    assert (open_count(tracker), person_now(tracker)) == before
    decisions = [s[2] for s in steps(tracker, kind, int(ref[1:]))]
    assert decisions == ["approved"] * (at - 1) + ["refused"] + [""] * (3 - at)
    assert all(row[0] != ref for actor in deciders for row in queued(tracker, actor))
    refused = [row for row in audited(tracker, kind.replace("_", "-")) if row[0].endswith("refused")]
    name = kind.replace("_", "-")
    assert refused == [(f"{name}-step-refused", deciders[at - 1].name), (f"{name}-refused", deciders[at - 1].name)]


def test_the_queue_lists_every_kind(tracker: Tracker) -> None:
    chains(tracker, extension=["clerk"], termination=["clerk"], person_change=["clerk"])
    extension = ask(tracker)
    termination, person = ask_termination(tracker), ask_person(tracker)
    kinds = {row[0]: row[2] for row in queued(tracker, CLERK)}
    assert kinds == {str(extension): "延期", termination: "终止", person: "更换责任人"}
    assert not set(kinds) & {row[0] for row in queued(tracker, SUPERVISOR)}
    assert set(kinds) <= {row[0] for row in queued(tracker, ADMIN)}  # an admin may decide any step
    with pytest.raises(InputError) as missing:
        changes.decide_request(tracker, CLERK, "T999", approve=True)
    assert missing.value.key is None or "T999" in str(missing.value)


def test_desk_mode_decides_a_termination_step_by_step(db_url: str) -> None:
    for app in demo(db_url):
        chains(app, termination=["clerk", "supervisor"])
        made = changes.terminate(app, Actor("张三"), PUYANG, UNIT, reason="机构撤并")
        assert made.request
        assert changes.decide_request(app, Actor("张三"), made.request, approve=True).status == "pending"
        assert changes.decide_request(app, Actor("张三"), made.request, approve=True).status == "approved"
        assert open_count(app) == 0


@pytest.mark.parametrize("kind", ["termination", "person_change"])
def test_two_deciding_one_step_at_once(tracker: Tracker, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Both read the step as pending before either writes: one wins, the other is told in Chinese,
    and nothing of the loser is written."""
    chains(tracker, **{kind: ["clerk", "supervisor"]})
    ref = ask_termination(tracker) if kind == "termination" else ask_person(tracker)
    won, lost = two_at_once(tracker, monkeypatch, ref)
    assert f"{ref}：第1步刚已由他人审批" in str(lost)
    first = steps(tracker, kind, int(ref[1:]))[0]
    assert first[2] == ("approved" if won.status == "pending" else "refused")
    assert request_status(tracker, ref) == won.status


def test_through_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`terminate` and `person` ask when a chain is set; `queue` lists them with their kind;
    `approve T1` / `refuse P2 --reason` decide them."""
    run = staffed_cli(cli, tmp_path, '[approval]\ntermination = ["supervisor"]\nperson_change = ["clerk"]\n')
    asked = run("张三", "terminate", "1", "清丰县", "--reason", "机构撤并")
    assert asked.code == 0 and "终止申请 T1" in asked.out and "等待科长/分管领导审批" in asked.out, asked.err
    person = run("张三", "person", "1", "南乐县", "--name", "赵六", "--json")  # T1 would close it
    assert person.code == 0 and person.json()["request"] == "P2" and person.json()["status"] == "pending"
    mine = run("王五", "queue", "--json").json()
    assert [(r["ref"], r["kind"], r["类型"], r["step"]) for r in mine] == [("T1", "termination", "终止", 1)]
    table = run("李四", "queue")
    assert "更换" in table.out and "P2" in table.out and "类型" in table.out
    early = run("李四", "approve", "T1")
    assert early.code == 2 and "终止申请 T1：第1步应由科长/分管领导审批" in early.err
    approved = run("王五", "approve", "T1", "--json")
    assert approved.code == 0 and approved.json() == {"id": "T1", "kind": "termination", "status": "approved"}
    refused = run("李四", "refuse", "P2", "--reason", "人选未定")
    assert refused.code == 0 and "已驳回更换责任人申请 P2：未作任何变更" in refused.out
    assert run("李四", "queue", "--json").json() == []


def test_a_unit_with_a_change_request_is_not_removed_by_an_import(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A unit removed from the ledger's file keeps its row while a request refers to it: the import
    names the request and writes nothing (as for notices and interviews)."""
    from tests.functional.test_reimport import SMALL

    config = tmp_path / "tracker.toml"
    config.write_text('[approval]\nperson_change = ["clerk"]\n', encoding="utf-8")
    small = tmp_path / "small.toml"
    small.write_text(SMALL, encoding="utf-8")
    assert cli("--config", config, "import", small).code == 0
    asked = cli("--config", config, "person", "测试台账", "甲县", "--name", "王五", "--json")
    assert asked.code == 0 and asked.json()["request"] == "P1", asked.err
    small.write_text(SMALL.replace('name = "甲县政府"\nperson = "张三"\n[[units]]\n', ""), encoding="utf-8")
    removed = cli("--config", config, "import", small, "--allow-removals")
    assert removed.code == 2 and "1 change request" in removed.err and "internal error" not in removed.err


def test_migration_0017_carries_the_extension_steps_over_and_back(db_url: str) -> None:
    """Down to 0016 the extension steps go back to ``extensionstep``; up again they are in
    ``approvalstep`` as kind ``extension``, each as it was (decided or not)."""
    import sqlalchemy as sa
    from alembic import command

    from tracker.db import HEAD, _alembic_config

    columns = "position, role, decision, decided_by, reason"
    for app in demo(db_url):
        chains(app, extension=["clerk", "supervisor"])
        request = ask(app, Actor("张三"))
        assert changes.decide_request(app, Actor("张三"), str(request), approve=True, reason="属实").status == "pending"
        query = f"SELECT request_id, {columns} FROM approvalstep WHERE kind = 'extension' ORDER BY request_id, position"
        with app.engine.connect() as connection:
            before = [tuple(row) for row in connection.execute(sa.text(query))]
        assert [row[1:] for row in before if row[0] == request] == [
            (1, "clerk", "approved", "张三", "属实"),
            (2, "supervisor", "", "", ""),
        ]
        with app.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0016")
            back = f"SELECT extension_id, {columns} FROM extensionstep ORDER BY extension_id, position"
            assert [tuple(row) for row in connection.execute(sa.text(back))] == before
        with app.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), HEAD)
        with app.engine.connect() as connection:
            assert [tuple(row) for row in connection.execute(sa.text(query))] == before
        assert changes.decide_request(app, Actor("张三"), str(request), approve=True).status == "approved"


def test_a_ledger_sets_its_own_termination_chain(tracker: Tracker, tmp_path: Path) -> None:
    """A ledger's [approval] termination applies to it alone; elsewhere the config's [] still
    terminates at once."""
    from tests.functional.test_approval_chains import LEDGER
    from tracker.usecases import ledgers

    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER.format(approval='[approval]\ntermination = ["admin"]\n'), encoding="utf-8")
    ledgers.import_ledgers(tracker, ADMIN, [path])
    made = changes.terminate(tracker, SUPERVISOR, "审批链测试", "甲单位", reason="撤并")
    assert made.request and made.waits_for == "admin" and made.count == 0
    assert steps(tracker, "termination", int(made.request[1:]))[0][:2] == (1, "admin")
    at_once = changes.terminate(tracker, SUPERVISOR, PUYANG, UNIT, reason="撤并")
    assert at_once.request == "" and at_once.count > 0 and open_count(tracker) == 0
