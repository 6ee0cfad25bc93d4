"""The review queue screen driven by Pilot: `v` opens it, `a` accepts (销号), `t` returns with a
reason (退回) through the reason dialog, and a resubmission comes back to the queue and is accepted."""

from __future__ import annotations

import datetime as dt

from tests.tui.test_screens import SIZE, assignment, open_matrix, wait
from tracker.app import Tracker
from tracker.usecases.review import submit_completion
from tracker.usecases.work import Actor
from tui.app import TrackerApp
from tui.dialogs.reason import ReasonDialog
from tui.screens.review import ReviewScreen
from tui.widgets.matrix import cell_text

AS_OF = dt.date(2017, 9, 15)
PUYANG = "濮政办〔2017〕13号"
UNIT = Actor("南乐县 联络员")
NANLE, PUYANG_COUNTY = "南乐县政府", "濮阳县政府"


async def open_queue(pilot, app: TrackerApp) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await wait(pilot, app)
    await pilot.press("v")
    await wait(pilot, app)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def test_accept_return_and_resubmit(tracker: Tracker) -> None:
    first = submit_completion(tracker, UNIT, PUYANG, "6", NANLE, dt.date(2017, 9, 1), note="已上线")
    second = submit_completion(tracker, UNIT, PUYANG, "6", PUYANG_COUNTY, dt.date(2017, 9, 2))
    app = TrackerApp(tracker, as_of=AS_OF, language="zh")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_queue(pilot, app)
        assert screen.ids == [first.id, second.id]
        await pilot.press("a")  # the first row: accepted
        await wait(pilot, app)
        assert screen.ids == [second.id]
        done = assignment(tracker, "6", NANLE)
        assert (done.status, done.completed_on) == ("done", dt.date(2017, 9, 1))

        await pilot.press("t")  # the second: returned, with a reason
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"佐证不足")
        await pilot.press("enter")
        await wait(pilot, app)
        assert app.screen is screen and screen.ids == []
        assert assignment(tracker, "6", PUYANG_COUNTY).status == "returned"

        again = submit_completion(tracker, UNIT, PUYANG, "6", PUYANG_COUNTY, dt.date(2017, 9, 10))
        await pilot.press("r")
        await wait(pilot, app)
        assert screen.ids == [again.id]
        await pilot.press("a")
        await wait(pilot, app)
        resubmitted = assignment(tracker, "6", PUYANG_COUNTY)
        assert (resubmitted.status, resubmitted.completed_on) == ("done", dt.date(2017, 9, 10))


async def test_the_matrix_shows_waiting_and_returned_cells(tracker: Tracker) -> None:
    sent = submit_completion(tracker, UNIT, PUYANG, "6", NANLE, dt.date(2017, 9, 1))
    submit_completion(tracker, UNIT, PUYANG, "6", PUYANG_COUNTY, dt.date(2017, 9, 2))
    from tracker.usecases.review import return_completion

    returned = return_completion(tracker, Actor("督查室"), sent.id + 1, "佐证不足")
    assert returned.status == "returned"
    app = TrackerApp(tracker, as_of=AS_OF, language="zh")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_matrix(pilot, app)
        assert view.matrix is not None
        task = next(i for i, x in enumerate(view.matrix.tasks) if x.seq == "6")
        units = {u.name: i for i, u in enumerate(view.matrix.units)}
        waiting, back = view.matrix.judge(task, units[NANLE]), view.matrix.judge(task, units[PUYANG_COUNTY])
        assert waiting is not None and back is not None
        assert (cell_text(waiting), waiting.light) == ("审", "blue")
        assert cell_text(back).startswith("退") and back.light in ("purple", "red")
