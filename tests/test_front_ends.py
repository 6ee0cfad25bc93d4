"""Front ends call use cases: none of them opens a session, commits or rolls back.

import-linter (pyproject.toml) keeps them from importing the tables, SQLModel and SQLAlchemy; this
test closes the gap it leaves, a front end reaching the database through the app's
``Tracker.session()`` without importing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = sorted(
    [
        *(ROOT / "tui").rglob("*.py"),
        *(ROOT / "tracker" / "cli").rglob("*.py"),
        *(ROOT / "tracker" / "web").rglob("*.py"),
        ROOT / "tracker" / "runner.py",
    ]
)
DATABASE_CALLS = {"session", "commit", "rollback", "begin", "connect", "execute"}


def _database_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DATABASE_CALLS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.func.attr}()")
    return found


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_front_end_never_opens_a_session_or_commits(path: Path) -> None:
    assert _database_calls(path) == []


def test_the_probe_sees_a_session_opened() -> None:
    """The test above would notice: the use cases themselves do open sessions."""
    assert _database_calls(ROOT / "tracker" / "usecases" / "work.py")
