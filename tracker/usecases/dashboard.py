"""Use cases of the leader's dashboard (领导驾驶舱): each ledger's and unit's completion and 按期办结率
week by week from the history, overdue by level, and one unit's record (tracker/trend.py says how
each figure is counted). Questions only: action "read"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.ladder import LEVEL_LABELS
from tracker.usecases.work import Actor, reading

if TYPE_CHECKING:
    from tracker.app import Tracker
    from tracker.trend import LedgerTrend, Point, UnitProfile

MAX_WEEKS = 104
MAX_LINES = 8  # lines a chart tells apart (by colour, dash and marker)


@dataclass(frozen=True)
class Trends:
    as_of: dt.date
    weeks: tuple[dt.date, ...]  # each week's end, oldest first; the last is as_of
    ledgers: tuple[LedgerTrend, ...]
    overdue_by_level: tuple[tuple[str, int], ...]  # every ledger shown, at as_of

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "weeks": [w.isoformat() for w in self.weeks],
            "ledgers": [ledger.as_json() for ledger in self.ledgers],
            "overdue_by_level": dict(self.overdue_by_level),
        }


def _weeks(tracker: Tracker, as_of: dt.date | None, weeks: int) -> list[dt.date]:
    from tracker.refusals import Refusal
    from tracker.trend import week_ends

    if not 1 <= weeks <= MAX_WEEKS:
        raise Refusal("dashboard_weeks", weeks=weeks, most=MAX_WEEKS)
    return week_ends(as_of or tracker.today(), weeks)


def dashboard_ledgers(tracker: Tracker, actor: Actor | None = None) -> list[tuple[int, str]]:
    """Every ledger the dashboard may show, as (id, title), oldest first: the portal's selector."""
    from sqlmodel import col, select

    from tracker.models import Ledger

    with reading(tracker, actor) as session:
        ledgers = session.exec(select(Ledger).order_by(col(Ledger.id)))
        return [(ledger.id, ledger.title) for ledger in ledgers if ledger.id is not None]


def dashboard_trends(
    tracker: Tracker,
    actor: Actor | None = None,
    *,
    ledger: str | None = None,
    as_of: dt.date | None = None,
    weeks: int = 12,
) -> Trends:
    """The weekly series of ``ledger`` (as typed; None: every ledger) over the ``weeks`` weeks
    ending ``as_of`` (default today), and what is overdue now by level."""
    from sqlmodel import col, select

    from tracker.lookup import find_ledger
    from tracker.models import Ledger
    from tracker.trend import ledger_trend, merge_levels

    ends = _weeks(tracker, as_of, weeks)
    with reading(tracker, actor) as session:
        if ledger is None:
            chosen = list(session.exec(select(Ledger).order_by(col(Ledger.id))))
        else:
            chosen = [find_ledger(session, ledger)]
        zone = tracker.settings.timezone
        found = tuple(ledger_trend(session, one, ends, timezone=zone) for one in chosen)
        return Trends(ends[-1], tuple(ends), found, merge_levels(one.overdue_by_level for one in found))


def unit_profile(
    tracker: Tracker,
    name: str,
    actor: Actor | None = None,
    *,
    as_of: dt.date | None = None,
    weeks: int = 12,
) -> UnitProfile:
    """The record of the unit named ``name`` (exactly, or the one unit whose name contains it)
    in every ledger that has it: lateness, notices, reviews returned, extensions, weekly series."""
    from sqlmodel import col, select

    from tracker.models import Ledger, Unit
    from tracker.refusals import Refusal
    from tracker.trend import unit_profile as profile

    ends = _weeks(tracker, as_of, weeks)
    wanted = name.strip()
    with reading(tracker, actor) as session:
        rows = list(
            session.exec(
                select(Unit, Ledger)
                .join(Ledger, col(Ledger.id) == col(Unit.ledger_id))
                .where(col(Unit.name).contains(wanted, autoescape=True))
                .order_by(col(Ledger.id))
            )
        )
        names = {unit.name for unit, _ in rows}
        exact = wanted if wanted in names else (next(iter(names)) if len(names) == 1 else None)
        if not wanted or exact is None:
            if len(names) > 1:
                raise Refusal("dashboard_unit_ambiguous", unit=wanted, names="、".join(sorted(names)[:5]))
            raise Refusal("dashboard_unit_unknown", unit=wanted)
        units = [(unit.id, ledger) for unit, ledger in rows if unit.name == exact and unit.id is not None]
        return profile(session, exact, units, ends, calendar=tracker.calendar, timezone=tracker.settings.timezone)


@dataclass(frozen=True)
class ChartWords:
    """What a chart says, in one language (the CLI's files and the portal's Chinese pages: ZH;
    the portal's English pages: EN). Units and ledgers keep their own names."""

    rates: tuple[tuple[str, str], ...]  # (figure, its name)
    by_week: str  # after the chart's subject
    lowest: str  # by_week when only the lowest units are drawn ({count})
    whole: str  # the whole ledger's line
    overdue: str  # the overdue chart's title ({day})
    levels: dict[str, str]  # a level's Chinese label → its name here
    rate_axis: str
    week_axis: str
    count_axis: str
    level_axis: str
    week: str  # a week's date under the axis ({month}, {day})


ZH = ChartWords(
    rates=(("completion", "完成率"), ("on_time_rate", "按期办结率")),
    by_week="（按周）",
    lowest="（按周，最低的{count}个单位）",
    whole="全台账",
    overdue="截至{day}逾期未完成事项（按已发通知等级）",
    levels={},
    rate_axis="比率（%）",
    week_axis="周末日期",
    count_axis="逾期事项（项）",
    level_axis="已发通知等级",
    week="{month}月{day}日",
)
EN = ChartWords(
    rates=(("completion", "Completion"), ("on_time_rate", "On-time completion")),
    by_week=" (by week)",
    lowest=" (by week, the {count} lowest units)",
    whole="Whole ledger",
    overdue="Overdue on {day}, by the notice level reached",
    levels={label: level.value for level, label in LEVEL_LABELS.items()},
    rate_axis="Rate (%)",
    week_axis="Week ending",
    count_axis="Overdue items",
    level_axis="Notice level",
    week="{month}/{day}",
)


def trend_charts(trends: Trends, words: ChartWords = ZH) -> dict[str, str]:
    """The dashboard's charts as inline SVG, by a file name: per ledger its completion and
    按期办结率 lines (the ledger's and each unit's), and the overdue by level of all shown."""
    from tracker.svg_charts import bar_chart, line_chart

    charts: dict[str, str] = {}
    for ledger in trends.ledgers:
        for key, label in words.rates:
            units = list(ledger.units)
            title = f"{ledger.title}：{label}{words.by_week}"
            if len(units) > MAX_LINES - 1:
                # More lines than a chart can tell apart: the units lowest now, the ones to watch.
                units = sorted(units, key=lambda u: _latest(u.points[-1], key))[: MAX_LINES - 1]
                title = f"{ledger.title}：{label}{words.lowest.format(count=len(units))}"
            lines = [(words.whole, [getattr(p, key) for p in ledger.overall.points])]
            lines += [(u.name, [getattr(p, key) for p in u.points]) for u in units]
            charts[f"ledger-{ledger.id}-{key}.svg"] = line_chart(
                title, trends.weeks, lines, y_label=words.rate_axis, x_label=words.week_axis, week=words.week
            )
    charts["overdue-by-level.svg"] = bar_chart(
        words.overdue.format(day=trends.as_of.isoformat()),
        [(words.levels.get(name, name), count) for name, count in trends.overdue_by_level],
        y_label=words.count_axis,
        x_label=words.level_axis,
    )
    return charts


def _latest(point: Point, key: str) -> float:
    """A unit's rate now, for choosing the lowest; nothing to divide (None) sorts last."""
    value = getattr(point, key)
    return 2.0 if value is None else float(value)


def profile_charts(profile: UnitProfile, words: ChartWords = ZH) -> dict[str, str]:
    """A unit's completion and 按期办结率 in each of its ledgers, week by week, as inline SVG."""
    from tracker.svg_charts import line_chart

    if not profile.series:
        return {}
    weeks = [p.week_end for p in profile.series[0].points]
    charts: dict[str, str] = {}
    for key, label in words.rates:
        lines = [(s.name, [getattr(p, key) for p in s.points]) for s in profile.series]
        charts[f"unit-{key}.svg"] = line_chart(
            f"{profile.unit}：{label}{words.by_week}",
            weeks,
            lines,
            y_label=words.rate_axis,
            x_label=words.week_axis,
            week=words.week,
        )
    return charts
