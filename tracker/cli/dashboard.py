"""`tracker dashboard`: the leader's dashboard in the terminal, as JSON, or as SVG charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker import output
from tracker.cli.base import DATE, Obj, cli, json_option, pass_obj, wants_json

if TYPE_CHECKING:
    from tracker.trend import UnitProfile
    from tracker.usecases.dashboard import Trends


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@cli.command()
@click.option("--ledger", help="Only this ledger (default: every ledger).")
@click.option("--unit", help="One unit's profile instead (by name, in every ledger that has it).")
@click.option("--as-of", type=DATE, help="The last week's end (default: today).")
@click.option("--weeks", type=int, default=12, show_default=True, help="How many weeks back.")
@click.option(
    "--svg",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the charts as SVG files into this folder.",
)
@json_option
@pass_obj
def dashboard(
    obj: Obj,
    ledger: str | None,
    unit: str | None,
    as_of: dt.date | None,
    weeks: int,
    folder: Path | None,
    as_json: bool,
) -> None:
    """Completion and 按期办结率 week by week per ledger and unit, overdue by level; or one unit's
    record (--unit): its lateness, notices, reviews returned and extensions."""
    from tracker.usecases.dashboard import dashboard_trends, profile_charts, trend_charts, unit_profile
    from tracker.usecases.work import actor_of

    tracker = obj.tracker
    actor = actor_of(tracker)
    if unit is not None:
        profile = unit_profile(tracker, unit, actor, as_of=as_of, weeks=weeks)
        charts = profile_charts(profile)
        payload = profile.as_json()
    else:
        trends = dashboard_trends(tracker, actor, ledger=ledger, as_of=as_of, weeks=weeks)
        charts = trend_charts(trends)
        payload = trends.as_json()
    written = _write(folder, charts) if folder is not None else []
    if wants_json(obj, as_json):
        if folder is not None:
            payload["files"] = [str(f) for f in written]
        output.emit_json(payload)
        return
    if unit is not None:
        _print_profile(profile)
    else:
        _print_trends(trends)
    if written:
        output.done(f"{len(written)} 张图表 → {folder}")


def _write(folder: Path, charts: dict[str, str]) -> list[Path]:
    from tracker.errors import InputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, svg in charts.items():
            path = folder / name
            path.write_text(svg, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise InputError(f"--svg：无法写入 {folder}（{exc.strerror or exc}）", key="svg_unwritable") from None
    return written


def _print_trends(trends: Trends) -> None:
    for ledger in trends.ledgers:
        rows = []
        for i, week in enumerate(trends.weeks):
            row: dict[str, object] = {"周末": week.isoformat()}
            point = ledger.overall.points[i]
            row["完成率"], row["按期办结率"] = _percent(point.completion), _percent(point.on_time_rate)
            rows.append(row)
        output.simple_table(f"{ledger.title}（全台账）", rows, ["周末", "完成率", "按期办结率"])
        last = [
            {
                "单位": u.name,
                "完成率": _percent(u.points[-1].completion),
                "按期办结率": _percent(u.points[-1].on_time_rate),
            }
            for u in ledger.units
        ]
        output.simple_table(f"{ledger.title}：各单位（截至{trends.as_of}）", last, ["单位", "完成率", "按期办结率"])
    levels = [{"等级": name, "逾期事项": n} for name, n in trends.overdue_by_level]
    output.simple_table(f"截至{trends.as_of}逾期未完成（按已发通知等级）", levels, ["等级", "逾期事项"])


def _print_profile(profile: UnitProfile) -> None:
    rows: list[dict[str, object]] = [
        {"项目": "所在台账", "数量": "、".join(profile.ledgers)},
        {"项目": "任务数", "数量": profile.assignments},
        {"项目": "已完成", "数量": profile.done},
        {"项目": "逾期（合计）", "数量": profile.overdue},
        {"项目": "逾期完成", "数量": profile.done_late},
        {"项目": "逾期未完成", "数量": profile.open_overdue},
        {"项目": "逾期后终止", "数量": profile.terminated_overdue},
        {"项目": "累计逾期工作日", "数量": profile.late_workdays},
        *({"项目": f"收到{kind}", "数量": n} for kind, n in profile.notices),
        {"项目": "未签收通知", "数量": profile.unacknowledged},
        {"项目": "提交复核", "数量": profile.reviews_submitted},
        {"项目": "复核退回", "数量": profile.reviews_returned},
        {"项目": "申请延期", "数量": profile.extensions_requested},
        {"项目": "延期获批", "数量": profile.extensions_approved},
    ]
    output.simple_table(f"{profile.unit}（截至{profile.as_of}）", rows, ["项目", "数量"])
