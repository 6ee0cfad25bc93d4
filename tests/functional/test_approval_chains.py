"""Approval chains (审批链, [approval] extension in the config) on a real database, both backends:
each step decided by its own role in order, a refusal at any step refuses the request, a role that
is not the step's is refused, the queue shows what waits for a role, desk mode decides step by
step, and two people deciding one step at once: one wins, the other is told."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from tests.tui.conftest import demo
from tracker.app import Tracker
from tracker.config import ApprovalSettings
from tracker.errors import InputError
from tracker.models import ApprovalStep, AuditEntry, Extension
from tracker.usecases import accounts, changes
from tracker.usecases.work import Actor

PUYANG = "濮政办〔2017〕13号"
UNIT = "南乐县政府"
PASSWORD = "correct horse 42"
ADMIN, CLERK, SUPERVISOR = Actor("admin"), Actor("clerk"), Actor("supervisor")
ASKER = Actor("asker")  # a second supervisor, who asks (nobody decides a step of their own request)


def chained(app: Tracker, *roles: str) -> Tracker:
    app.settings = app.settings.model_copy(update={"approval": ApprovalSettings(extension=list(roles))})
    return app


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """The demo with a clerk, a supervisor and an admin, and the chain clerk → supervisor."""
    for app in demo(db_url):
        yield chained(staffed(app), "clerk", "supervisor")


def staffed(app: Tracker) -> Tracker:
    """``app`` with an admin, a clerk and a supervisor account (named as their roles), and the
    supervisor ``ASKER`` who makes the requests the others decide."""
    accounts.add_account(app, Actor("desk"), ADMIN.name, role="admin", password=PASSWORD)
    for role in ("clerk", "supervisor"):
        accounts.add_account(app, ADMIN, role, role=role, password=PASSWORD)
    accounts.add_account(app, ADMIN, ASKER.name, role="supervisor", password=PASSWORD)
    return app


def ask(app: Tracker, actor: Actor = ASKER) -> int:
    made = changes.request_extension(
        app, actor, PUYANG, "6", UNIT, to=dt.date(2018, 6, 30), reason="资金未到位", late=True
    )
    assert made.status == "pending"
    return made.id


def steps(app: Tracker, request: int) -> list[tuple[int, str, str, str, str]]:
    with app.session() as session:
        rows = session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.kind == "extension", ApprovalStep.request_id == request)
            .order_by(col(ApprovalStep.position))
        )
        return [(s.position, s.role, s.decision, s.decided_by, s.reason) for s in rows]


def status(app: Tracker, request: int) -> str:
    with app.session() as session:
        found = session.get(Extension, request)
        assert found is not None
        return found.status


def queued(app: Tracker, actor: Actor) -> list[Any]:
    return [row["id"] for row in changes.approval_queue(app, actor)]


def test_each_step_by_its_role_in_order(tracker: Tracker) -> None:
    request = ask(tracker)
    assert request in queued(tracker, CLERK) and request not in queued(tracker, SUPERVISOR)
    assert request in queued(tracker, ADMIN)  # an admin may decide any step
    with pytest.raises(InputError) as early:
        changes.decide_extension(tracker, SUPERVISOR, str(request), approve=True)
    assert early.value.key == "not_your_step" and steps(tracker, request)[0][2] == ""
    first = changes.decide_extension(tracker, CLERK, str(request), approve=True, reason="情况属实")
    assert (first.status, first.step, first.waits_for) == ("pending", 1, "supervisor")
    assert request not in queued(tracker, CLERK) and request in queued(tracker, SUPERVISOR)
    with pytest.raises(InputError) as again:
        changes.decide_extension(tracker, CLERK, str(request), approve=True)
    assert again.value.key == "not_your_step"
    last = changes.decide_extension(tracker, SUPERVISOR, str(request), approve=True)
    assert (last.status, last.deadline, last.step) == ("approved", dt.date(2018, 6, 30), 2)
    assert steps(tracker, request) == [
        (1, "clerk", "approved", "clerk", "情况属实"),
        (2, "supervisor", "approved", "supervisor", ""),
    ]
    assert status(tracker, request) == "approved" and request not in queued(tracker, SUPERVISOR)
    with tracker.session() as session:
        audited = session.exec(select(AuditEntry).where(col(AuditEntry.action).startswith("extension-step")))
        assert [(e.action, e.by, e.ledger_id is not None) for e in audited] == [
            ("extension-step-approved", "clerk", True),
            ("extension-step-approved", "supervisor", True),
        ]
    with pytest.raises(InputError) as decided:
        changes.decide_extension(tracker, SUPERVISOR, str(request), approve=True)
    assert decided.value.key == "decided"


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_refusal_at_any_step_refuses_the_request(tracker: Tracker, at: int) -> None:
    chained(tracker, "clerk", "supervisor", "admin")
    request = ask(tracker)
    deciders = [CLERK, SUPERVISOR, ADMIN]
    for actor in deciders[: at - 1]:
        assert changes.decide_extension(tracker, actor, str(request), approve=True).status == "pending"
    with pytest.raises(InputError) as bare:
        changes.decide_extension(tracker, deciders[at - 1], str(request), approve=False)
    assert bare.value.key == "reason_needed"
    done = changes.decide_extension(tracker, deciders[at - 1], str(request), approve=False, reason="理由不足")
    assert (done.status, done.deadline) == ("refused", dt.date(2017, 9, 30)) or done.status == "refused"
    assert status(tracker, request) == "refused"
    decisions = [s[2] for s in steps(tracker, request)]
    assert decisions == ["approved"] * (at - 1) + ["refused"] + [""] * (3 - at)
    assert all(request not in queued(tracker, actor) for actor in deciders)


def test_desk_mode_decides_step_by_step(db_url: str) -> None:
    for app in demo(db_url):
        chained(app, "clerk", "supervisor")
        request = ask(app, Actor("张三"))
        assert request in queued(app, Actor("张三"))
        assert changes.decide_extension(app, Actor("张三"), str(request), approve=True).status == "pending"
        assert changes.decide_extension(app, Actor("张三"), str(request), approve=True).status == "approved"
        assert [s[3] for s in steps(app, request)] == ["张三", "张三"]


def test_the_default_chain_is_one_supervisor_step(tracker: Tracker) -> None:
    tracker.settings = tracker.settings.model_copy(update={"approval": ApprovalSettings()})
    request = ask(tracker)
    with pytest.raises(InputError) as clerk:
        changes.decide_extension(tracker, CLERK, str(request), approve=True)
    assert clerk.value.key == "not_your_step"
    assert changes.decide_extension(tracker, SUPERVISOR, str(request), approve=True).status == "approved"


def test_two_deciding_one_step_at_once(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read the step as pending before either writes (a barrier holds them there): the
    conditional UPDATE lets exactly one win; the other is told, and nothing of it is written."""
    request = ask(tracker)
    won, _ = two_at_once(tracker, monkeypatch, str(request))
    first = steps(tracker, request)[0]
    assert first[2] == ("approved" if won.status == "pending" else "refused")
    assert status(tracker, request) == won.status


def two_at_once(tracker: Tracker, monkeypatch: pytest.MonkeyPatch, ref: str) -> tuple[Any, InputError]:
    """A clerk approving and a second admin refusing request ``ref``'s first step at once, both
    held after reading the step as pending until the other has read it too: what won, and the
    refusal of the one that lost (asserted to be ``step_taken``)."""
    import tracker.approvals as approvals

    admin2 = Actor("admin2")
    accounts.add_account(tracker, ADMIN, admin2.name, role="admin", password=PASSWORD)
    barrier = threading.Barrier(2, timeout=30)
    real = approvals.current_step

    waited: set[int] = set()

    def held(session: Any, kind: str, request_id: int) -> Any:
        step = real(session, kind, request_id)
        if threading.current_thread() is not threading.main_thread() and threading.get_ident() not in waited:
            waited.add(threading.get_ident())  # each thread once: at the read its decision rests on
            barrier.wait()
        return step

    monkeypatch.setattr(approvals, "current_step", held)
    outcomes: dict[str, Any] = {}

    def decide(actor: Actor, approve: bool) -> None:
        try:
            outcomes[actor.name] = changes.decide_request(tracker, actor, ref, approve=approve, reason="x")
        except InputError as exc:
            outcomes[actor.name] = exc

    threads = [threading.Thread(target=decide, args=(a, ok)) for a, ok in ((CLERK, True), (admin2, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    lost = [o for o in outcomes.values() if isinstance(o, InputError)]
    won = [o for o in outcomes.values() if not isinstance(o, InputError)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].key == "step_taken", outcomes
    return won[0], lost[0]


LEDGER = """title = "审批链测试"
doc_number = "测试〔2017〕1号"
year = 2017
{approval}
[[units]]
name = "甲单位"

[[tasks]]
text = "完成方案"
deadline = "2017年12月31日"
"""


def test_a_ledger_overrides_the_chain(tracker: Tracker, tmp_path: Path) -> None:
    from tracker.usecases import ledgers

    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER.format(approval='[approval]\nextension = ["supervisor", "admin"]\n'), encoding="utf-8")
    ledgers.import_ledgers(tracker, ADMIN, [path])
    made = changes.request_extension(tracker, CLERK, "审批链测试", "1", "甲单位", to=dt.date(2018, 3, 31), reason="x")
    assert [(s[0], s[1]) for s in steps(tracker, made.id)] == [(1, "supervisor"), (2, "admin")]
    # Another ledger keeps the config's chain.
    assert [s[1] for s in steps(tracker, ask(tracker))] == ["clerk", "supervisor"]


@pytest.mark.parametrize(
    ("approval", "named"),
    [
        ('extension = ["boss"]', "approval: extension[0]"),
        ('extension = ["clerk", "unit"]', "approval: extension[1]"),  # a unit may not decide a step
        ("extension = []", "approval: extension"),
        ("chain = 1", "approval: chain: unknown key"),
    ],
)
def test_a_wrong_ledger_chain_is_refused(tracker: Tracker, tmp_path: Path, approval: str, named: str) -> None:
    from tracker.usecases import ledgers

    path = tmp_path / "ledger.toml"
    path.write_text(LEDGER.format(approval=f"[approval]\n{approval}\n"), encoding="utf-8")
    with pytest.raises(InputError) as wrong:
        ledgers.import_ledgers(tracker, ADMIN, [path])
    assert named in str(wrong.value)


def test_through_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`tracker queue` shows what waits for my role; `approve`/`refuse` decide my step; another
    role's step is refused with exit 2 and a message naming the step and the role it waits for."""
    run = staffed_cli(cli, tmp_path, '[approval]\nextension = ["clerk", "supervisor"]\n')
    made = run("张三", "extend", "1", "2", "清丰县", "--to", "2017-06-30", "--reason", "资金未到位", "--late", "--json")
    assert made.code == 0, made.err
    request = made.json()["id"]
    assert [r["id"] for r in run("李四", "queue", "--json").json()] == [request]
    assert run("王五", "queue", "--json").json() == []
    early = run("王五", "approve", str(request))
    assert early.code == 2 and "第1步应由督查员审批" in early.err and "王五" in early.err
    first = run("李四", "approve", str(request), "--json")
    assert first.code == 0
    assert {k: first.json()[k] for k in ("id", "status", "step", "waits_for")} == {
        "id": request,
        "status": "pending",
        "step": 1,
        "waits_for": "supervisor",
    }
    assert [(r["id"], r["step"], r["role"]) for r in run("王五", "queue", "--json").json()] == [
        (request, 2, "supervisor")
    ]
    assert run("王五", "refuse", str(request)).code == 2  # --reason is required
    refused = run("王五", "refuse", str(request), "--reason", "理由不足", "--json")
    assert refused.code == 0 and refused.json()["status"] == "refused"
    again = run("王五", "approve", str(request))
    assert again.code == 2 and "Traceback" not in again.err


def staffed_cli(cli, tmp_path: Path, config_text: str) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """``tracker`` run with a config of ``config_text`` and --as a name, after 张三 (admin), 李四
    (clerk) and 王五 (supervisor) were added and the Puyang ledger imported."""
    import io

    from tests.conftest import LEDGERS

    config = tmp_path / "tracker.toml"
    config.write_text(config_text, encoding="utf-8")

    def run(who: str, *args: object) -> Any:
        return cli("--config", config, "--as", who, *args)

    for name, options in (("张三", ("--admin",)), ("李四", ("--role", "clerk")), ("王五", ("--role", "supervisor"))):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
            assert run("张三", "user", "add", name, *options, "--password-stdin").code == 0
    assert run("张三", "import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    return run


def test_the_assignment_form_opens_the_chain_too(tracker: Tracker) -> None:
    """The TUI's and the web portal's form (request_extension_on) asks as `tracker extend` does:
    the request waits for the chain's first role, not for a supervisor in one step."""
    from tracker.usecases.progress import request_extension_on

    made = request_extension_on(
        tracker, ASKER, 28, to=dt.date(2017, 12, 31), reason="资金未到位", late=False, as_of=dt.date(2017, 9, 15)
    )
    assert steps(tracker, made.id) == [(1, "clerk", "", "", ""), (2, "supervisor", "", "", "")]
    assert made.id in queued(tracker, CLERK) and made.id not in queued(tracker, SUPERVISOR)


def test_a_decider_decides_the_step_it_saw_never_the_next(tracker: Tracker) -> None:
    """Two deciders saw step 1: the first approves it; the second (an admin, who may decide any
    step) is refused with step_taken instead of deciding step 2 unseen."""
    request = ask(tracker)
    changes.decide_request(tracker, CLERK, str(request), approve=True, seen=1)
    with pytest.raises(InputError) as refused:
        changes.decide_request(tracker, ADMIN, str(request), approve=True, seen=1)
    assert refused.value.key == "step_taken"
    assert [s[2] for s in steps(tracker, request)] == ["approved", ""] and status(tracker, request) == "pending"
    changes.decide_request(tracker, ADMIN, str(request), approve=True, seen=2)
    assert status(tracker, request) == "approved"


def test_the_queue_shows_each_requests_steps(tracker: Tracker) -> None:
    request = ask(tracker)
    changes.decide_request(tracker, CLERK, str(request), approve=True, reason="情况属实")
    rows = changes.approval_queue(tracker, SUPERVISOR, with_steps=True)
    (row,) = [r for r in rows if r["id"] == request]
    first, second = row["steps"]
    assert (first["role"], first["decision"], first["decided_by"], first["reason"]) == (
        "clerk",
        "approved",
        "clerk",
        "情况属实",
    )
    assert first["decided_at"] is not None and second["decision"] == ""
    assert "steps" not in changes.approval_queue(tracker, SUPERVISOR)[0]  # the CLI's JSON as before
