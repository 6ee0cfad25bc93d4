"""Use cases on ledgers: import them (or rehearse the import), and the questions the front ends
ask of them: the list, one ledger's rows (`tracker show`), the dashboard, the matrix, a search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.usecases.work import Actor, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.dashboard import Dashboard
    from tracker.importing import LedgerSummary
    from tracker.ledger_spec import LedgerSpec
    from tracker.matrix import Matrix
    from tracker.search import Hit
    from tracker.views import Row


@dataclass(frozen=True)
class Imported:
    ledgers: list[LedgerSummary]  # each with what the import deleted (a dry run's: would delete)
    dry_run: bool

    @property
    def losing_progress(self) -> int:
        """Assignments with recorded progress that the import deletes (or would)."""
        return sum(s.removed.with_progress for s in self.ledgers if s.removed)


def read_ledgers(files: Sequence[Path]) -> list[LedgerSpec]:
    """Every file read; a file that cannot be read at all is reported with every error found in
    the others, not alone."""
    from tracker.errors import InputError, raise_all
    from tracker.importing import check_ledgers, read_ledger_file

    specs: list[LedgerSpec] = []
    unreadable: list[InputError] = []
    for path in files:
        try:
            specs.extend(read_ledger_file(path))
        except InputError as exc:
            unreadable.append(exc)
    if unreadable:
        try:
            check_ledgers(specs)
        except InputError as exc:
            unreadable.append(exc)
        raise_all(unreadable)
    return specs


def import_ledgers(
    tracker: Tracker, actor: Actor, files: Sequence[Path], *, dry_run: bool = False, allow_removals: bool = False
) -> Imported:
    """Import the ledgers of ``files`` (TOML or xlsx), all or nothing. A ``dry_run`` checks and
    counts everything, then writes nothing. A re-import that would lose recorded progress is
    refused unless ``allow_removals``."""
    from tracker import importing

    specs = read_ledgers(files)  # every file read and checked before the database is opened
    with unit_of_work(tracker, actor, dry_run=dry_run, action="ledger.import") as work:
        summaries = importing.import_ledgers(
            work.session,
            specs,
            by=work.by,
            now=work.now,
            calendar=tracker.calendar,
            allow_removals=allow_removals,
        )
    return Imported(summaries, dry_run)


def ledger_summaries(tracker: Tracker) -> list[LedgerSummary]:
    """Every ledger with its counts (`tracker ledgers`)."""
    from tracker.importing import summarise

    with reading(tracker) as session:
        return summarise(session)


@dataclass(frozen=True)
class LedgerRows:
    """One ledger as `tracker show` prints it: every assignment with its status and days late."""

    id: int
    title: str
    doc_number: str
    as_of: dt.date
    rows: list[Row]


def ledger_rows(tracker: Tracker, ledger: str, as_of: dt.date | None = None) -> LedgerRows:
    """The rows of ``ledger`` (id, title, 文号 or a part of the title), judged on ``as_of``
    (default: today)."""
    from tracker import views
    from tracker.lookup import find_ledger

    day = as_of or tracker.today()
    with reading(tracker) as session:
        found = find_ledger(session, ledger)
        assert found.id is not None
        rows = views.ledger_rows(session, found.id, day, tracker.settings.progress.lag_margin)
        return LedgerRows(found.id, found.title, found.doc_number, day, rows)


def ledger_ids(tracker: Tracker) -> list[int]:
    """Every ledger's id, oldest first."""
    from tracker import lookup

    with reading(tracker) as session:
        return lookup.ledger_ids(session)


def shown_ledger(tracker: Tracker, wanted: int | None) -> int | None:
    """The ledger a screen shows: ``wanted`` while it exists, else the first; None: no ledger."""
    ids = ledger_ids(tracker)
    return wanted if wanted in ids else (ids[0] if ids else None)


def next_ledger(tracker: Tracker, current: int | None) -> int | None:
    """The ledger after ``current`` (the first after the last, or when ``current`` is gone)."""
    ids = ledger_ids(tracker)
    if not ids:
        return None
    at = ids.index(current) + 1 if current in ids else 0
    return ids[at % len(ids)]


def ledger_matrix(tracker: Tracker, wanted: int | None, as_of: dt.date) -> Matrix | None:
    """The ledger ``wanted`` (else the first) as a matrix of tasks × units, judged on ``as_of``;
    its cells are read as they come into view, each window in a read-only session of its own.
    None: there is no ledger."""
    from tracker.matrix import load_matrix

    ledger_id = shown_ledger(tracker, wanted)
    if ledger_id is None:
        return None
    with reading(tracker) as session:
        return load_matrix(
            session,
            ledger_id,
            as_of=as_of,
            settings=tracker.settings,
            calendar=tracker.calendar,
            open_session=partial(reading, tracker),
        )


def overview(tracker: Tracker, as_of: dt.date) -> Dashboard:
    """The dashboard: every ledger's completion and lateness, the outbox, the scheduler's runs."""
    from tracker.dashboard import dashboard

    with reading(tracker) as session:
        return dashboard(session, as_of=as_of, now=tracker.now(), settings=tracker.settings)


def search(tracker: Tracker, text: str, limit: int = 8) -> list[Hit]:
    """Ledgers, tasks, units and responsible persons whose name or text contains ``text``."""
    from tracker import search as finder

    with reading(tracker) as session:
        return finder.search(session, text, limit=limit)
