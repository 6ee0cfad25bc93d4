"""Time `tracker notify` sending 1,000 digests to a local SMTP server (aiosmtpd on 127.0.0.1).

    python benchmarks/bench_notify.py                 # 1,000 units, each with its own person
    python benchmarks/bench_notify.py --units 1000 --runs 3

For each run: a fresh SQLite database with one ledger of 3 tasks owed by UNITS units (each person
with an address), a check as of a day when one task is due in 7 days (a reminder in every
digest) and, with --notices, one is overdue under the default ladder (a warning notice per
unit, so each digest carries a .docx attachment); then `tracker notify` is timed as a whole
process. The server accepts everything and counts the messages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.smtp_server import Server, smtp_config  # noqa: E402


def ledger(units: int, notices: bool) -> str:
    lines = ['title = "基准台账"', 'doc_number = "基准〔2017〕1号"', "year = 2017", ""]
    if not notices:  # a ladder of reminders only: each digest says what is due in 7 days
        lines += ["[[escalation]]", 'level = "reminder"', "before_days = [7, 1]", ""]
    for n in range(units):
        lines += ["[[units]]", f'name = "单位{n:04d}"', f'person = "责任人{n}"', f'email = "p{n}@example.gov.cn"', ""]
    for text, deadline in (("任务一", "2017年3月31日"), ("任务二", "2017年4月10日"), ("任务三", "2017年6月30日")):
        lines += ["[[tasks]]", f'text = "{text}"', f'deadline = "{deadline}"', ""]
    return "\n".join(lines)


def one_run(folder: Path, units: int, notices: bool, server: Server) -> tuple[float, float, int]:
    config = folder / "tracker.toml"
    config.write_text(smtp_config(server.port), encoding="utf-8")
    (folder / "ledger.toml").write_text(ledger(units, notices), encoding="utf-8")
    env = {**os.environ, "TRACKER_DB": f"sqlite:///{folder / 'bench.db'}", "TRACKER_CONFIG": str(config)}
    tracker = [sys.executable, "-m", "tracker"]
    subprocess.run([*tracker, "import", str(folder / "ledger.toml")], env=env, check=True, capture_output=True)
    subprocess.run([*tracker, "check", "--as-of", "2017-04-03"], env=env, check=True, capture_output=True)
    before = len(server.received)
    start = time.perf_counter()
    process = subprocess.Popen([*tracker, "notify", "--as-of", "2017-04-03"], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit("notify failed")
    return wall, usage.ru_maxrss / 1024, len(server.received) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notices", action="store_true", help="each digest also carries a .docx notice")
    args = parser.parse_args()
    server = Server()
    try:
        results = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(one_run(Path(folder), args.units, args.notices, server))
    finally:
        server.stop()
    walls = [w for w, _, _ in results]
    attached = "each with one .docx notice attached" if args.notices else "reminders, no attachment"
    print(f"digests per run: {results[0][2]} ({attached})")
    print(
        f"notify: median {statistics.median(walls):.2f} s, "
        f"peak {max(m for _, m, _ in results):.0f} MiB ({len(walls)} runs)"
    )


if __name__ == "__main__":
    main()
