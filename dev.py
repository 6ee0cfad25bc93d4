#!/usr/bin/env python3
"""Set-up and everyday commands, with nothing but python3 and pip on the machine.

    python3 dev.py demo     # install (first time), then open the demo
    python3 dev.py test     # install (first time), then run the whole test suite
    python3 dev.py check    # ruff, mypy and the import contract, as CI runs them

The first run makes a virtual environment in .venv and installs the locked versions from
requirements.lock; later runs reinstall only when the lock file changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def ensure_venv() -> None:
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing the locked dependencies (first run only)", file=sys.stderr)
    pip = [BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if _run(*pip, "-r", LOCK) or _run(*pip, "--no-deps", "-e", "."):
        sys.exit("dev.py: installation failed (see the messages above)")
    STAMP.write_text(digest)


def postgres_url() -> str:
    return os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test(extra: list[str]) -> int:
    """The whole suite on SQLite, then again on PostgreSQL (skipped if none is reachable,
    unless TRACKER_REQUIRE_PG=1, as CI sets, turns the skip into a failure)."""
    env = dict(os.environ)
    workers = ["-n", "2"] if "-n" not in extra else []
    print("== tests on SQLite ==", flush=True)
    code = _run(BIN / "python", "-m", "pytest", *workers, *extra, env={**env, "TRACKER_TEST_DB": "sqlite"})
    print("== tests on PostgreSQL ==", flush=True)
    code_pg = _run(
        BIN / "python",
        "-m",
        "pytest",
        *workers,
        *extra,
        env={**env, "TRACKER_TEST_DB": "postgresql", "TRACKER_TEST_PG": postgres_url()},
    )
    return code or code_pg


def check() -> int:
    steps = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "mypy"],
        [BIN / "lint-imports"],
    ]
    failed = 0
    for step in steps:
        print("==", " ".join(str(s.name if isinstance(s, Path) else s) for s in step), "==", flush=True)
        failed |= _run(*step)
    return failed


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    ensure_venv()
    if command == "demo":
        return _run(BIN / "tracker", "demo", *rest)
    if command == "test":
        return test(rest)
    if command == "check":
        return check()
    if command == "install":
        return 0
    print(f"dev.py: unknown command {command!r}", file=sys.stderr)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
