"""Two defects a user trial of the CLI found in approval chains, both backends:

- 刘科长 terminated a unit and approved his own request T1; a clerk made person change P3 and
  approved its step herself. Nobody decides a step of their own request now (an admin neither);
  the queue does not offer it; desk mode (no accounts) still does everything at one desk.
- After 台前县政府's termination was approved, its pending extension request stayed in `queue`
  and in the bureau's 待审批, and `approve 1` was refused ("the assignment is terminated now").
  Ending a unit's work now closes its waiting requests, saying why, audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import delete

from tests.functional.test_approval_chains import staffed_cli
from tracker.app import build

CHAINS = '[approval]\nextension = ["clerk", "supervisor"]\ntermination = ["supervisor"]\nperson_change = ["clerk"]\n'
LATE = ("--late", "--as-of", "2017-09-15")


def refs(run: Any, who: str) -> list[str]:
    return [str(row["ref"]) for row in run(who, "queue", "--json").json()]


def test_nobody_decides_their_own_request(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """张三 admin, 李四 clerk, 王五 supervisor (tests.functional.test_approval_chains.staffed_cli)."""
    run = staffed_cli(cli, tmp_path, CHAINS)
    asked = run("王五", "terminate", "1", "台前县", "--reason", "机构撤并")
    assert asked.code == 0 and "终止申请 T1" in asked.out, asked.err
    assert "T1" not in refs(run, "王五") and "T1" in refs(run, "张三")  # not offered to the one who asked
    for decision in (("approve", "T1"), ("refuse", "T1", "--reason", "不同意")):
        own = run("王五", *decision)
        assert own.code == 2 and "终止申请 T1 由您本人提出，须由他人审批" in own.err, own.err
    person = run("李四", "person", "1", "清丰县", "--name", "赵六", "--json")
    assert person.code == 0 and person.json()["request"] == "P2"
    own = run("李四", "approve", "P2")
    assert own.code == 2 and "更换责任人申请 P2 由您本人提出，须由他人审批" in own.err
    assert "P2" not in refs(run, "李四")
    extended = run("李四", "extend", "1", "6", "南乐县", "--to", "2017-12-31", "--reason", "流标", *LATE, "--json")
    assert extended.code == 0
    ext = str(extended.json()["id"])
    own = run("李四", "approve", ext)
    assert own.code == 2 and f"延期申请 {ext} 由您本人提出，须由他人审批" in own.err
    # An admin is not exempt: 张三's own request waits for someone else too.
    mine = run("张三", "extend", "1", "5", "范县", "--to", "2017-12-31", "--reason", "资金", *LATE, "--json")
    mine_ref = str(mine.json()["id"])
    assert mine_ref not in refs(run, "张三") and mine_ref in refs(run, "李四")
    assert run("张三", "approve", mine_ref).code == 2
    # Someone else decides them, as before; nothing was written by the refusals.
    assert run("张三", "approve", "T1").code == 0
    assert run("张三", "approve", "P2").code == 0
    assert run("王五", "approve", ext).code == 2  # step 1 is the clerk's, and the clerk asked: an admin's
    assert run("张三", "approve", ext).code == 0 and run("王五", "approve", ext).code == 0
    assert run("李四", "approve", mine_ref).code == 0 and run("王五", "approve", mine_ref).code == 0
    history = run("张三", "history", "1", "--json").json()
    steps = [(row["action"], row["by"]) for row in history if "-step-" in row["action"]]
    assert ("termination-step-approved", "王五") not in steps and ("person-change-step-approved", "李四") not in steps


def test_a_request_made_before_chains_is_not_decided_by_its_asker(cli, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """An extension without steps (made before chains existed) is decided in one step by a
    supervisor: never by the supervisor who asked for it."""
    from tracker.models import ApprovalStep

    run = staffed_cli(cli, tmp_path, "")
    made = run("王五", "extend", "1", "6", "南乐县", "--to", "2017-12-31", "--reason", "流标", *LATE, "--json")
    request = made.json()["id"]
    tracker = build(db_url, None, "t")
    with tracker.session() as session:
        session.exec(delete(ApprovalStep))  # type: ignore[call-overload]
        session.commit()
    tracker.engine.dispose()
    own = run("王五", "approve", str(request))
    assert own.code == 2 and f"延期申请 {request} 由您本人提出" in own.err
    assert run("张三", "approve", str(request)).code == 0


def test_desk_mode_still_asks_and_decides_at_one_desk(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import LEDGERS

    config = tmp_path / "chain.toml"
    config.write_text(CHAINS, encoding="utf-8")
    assert cli("import", LEDGERS / "puyang-2017-digital-city.toml").code == 0
    assert cli("--config", config, "terminate", "1", "台前县", "--reason", "撤并").code == 0
    assert [r["ref"] for r in cli("--config", config, "queue", "--json").json()] == ["T1"]
    assert cli("--config", config, "approve", "T1").code == 0


def test_ending_a_units_work_closes_its_waiting_requests(cli, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """Day by day as the trial went: an extension for 台前县政府 waits (and a person change); the
    termination T2 is approved; both requests are closed, saying why, and leave the queue and the
    bureau's 待审批; deciding one is refused saying it was closed. The same when a termination
    is done at once (no chain)."""
    from tracker.digests import bureau_waiting

    def waiting(on: dt.date) -> list[str]:
        tracker = build(db_url, None, "t")
        try:
            with tracker.session() as session:
                _, approvals = bureau_waiting(session, as_of=on, calendar=tracker.calendar, timezone="Asia/Shanghai")
                return [a.ref for a in approvals]
        finally:
            tracker.engine.dispose()

    today = dt.date.today() + dt.timedelta(days=1)  # the CLI's days are real ones
    run = staffed_cli(cli, tmp_path, CHAINS)
    extended = run("李四", "extend", "1", "6", "台前县", "--to", "2017-12-31", "--reason", "流标", *LATE, "--json")
    assert extended.code == 0
    ext = str(extended.json()["id"])
    assert run("王五", "person", "1", "台前县", "--name", "赵六").code == 0  # P1
    assert run("张三", "approve", ext).code == 0  # the clerk's step: waits for a supervisor now
    assert refs(run, "王五") == [ext] and refs(run, "李四") == ["P1"]
    assert set(waiting(today)) == {ext, "P1"}
    asked = run("王五", "terminate", "1", "台前县", "--reason", "机构撤并", "--on", "2017-09-18")
    assert asked.code == 0 and "终止申请 T2" in asked.out  # P1 and T2 are numbered as one
    assert set(waiting(today)) == {ext, "P1", "T2"}
    done = run("张三", "approve", "T2")
    assert done.code == 0, done.err
    assert refs(run, "张三") == [] and waiting(today) == []
    [closed] = [e for e in run("张三", "extensions", "--json").json() if str(e["id"]) == ext]
    assert closed["status"] == "closed" and closed["decision_reason"] == "单位已终止办理（T2）"
    assert closed["decided_by"] == "张三"
    late = run("王五", "approve", ext)
    assert late.code == 2 and f"延期申请 {ext} 已关闭" in late.err and "单位已终止办理（T2）" in late.err, late.err
    person = run("李四", "approve", "P1")
    assert person.code == 2 and "更换责任人申请 P1 已关闭" in person.err
    history = run("张三", "history", "1", "-", "台前县", "--json").json()
    actions = [(row["action"], row["subject"]) for row in history]
    assert ("extension-closed", f"延期申请 {ext}") in actions and (
        "person-change-closed",
        "更换责任人申请 P1",
    ) in actions
    assert actions.index(("terminate", "台前县政府")) < actions.index(("extension-closed", f"延期申请 {ext}"))

    # At once, without a chain: the same.
    extended = run("李四", "extend", "1", "6", "范县", "--to", "2017-12-31", "--reason", "资金", *LATE, "--json")
    other = str(extended.json()["id"])
    config = tmp_path / "at-once.toml"
    config.write_text('[approval]\nextension = ["clerk", "supervisor"]\n', encoding="utf-8")
    ended = cli("--config", config, "--as", "王五", "terminate", "1", "范县", "--reason", "撤并", "--on", "2017-09-19")
    assert ended.code == 0, ended.err
    assert other not in refs(run, "张三") and other not in waiting(today)
    [closed] = [e for e in run("张三", "extensions", "--json").json() if str(e["id"]) == other]
    assert closed["status"] == "closed" and closed["decision_reason"] == "单位已终止办理（2017-09-19）"
