"""`tracker when` on arbitrary text and dates: exit 0 or 2, never 1, never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main

# Pieces of the deadline language, so that the fuzz reaches deep into the grammar, not only
# its first refusal.
PIECES = [
    *"0123456789〇零一二两三四五六七八九十年月日号底末初中旬上下半季度第每个工作天周内前后接到通知之",
    "２０１７",
    "10000",
    "9999",
    "0000",
    "零零零零",
    "-",
    "/",
    ".",
    "、",
    "\n",
]
TEXT = st.one_of(st.text(max_size=30), st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["0000-01-01", "10000-01-01", "2017-02-30", "1900-01-01", "2200-12-31"]),
)


def _run(args: list[str]) -> tuple[int, str]:
    try:
        main(args)
        return 0, ""
    except SystemExit as exc:
        return (exc.code if isinstance(exc.code, int) else 1), ""


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, ref=st.none() | DATES, start=st.none() | DATES, end=st.none() | DATES)
def test_when_never_fails_inside(capsys: pytest.CaptureFixture[str], text: str, ref, start, end) -> None:  # type: ignore[no-untyped-def]
    if not text or text.startswith("-"):
        text = "x" + text  # an option-looking argument is click's, not the deadline language's
    args = ["when", text]
    for option, value in (("--ref", ref), ("--from", start), ("--until", end)):
        if value is not None:
            args += [option, value]
    capsys.readouterr()
    code, _ = _run(args)
    err = capsys.readouterr().err
    assert code in (0, 2), (args, err)
    assert "Traceback" not in err and "internal error" not in err, (args, err)
