"""The queue section (待我审批, key b): in desk mode every waiting step, decided step by step with
the extensions screen's keys; a refusal needs a reason (the dialog stays open without one)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from tests.tui.conftest import AS_OF
from tracker.app import Tracker
from tracker.config import ApprovalSettings
from tracker.models import Extension, ExtensionStep
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
            select(ExtensionStep).where(ExtensionStep.extension_id == made.id).order_by(col(ExtensionStep.position))
        )
        assert [(s.decision, s.reason) for s in steps] == [("approved", ""), ("refused", "not needed")]
