"""签收 asks who signed: a name of spaces only is no name, refused like an empty one, the dialog
kept open with the message so the clerk can type it."""

from __future__ import annotations

import pytest

from tests.tui.test_screens import AS_OF, SIZE, wait
from tracker.app import Tracker
from tui.app import TrackerApp
from tui.dialogs.reason import ReasonDialog


async def signer_dialog(pilot, app: TrackerApp) -> ReasonDialog:  # type: ignore[no-untyped-def]
    """The notices section, `a` on the first notice (a bulletin: the unit signed for is asked
    first, the first not yet signed offered and taken): the dialog asking who signed."""
    await wait(pilot, app)
    await pilot.press("n")
    await wait(pilot, app)
    await pilot.press("a")
    await pilot.pause()
    unit = app.screen
    assert isinstance(unit, ReasonDialog)
    await pilot.press("enter")
    await wait(pilot, app)
    assert isinstance(app.screen, ReasonDialog) and app.screen is not unit
    return app.screen


@pytest.mark.parametrize("typed", ["", "   ", "\u3000"])  # nothing, spaces, a full-width space
async def test_a_blank_signer_keeps_the_dialog_open(tracker: Tracker, typed: str) -> None:
    app = TrackerApp(tracker, as_of=AS_OF, language="zh")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dialog = await signer_dialog(pilot, app)
        dialog.query_one("#reason").value = typed  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait(pilot, app)
        assert app.screen is dialog  # still asking
        assert "请填写签收人" in [str(n.message) for n in app._notifications]


async def test_spaces_typed_over_the_offered_name(tracker: Tracker) -> None:
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dialog = await signer_dialog(pilot, app)
        await pilot.press("end", "backspace", "backspace", "backspace", "space", "space", "enter")
        await wait(pilot, app)
        assert dialog.query_one("#reason").value == "  "  # type: ignore[attr-defined]
        assert app.screen is dialog, [str(n.message) for n in app._notifications]


async def test_a_name_the_service_refuses_keeps_the_dialog_open(tracker: Tracker) -> None:
    """A name blank by the service's rule (a zero-width space: no space to the dialog) is refused
    in the dialog, which stays open with it: it never closes on a refusal, nor crashes."""
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        dialog = await signer_dialog(pilot, app)
        dialog.query_one("#reason").value = "\u200b"  # type: ignore[attr-defined]  # invisible, not a space
        await pilot.press("enter")
        await wait(pilot, app)
        assert app.screen is dialog and app.is_running
        assert "请填写签收人" in [str(n.message) for n in app._notifications]
        dialog.query_one("#reason").value = "李四"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait(pilot, app)
        assert app.screen is not dialog
        assert app.screen.query_one("#notices").get_row_at(0)[3] == "已签收 1/5"  # type: ignore[attr-defined]
