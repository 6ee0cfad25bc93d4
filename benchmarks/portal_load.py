"""Load test of the web portal (issue 20 §5): 50 unit accounts at once against PostgreSQL.

    PYTHONPATH=. .venv/bin/python benchmarks/portal_load.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--users 50] [--rounds 3] [--pdf-mib 1] [--workers 2] [--threads 4] [--pause 1.0]

It makes a fresh schema in the PostgreSQL database named, imports the 90-pilot ledger
(ledgers/smart-city-pilots-2013.toml), adds one unit account per pilot (the first ``--users``,
and one more for the user alone), starts a real `tracker serve --workers N` on a free port of
127.0.0.1, and logs every account in. A user's round is

    GET /                         我的任务 (page)
    GET /assignments/{id}         its own open assignment (page: the form's version is read here)
    POST /assignments/{id}/progress   status, percent, note and a ``--pdf-mib`` MiB PDF (progress+upload)
    GET /assignments/{id}?saved=1 the page the redirect leads to at once (page)

Two runs of ``--rounds`` rounds, the users released together by a barrier (a thread and an httpx
client each):

- at a person's pace (the target): before each click a pause drawn from 0.5-1.5 × ``--pause``
  seconds, seeded by the login (a person reads the page and fills the form; a second is quick);
- no pause at all (the capacity: answers per second; the latency is then the queue, 50 requests
  always waiting, and says how much room the pace above leaves).

Bounded: a fixed number of requests, each with a timeout, and each run with one. It reports
p50/p95/max of page views and of progress-with-upload, the count of answers other than 2xx/3xx
(must be 0), and checks that no update was lost: every report is in the assignment's history (a
progress event and an audit row each, one evidence row per upload), and the assignment ends with
the last round's note. Beside them, floors measured in the same run: one user alone (what a
request costs without a queue), the same users fetching a static file at once (the server and
HTTP without the use cases), and the two use cases called directly in this process without
HTTP. The schema and the server are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.web.conftest import start_server

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "ledgers" / "smart-city-pilots-2013.toml"
PASSWORD = "load test 2026!"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')
TIMEOUT = 60.0  # seconds for one request
RUN_LIMIT = 600.0  # seconds for the whole concurrent phase


@dataclass
class Timings:
    pages: list[float] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    static: list[float] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # "METHOD path status"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            getattr(self, kind).append(seconds)

    def fail(self, what: str) -> None:
        with self.lock:
            self.bad.append(what)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000


def line(name: str, values: list[float]) -> str:
    return (
        f"{name:<28} n={len(values):>4}  p50 {pct(values, 0.5):7.1f} ms  p95 {pct(values, 0.95):7.1f} ms  "
        f"max {max(values) * 1000 if values else float('nan'):7.1f} ms"
    )


def fresh_schema(pg: str) -> tuple[str, str]:
    schema = f"load_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = sa.make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def drop_schema(pg: str, schema: str) -> None:
    admin = sa.create_engine(pg)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def pdf_of(mib: float, tag: str) -> bytes:
    """A PDF of ``mib`` MiB, different for every ``tag`` (each upload is new content)."""
    head = f"%PDF-1.4\n% {tag}\n".encode()
    size = int(mib * 1024 * 1024)
    return head + b"0" * max(0, size - len(head) - 6) + b"\n%%EOF"


def prepare(url: str, users: int) -> list[tuple[str, int]]:
    """The ledger, an admin, and one unit account per pilot: ``[(login, its open assignment id)]``."""
    from sqlmodel import select

    from tracker.app import build
    from tracker.importing import import_ledgers, read_ledger_file
    from tracker.models import Account, Unit
    from tracker.usecases import accounts
    from tracker.usecases.units import my_work
    from tracker.usecases.work import Actor

    tracker = build(url, None, "bench")
    with tracker.session() as session:
        import_ledgers(session, read_ledger_file(LEDGER), by="bench", now=tracker.now(), calendar=tracker.calendar)
        session.commit()
        pilots = [u.name for u in session.exec(select(Unit).where(Unit.kind == "试点").order_by(Unit.position))]
    if len(pilots) < users:
        raise SystemExit(f"the ledger has {len(pilots)} pilots, fewer than --users {users}")
    accounts.add_account(tracker, Actor("bench"), "admin", role="admin", password=PASSWORD)
    made = []
    for n, name in enumerate(pilots[:users], 1):
        login = f"unit{n:02d}"
        accounts.add_account(tracker, Actor("admin"), login, role="unit", unit=name, password=PASSWORD)
        owed = my_work(tracker, Actor(login)).tasks
        made.append((login, next(t.assignment_id for t in owed if t.status in ("todo", "doing"))))
    with tracker.session() as session:
        for account in session.exec(select(Account)):
            account.must_change_password = False
        session.commit()
    tracker.engine.dispose()
    return made


def log_in(base: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False)
    token = CSRF.search(client.get("/login").text)
    assert token, "no CSRF field on the login page"
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf": token.group(1)})
    if answer.status_code != 303:
        raise SystemExit(f"{login} could not log in: {answer.status_code}")
    return client


def timed(timings: Timings, kind: str, call: Callable[[], httpx.Response], what: str) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        answer = call()
    except httpx.HTTPError as exc:
        timings.fail(f"{what} {type(exc).__name__}")
        return None
    timings.add(kind, time.perf_counter() - started)
    if not 200 <= answer.status_code < 400:
        said = ERROR.search(answer.text)
        timings.fail(f"{what} {answer.status_code}" + (f" {said.group(1)}" if said else ""))
    return answer


def user_run(
    client: httpx.Client,
    login: str,
    assignment: int,
    rounds: range,
    mib: float,
    start: threading.Barrier,
    t: Timings,
    pause: float = 0.0,
) -> None:
    """One user's rounds; with ``pause`` (seconds, the mean), a person's pace: before every click
    a pause drawn uniformly from 0.5–1.5 × ``pause`` (seeded by the login: runs repeat)."""
    think = random.Random(login)
    start.wait()

    def wait() -> None:
        if pause:
            time.sleep(think.uniform(0.5 * pause, 1.5 * pause))

    for r in rounds:
        wait()
        timed(t, "pages", lambda: client.get("/"), "GET /")
        wait()
        page = timed(t, "pages", lambda: client.get(f"/assignments/{assignment}"), "GET /assignments")
        if page is None:
            continue
        token, version = CSRF.search(page.text), VERSION.search(page.text)
        if not token or not version:
            t.fail(f"{login}: no form on the assignment page")
            continue
        data = {
            "csrf": token.group(1),
            "version": version.group(1),
            "status": "doing",
            "percent": str(min(99, r * 10)),
            "note": f"负载测试 {login} 第{r}轮",
        }
        files = {"evidence": (f"第{r}轮材料.pdf", pdf_of(mib, f"{login}-{r}"), "application/pdf")}
        path = f"/assignments/{assignment}/progress"
        wait()
        sent = timed(t, "progress", lambda d=data, f=files, p=path: client.post(p, data=d, files=f), "POST progress")
        if sent is not None and sent.status_code == 303:  # a browser follows at once
            saved = sent.headers["location"]
            timed(t, "pages", lambda s=saved: client.get(s), "GET saved")


def static_run(client: httpx.Client, count: int, start: threading.Barrier, t: Timings) -> None:
    start.wait()
    for _ in range(count):
        timed(t, "static", lambda: client.get("/static/site.css"), "GET static")


def together(targets: list[Callable[[], None]]) -> float:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, RUN_LIMIT - (time.perf_counter() - started)))
    if any(thread.is_alive() for thread in threads):
        raise SystemExit(f"the run did not end within {RUN_LIMIT:.0f} s")
    return time.perf_counter() - started


def direct_floor(url: str, folder: Path, users: list[tuple[str, int]], mib: float) -> tuple[list[float], list[float]]:
    """The page's and the report's use cases called directly (no HTTP), one after another."""
    os.environ["XDG_DATA_HOME"] = str(folder / "direct")
    from tracker.app import build
    from tracker.usecases.progress import Progress, Upload, record_progress_on
    from tracker.usecases.units import my_work, unit_assignment
    from tracker.usecases.work import Actor

    tracker = build(url, None, "bench")
    pages, reports = [], []
    for login, assignment in users[:10]:
        actor = Actor(login)
        started = time.perf_counter()
        my_work(tracker, actor)
        pages.append(time.perf_counter() - started)
        started = time.perf_counter()
        unit_assignment(tracker, actor, assignment)
        pages.append(time.perf_counter() - started)
        started = time.perf_counter()
        record_progress_on(
            tracker,
            actor,
            assignment,
            Progress("doing", percent=99, note=f"直接调用 {login}"),
            expected_version=None,
            uploads=[Upload("直接.pdf", pdf_of(mib, f"direct-{login}"))],
        )
        reports.append(time.perf_counter() - started)
    tracker.engine.dispose()
    return pages, reports


def lost_updates(url: str, users: list[tuple[str, int, int]]) -> list[str]:
    """What is missing from the history of ``[(login, assignment, rounds it reported)]``: each
    report must be a progress event, an audit row and an evidence row, and each assignment must
    end with its last round's note."""
    from sqlmodel import Session, col, func, select

    from tracker.db import open_database
    from tracker.models import Assignment, AuditEntry, Evidence, ProgressEvent

    engine = open_database(url)
    problems = []
    with Session(engine) as session:
        for login, assignment, rounds in users:
            notes = session.exec(
                select(ProgressEvent.note).where(
                    ProgressEvent.assignment_id == assignment, col(ProgressEvent.note).like(f"负载测试 {login} %")
                )
            ).all()
            wanted = {f"负载测试 {login} 第{r}轮" for r in range(1, rounds + 1)}
            if set(notes) != wanted or len(notes) != rounds:
                problems.append(f"{login}: progress events {sorted(notes)}")
            files = session.exec(
                select(func.count()).select_from(Evidence).where(Evidence.assignment_id == assignment)
            ).one()
            if files != rounds:
                problems.append(f"{login}: {files} evidence rows, not {rounds}")
            row = session.get(Assignment, assignment)
            if row is None or row.note != f"负载测试 {login} 第{rounds}轮":
                problems.append(f"{login}: the assignment ends with {row.note if row else None!r}")
        audited = session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "progress")
        ).one()
        wanted_rows = sum(rounds for _, _, rounds in users)
        if audited != wanted_rows:
            problems.append(f"{audited} progress audit rows, not {wanted_rows}")
    engine.dispose()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pdf-mib", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2, help="server processes (tracker serve --workers)")
    parser.add_argument("--threads", type=int, default=None, help="[web] threads of each process (default: its own)")
    parser.add_argument(
        "--pause", type=float, default=1.0, help="a person's mean pause before a click, seconds (the paced run)"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    schema, url = fresh_schema(args.pg)
    try:
        t0 = time.perf_counter()
        users = prepare(url, args.users + 1)  # the last: the one user alone
        print(f"prepared {len(users)} unit accounts in {time.perf_counter() - t0:.1f} s")
        config = None
        if args.threads is not None:
            config = folder / "config.toml"
            config.write_text(f"[web]\nthreads = {args.threads}\n", encoding="utf-8")
        with contextmanager(start_server)(
            url, folder, config, workers=args.workers
        ) as server:  # tests/web/conftest.py's real server
            failed = measure(server.url, server.log, url, folder, users, args)
    finally:
        drop_schema(args.pg, schema)
    if failed:
        raise SystemExit(1)


def measure(
    base: str, log: Path, url: str, folder: Path, users: list[tuple[str, int]], args: argparse.Namespace
) -> bool:
    """The runs and their report, beside the floors; whether anything failed. ``users``' last
    account is the one user alone; the others are the crowd."""
    crowd, lone = users[:-1], users[-1]
    clients = [log_in(base, login) for login, _ in users]
    for client in clients:  # one warm-up page each (imports, template compilation, pools)
        client.get("/")
    crowd_clients = clients[:-1]
    rounds = args.rounds
    static, alone, paced, rush = Timings(), Timings(), Timings(), Timings()
    start = threading.Barrier(len(crowd_clients))
    static_wall = together([lambda c=c: static_run(c, rounds * 4, start, static) for c in crowd_clients])
    alone_wall = together(
        [lambda: user_run(clients[-1], *lone, range(1, rounds + 1), args.pdf_mib, threading.Barrier(1), alone)]
    )

    def crowd_run(timings: Timings, played: range, pause: float) -> float:
        return together(
            [
                lambda c=c, u=u: user_run(c, u[0], u[1], played, args.pdf_mib, start, timings, pause)
                for c, u in zip(crowd_clients, crowd, strict=True)
            ]
        )

    paced_wall = crowd_run(paced, range(1, rounds + 1), args.pause)
    rush_wall = crowd_run(rush, range(rounds + 1, 2 * rounds + 1), 0.0)
    for client in clients:
        client.close()
    problems = lost_updates(url, [(login, a, 2 * rounds) for login, a in crowd] + [(*lone, rounds)])
    direct_pages, direct_reports = direct_floor(url, folder, crowd, args.pdf_mib)

    n, mib = len(crowd), f"{args.pdf_mib:g} MiB"
    threads = "" if args.threads is None else f" of {args.threads} threads"
    print(f"{args.workers} server process(es){threads}, {n} users, {rounds} rounds each run, a {mib} PDF per report")
    print(f"{n} users at once at a person's pace (a {args.pause:g} s mean pause before each click): {paced_wall:.1f} s")
    print(line("  page views", paced.pages))
    print(line(f"  progress + {mib} upload", paced.progress))
    answers = len(rush.pages) + len(rush.progress)
    print(f"{n} users at once, no pause (capacity: {answers / rush_wall:.0f} answers/s): {rush_wall:.1f} s")
    print(line("  page views", rush.pages))
    print(line(f"  progress + {mib} upload", rush.progress))
    print(f"floor, one user alone, no pause ({alone_wall:.1f} s):")
    print(line("  page views", alone.pages))
    print(line(f"  progress + {mib} upload", alone.progress))
    print(f"floor, {n} users at once fetching a static file ({static_wall:.1f} s):")
    print(line("  GET /static/site.css", static.static))
    print("floor, the use cases called directly (no HTTP, one at a time):")
    print(line("  page use cases", direct_pages))
    print(line("  progress + upload use case", direct_reports))
    bad = [*static.bad, *alone.bad, *paced.bad, *rush.bad]
    print(f"answers other than 2xx/3xx: {len(bad)}" + (f" {bad[:10]}" if bad else ""))
    print("lost updates: " + ("none (every report is in the history)" if not problems else f"{problems[:10]}"))
    tracebacks = log.read_text().count("Traceback")
    print(f"server tracebacks: {tracebacks}")
    print(
        f"at a person's pace: p95 pages {pct(paced.pages, 0.95):.0f} ms (target ≤ 200), "
        f"progress {pct(paced.progress, 0.95):.0f} ms (≤ 500)"
    )
    return bool(bad or problems or tracebacks)


if __name__ == "__main__":
    main()
