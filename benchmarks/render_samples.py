"""Render one notice of each kind and the weekly table, for people to look at.

    .venv/bin/python benchmarks/render_samples.py --out DIR [--as-of 2017-04-05,2017-04-20]

Builds a database in a temporary folder from the shipped ledgers (``ledgers/*.toml``), runs the
check on days where every kind of notice is issued (督办通知, 通报, 约谈通知, 问责建议), and writes
to DIR each kind's .docx (the one naming fewest units, and the one naming most when that is
another) and the weekly table
(.xlsx). When LibreOffice is installed it converts them to PDF (``soffice --headless``) and,
with poppler's ``pdftoppm``, every page to PNG at 60 dpi; without it, it says so and stops there
(exit 0). Everything goes through the CLI, as a user would run it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"warning": "督办通知", "criticism": "通报", "interview": "约谈通知", "accountability": "问责建议"}


def tracker(db: str, *args: str) -> str:
    command = [sys.executable, "-m", "tracker", "--db", db, "--as", "samples", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"tracker {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def write_documents(out: Path, as_of: str) -> list[Path]:
    folder = Path(tempfile.mkdtemp(prefix="tracker-samples-"))
    db = f"sqlite:///{folder / 'samples.db'}"
    tracker(db, "import", *(str(p) for p in sorted((ROOT / "ledgers").glob("*.toml"))))
    notices = []
    for day in as_of.split(","):
        notices += json.loads(tracker(db, "--json", "check", "--as-of", day))["notices"]
    missing = set(KINDS) - {n["kind"] for n in notices}
    if missing:
        sys.exit(f"--as-of {as_of}: no {', '.join(sorted(missing))} notice those days; try other dates")
    written: list[Path] = []
    for kind, label in KINDS.items():
        of_kind = [n for n in notices if n["kind"] == kind]
        shortest = min(of_kind, key=lambda n: len(n["units"]))
        picks = {"": shortest}
        longest = max(of_kind, key=lambda n: len(n["units"]))
        if longest is not shortest:  # a long one too: its list goes into an attachment
            picks["-long"] = longest
        for suffix, notice in picks.items():
            path = out / f"{label}{suffix}.docx"
            tracker(db, "notice", "render", str(notice["id"]), "-o", str(path))
            written.append(path)
    weekly = out / "weekly.xlsx"
    tracker(db, "report", "weekly", "--as-of", as_of.split(",")[-1], "-o", str(weekly))
    written.append(weekly)
    shutil.rmtree(folder)
    return written


def to_pictures(paths: list[Path], out: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed: wrote the documents only, no PDF or PNG")
        return
    with tempfile.TemporaryDirectory(prefix="tracker-lo-") as profile:
        # A profile of its own: a user's running LibreOffice would otherwise take the job.
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                *map(str, paths),
            ],
            check=True,
            capture_output=True,
        )
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is not installed: wrote the PDFs, no PNG")
        return
    unread = [p.name for p in paths if not p.with_suffix(".pdf").exists()]
    if unread:  # soffice says "source file could not be loaded" and carries on
        sys.exit(f"LibreOffice could not convert {', '.join(unread)}: is its Writer (or Calc) installed?")
    for path in paths:
        pdf = path.with_suffix(".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], check=True)
        pages = len(list(out.glob(f"{path.stem}-[0-9]*.png")))
        print(f"{path.name}: {pages} page(s) → {pdf.name}, {path.stem}-*.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for the documents and pictures")
    parser.add_argument(
        "--as-of", default="2017-04-05,2017-04-20", help="the days of the checks, in order (every notice kind issued)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    to_pictures(write_documents(args.out, args.as_of), args.out)


if __name__ == "__main__":
    main()
