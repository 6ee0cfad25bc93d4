"""The level as a step function of the deadline (what the steady-state check counts by)."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tracker.ladder import Rung
from tracker.scan import deadline_steps

AS_OF = dt.date(2017, 6, 15)


def rank_of(due: dt.date, rungs: list[Rung]) -> int:
    """The rule conditions read literally, one deadline at a time (as the scan's CASE does)."""
    return max(
        (
            r.rank
            for r in rungs
            if (r.overdue_cutoff is not None and due <= r.overdue_cutoff)
            or (r.remind_until is not None and AS_OF <= due <= r.remind_until)
        ),
        default=0,
    )


def step_rank(due: dt.date, steps: list[tuple[dt.date | None, dt.date, int]]) -> int:
    held = [rank for after, upto, rank in steps if (after is None or due > after) and due <= upto]
    assert len(held) <= 1, f"steps overlap at {due}: {steps}"
    return held[0] if held else 0


offsets = st.integers(min_value=-400, max_value=60)
rungs = st.lists(
    st.builds(
        lambda rank, cutoff, remind: Rung(
            rank=rank,
            overdue_cutoff=None if cutoff is None else AS_OF + dt.timedelta(days=cutoff),
            remind_until=None if remind is None else AS_OF + dt.timedelta(days=remind),
            remind_days=(),
            missed_reports=None,
            criticisms=None,
        ),
        st.integers(min_value=1, max_value=5),
        st.none() | st.integers(min_value=-400, max_value=0),
        st.none() | st.integers(min_value=0, max_value=30),
    ),
    max_size=6,
)


@given(rungs)
def test_steps_give_every_deadline_the_level_its_rules_give(ladder: list[Rung]) -> None:
    steps = deadline_steps(ladder, AS_OF)
    for offset in range(-420, 61):
        due = AS_OF + dt.timedelta(days=offset)
        assert step_rank(due, steps) == rank_of(due, ladder), due
    assert all(rank for _, _, rank in steps)  # level 0 is never counted
    assert all(a[2] != b[2] or a[1] != b[0] for a, b in pairwise(steps))  # merged


def test_the_default_ladder_has_one_step_per_level() -> None:
    ladder = [
        Rung(5, AS_OF - dt.timedelta(days=60), None, (), None, None),
        Rung(4, AS_OF - dt.timedelta(days=30), None, (), None, None),
        Rung(2, AS_OF - dt.timedelta(days=1), None, (), None, None),
        Rung(1, None, AS_OF + dt.timedelta(days=7), (), None, None),
    ]
    assert [(after, upto, rank) for after, upto, rank in deadline_steps(ladder, AS_OF)] == [
        (None, dt.date(2017, 4, 16), 5),
        (dt.date(2017, 4, 16), dt.date(2017, 5, 16), 4),
        (dt.date(2017, 5, 16), dt.date(2017, 6, 14), 2),
        (dt.date(2017, 6, 14), dt.date(2017, 6, 22), 1),
    ]
