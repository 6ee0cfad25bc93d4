"""Evidence (佐证材料) of assignments: files stored (tracker.evidence_files) and the rows naming them.

Adding is all or nothing for the rows: every file is read and judged before anything is written;
then the files go into the store and the rows into the session, which the use case commits. A
store write that fails, or a commit that fails after it, can leave a stored file no row names:
unreferenced, read-only, named by its content, it is harmless, and the next add of the same
content uses it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.audit import Stamp
from tracker.config import Settings
from tracker.evidence_files import Checked, Store, check_file, check_upload, default_folder
from tracker.models import Assignment, Evidence, Task, Unit
from tracker.refusals import Refusal


def store_of(settings: Settings) -> Store:
    """The store the settings name ([evidence] folder), else evidence/ in the user's data folder."""
    folder = settings.evidence.folder
    return Store(folder.expanduser() if folder is not None else default_folder())


def check_files(sources: Sequence[str], settings: Settings) -> list[Checked]:
    """Every file read and judged; the first refused one is raised (nothing written yet)."""
    return [check_file(source, settings.evidence.max_bytes) for source in sources]


def check_uploads(uploads: Sequence[tuple[str, bytes]], settings: Settings) -> list[Checked]:
    """Every uploaded ``(filename, content)`` judged; the first refused one is raised."""
    return [check_upload(name, data, settings.evidence.max_bytes) for name, data in uploads]


def names_a_file(reference: str) -> bool:
    """Whether a progress's evidence reference names something on disk (then it is stored; a
    text like 见附件1 stays a reference). A folder stays a reference, as before."""
    path = Path(reference)
    try:
        return path.is_symlink() or (path.exists() and not path.is_dir())
    except (OSError, ValueError):  # a NUL, a name too long: not a path
        return False


def attach(
    session: Session,
    store: Store,
    assignment: Assignment,
    files: Sequence[Checked],
    stamp: Stamp,
    *,
    ledger_id: int | None,
    subject: str,
) -> list[Evidence]:
    """Store ``files`` and add a row for each, audited; the caller commits."""
    assert assignment.id is not None
    rows = []
    for checked in files:
        store.put(checked)
        row = Evidence(
            assignment_id=assignment.id,
            name=checked.name,
            size=len(checked.data),
            media_type=checked.media_type,
            sha256=checked.sha256,
            added_by=stamp.by,
            added_at=stamp.at,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    for row in rows:
        stamp.record(
            session,
            "evidence",
            ledger_id=ledger_id,
            task_id=assignment.task_id,
            unit_id=assignment.unit_id,
            subject=subject,
            after={"id": row.id, "name": row.name, "size": row.size, "sha256": row.sha256},
        )
    return rows


@dataclass(frozen=True)
class EvidenceRow:
    """A stored file as lists show it."""

    id: int
    assignment: int
    task: str  # its 序号
    unit: str
    name: str
    size: int
    media_type: str
    sha256: str
    added_by: str
    added_at: dt.datetime


def evidence_rows(session: Session, ledger_id: int, assignment_id: int | None = None) -> list[EvidenceRow]:
    """The files stored for the ledger's assignments (or one of them), in the order added."""
    query = (
        select(Evidence, Task.seq, Unit.name)
        .join(Assignment, col(Assignment.id) == col(Evidence.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Task.ledger_id == ledger_id)
        .order_by(col(Evidence.id))
    )
    if assignment_id is not None:
        query = query.where(col(Evidence.assignment_id) == assignment_id)
    return [
        EvidenceRow(
            e.id or 0, e.assignment_id, seq, unit, e.name, e.size, e.media_type, e.sha256, e.added_by, e.added_at
        )
        for e, seq, unit in session.exec(query)
    ]


@dataclass(frozen=True)
class Reference:
    """Evidence a progress report named as text (a path, 见附件1), before files were stored."""

    task: str
    unit: str
    reference: str


def references(session: Session, ledger_id: int, assignment_id: int | None = None) -> list[Reference]:
    """The evidence the ledger's assignments (or one of them) name as text, in the ledger's order."""
    query = (
        select(Assignment.evidence, Task.seq, Unit.name)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Task.ledger_id == ledger_id, Assignment.evidence != "[]")
        .order_by(col(Task.position), col(Unit.position))
    )
    if assignment_id is not None:
        query = query.where(col(Assignment.id) == assignment_id)
    return [
        Reference(seq, unit, str(text)) for evidence, seq, unit in session.exec(query) for text in json.loads(evidence)
    ]


def owner(session: Session, evidence: Evidence) -> tuple[int, int, Unit]:
    """The ledger id, task id and unit of the assignment ``evidence`` belongs to."""
    assignment = session.get(Assignment, evidence.assignment_id)
    assert assignment is not None
    task, unit = session.get(Task, assignment.task_id), session.get(Unit, assignment.unit_id)
    assert task is not None and unit is not None
    return task.ledger_id, assignment.task_id, unit


def find_evidence(session: Session, evidence_id: int) -> Evidence:
    found = session.get(Evidence, evidence_id)
    if found is None:
        raise Refusal("evidence_not_found", id=evidence_id)
    return found
