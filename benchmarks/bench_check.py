"""Time `tracker check` end to end, as a whole process, on a generated 1,000,000-assignment database.

    python benchmarks/bench_check.py                   # SQLite in /tmp, 1000 x 1000
    python benchmarks/bench_check.py --runs 5 --tasks 1000 --units 1000
    python benchmarks/bench_check.py --backend postgresql --first-runs 3 --runs 3
    python benchmarks/bench_check.py --runs 5 --analyze   # steady state with and without statistics

It builds the database once (benchmarks/make_db.py) and keeps a pristine copy, then measures:
- first run: a fresh copy, where the check escalates everything and issues every notice;
- steady state: the same database checked again and again (nothing new).
Wall time is the median of the runs; memory is the peak resident size of the process (wait4).

With --backend postgresql the same data is built once into a database of its own on the server
(--pg, default postgresql+psycopg://postgres@127.0.0.1:5432), vacuumed and analysed as
autovacuum would leave it after an import, and each first run checks a fresh copy of it (CREATE
DATABASE … TEMPLATE); SQLite's first run is measured in the same invocation, alternating with
PostgreSQL's, for the ratio.
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


def sqlite_statistics(path: Path, *, analyze: bool) -> None:
    """Give the database full statistics (ANALYZE), or none (as a new database has)."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        if analyze:
            connection.execute("ANALYZE")
        elif connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            connection.execute("DELETE FROM sqlite_stat1")
        connection.commit()
    finally:
        connection.close()


def pg_admin(url: str, *statements: str) -> list[tuple[object, ...]]:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the server's own database."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"{url}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = connection.exec_driver_sql(statement)
                rows = [tuple(r) for r in result] if result.returns_rows else []
            return rows
    finally:
        engine.dispose()


def pg_pristine(url: str, tasks: int, units: int) -> str:
    """The name of a database holding the benchmark's data at the current schema, built if missing."""
    from tracker.db import HEAD

    name = f"tracker_bench_{tasks}x{units}_{HEAD}"
    if not pg_admin(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        pg_admin(url, f'CREATE DATABASE "{name}"')
        make = [sys.executable, str(HERE / "make_db.py"), "--db", f"{url}/{name}"]
        subprocess.run([*make, "--tasks", str(tasks), "--units", str(units)], check=True)
        import sqlalchemy as sa

        engine = sa.create_engine(f"{url}/{name}", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()
    return name


def pg_first_runs(url: str, pristine: str, runs: int, sqlite_first: object) -> tuple[list[float], list[float]]:
    """PostgreSQL's first runs, each on a fresh copy, alternating with SQLite's (``sqlite_first``)."""
    pg, lite = [], []
    work = "tracker_bench_work"
    check = ["check", "--as-of", "2017-01-01"]
    for _ in range(runs):
        pg_admin(url, f'DROP DATABASE IF EXISTS "{work}"', f'CREATE DATABASE "{work}" TEMPLATE "{pristine}"')
        pg.append(timed([*TRACKER, "--db", f"{url}/{work}", *check])[0])
        lite.append(sqlite_first())  # type: ignore[operator]
    pg_admin(url, f'DROP DATABASE IF EXISTS "{work}"')
    return pg, lite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-runs", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="also the steady state after ANALYZE (statistics present), beside the one without",
    )
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
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

    def sqlite_first() -> tuple[float, float]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(pristine, work)
        return timed([*TRACKER, "--db", f"sqlite:///{work}", *check])

    if args.backend == "postgresql":
        name = pg_pristine(args.pg, args.tasks, args.units)
        pg, lite = pg_first_runs(args.pg, name, args.first_runs, lambda: sqlite_first()[0])
        print(f"assignments: {args.tasks * args.units}")
        print(f"PostgreSQL first run: median {statistics.median(pg):.2f} s ({', '.join(f'{w:.2f}' for w in pg)})")
        print(f"SQLite first run:     median {statistics.median(lite):.2f} s ({', '.join(f'{w:.2f}' for w in lite)})")
        print(f"ratio PostgreSQL / SQLite: {statistics.median(pg) / statistics.median(lite):.2f}")
        return
    firsts = [sqlite_first() for _ in range(args.first_runs)]
    if args.analyze:  # the first run's own PRAGMA optimize may have left some: start from none
        sqlite_statistics(work, analyze=False)
    steady = [timed([*TRACKER, "--db", f"sqlite:///{work}", *check]) for _ in range(args.runs)]
    analyzed = []
    if args.analyze:
        for _ in range(args.runs):
            sqlite_statistics(work, analyze=False)
            bare = timed([*TRACKER, "--db", f"sqlite:///{work}", *check])
            sqlite_statistics(work, analyze=True)
            analyzed.append((bare, timed([*TRACKER, "--db", f"sqlite:///{work}", *check])))
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
    if analyzed:
        bare = statistics.median(b for (b, _), _ in analyzed)
        stats = statistics.median(a for _, (a, _) in analyzed)
        print(
            f"steady, no statistics / after ANALYZE (alternating): median {bare:.2f} s / {stats:.2f} s "
            f"= {stats / bare:.2f} ({len(analyzed)} pairs)"
        )
    print(
        f"import only:  median {statistics.median(w for w, _ in imports):.2f} s "
        "(python -c 'import tracker.cli': the floor of any command)"
    )


if __name__ == "__main__":
    main()
