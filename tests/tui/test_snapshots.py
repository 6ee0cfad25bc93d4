"""Snapshots (pytest-textual-snapshot) of every screen on the demo's data, at its fixed date and
a fixed terminal size. `pytest tests/tui/test_snapshots.py --snapshot-update` records them anew
after an intended change; review the SVGs in the diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.app import Tracker, build
from tracker.demo import seed_demo
from tui.app import TrackerApp

AS_OF = dt.date(2017, 9, 15)
SIZE = (150, 40)
FOLDER = Path("/srv/督查")  # shown in the reports screen's paths: the same on every checkout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    """One demo database for every snapshot (they only look); SQLite on either backend run."""
    path = tmp_path_factory.mktemp("snapshots") / "demo.db"
    tracker = build(f"sqlite:///{path}", None, "测试员", clock=lambda: dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC))
    seed_demo(tracker, AS_OF)
    yield tracker
    tracker.engine.dispose()


def app(demo: Tracker) -> TrackerApp:
    return TrackerApp(demo, as_of=AS_OF, folder=FOLDER)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param([], id="dashboard"),
        pytest.param(["l"], id="ledger-matrix"),
        pytest.param(["l", "f", "down", "right", "right"], id="ledger-matrix-late-only"),
        pytest.param(["n"], id="notices"),
        pytest.param(["e"], id="extensions"),
        pytest.param(["o"], id="outbox"),
        pytest.param(["i"], id="interviews"),
        pytest.param(["g"], id="units"),
        pytest.param(["w"], id="reports"),
        pytest.param(["question_mark"], id="help"),
    ],
)
def test_screen(snap_compare, demo: Tracker, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app(demo), terminal_size=SIZE, run_before=run_before)


def test_assignment_screen(snap_compare, demo: Tracker) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("down", "right", "right", "enter")
        await settle(pilot)

    assert snap_compare(app(demo), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param([], id="dashboard"),
        pytest.param(["l"], id="ledger-matrix"),
        pytest.param(["n"], id="notices"),
    ],
)
def test_screen_at_100_columns(snap_compare, demo: Tracker, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Narrow: columns shortened with "…", none pushed off the edge; the key line shortened
    (the sections as bare keys), no label cut."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app(demo), terminal_size=(100, 40), run_before=run_before)


def test_matrix_at_160_columns(snap_compare, demo: Tracker) -> None:  # type: ignore[no-untyped-def]
    """The widest key line: the matrix's own keys and every other section, named, in 160 columns."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(app(demo), terminal_size=(160, 40), run_before=run_before)
