"""Generate a large ledger database for the check benchmark.

    python benchmarks/make_db.py --db sqlite:////tmp/bench.db --tasks 1000 --units 1000

One ledger of TASKS tasks x UNITS units (1,000 x 1,000 = 1,000,000 assignments), deadlines spread
evenly over 2016–2017, judged as of 2017-01-01 (so half the deadlines have passed). Of the past
ones, about two thirds are still open (a third of all assignments late) and the rest done, some
late; of the future ones, a tenth are in progress. A fixed seed makes every run the same data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import sqlalchemy as sa

from tracker.db import open_database
from tracker.models import Assignment, Ledger, Person, Task, Unit

START = dt.date(2016, 1, 1)
DAYS = 731
AS_OF = dt.date(2017, 1, 1)


def build(url: str, tasks: int, units: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    engine = open_database(url)
    now = dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    t0 = time.perf_counter()
    with engine.begin() as c:
        ledger_id = c.execute(
            sa.insert(Ledger).values(
                title=f"基准台账 {tasks}x{units}",
                doc_number="基准〔2017〕1号",
                issuer="基准",
                source="benchmarks/make_db.py",
                year=2016,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        c.execute(
            sa.insert(Unit),
            [
                {"ledger_id": ledger_id, "position": i, "name": f"单位{i:04d}", "kind": "", "group_name": ""}
                for i in range(1, units + 1)
            ],
        )
        unit_ids = [r[0] for r in c.execute(sa.select(Unit.id).where(Unit.ledger_id == ledger_id).order_by(Unit.id))]
        c.execute(
            sa.insert(Person),
            [
                {"unit_id": u, "name": f"责任人{u}", "email": f"u{u}@example.gov.cn", "phone": "", "since": now}
                for u in unit_ids
            ],
        )
        dues = [START + dt.timedelta(days=(i * DAYS) // tasks) for i in range(tasks)]
        c.execute(
            sa.insert(Task),
            [
                {
                    "ledger_id": ledger_id,
                    "position": i + 1,
                    "seq": str(i + 1),
                    "text": f"任务{i + 1}",
                    "deadline_text": f"{d.year}年{d.month}月{d.day}日",
                    "deadline_kind": "absolute",
                    "due_on": d,
                }
                for i, d in enumerate(dues)
            ],
        )
        task_ids = [r[0] for r in c.execute(sa.select(Task.id).where(Task.ledger_id == ledger_id).order_by(Task.id))]
        batch: list[dict[str, object]] = []
        for task_id, due in zip(task_ids, dues, strict=True):
            for unit_id in unit_ids:
                status, completed = "todo", None
                roll = rng.random()
                if due < AS_OF:
                    if roll < 0.33:
                        status, completed = "done", due - dt.timedelta(days=rng.randint(0, 20))
                    elif roll < 0.36:
                        status, completed = "done", min(due + dt.timedelta(days=rng.randint(1, 30)), AS_OF)
                    elif roll < 0.55:
                        status = "doing"
                elif roll < 0.1:
                    status = "doing"
                batch.append(
                    {
                        "task_id": task_id,
                        "unit_id": unit_id,
                        "role": "lead",
                        "status": status,
                        "completed_on": completed,
                        "percent": 100 if status == "done" else 0,
                        "note": "",
                        "evidence": "[]",
                        "due_on": due,
                        "version": 1,
                        "updated_at": now,
                        "notified_level": 0,
                    }
                )
            if len(batch) >= 50_000:
                c.execute(sa.insert(Assignment), batch)
                batch.clear()
        if batch:
            c.execute(sa.insert(Assignment), batch)
    print(f"built {tasks * units} assignments in {time.perf_counter() - t0:.1f} s → {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    build(args.db, args.tasks, args.units)


if __name__ == "__main__":
    main()
