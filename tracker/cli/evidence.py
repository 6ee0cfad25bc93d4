"""CLI commands on evidence (佐证材料): `tracker evidence add|list|get`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from tracker import output
from tracker.cli.base import Obj, cli, json_option, pass_obj, wants_json
from tracker.ids import MAX_ID


@cli.group()
def evidence() -> None:
    """Evidence files (佐证材料): stored by content, listed, copied out."""


@evidence.command("add")
@click.argument("ledger")
@click.argument("task")
@click.argument("unit")
@click.argument("files", nargs=-1, required=True)
@json_option
@pass_obj
def add(obj: Obj, ledger: str, task: str, unit: str, files: tuple[str, ...], as_json: bool) -> None:
    """Store FILES (pdf, jpg, png, docx, xlsx, ofd) as evidence of UNIT's work on TASK:
    all of them, or none when one is refused."""
    from tracker.evidence_files import shown
    from tracker.usecases.evidence import add_evidence
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    added = add_evidence(tracker, actor_of(tracker), ledger, task, unit, files)
    if wants_json(obj, as_json):
        output.emit_json([dataclasses.asdict(a) for a in added])
        return
    for a in added:
        output.done(f"佐证材料 {a.id}: {shown(a.name)} ({a.size:,} 字节) → 任务 {a.task} / {a.unit}")


@evidence.command("list")
@click.argument("ledger")
@click.argument("task", required=False)
@click.argument("unit", required=False)
@json_option
@pass_obj
def list_(obj: Obj, ledger: str, task: str | None, unit: str | None, as_json: bool) -> None:
    """List the evidence of LEDGER's assignments (or of UNIT's on TASK): the files stored and
    the references progress reports named."""
    from tracker.evidence_files import shown
    from tracker.usecases.evidence import list_evidence
    from tracker.usecases.work import actor_of

    if (task is None) != (unit is None):
        raise click.UsageError("give both TASK and UNIT, or neither")
    tracker = obj.tracker
    found = list_evidence(tracker, actor_of(tracker), ledger, task, unit)
    if wants_json(obj, as_json):
        output.emit_json(
            {
                "ledger": found.ledger,
                "files": [{**dataclasses.asdict(f), "added_at": f.added_at.isoformat()} for f in found.files],
                "references": [dataclasses.asdict(r) for r in found.references],
            }
        )
        return
    files = [
        {**dataclasses.asdict(f), "name": shown(f.name), "added_at": f.added_at.strftime("%Y-%m-%d %H:%M")}
        for f in found.files
    ]
    columns = ["id", "task", "unit", "name", "size", "added_by", "added_at"]
    output.simple_table(f"{found.ledger}: 佐证材料", files, columns)
    if found.references:
        references = [{**dataclasses.asdict(r), "reference": shown(r.reference)} for r in found.references]
        output.simple_table("进展中填写的佐证材料（未存储）", references, ["task", "unit", "reference"])


@evidence.command("get")
@click.argument("evidence_id", metavar="ID", type=click.IntRange(1, MAX_ID))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to copy it (a file or a folder).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@json_option
@pass_obj
def get(obj: Obj, evidence_id: int, out: Path, force: bool, as_json: bool) -> None:
    """Copy the stored evidence ID out to a file, checked against its SHA-256."""
    from tracker.evidence_files import shown
    from tracker.usecases.evidence import get_evidence
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    copied = get_evidence(tracker, actor_of(tracker), evidence_id, out, force=force)
    if wants_json(obj, as_json):
        output.emit_json({**dataclasses.asdict(copied), "path": str(copied.path)})
    else:
        output.done(f"佐证材料 {copied.id}: {shown(copied.name)} → {shown(copied.path)}")
