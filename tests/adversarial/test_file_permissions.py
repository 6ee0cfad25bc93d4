"""Every file tracker writes is readable by its owner only (like the database), and whole or absent."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.conftest import LEDGERS

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_written_is_private(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    assert cli("check", "--as-of", "2017-05-05").code == 0
    out = tmp_path / "out"
    number = cli("notices", "--json").json()[0]["number"]
    commands = [
        ("notice", "render", number, "-o", out / "notice.docx"),
        ("notice", "render", number, "-o", out / "notice.md"),
        ("notice", "render", number, "-o", out / "notice.txt"),
        ("interviews", "-o", out / "interviews.xlsx"),
        ("report", "weekly", "--as-of", "2017-05-05", "-o", out / "weekly.xlsx"),
        ("calendar", "-o", out / "deadlines.ics"),
        ("forms", "1", "-o", out / "forms", "--as-of", "2017-05-05"),
        ("run", "--once", "--at", "2017-05-05T08:00", "--log-file", out / "tracker.log"),
    ]
    for args in commands:
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) >= 8
    assert {p.name: oct(mode(p)) for p in written if mode(p) != 0o600} == {}
    assert not [p for p in written if p.name.startswith(".")]  # no half-written temporary left
