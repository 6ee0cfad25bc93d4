"""Time `tracker import` end to end, as a whole process, beside its floors measured in the same run.

    python benchmarks/bench_import.py                  # full size: 100,000-row xlsx; 1,000 x 1,000 TOML
    python benchmarks/bench_import.py --scale 0.1      # a tenth of each, for quick iterations
    python benchmarks/bench_import.py --only xlsx --runs 3

Two ledgers are generated in a temporary folder (nothing else is written):
- an xlsx of ROWS task rows, one unit each (100 units in turn), shaped like an office's sheet: a
  merged title, a header, 阶段 merged over blocks of 100 rows, deadlines as text and as date cells;
- a TOML of TASKS tasks owed by every one of UNITS units (1,000 x 1,000 = 1,000,000 assignments).

Each is imported RUNS times into a fresh copy of an empty, migrated database (first import), and
the TOML is imported again into the database it filled (re-import, nothing changed). Beside them:
- the xlsx read by openpyxl in read-only mode, every row of every sheet, nothing else done;
- a raw sqlite3 ``executemany`` of the same rows (ledger, units, persons, tasks, assignments) into
  the same schema, one transaction.
Every figure is a whole process: wall time is the median of the runs, memory the highest peak
resident size (wait4).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_check import HERE, TRACKER, timed

ROOT = HERE.parent
XLSX_UNITS = 100
PHASE_BLOCK = 100
START = dt.date(2016, 1, 1)

READ_ONLY_PASS = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
count = 0
for sheet in book.worksheets:
    for row in sheet.iter_rows(values_only=True):
        count += 1
book.close()
"""

# The same rows the import writes, by sqlite3 alone: argv = db, kind (xlsx|toml), rows, units.
RAW_INSERT = """
import datetime as dt, sqlite3, sys
db, kind, rows, units = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
now = dt.datetime(2017, 1, 1).isoformat(" ")
start = dt.date(2016, 1, 1)
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
ledger = c.execute(
    "INSERT INTO ledger (title, doc_number, issuer, source, year, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
    ("基准", "基准〔2017〕1号", "基准", "bench", 2017, now, now),
).lastrowid
c.executemany(
    "INSERT INTO unit (ledger_id, position, name, kind, group_name) VALUES (?,?,?,?,?)",
    [(ledger, i, f"单位{i:04d}", "", "") for i in range(1, units + 1)],
)
unit_ids = [r[0] for r in c.execute("SELECT id FROM unit WHERE ledger_id = ? ORDER BY position", (ledger,))]
c.executemany(
    "INSERT INTO person (unit_id, name, email, phone, since) VALUES (?,?,?,?,?)",
    [(u, f"责任人{u}", f"u{u}@example.gov.cn", "", now) for u in unit_ids],
)
dues = [(start + dt.timedelta(days=i % 700)).isoformat() for i in range(rows)]
c.executemany(
    "INSERT INTO task (ledger_id, position, seq, text, deadline_text, deadline_kind, due_on) VALUES (?,?,?,?,?,?,?)",
    [(ledger, i + 1, str(i + 1), f"任务{i + 1}", d, "absolute", d) for i, d in enumerate(dues)],
)
task_ids = [r[0] for r in c.execute("SELECT id FROM task WHERE ledger_id = ? ORDER BY position", (ledger,))]
def assignments():
    for i, task in enumerate(task_ids):
        owners = [unit_ids[i % len(unit_ids)]] if kind == "xlsx" else unit_ids
        for unit in owners:
            yield (task, unit, "lead", "todo", 0, "", "[]", dues[i], 0, 1, now)
c.executemany(
    "INSERT INTO assignment (task_id, unit_id, role, status, percent, note, evidence, due_on, notified_level,"
    " version, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    assignments(),
)
c.execute("COMMIT")
"""


def write_xlsx(path: Path, rows: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 5, f"基准工作台账（{rows}行）")
    sheet.write_string(1, 0, "基准〔2017〕1号")
    for column, name in enumerate(("序号", "阶段", "工作任务", "完成时限", "责任单位", "责任人")):
        sheet.write_string(2, column, name)
    for i in range(rows):
        row = 3 + i
        due = START + dt.timedelta(days=i % 700)
        unit = i % XLSX_UNITS + 1
        sheet.write_number(row, 0, i + 1)
        if i % PHASE_BLOCK == 0:
            last = min(row + PHASE_BLOCK - 1, 3 + rows - 1)
            label = f"第{i // PHASE_BLOCK + 1}阶段"
            if last > row:
                sheet.merge_range(row, 1, last, 1, label)
            else:
                sheet.write_string(row, 1, label)
        sheet.write_string(row, 2, f"完成第{i + 1}项基准工作任务，形成书面材料报送。")
        if i % 2:
            sheet.write_datetime(row, 3, dt.datetime(due.year, due.month, due.day), date)
        else:
            sheet.write_string(row, 3, f"{due.year}年{due.month}月{due.day}日前")
        sheet.write_string(row, 4, f"单位{unit:04d}")
        sheet.write_string(row, 5, f"责任人{unit}")
    book.close()


def write_toml(path: Path, tasks: int, units: int) -> None:
    lines = [
        f'title = "基准台账 {tasks}x{units}"',
        'doc_number = "基准〔2017〕2号"',
        'issuer = "基准"',
        "year = 2016",
        "",
    ]
    for u in range(1, units + 1):
        lines += ["[[units]]", f'name = "单位{u:04d}"', f'person = "责任人{u}"', f'email = "u{u}@example.gov.cn"', ""]
    for t in range(tasks):
        due = START + dt.timedelta(days=(t * 731) // tasks)
        lines += ["[[tasks]]", f'text = "任务{t + 1}"', f'deadline = "{due.year}年{due.month}月{due.day}日"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def median_of(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), max(m for _, m in runs)


def repeat(times: int, prepare: Callable[[], None], args: list[str]) -> tuple[float, float]:
    found = []
    for _ in range(times):
        prepare()
        found.append(timed(args))
    return median_of(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes (0.1: 10,000 rows)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["xlsx", "toml"])
    args = parser.parse_args()
    rows = max(1, round(100_000 * args.scale))
    tasks, units = max(1, round(1000 * args.scale)), 1000
    table: list[tuple[str, float, float, str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        tmp = Path(folder)
        empty = tmp / "empty.db"
        migrate = "import sys; from tracker.db import open_database; open_database(sys.argv[1])"
        subprocess.run([sys.executable, "-c", migrate, f"sqlite:///{empty}"], check=True)
        work = tmp / "work.db"

        def fresh() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copy(empty, work)

        def keep() -> None:
            pass

        url = f"sqlite:///{work}"
        if args.only in (None, "xlsx"):
            xlsx = tmp / "ledger.xlsx"
            write_xlsx(xlsx, rows)
            wall, rss = repeat(args.runs, fresh, [*TRACKER, "--db", url, "import", str(xlsx)])
            read_floor, _ = repeat(args.runs, keep, [sys.executable, "-c", READ_ONLY_PASS, str(xlsx)])
            raw = [sys.executable, "-c", RAW_INSERT, str(work), "xlsx", str(rows), str(XLSX_UNITS)]
            insert_floor, _ = repeat(args.runs, fresh, raw)
            table.append((f"import xlsx, {rows:,} rows x 1 unit", wall, rss, "openpyxl read-only", read_floor, ""))
            table.append(("", 0, 0, "raw sqlite3 insert", insert_floor, ""))
        if args.only in (None, "toml"):
            toml = tmp / "ledger.toml"
            write_toml(toml, tasks, units)
            size = f"{tasks:,} x {units:,}"
            raw = [sys.executable, "-c", RAW_INSERT, str(work), "toml", str(tasks), str(units)]
            insert_floor, _ = repeat(args.runs, fresh, raw)
            wall, rss = repeat(args.runs, fresh, [*TRACKER, "--db", url, "import", str(toml)])
            # ``work`` now holds the last import: the same file again changes nothing.
            again, again_rss = repeat(args.runs, keep, [*TRACKER, "--db", url, "import", str(toml)])
            table.append((f"import toml, {size}", wall, rss, "raw sqlite3 insert", insert_floor, ""))
            table.append((f"re-import toml, {size}, unchanged", again, again_rss, "", 0, ""))
    print(f"runs: {args.runs} (medians; memory: highest peak RSS)   scale: {args.scale}")
    print(f"| {'work':<42} | {'wall s':>7} | {'peak MiB':>8} | {'floor':<20} | {'floor s':>7} |")
    print(f"| {'-' * 42} | {'-' * 7}: | {'-' * 8}: | {'-' * 20} | {'-' * 7}: |")
    for work_name, wall, rss, floor_name, floor, _ in table:
        cells = (f"{wall:.2f}", f"{rss:.0f}") if work_name else ("", "")
        floor_cell = f"{floor:.2f}" if floor_name else ""
        print(f"| {work_name:<42} | {cells[0]:>7} | {cells[1]:>8} | {floor_name:<20} | {floor_cell:>7} |")


if __name__ == "__main__":
    main()
