"""Charts as inline SVG text, for the dashboard's pages and printouts: pure functions, no database.

Made for a page whose Content-Security-Policy forbids inline style and script: presentation
attributes only (fill, stroke, font-size), never ``style=`` or a script. Every text is XML-escaped.
Each chart has a ``<title>`` and an aria-label (role="img") for screen readers, and prints legibly
in black and white: series differ by dash pattern and marker shape as well as colour.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, sans-serif"
# Colours that stay apart for colour-blind readers (Okabe-Ito), each with its own dash and marker.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("", "8 4", "2 3", "8 3 2 3", "12 4", "4 4", "1 2", "10 3 2 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open", "square-open", "triangle-open")


def _attr(value: object) -> str:
    return quoteattr(str(value))


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family={_attr(FONT)} '
        f'text-anchor="{anchor}" fill="#000000"{extra}>{escape(text)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = "#000000", width: float = 1) -> str:
    ends = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    return f'<line {ends} stroke="{colour}" stroke-width="{width:g}"/>'


def _open(width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={_attr(title)}>',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    hollow = kind.endswith("-open")
    fill = "#ffffff" if hollow else colour
    shape = kind.removesuffix("-open")
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" {paint}/>'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" {paint}/>'
    if shape in ("triangle", "diamond"):
        corners = [(0, -4.5), (4, 3), (-4, 3)] if shape == "triangle" else [(0, -4.5), (4.5, 0), (0, 4.5), (-4.5, 0)]
        points = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)
        return f'<polygon points="{points}" {paint}/>'
    left, right, up, down = x - 4, x + 4, y - 4, y + 4
    cross = f"M{left:.1f},{up:.1f} L{right:.1f},{down:.1f} M{left:.1f},{down:.1f} L{right:.1f},{up:.1f}"
    return f'<path d="{cross}" stroke="{colour}" stroke-width="2" fill="none"/>'


def line_chart(
    title: str,
    weeks: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_label: str = "比率（%）",
    x_label: str = "周末日期",
    week: str = "{month}月{day}日",
    width: int = 720,
    height: int = 360,
) -> str:
    """Rates (0 to 1, None where there is nothing to divide) over ``weeks``, one line per
    (name, values) of ``series``, with a legend below; a gap where a value is None. ``week``
    writes a week's date under the axis (``{month}``, ``{day}``)."""
    legend_rows = (len(series) + 2) // 3
    top, left, right = 40, 64, 20
    plot_h = height - top - 56
    total_h = height + legend_rows * 20
    plot_w = width - left - right
    out = _open(width, total_h, title, f"{y_label} · {x_label} · {len(series)}")
    out.append(_text(width / 2, 24, title, size=16, anchor="middle", extra=' font-weight="bold"'))

    def x_of(i: int) -> float:
        return left + (plot_w * i / (len(weeks) - 1) if len(weeks) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, value)))

    for tick in range(0, 101, 20):
        y = y_of(tick / 100)
        out.append(_line(left, y, left + plot_w, y, "#bbbbbb", 0.5))
        out.append(_text(left - 6, y + 4, f"{tick}", size=11, anchor="end"))
    out.append(_line(left, top, left, top + plot_h))
    out.append(_line(left, top + plot_h, left + plot_w, top + plot_h))
    step = max(1, (len(weeks) + 7) // 8)  # at most about eight dates under the axis
    for i, day in enumerate(weeks):
        x = x_of(i)
        out.append(_line(x, top + plot_h, x, top + plot_h + 4))
        if (len(weeks) - 1 - i) % step == 0:  # counted from the last week, which always has its date
            out.append(_text(x, top + plot_h + 18, week.format(month=day.month, day=day.day), size=11, anchor="middle"))
    out.append(_text(left + plot_w / 2, top + plot_h + 40, x_label, size=12, anchor="middle"))
    mid = top + plot_h / 2
    out.append(_text(16, mid, y_label, size=12, anchor="middle", extra=f' transform="rotate(-90 16 {mid:.1f})"'))
    for n, (name, values) in enumerate(series):
        colour, dash, marker = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], MARKERS[n % len(MARKERS)]
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f"<g aria-label={_attr(name)}>")
        out.append(f"<title>{escape(name)}</title>")
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(values[: len(weeks)]):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x_of(i), y_of(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dashing}/>')
            out.extend(_marker(marker, x, y, colour) for x, y in run)
        out.append("</g>")
        column, row = n % 3, n // 3
        lx, ly = left + column * (plot_w / 3), height + row * 20
        out.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 28:.1f}" y2="{ly - 4:.1f}" '
            f'stroke="{colour}" stroke-width="2"{dashing}/>'
        )
        out.append(_marker(marker, lx + 14, ly - 4, colour))
        out.append(_text(lx + 34, ly, _shorten(name, 14), size=11))
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, int]],
    *,
    y_label: str = "逾期事项（项）",
    x_label: str = "已发通知等级",
    width: int = 480,
    height: int = 300,
) -> str:
    """Counts as vertical bars, each labelled with its name below and its count above."""
    top, left, right = 40, 56, 16
    plot_h, plot_w = height - top - 56, width - left - right
    out = _open(width, height, title, "；".join(f"{name} {count}" for name, count in bars) or "无")
    out.append(_text(width / 2, 24, title, size=16, anchor="middle", extra=' font-weight="bold"'))
    most = max((count for _, count in bars), default=0)
    scale = _nice(most)
    for i in range(5):
        value = scale * i / 4
        y = top + plot_h * (1 - i / 4)
        out.append(_line(left, y, left + plot_w, y, "#bbbbbb", 0.5))
        out.append(_text(left - 6, y + 4, f"{value:g}", size=11, anchor="end"))
    out.append(_line(left, top + plot_h, left + plot_w, top + plot_h))
    out.append(_line(left, top, left, top + plot_h))
    slot = plot_w / max(1, len(bars))
    for i, (name, count) in enumerate(bars):
        h = plot_h * count / scale if scale else 0
        x, y = left + slot * i + slot * 0.2, top + plot_h - h
        # Dark grey bars with a hatch-free outline: legible on any printer.
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
            f'fill="{COLOURS[i % len(COLOURS)]}" stroke="#000000" stroke-width="1">'
            f"<title>{escape(f'{name}：{count}')}</title></rect>"
        )
        out.append(_text(x + slot * 0.3, y - 4, str(count), size=12, anchor="middle"))
        out.append(_text(x + slot * 0.3, top + plot_h + 18, _shorten(name, 8), size=11, anchor="middle"))
    out.append(_text(left + plot_w / 2, top + plot_h + 40, x_label, size=12, anchor="middle"))
    mid = top + plot_h / 2
    out.append(_text(14, mid, y_label, size=12, anchor="middle", extra=f' transform="rotate(-90 14 {mid:.1f})"'))
    out.append("</svg>")
    return "\n".join(out)


def _nice(most: int) -> int:
    """The axis' top: ``most`` rounded up to a multiple of 4 steps of 1, 2, 5 × 10ⁿ."""
    if most <= 0:
        return 4
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m * 4 >= most:
                return step * m * 4
        step *= 10


def _shorten(text: str, most: int) -> str:
    """``text`` in the room of ``most`` Chinese characters: a Latin letter takes half the room
    of a Chinese character, so an English label is not cut at the length of a Chinese one."""
    room, used = 2 * most, 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > room:
            return text[: max(0, i - 1)] + "…"
    return text
