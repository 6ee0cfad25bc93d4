"""What the CLI prints: JSON for programs, rich tables for people."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from tracker.statuses import STATUS_LABELS, Status

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from tracker.models import Ledger
    from tracker.views import Row


class Titled(Protocol):
    """A ledger as a table's heading names it (a row of the table, or a use case's answer)."""

    @property
    def title(self) -> str: ...

    @property
    def doc_number(self) -> str: ...


_STATUS_STYLE = {
    Status.TODO: "",
    Status.DOING: "cyan",
    Status.SUBMITTED: "magenta",
    Status.RETURNED: "red",
    Status.DONE: "green",
    Status.TERMINATED: "dim",
}


def _console() -> Console:
    from rich.console import Console  # imported when a person reads the output, not for --json

    return Console(highlight=False, soft_wrap=False)


def _table(**kwargs: Any) -> Table:
    from rich.table import Table

    return Table(**kwargs)


def _default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=_default) + "\n")


def done(message: str) -> None:
    _console().print(message, markup=False)  # messages name the user's ledgers, units and tasks


def _e(text: str) -> str:
    """The user's text inside console markup: a task "完成[/red]建设" must print as written,
    not be read as a tag (or fail the command)."""
    from rich.markup import escape

    return escape(text)


def status_text(status: str) -> str:
    return STATUS_LABELS[Status(status)]


def when(payload: dict[str, Any]) -> None:
    dates = payload["dates"]
    shown = "、".join(dates) if dates else "（待触发日：用 --ref 给出）"
    # Not markup: the text is the user's and may hold brackets; rich would swallow "[...]".
    _console().print(f"{payload['text']} → {shown}\n解析为：{payload['explain']}（{payload['kind']}）", markup=False)


def ledgers(rows: Sequence[dict[str, Any]], caption: str) -> None:
    table = _table(title=caption)
    for name in ("id", "台账 ledger", "任务 tasks", "单位 units", "分配 assignments"):
        table.add_column(name, justify="right" if name != "台账 ledger" else "left")
    for row in rows:
        table.add_row(str(row["id"]), row["title"], str(row["tasks"]), str(row["units"]), str(row["assignments"]))
    if not rows:
        _console().print("no ledgers yet: `tracker import ledgers/*.toml`")
        return
    _console().print(table)


def _late(row: Row) -> str:
    if row.days_overdue is None:
        return ""
    if row.status == Status.DONE:
        return f"逾期{row.days_overdue}天完成" if row.days_overdue > 0 else "按期"
    if row.status == Status.SUBMITTED:
        return "待复核"  # not escalated while it waits: its lateness is judged on the day submitted
    if row.days_overdue > 0:
        return f"[red]逾期{row.days_overdue}天[/red]"
    return f"剩{-row.days_overdue}天"


def ledger_table(ledger: Titled, rows: Sequence[Row], as_of: dt.date) -> None:
    title = _e(f"{ledger.title} {ledger.doc_number}".strip())
    table = _table(title=f"{title}\n截至 {as_of.isoformat()}")
    for name in ("序号", "阶段", "任务", "完成时限", "责任单位", "责任人", "状态", "完成日期", "逾期"):
        table.add_column(name, overflow="fold")
    previous = None
    for row in rows:
        first = (row.seq, row.task) != previous
        previous = (row.seq, row.task)
        style = _STATUS_STYLE[Status(row.status)]
        status = f"[{style}]{status_text(row.status)}[/{style}]" if style else status_text(row.status)
        table.add_row(
            _e(row.seq) if first else "",
            _e(row.phase) if first else "",
            _e(row.task[:40]) if first else "",
            _e(f"{row.deadline_text}\n({row.deadline_shown})")
            if first and row.deadline_shown
            else (_e(row.deadline_text) if first else ""),
            _e(row.unit),
            _e(row.person),
            status,
            row.completed_on.isoformat() if row.completed_on else "",
            _late(row),
        )
    _console().print(table)


def _cell(row: Row) -> str:
    late = row.days_overdue or 0
    if row.status == Status.DONE:
        return f"[green]✓ {row.completed_on:%m-%d}[/green]" if late <= 0 else f"[dark_orange]✓ 迟{late}天[/dark_orange]"
    if row.status == Status.TERMINATED:
        return "[dim]终止[/dim]"
    if row.status == Status.SUBMITTED:
        return "[magenta]待复核[/magenta]"
    if late > 0:
        return f"[red]逾期{late}天[/red]"
    if row.days_overdue is not None and -row.days_overdue <= 7:
        return f"[yellow]剩{-row.days_overdue}天[/yellow]"
    return status_text(row.status)


def ledger_matrix(ledger: Ledger, rows: Sequence[Row], as_of: dt.date) -> None:
    """Tasks down, units across: the shape of the paper ledger."""
    units: list[str] = []
    for row in rows:
        if row.unit not in units:
            units.append(row.unit)
    table = _table(title=_e(f"{ledger.title} {ledger.doc_number} — 截至 {as_of.isoformat()}".strip()))
    table.add_column("序号")
    table.add_column("任务", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("完成时限")
    for unit in units:
        table.add_column(_e(unit.removesuffix("政府")), no_wrap=True)
    tasks: dict[str, dict[str, Row]] = {}
    for row in rows:
        tasks.setdefault(row.seq, {})[row.unit] = row
    for cells in tasks.values():
        first = next(iter(cells.values()))
        due = first.due_on.isoformat() if first.due_on else first.deadline_text
        table.add_row(_e(first.seq), _e(first.task), _e(due), *[_cell(cells[u]) if u in cells else "" for u in units])
    _console().print(table)


def simple_table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        _console().print(f"{title}：无", markup=False)
        return
    table = _table(title=_e(title))
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if row.get(c) is None else _e(str(row.get(c))) for c in columns])
    _console().print(table)


_LEVEL_STYLE = {
    "reminder": "yellow",
    "warning": "dark_orange",
    "criticism": "red",
    "interview": "bold red",
    "accountability": "bold magenta",
}


def check_summary(
    as_of: dt.date, counts: dict[str, int], findings: Sequence[Any], notices: Sequence[dict[str, Any]]
) -> None:
    console = _console()
    console.print(f"[bold]Check as of {as_of.isoformat()}[/bold]")
    if not counts:
        console.print("nothing due soon or overdue")
    for level in ("reminder", "warning", "criticism", "interview", "accountability"):
        if counts.get(level):
            console.print(f"  [{_LEVEL_STYLE[level]}]{level:<15}[/] {counts[level]}")
    worst = sorted(findings, key=lambda f: -f.days_overdue)[:10]
    if worst:
        simple_table(
            "most overdue",
            [f.as_json() for f in worst],
            ["ledger", "task", "unit", "person", "deadline", "days_overdue", "level"],
        )
    if not notices:
        console.print("no new notices")
        return
    kinds: dict[str, int] = {}
    for item in notices:
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    console.print("new notices: " + ", ".join(f"{kind} {count}" for kind, count in kinds.items()))
    shown = [{**n, "units": _names(n["units"])} for n in notices[:20]]
    simple_table("notices issued by this check", shown, ["id", "kind", "number", "ledger", "units"])
    if len(notices) > 20:
        console.print(f"… and {len(notices) - 20} more: `tracker notices`")


def _names(names: Sequence[str], most: int = 6) -> str:
    shown = "、".join(names[:most])
    return shown + (f" 等{len(names)}个单位" if len(names) > most else "")


def _signed(row: dict[str, Any]) -> str:
    """A notice's 签收 state as the list shows it: who signed, 逾期未签收, or 未签收 (by when); a
    notice addressed to several units (a bulletin) how many of them signed, e.g. 已签收 2/5."""
    receipts = row.get("receipts") or []
    if len(receipts) > 1:
        signed = f"已签收 {sum(1 for r in receipts if r.get('acknowledged_at'))}/{len(receipts)}"
        if row.get("ack_overdue"):
            return f"{signed}，逾期未签收"
        return signed
    if row.get("acknowledged_by"):
        return str(row["acknowledged_by"])
    if row.get("ack_overdue"):
        return "逾期未签收"
    return f"未签收（{row['ack_due']}前）" if row.get("ack_due") else "未签收"


def notices_table(rows: Sequence[dict[str, Any]]) -> None:
    from tracker.render import KIND_LABELS

    if not rows:
        done("通知：无")
        return
    shown = [
        {
            "编号": r["id"],
            "类型": KIND_LABELS.get(r["kind"], r["kind"]),
            "文号": r["number"],
            "台账": r["ledger"],
            "单位": _names(r["units"]),
            "印发日期": r["as_of"],
            "签收": _signed(r),
        }
        for r in rows
    ]
    simple_table("通知", shown, list(shown[0]))


def interviews_table(rows: Sequence[dict[str, Any]]) -> None:
    simple_table(
        "约谈名单", [{**r, "reasons": "；".join(r["reasons"])} for r in rows], ["ledger", "unit", "person", "reasons"]
    )


def queued_summary(queued: int, refreshed: int, unreachable: Sequence[tuple[str, str, str]], approval: bool) -> None:
    """What the check left in the outbox, and what comes next: with ``approval`` ([notify]
    require_approval) the digests, refreshed ones too, wait for `tracker approve-outbox`."""
    console = _console()
    parts = [f"{queued} digest(s) queued"] + ([f"{refreshed} refreshed"] if refreshed else [])
    if approval:
        after = "they wait for approval: `tracker approve-outbox`, then `tracker notify` sends them"
    else:
        after = "`tracker notify` sends them"
    console.print(", ".join(parts) + f"; `tracker outbox` shows them, {after}")
    if unreachable:
        names = "、".join(f"{unit}（{person or '无责任人'}）" for _, unit, person in unreachable[:10])
        more = f" and {len(unreachable) - 10} more" if len(unreachable) > 10 else ""
        console.print(f"[yellow]no email address for {len(unreachable)} unit(s): {_e(names)}{more}[/yellow]")


def notify_summary(result: Any, dry_run: bool) -> None:
    console = _console()
    if dry_run:
        for message in result.preview:
            console.print(f"[bold]{_e(message['subject'])}[/bold] → {_e(message['to'])}")
        console.print(f"试发送（未发出）：将发送 {len(result.preview)} 条，待发 {result.queued} 条")
        return
    console.print(f"已发送 {result.sent} 条，失败 {result.failed} 条，仍待发 {result.queued} 条")
    if result.awaiting_approval:
        console.print(f"{result.awaiting_approval} 条待批准：请用 tracker approve-outbox 批准后再发送")
    for problem in result.problems:
        console.print(f"[red]{_e(problem)}[/red]")


def _left(days: int | None, workdays: int | None) -> str:
    if days is None:
        return ""
    work = f"（{abs(workdays)}个工作日）" if workdays is not None else ""
    return f"逾期{-days}天{work}" if days < 0 else "今日到期" if days == 0 else f"还有{days}天{work}"


def unit_work(found: Any) -> None:
    """What a unit owes (`tracker mine`): its tasks, the notices it received, the reports due."""
    from tracker.ladder import LEVEL_LABELS

    simple_table(
        f"{found.unit}：任务（{found.as_of.isoformat()}）",
        [
            {
                "台账": t.ledger,
                "任务": f"{t.task} {t.text}",
                "完成时限": t.deadline_text,
                "日期": t.due_on.isoformat() if t.due_on else "",
                "剩余/逾期": _left(t.days_left, t.workdays_left),
                "等级": t.level_label,
                "状态": t.status_label + (f"：{t.returned_reason}" if t.returned_reason else ""),
                "进度": f"{t.percent}%",
            }
            for t in found.tasks
        ],
        ["台账", "任务", "完成时限", "日期", "剩余/逾期", "等级", "状态", "进度"],
    )
    simple_table(
        f"{found.unit}：收到的通知",
        [
            {
                "编号": n.number,
                "种类": LEVEL_LABELS.get(n.kind, n.kind),
                "日期": n.issued_on.isoformat(),
                "签收": _signed(
                    {
                        "acknowledged_by": n.acknowledged_by,
                        "ack_overdue": n.ack_overdue,
                        "ack_due": n.ack_due.isoformat() if n.ack_due else None,
                    }
                ),
                "id": n.id,
            }
            for n in found.notices
        ],
        ["id", "编号", "种类", "日期", "签收"],
    )
    simple_table(
        f"{found.unit}：应报送的进展报告",
        [
            {
                "台账": r.ledger,
                "报告": r.report,
                "应报日期": r.due_on.isoformat(),
                "情况": f"已逾期{r.days_late}天" if r.days_late > 0 else "今日应报" if r.days_late == 0 else "待报",
            }
            for r in found.reports
        ],
        ["台账", "报告", "应报日期", "情况"],
    )
