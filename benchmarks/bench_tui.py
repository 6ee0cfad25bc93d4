"""Time the terminal UI's ledger matrix at real size, driven by Textual's Pilot.

    python benchmarks/bench_tui.py                 # 1,000 tasks x 100 units = 100,000 assignments
    python benchmarks/bench_tui.py --runs 5

Opening: from pressing `l` on the dashboard until the matrix is drawn with the ledger's cells
(the load runs in a worker). A key press: `down`/`right`/`pagedown` until the screen has processed
it and redrawn (Pilot's press, then a pause). Medians over the runs and presses. Pilot's own cost
is measured the same way on a trivial app, to tell the harness from the matrix.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_check import HERE

AS_OF = dt.date(2017, 1, 1)


async def measure(url: str, presses: int) -> tuple[float, list[float]]:
    from tracker.app import build
    from tui.app import TrackerApp
    from tui.screens.ledger import LedgerScreen
    from tui.widgets.matrix import MatrixView

    tracker = build(url, None, "bench")
    app = TrackerApp(tracker, as_of=AS_OF)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        await pilot.press("l")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        opened = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, LedgerScreen) and screen.matrix is not None
        assert screen.matrix.loaded_cells() > 0 and screen.query_one(MatrixView).lines
        keys = ["down", "right", "pagedown", "down", "left"]
        times = []
        for i in range(presses):
            begin = time.perf_counter()
            await pilot.press(keys[i % len(keys)])
            await pilot.pause()
            times.append(time.perf_counter() - begin)
    tracker.engine.dispose()
    return opened, times


async def baseline(presses: int) -> list[float]:
    """The same press-and-pause on a trivial app (a 20-row DataTable): Pilot's own cost."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Trivial(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("a", "b")
            for i in range(20):
                table.add_row(str(i), "x")
            table.focus()

    app = Trivial()
    times = []
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        for i in range(presses):
            begin = time.perf_counter()
            await pilot.press("down" if i % 2 else "up")
            await pilot.pause()
            times.append(time.perf_counter() - begin)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presses", type=int, default=50)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"weekly-{args.tasks}x{args.units}.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        make = [
            sys.executable,
            str(HERE / "make_db.py"),
            "--db",
            url,
            "--tasks",
            str(args.tasks),
            "--units",
            str(args.units),
        ]
        subprocess.run(make, check=True)
    opens, presses = [], []
    for _ in range(args.runs):
        opened, times = asyncio.run(measure(url, args.presses))
        opens.append(opened)
        presses.extend(times)
    print(f"assignments: {args.tasks * args.units}")
    print(f"open the ledger matrix: median {statistics.median(opens):.3f} s ({len(opens)} runs)")
    print(
        f"key press: median {statistics.median(presses) * 1000:.1f} ms, "
        f"95th percentile {statistics.quantiles(presses, n=20)[-1] * 1000:.1f} ms ({len(presses)} presses)"
    )
    floor = asyncio.run(baseline(args.presses))
    print(f"Pilot's floor (a trivial app, same press and pause): median {statistics.median(floor) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
