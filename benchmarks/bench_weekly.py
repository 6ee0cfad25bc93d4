"""Time `tracker report weekly` end to end, as a whole process, on a generated database.

    python benchmarks/bench_weekly.py                  # 100,000 assignments (1000 tasks x 100 units), xlsx
    python benchmarks/bench_weekly.py --runs 5 --format csv
    python benchmarks/bench_weekly.py --reference      # also XlsxWriter alone writing the same cells: the floor

The database is built once (benchmarks/make_db.py, the same generator as the check's benchmark)
and checked once as of 2017-01-01, so the table carries notices' levels; then the report is
written RUNS times. Wall time is the median; memory the peak resident size of the process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_check import HERE, TRACKER


def timed(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one process. The CPU time
    is what to compare when other work shares the machine: the wall time then grows with the load."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def summary(runs: list[tuple[float, float, float]]) -> str:
    wall, cpu = statistics.median(w for w, _, _ in runs), statistics.median(c for _, c, _ in runs)
    return f"median {wall:.2f} s (CPU {cpu:.2f} s), peak {max(m for _, _, m in runs):.0f} MiB ({len(runs)} runs)"


REFERENCE = """
import datetime, sys, xlsxwriter
book = xlsxwriter.Workbook(sys.argv[1], {"constant_memory": True})
sheet = book.add_worksheet()
center, wrap = book.add_format({"border": 1, "align": "center"}), book.add_format({"border": 1, "text_wrap": True})
day = book.add_format({"border": 1, "num_format": "yyyy.m.d"})
share = book.add_format({"border": 1, "num_format": "0%"})
due = datetime.date(2017, 3, 31)
for r in range(100_000):  # the weekly table's 13 cells a row, of the same kinds
    sheet.write_string(r, 0, str(r // 100 + 1), center)
    sheet.write_blank(r, 1, None, wrap)
    sheet.write_string(r, 2, f"任务{r // 100}：完成方案编制、评审并报市政府审定", wrap)
    sheet.write_string(r, 3, "2017年3月底完成", wrap)
    sheet.write_datetime(r, 4, due, day)
    sheet.write_string(r, 5, f"第{r % 100}号责任单位", wrap)
    sheet.write_string(r, 6, "张三", wrap)
    sheet.write_string(r, 7, "未开始", center)
    sheet.write_number(r, 8, 0.4, share)
    sheet.write_blank(r, 9, None, day)
    sheet.write_number(r, 10, 12, center)
    sheet.write_blank(r, 11, None, wrap)
    sheet.write_string(r, 12, "提醒", center)
book.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", choices=["xlsx", "csv", "html"], default="xlsx")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also time XlsxWriter alone writing the table's cells (100k rows x 13, same kinds): the floor",
    )
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
        subprocess.run([*TRACKER, "--db", url, "check", "--as-of", "2017-01-01"], check=True, stdout=subprocess.DEVNULL)
    out = args.dir / f"weekly.{args.format}"
    report = [*TRACKER, "--db", url, "report", "weekly", "--as-of", "2017-01-01", "-o", str(out)]
    runs = [timed(report) for _ in range(args.runs)]
    print(f"assignments: {args.tasks * args.units}, format {args.format}, {out.stat().st_size / 1e6:.1f} MB written")
    print(f"report weekly: {summary(runs)}")
    if args.reference:
        alone = [timed([sys.executable, "-c", REFERENCE, str(args.dir / "reference.xlsx")]) for _ in range(args.runs)]
        print(f"XlsxWriter alone, 100k x 13 cells: {summary(alone)}")


if __name__ == "__main__":
    main()
