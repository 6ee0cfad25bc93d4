"""Use cases on evidence (佐证材料): add files to an assignment, list them, copy one out.

Files are judged before anything is written (tracker.evidence_files); a refusal leaves no row
and no stored file. Copying out writes whole or not at all and never overwrites unless asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.usecases.work import Actor, reading, unit_of_work

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.evidence import EvidenceRow, Reference


@dataclass(frozen=True)
class EvidenceAdded:
    id: int
    ledger: str
    task: str
    unit: str
    name: str
    size: int
    media_type: str
    sha256: str


def add_evidence(
    tracker: Tracker, actor: Actor, ledger: str, task: str, unit: str, files: Sequence[str]
) -> list[EvidenceAdded]:
    """Store ``files`` as evidence of ``unit``'s assignment on ``task`` of ``ledger`` (as typed):
    all of them, or none when one is refused."""
    from tracker.errors import NotFoundError
    from tracker.evidence import attach, check_files, store_of
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit
    from tracker.progress import task_subject

    checked = check_files(files, tracker.settings)
    with unit_of_work(tracker, actor, action="evidence.add") as work:
        found = find_ledger(work.session, ledger)
        t = find_task(work.session, found, task)
        u = find_unit(work.session, found, unit)
        work.reach([u.name], NotFoundError(f"ledger {found.title!r} has no unit {unit!r}"))
        assignment = find_assignment(work.session, t, u)
        rows = attach(
            work.session,
            store_of(tracker.settings),
            assignment,
            checked,
            work.stamp,
            ledger_id=found.id,
            subject=task_subject(t, u),
        )
        return [
            EvidenceAdded(r.id or 0, found.title, t.seq, u.name, r.name, r.size, r.media_type, r.sha256) for r in rows
        ]


@dataclass(frozen=True)
class EvidenceList:
    ledger: str
    files: list[EvidenceRow]
    references: list[Reference]


def list_evidence(
    tracker: Tracker, actor: Actor, ledger: str, task: str | None = None, unit: str | None = None
) -> EvidenceList:
    """The evidence of the ledger's assignments (or of ``unit``'s on ``task``): the files
    stored, and the references progress reports named. A bureau list: unit accounts are refused."""
    from tracker.evidence import evidence_rows, references
    from tracker.lookup import find_assignment, find_ledger, find_task, find_unit

    with reading(tracker, actor) as session:
        found = find_ledger(session, ledger)
        assert found.id is not None
        assignment_id = None
        if task is not None and unit is not None:
            t, u = find_task(session, found, task), find_unit(session, found, unit)
            assignment_id = find_assignment(session, t, u).id
        return EvidenceList(
            found.title, evidence_rows(session, found.id, assignment_id), references(session, found.id, assignment_id)
        )


@dataclass(frozen=True)
class CopiedOut:
    id: int
    name: str
    size: int
    sha256: str
    path: Path


def get_evidence(tracker: Tracker, actor: Actor, evidence_id: int, out: Path, *, force: bool = False) -> CopiedOut:
    """Copy the stored file ``evidence_id`` to ``out`` (a folder: into it, under its name),
    checked against its SHA-256; an existing file is overwritten only with ``force``. A unit
    account reaches its own unit's evidence only. Who copied what out is audited."""
    from tracker.evidence import find_evidence, owner, store_of
    from tracker.evidence_files import shown
    from tracker.refusals import Refusal

    with unit_of_work(tracker, actor, action="evidence.get") as work:
        row = find_evidence(work.session, evidence_id)
        ledger_id, task_id, unit = owner(work.session, row)
        work.reach([unit.name], Refusal("evidence_not_found", id=evidence_id))
        name, sha256, size = row.name, row.sha256, row.size
        data = store_of(tracker.settings).read(sha256)
        if data is None:
            raise Refusal("evidence_damaged", id=evidence_id, name=shown(name))
        target = out / name if out.is_dir() else out  # the name was cleaned when stored: one plain part
        if not force and (target.exists() or target.is_symlink()):
            raise Refusal("evidence_out_exists", file=shown(target))
        _write_whole(target, data)
        where = {"id": evidence_id, "name": name, "sha256": sha256, "to": str(target)}
        work.audit("evidence-copied", ledger_id=ledger_id, task_id=task_id, unit_id=unit.id, after=where)
        return CopiedOut(evidence_id, name, size, sha256, target)


def _write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all (a link at ``target`` is replaced, never
    followed), readable by its owner only."""
    from tracker.evidence_files import shown
    from tracker.files import written_atomically
    from tracker.refusals import Refusal

    try:
        with written_atomically(target) as temporary:
            temporary.write_bytes(data)
    except OSError as exc:
        raise Refusal("evidence_out_unwritable", file=shown(target), reason=exc.strerror or exc) from None


@dataclass(frozen=True)
class EvidenceFile:
    """A stored file as the portal sends it: its name, the type found from its content when it
    was added, and the content (checked against its SHA-256)."""

    id: int
    name: str
    media_type: str
    data: bytes


def evidence_file(tracker: Tracker, actor: Actor, evidence_id: int) -> EvidenceFile:
    """The stored file ``evidence_id`` (the portal's download): a unit account reaches its own
    unit's evidence only (another's is refused as missing). Who downloaded what is audited."""
    from tracker.errors import NotFoundError
    from tracker.evidence import owner, store_of
    from tracker.evidence_files import shown
    from tracker.models import Evidence
    from tracker.refusals import Refusal, word

    missing = NotFoundError(word("evidence_not_found", id=evidence_id), key="evidence_not_found", id=evidence_id)
    with unit_of_work(tracker, actor, action="evidence.get") as work:
        row = work.session.get(Evidence, evidence_id)
        if row is None:
            raise missing  # as another unit's: the same 404 page
        ledger_id, task_id, unit = owner(work.session, row)
        work.reach([unit.name], missing)
        data = store_of(tracker.settings).read(row.sha256)
        if data is None:
            raise Refusal("evidence_damaged", id=evidence_id, name=shown(row.name))
        where = {"id": evidence_id, "name": row.name, "sha256": row.sha256, "to": "web"}
        work.audit("evidence-downloaded", ledger_id=ledger_id, task_id=task_id, unit_id=unit.id, after=where)
        return EvidenceFile(evidence_id, row.name, row.media_type, data)
