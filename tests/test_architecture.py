"""The core never imports the UI: checked in a fresh interpreter, not hoped for."""

import subprocess
import sys

CORE_MODULES = [
    "tracker.cli",
    "tracker.app",
    "tracker.importing",
    "tracker.demo",
    "tracker.views",
    "tracker.xlsx_ledger",
    "tracker.toml_ledger",
    "tracker.progress",
    "tracker.deadlines",
]


def test_importing_the_core_loads_no_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + ("bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))\nassert not bad, bad\n")
    )
    subprocess.run([sys.executable, "-c", code], check=True)
