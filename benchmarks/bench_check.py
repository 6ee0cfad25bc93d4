"""Time `tracker check` end to end, as a whole process, on a generated 1,000,000-assignment database.

    python benchmarks/bench_check.py                   # SQLite in /tmp, 1000 x 1000
    python benchmarks/bench_check.py --runs 5 --tasks 1000 --units 1000

It builds the database once (benchmarks/make_db.py) and keeps a pristine copy, then measures:
- first run: a fresh copy, where the check escalates everything and issues every notice;
- steady state: the same database checked again and again (nothing new).
Wall time is the median of the runs; memory is the peak resident size of the process (wait4).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRACKER = [sys.executable, "-m", "tracker"]


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-runs", type=int, default=1)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    pristine = args.dir / f"pristine-{args.tasks}x{args.units}.db"
    if not pristine.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_db.py"),
                "--db",
                f"sqlite:///{pristine}",
                "--tasks",
                str(args.tasks),
                "--units",
                str(args.units),
            ],
            check=True,
        )
    work = args.dir / "work.db"
    check = ["check", "--as-of", "2017-01-01"]
    firsts = []
    for _ in range(args.first_runs):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(pristine, work)
        firsts.append(timed([*TRACKER, "--db", f"sqlite:///{work}", *check]))
    steady = [timed([*TRACKER, "--db", f"sqlite:///{work}", *check]) for _ in range(args.runs)]
    imports = [timed([sys.executable, "-c", "import tracker.cli"]) for _ in range(args.runs)]
    print(f"assignments: {args.tasks * args.units}")
    print(
        f"first run:    median {statistics.median(w for w, _ in firsts):.2f} s, "
        f"peak {max(m for _, m in firsts):.0f} MiB ({len(firsts)} runs)"
    )
    print(
        f"steady state: median {statistics.median(w for w, _ in steady):.2f} s, "
        f"peak {max(m for _, m in steady):.0f} MiB ({len(steady)} runs)"
    )
    print(
        f"import only:  median {statistics.median(w for w, _ in imports):.2f} s "
        "(python -c 'import tracker.cli': the floor of any command)"
    )


if __name__ == "__main__":
    main()
