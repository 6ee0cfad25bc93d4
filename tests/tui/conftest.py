"""What the Pilot tests share: the demo's data at its fixed date, on the backend under test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tracker.app import Tracker, build
from tracker.demo import seed_demo

AS_OF = dt.date(2017, 9, 15)


def demo(db_url: str) -> Iterator[Tracker]:
    """The demo's ledgers at its day, the clock fixed there (the use-case tests share it)."""
    app = build(db_url, None, "测试员", clock=lambda: dt.datetime(2017, 9, 15, 2, 0, tzinfo=dt.UTC))
    seed_demo(app, AS_OF)
    yield app
    app.engine.dispose()


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    yield from demo(db_url)
