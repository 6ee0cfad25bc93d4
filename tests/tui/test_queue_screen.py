"""The queue section (待我审批, key b): in desk mode every waiting step, decided step by step with
the extensions screen's keys; a refusal needs a reason (the dialog stays open without one)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from tests.tui.conftest import AS_OF
from tracker.app import Tracker
from tracker.config import ApprovalSettings
from tracker.models import ApprovalStep, Extension
from tracker.usecases.changes import request_extension
from tracker.usecases.work import Actor
from tui.app import TrackerApp

SIZE = (160, 45)
PUYANG = "濮政办〔2017〕13号"


async def decide(app: TrackerApp, pilot, key: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await pilot.pause()
    if reason:
        await pilot.press("enter")  # empty first: refused by the dialog, which stays open
        await pilot.pause()
        await pilot.press(*reason)
    await pilot.press("enter")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_queue_decides_a_chain_step_by_step(tracker: Tracker) -> None:
    tracker.settings = tracker.settings.model_copy(
        update={"approval": ApprovalSettings(extension=["clerk", "supervisor"])}
    )
    made = request_extension(
        tracker, Actor("单位"), PUYANG, "6", "濮阳县政府", to=dt.date(2018, 6, 30), reason="资金未到位", today=AS_OF
    )
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#queue")
        # The demo's own request (made before chains: one supervisor step) and the new one.
        assert table.row_count == 2  # type: ignore[attr-defined]
        await pilot.press("down")
        await decide(app, pilot, "y")  # step 1 (clerk) approved; step 2 waits
        assert table.row_count == 2  # type: ignore[attr-defined]
        await decide(app, pilot, "x", reason="not needed")  # step 2 refused, with a reason
        assert table.row_count == 1  # type: ignore[attr-defined]
    with tracker.session() as session:
        found = session.get(Extension, made.id)
        assert found is not None and found.status == "refused"
        steps = session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.kind == "extension", ApprovalStep.request_id == made.id)
            .order_by(col(ApprovalStep.position))
        )
        assert [(s.decision, s.reason) for s in steps] == [("approved", ""), ("refused", "not needed")]


async def test_a_termination_asked_from_the_units_section_is_decided_in_the_queue(tracker: Tracker) -> None:
    """With [approval] termination, `t` on the units screen asks (nothing ends); 待我审批 lists
    the request as 终止 and `y` there ends the unit's open assignments."""
    from sqlmodel import Session

    from tests.tui.test_change_actions import said, type_date
    from tests.tui.test_screens import wait
    from tracker.models import Assignment, Unit

    def states(session: Session) -> set[str]:
        unit = session.exec(select(Unit).where(Unit.ledger_id == 1, Unit.name == "台前县政府")).one()
        return set(session.exec(select(Assignment.status).where(Assignment.unit_id == unit.id)))

    tracker.settings = tracker.settings.model_copy(update={"approval": ApprovalSettings(termination=["supervisor"])})
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("g")
        await wait(pilot, app)
        await pilot.press("down", "down", "down", "down", "t")  # 台前县政府
        await pilot.pause()
        await type_date(pilot, app, "9月1日")
        await pilot.press(*"试点终止", "enter")
        await wait(pilot, app)
        assert "台前县政府：已提交终止申请 T1，等待科长/分管领导审批" in said(app)
        with tracker.session() as session:
            assert "terminated" not in states(session)
        await pilot.press("b")
        await wait(pilot, app)
        table = app.screen.query_one("#queue")
        assert table.row_count == 2  # type: ignore[attr-defined]
        assert [str(c) for c in table.get_row_at(1)][:2] == ["T1", "终止"]  # type: ignore[attr-defined]
        await pilot.press("down")
        await decide(app, pilot, "y")
        assert "已批准终止申请 T1" in said(app)
        assert table.row_count == 0  # type: ignore[attr-defined]  # 台前县政府's waiting extension closed too
    with tracker.session() as session:
        assert "terminated" in states(session) and "doing" not in states(session)
