"""Time building one notice's .docx (``tracker.render.docx_bytes``), in one process.

    python benchmarks/bench_docx.py                # 200 warning notices of 5 rows, 20 bulletins of 990
    python benchmarks/bench_docx.py --small 500 --large 10

Two shapes: a warning notice to one unit with 5 overdue tasks (what each digest of
``bench_notify.py --notices`` carries) and a bulletin naming 99 units × 10 missed reports, whose
990 rows go into an attachment table. Each notice is a different one (its own unit, number and
issue time), built one after another as ``tracker notify`` builds them; the first of each shape
is left out of the figures (it pays for loading python-docx and building what every notice
shares). Figures are the median and the 90th percentile of milliseconds per notice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.notices import NoticeDetail, NoticeLine
from tracker.render import docx_bytes

ISSUED = dt.datetime(2017, 4, 3, 1, 30, tzinfo=dt.UTC)


def notice(n: int, units: int, per_unit: int, kind: str) -> NoticeDetail:
    lines = [
        NoticeLine(
            f"单位{n:04d}-{u:02d}",
            f"责任人{u}",
            str(t + 1) if kind == "warning" else "",
            f"任务{t + 1}：完成建设单位申请、政府研究同意、成立建设工作机构工作",
            "2017年3月底完成",
            dt.date(2017, 3, 31),
            3 + t,
        )
        for u in range(units)
        for t in range(per_unit)
    ]
    names = list(dict.fromkeys(line.unit for line in lines))
    return NoticeDetail(
        id=n,
        kind=kind,
        number=f"督查〔2017〕{n}号",
        title="督办通知",
        ledger="基准台账",
        doc_number="基准〔2017〕1号",
        issuer="市委市政府督查局",
        as_of=dt.date(2017, 4, 3),
        fix_by=dt.date(2017, 4, 13),
        units=names,
        persons=[f"责任人{u}" for u in range(len(names))],
        lines=lines,
        issued_at=ISSUED + dt.timedelta(seconds=n),
    )


def timed(notices: list[NoticeDetail]) -> list[float]:
    docx_bytes(notices[0])  # warm: imports and whatever a process builds once
    times = []
    for detail in notices[1:]:
        start = time.perf_counter()
        docx_bytes(detail)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    print(f"{label}: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms ({len(times)} notices)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=200, help="warning notices of 5 rows")
    parser.add_argument("--large", type=int, default=20, help="bulletins of 990 rows")
    args = parser.parse_args()
    report("notice, 5 rows", timed([notice(n, 1, 5, "warning") for n in range(args.small + 1)]))
    report("bulletin, 990 rows", timed([notice(n, 99, 10, "criticism") for n in range(args.large + 1)]))


if __name__ == "__main__":
    main()
