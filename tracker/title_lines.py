"""A document title broken into lines between words, never inside one (GB/T 9704: 回行时要做到词意
完整，排列对称，长短适宜).

Without a dictionary, the break points are what official titles are made of: after 关于, 的, 、
and the like; at the edges of names the notice knows (the ledger, the units); after words that
end a phrase in these titles (工作, 情况, 台账, 试点, …). Breaking between two arbitrary
characters is the last resort, and a number (2017年), a bracketed part (〔2017〕) or a batch
(第一批试点) is never cut. Of the splits into the fewest lines that fit, the one with the most
even lines and the best break points wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.text_width import display_width

BREAK_AFTER = ("关于", "的", "、", "，", "：")
BREAK_BEFORE = ("和", "及", "与", "暨")
# Not 建设 nor 工作: "建设工作台账" reads as one phrase.
# fmt: off
WORD_ENDS = (
    "情况", "台账", "试点", "管理", "系统", "城市", "通报", "通知", "任务", "项目", "改造", "问题",
    "方案", "整改", "进展", "落实", "督查", "督办", "实施", "评价", "评估", "政府", "单位", "部门",
    "县", "市", "省", "区", "年",
)
# fmt: on
NEVER_CUT = re.compile(r"[0-9A-Za-z.\-]+年?|〔[^〕]*〕|（[^）]{0,8}）|第[一二三四五六七八九十百0-9]+[批期次轮](试点)?")

_PENALTY = {"phrase": 0, "name": 1, "word": 3, "any": 50}
_INSIDE_NAME = 100  # a known name is cut only when nothing else fits


def _penalties(text: str, keep: Sequence[str], per_line: int) -> list[float]:
    """Cost of a break before text[i], for i in 0..len(text); inf where it must never be."""
    n = len(text)
    cost: list[float] = [float(_PENALTY["any"])] * (n + 1)
    cost[0] = cost[n] = 0
    for i in range(1, n):
        head, tail = text[:i], text[i:]
        if head.endswith(BREAK_AFTER) or tail.startswith(BREAK_BEFORE):
            cost[i] = _PENALTY["phrase"]
        elif head.endswith(tuple(WORD_ENDS)):
            cost[i] = _PENALTY["word"]
    for name in (k for k in keep if k and display_width(k) <= per_line * 2):
        for found in re.finditer(re.escape(name), text):
            for edge in (found.start(), found.end()):
                if 0 < edge < n:
                    cost[edge] = min(cost[edge], _PENALTY["name"])
            for i in range(found.start() + 1, found.end()):
                cost[i] += _INSIDE_NAME
    for found in NEVER_CUT.finditer(text):
        for i in range(found.start() + 1, found.end()):
            cost[i] = float("inf")
    return cost


def title_lines(text: str, per_line: int, keep: Sequence[str] = ()) -> list[str]:
    """``text`` in lines of at most ``per_line`` full-width characters (two half-width count as
    one), broken at the best points; ``keep`` are names not to be cut (the ledger, the units)."""
    text = text.strip()
    n = len(text)
    if display_width(text) <= per_line * 2 or n < 2:
        return [text]
    cost = _penalties(text, keep, per_line)
    limit = per_line * 2
    for count in range(2, n + 1):
        target = display_width(text) / count
        # best[k][i]: the cheapest split of text[:i] into k lines, and where its last line starts
        best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}]
        for k in range(1, count + 1):
            row: dict[int, tuple[float, int]] = {}
            for i in range(1, n + 1):
                if cost[i] == float("inf") or (k == count) != (i == n):
                    continue
                for j, (so_far, _) in best[k - 1].items():
                    width = display_width(text[j:i])
                    if j >= i or width > limit:
                        continue
                    total = so_far + cost[i] + ((width - target) / 2) ** 2
                    if i not in row or total < row[i][0]:
                        row[i] = (total, j)
            best.append(row)
        if n in best[count]:
            lines: list[str] = []
            i = n
            for k in range(count, 0, -1):
                j = best[k][i][1]
                lines.append(text[j:i])
                i = j
            return lines[::-1]
    return [text]
