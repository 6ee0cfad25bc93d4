"""Find a ledger, task or unit the way a user names it, or say clearly why not."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tracker.errors import InputError, NotFoundError
from tracker.ids import MAX_ID
from tracker.ledger_spec import clean_name
from tracker.models import Assignment, Ledger, Task, Unit


def record_id(ref: str, what: str, prefix: str = "") -> int | None:
    """``ref`` as a row id, or None when it is not written as one (ASCII digits).

    A number outside 1..MAX_ID is an InputError naming ``what``, the id as written (after
    ``prefix``, e.g. #) and the range."""
    if not (ref.isascii() and ref.isdigit()):
        return None  # "²".isdigit() too, but int() refuses it
    if len(ref) > len(str(MAX_ID)) or not 1 <= int(ref) <= MAX_ID:
        shown = ref if len(ref) <= 40 else f"{ref[:20]}…({len(ref)} digits)"
        raise InputError(f"{what} {prefix}{shown}: an id runs from 1 to {MAX_ID}")
    return int(ref)


def _one(matches: list[str], what: str, name: str) -> None:
    if len(matches) > 1:
        raise NotFoundError(f"{what} {name!r} is ambiguous: {', '.join(matches[:5])}")


def find_ledger(session: Session, ref: str) -> Ledger:
    """By id, exact title, document number, or a part of the title that only one ledger has."""
    ref = ref.strip()
    if (number := record_id(ref, "ledger")) is not None and (ledger := session.get(Ledger, number)) is not None:
        return ledger
    ledgers = list(session.exec(select(Ledger).order_by(col(Ledger.id))))
    for found in ([lg for lg in ledgers if lg.title == ref], [lg for lg in ledgers if ref and lg.doc_number == ref]):
        if len(found) == 1:
            return found[0]
    partial = [lg for lg in ledgers if clean_name(ref) in clean_name(lg.title)]
    _one([lg.title for lg in partial], "ledger", ref)
    if not partial:
        raise NotFoundError(f"no ledger {ref!r} (see `tracker ledgers`)", key="ledger_unknown", ledger=ref)
    return partial[0]


def find_task(session: Session, ledger: Ledger, ref: str) -> Task:
    """By 序号 within the ledger, or by id (#12)."""
    ref = ref.strip()
    task = session.exec(select(Task).where(Task.ledger_id == ledger.id, Task.seq == ref)).first()
    if task is None and ref.startswith("#") and (number := record_id(ref[1:], "task", "#")) is not None:
        task = session.get(Task, number)
        if task is not None and task.ledger_id != ledger.id:
            task = None
    if task is None:
        raise NotFoundError(f"ledger {ledger.title!r} has no task {ref!r} (give its 序号, or #id)")
    return task


def find_unit(session: Session, ledger: Ledger, ref: str) -> Unit:
    """By exact name, or a part of a name that only one unit of the ledger has (南乐县)."""
    name = clean_name(ref)
    units = list(session.exec(select(Unit).where(Unit.ledger_id == ledger.id).order_by(col(Unit.position))))
    exact = [u for u in units if u.name == name]
    if exact:
        return exact[0]
    partial = [u for u in units if name and name in u.name]
    _one([u.name for u in partial], "unit", ref)
    if not partial:
        raise NotFoundError(f"ledger {ledger.title!r} has no unit {ref!r}")
    return partial[0]


def find_assignment(session: Session, task: Task, unit: Unit) -> Assignment:
    assignment = session.exec(
        select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == unit.id)
    ).first()
    if assignment is None:
        raise NotFoundError(f"{unit.name} does not owe task {task.seq}")
    return assignment


def ledger_ids(session: Session) -> list[int]:
    """Every ledger's id, oldest first."""
    return [i for i in session.exec(select(Ledger.id).order_by(col(Ledger.id))) if i is not None]


def ledger_titles(session: Session) -> dict[int, str]:
    return {i: title for i, title in session.exec(select(Ledger.id, Ledger.title)) if i is not None}
