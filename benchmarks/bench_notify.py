"""Time `tracker notify` sending 1,000 digests to a local SMTP server (aiosmtpd on 127.0.0.1).

    python benchmarks/bench_notify.py                 # 1,000 units, each with its own person
    python benchmarks/bench_notify.py --units 1000 --runs 3
    python benchmarks/bench_notify.py --runs 3 --notices   # each digest with a .docx notice

For each run: a fresh SQLite database with one ledger of 3 tasks owed by UNITS units (each person
with an address), a check as of a day when one task is due in 7 days (a reminder in every
digest) and, with --notices, one is overdue under the default ladder (a warning notice per
unit, so each digest carries a .docx attachment); then `tracker notify` is timed as a whole
process. The server accepts everything and counts the messages.

The floor, measured in the same run right after each notify: the very messages the server just
received (the same bytes, envelopes and server), sent again by smtplib on one connection, as a
whole process too (``python -c``: the interpreter's start is in both figures).
"""

from __future__ import annotations

import argparse
import os
import pickle
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


FLOOR = """
import pickle, smtplib, sys
port, messages = pickle.load(open(sys.argv[1], "rb"))
with smtplib.SMTP("127.0.0.1", port) as client:
    for sender, recipients, data in messages:
        client.sendmail(sender, recipients, data)
"""


def floor(folder: Path, server: Server, messages: list[tuple[str, list[str], bytes]]) -> float:
    """The same messages sent by smtplib alone on one connection, as a whole process."""
    dump = folder / "messages.pickle"
    dump.write_bytes(pickle.dumps((server.port, messages)))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR, str(dump)], check=True)
    return time.perf_counter() - start


def one_run(folder: Path, units: int, notices: bool, server: Server) -> tuple[float, float, int, float]:
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
    sent = [(r.mail_from, r.rcpt_tos, r.data) for r in server.received[before:]]
    return wall, usage.ru_maxrss / 1024, len(sent), floor(folder, server, sent)


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
    walls = [w for w, _, _, _ in results]
    floors = [f for _, _, _, f in results]
    attached = "each with one .docx notice attached" if args.notices else "reminders, no attachment"
    print(f"digests per run: {results[0][2]} ({attached})")
    print(
        f"notify: median {statistics.median(walls):.2f} s, "
        f"peak {max(m for _, m, _, _ in results):.0f} MiB ({len(walls)} runs): {', '.join(f'{w:.2f}' for w in walls)}"
    )
    print(f"floor (smtplib, same messages, one connection): median {statistics.median(floors):.2f} s")
    print(f"ratio notify / floor: {statistics.median(walls) / statistics.median(floors):.1f}")


if __name__ == "__main__":
    main()
