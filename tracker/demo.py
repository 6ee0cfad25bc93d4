"""`tracker demo`: the shipped ledgers on a fresh temporary database, at a date where things are late.

The UI opens on it (``tui/cli.py``); ``print_demo`` shows the same state as text. The progress
recorded here is the demo's own illustration (marked as recorded by "demo" in the audit trail),
not data from the seeds.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from tracker import app as app_factory
from tracker import output
from tracker.audit import Stamp
from tracker.changes import request_extension
from tracker.check import run_check
from tracker.config import NotifySettings, Settings, SmtpSettings
from tracker.errors import InputError
from tracker.importing import import_ledgers, read_ledger_file, summarise
from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
from tracker.models import Status
from tracker.progress import ProgressUpdate, Reach, current_person, record_progress, set_person
from tracker.views import ledger_rows

LEDGERS = Path(__file__).resolve().parent.parent / "ledgers"

# (task 序号, unit, status, completion date) for the Puyang ledger.
PUYANG_PROGRESS = [
    ("1", "濮阳县政府", Status.DONE, dt.date(2017, 3, 28)),
    ("1", "清丰县政府", Status.DONE, dt.date(2017, 3, 30)),
    ("1", "南乐县政府", Status.DONE, dt.date(2017, 4, 12)),
    ("1", "范县政府", Status.DONE, dt.date(2017, 3, 31)),
    ("1", "台前县政府", Status.DOING, None),
    ("2", "濮阳县政府", Status.DONE, dt.date(2017, 4, 25)),
    ("2", "清丰县政府", Status.DONE, dt.date(2017, 5, 10)),
    ("2", "范县政府", Status.DOING, None),
    ("3", "濮阳县政府", Status.DONE, dt.date(2017, 6, 20)),
    ("3", "清丰县政府", Status.DOING, None),
    ("4", "濮阳县政府", Status.DONE, dt.date(2017, 7, 31)),
    ("5", "濮阳县政府", Status.DOING, None),
]

# The seed names each county's responsible person but gives no addresses; these are the demo's
# own, on the reserved .example domain, so that the outbox has digests to show.
DEMO_EMAILS = {
    "濮阳县政府": "puyangxian@puyang.example",
    "清丰县政府": "qingfeng@puyang.example",
    "南乐县政府": "nanle@puyang.example",
    "范县政府": "fanxian@puyang.example",
    "台前县政府": "taiqian@puyang.example",
}

# Mail goes to a server on this machine (none unless you start one: the README says how), and
# waits for approval first, so the outbox shows both steps.
DEMO_SMTP = SmtpSettings(host="127.0.0.1", port=8025, ssl=False, login=False, user="duchashi@puyang.example", timeout=5)


def demo_settings() -> Settings:
    return Settings(smtp=DEMO_SMTP, notify=NotifySettings(require_approval=True))


def seed_demo(tracker: app_factory.Tracker, as_of: dt.date) -> None:
    files = sorted(LEDGERS.glob("*.toml"))
    if not files:
        raise InputError(f"{LEDGERS}: no shipped ledgers found")
    specs = [spec for path in files for spec in read_ledger_file(path)]
    # The morning of the demo's day where the bureau is: what the demo did comes before what you do.
    now = dt.datetime.combine(as_of, dt.time(8, 0), tzinfo=ZoneInfo(tracker.settings.timezone)).astimezone(dt.UTC)
    stamp = Stamp("demo", now)
    with tracker.session() as session:
        import_ledgers(session, specs, by="demo", now=now, calendar=tracker.calendar)
        ledger = find_ledger(session, "濮政办〔2017〕13号")
        for seq, unit_name, status, on in PUYANG_PROGRESS:
            task = find_task(session, ledger, seq)
            unit = find_unit(session, ledger, unit_name)
            record_progress(
                session,
                find_assignment(session, task, unit),
                ProgressUpdate(status, on),
                stamp,
                today=as_of,
                subject=f"任务 {seq} / {unit_name}",
                ledger_id=ledger.id,
            )
        # One request waiting for a decision, so that the extensions screen has something to do.
        task = find_task(session, ledger, "6")
        unit = find_unit(session, ledger, "台前县政府")
        request_extension(
            session,
            find_assignment(session, task, unit),
            stamp,
            to=dt.date(2017, 12, 31),
            reason="应用系统招标流标，需重新招标",
            late=False,
            today=as_of,
            subject=f"任务 6 / {unit.name}",
        )
        for unit_name, address in DEMO_EMAILS.items():
            unit = find_unit(session, ledger, unit_name)
            person = current_person(session, unit)
            assert person is not None, unit_name
            set_person(session, ledger, unit, stamp, name=person.name, reach=Reach(email=address))
        session.commit()
        # The day's check, so that the demo shows notices issued and levels reached.
        run_check(session, as_of=as_of, now=now, by="demo", settings=tracker.settings, calendar=tracker.calendar)
        session.commit()


def make_demo(as_of: dt.date, keep: Path | None) -> app_factory.Tracker:
    """A fresh database (temporary, or ``keep``) holding the shipped ledgers and the demo's progress."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    path = keep or folder / "demo.db"
    if path.exists():
        raise InputError(f"--keep: {path} exists already; the demo starts from an empty database")
    tracker = app_factory.build(f"sqlite:///{path}", None, "demo")
    tracker.settings = demo_settings()
    tracker.calendar = tracker.settings.work_calendar()
    seed_demo(tracker, as_of)
    return tracker


def print_demo(tracker: app_factory.Tracker, as_of: dt.date) -> None:
    """The demo's state as text (for a terminal without the UI)."""
    console = Console()
    console.print(f"[bold]督查台账 demo[/bold] — database {tracker.engine.url}, today is {as_of.isoformat()}\n")
    with tracker.session() as session:
        output.ledgers([s.as_json() for s in summarise(session)], "shipped ledgers")
        ledger = find_ledger(session, "濮政办〔2017〕13号")
        assert ledger.id is not None
        rows = ledger_rows(session, ledger.id, as_of)
    output.ledger_matrix(ledger, rows, as_of)
    late = [r for r in rows if r.status not in (Status.DONE, Status.TERMINATED) and (r.days_overdue or 0) > 0]
    console.print(f"\n{len(late)} assignments are late as of {as_of.isoformat()}.")
    console.print(f"Try: tracker --db {tracker.engine.url} show 濮政办〔2017〕13号 --as-of {as_of.isoformat()}")
