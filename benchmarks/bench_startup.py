"""Time the start-up of `tracker --help` and `tracker when 2017年3月底` as whole processes.

    python benchmarks/bench_startup.py            # 21 runs of each
    python benchmarks/bench_startup.py --runs 41

Each round runs `python -c pass` (the floor: the interpreter alone), then each command, one
after another, so that a busy moment on a shared machine lands on all of them alike. The
commands run as the console script does (`tui.cli:main`, the `tracker` a user types), with no
config file and no database. Wall time is the median (and the fastest run); memory the peak
resident size (wait4).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

# What the `tracker` console script runs (pyproject.toml's [project.scripts]).
TRACKER = [sys.executable, "-c", "import sys; from tui.cli import main; sys.argv[0] = 'tracker'; main()"]

CASES: list[tuple[str, list[str], float | None]] = [
    ("python -c pass (floor)", [sys.executable, "-c", "pass"], None),
    ("tracker --help", [*TRACKER, "--help"], 0.25),
    ("tracker when 2017年3月底", [*TRACKER, "when", "2017年3月底"], 0.4),
]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_CONFIG", "TRACKER_DB", "PYTHONPROFILEIMPORTTIME")}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in CASES}
    for _name, command, _ in CASES:
        timed(command, env)  # warm the file cache; not counted
    for _ in range(args.runs):
        for name, command, _ in CASES:
            results[name].append(timed(command, env))
    print(f"{args.runs} runs each, interleaved; python {sys.version.split()[0]}")
    for name, _, target in CASES:
        walls = [w for w, _ in results[name]]
        median = statistics.median(walls)
        verdict = "" if target is None else f"  target ≤ {target} s: {'met' if median <= target else 'missed'}"
        print(
            f"{name:28} median {median:.3f} s  fastest {min(walls):.3f} s  "
            f"peak {max(m for _, m in results[name]):.0f} MiB{verdict}"
        )


if __name__ == "__main__":
    main()
