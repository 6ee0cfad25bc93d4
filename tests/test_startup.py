"""Start-up stays short: help and `when` load neither the database layer nor the settings' models.

Checked in a fresh interpreter (the test process has long imported everything), so that an
import added at the top of a command module, which would put SQLAlchemy back on every command's
start-up, fails here rather than slowly rotting the benchmark (benchmarks/bench_startup.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Not needed to print help or read a deadline; each costs a tenth of a second or more to import.
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "asyncio", "textual", "openpyxl", "psycopg")


EXITED_WELL = "except SystemExit as exc:\n    assert not exc.code, exc.code"


def _loaded_after(code: str) -> list[str]:
    probe = (
        "import sys\n"
        f"{code}\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('LOADED:' + ','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    line = done.stdout.splitlines()[-1]
    assert line.startswith("LOADED:"), done.stdout
    return [m for m in line.removeprefix("LOADED:").split(",") if m]


def test_importing_the_cli_loads_nothing_heavy() -> None:
    assert _loaded_after("import tui.cli") == []


@pytest.mark.parametrize(
    "args",
    [["--help"], ["when", "2017年3月底"], ["when", "2017年3月底", "--json"], ["report", "--help"], ["check", "--help"]],
)
def test_help_and_when_load_nothing_heavy(args: list[str]) -> None:
    code = f"from tui.cli import main\ntry:\n    main({args!r})\n{EXITED_WELL}"
    assert _loaded_after(code) == []


def test_a_command_that_needs_the_database_still_loads_it() -> None:
    """The probe itself works: a command that opens the database shows SQLAlchemy loaded."""
    code = (
        "import tempfile, os\n"
        "from tui.cli import main\n"
        "url = 'sqlite:///' + os.path.join(tempfile.mkdtemp(), 't.db')\n"
        "try:\n    main(['--db', url, 'ledgers', '--json'])\n" + EXITED_WELL
    )
    assert "sqlalchemy" in _loaded_after(code)
