"""The `tracker` command with the UI: tracker's CLI plus `tracker tui` and `tracker demo`.

tracker/ never imports the UI, so the commands that open it are added here, and the console
script points at this module's ``main``. Textual is imported only when a UI command runs, so the
other commands start as fast as before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker.cli import DATE, Obj, cli, pass_obj
from tracker.cli import main as tracker_main

LANGUAGE = click.Choice(["zh", "en"])


@cli.command()
@click.option("--as-of", type=DATE, help="The day to judge lateness on (default: today).")
@click.option(
    "--lang", "language", type=LANGUAGE, help="The UI's language (default: `tracker --lang`, the config's, else zh)."
)
@pass_obj
def tui(obj: Obj, as_of: dt.date | None, language: str | None) -> None:
    """Open the terminal UI on the configured database."""
    from tracker import refusals
    from tracker.usecases.accounts import open_desk

    open_desk(obj.tracker)  # an account that may not read the lists is refused here, not in the UI
    # refusals.language() is `tracker --lang`, else the config's, as the group read them
    run_ui(obj.tracker, as_of, language or refusals.language())


@cli.command()
@click.option("--as-of", type=DATE, default="2017-09-15", show_default=True, help="The demo's 'today'.")
@click.option("--keep", type=click.Path(path_type=Path), help="Keep the demo database in this file.")
@click.option("--lang", "language", type=LANGUAGE, default="zh", show_default=True, help="The UI's language.")
@click.option("--no-ui", is_flag=True, help="Print the demo's state instead of opening the UI.")
def demo(as_of: dt.date, keep: Path | None, language: str, no_ui: bool) -> None:
    """The shipped ledgers on a fresh temporary database, at a date where things are late."""
    from tracker.demo import make_demo, print_demo

    tracker = make_demo(as_of, keep)
    if no_ui:
        print_demo(tracker, as_of)
    else:
        run_ui(tracker, as_of, language)


def run_ui(tracker, as_of: dt.date | None, language: str) -> None:  # type: ignore[no-untyped-def]
    from tui.i18n import set_language

    set_language(language)  # before the UI's modules are imported: key labels are read then
    from tui.app import TrackerApp

    TrackerApp(tracker, as_of=as_of, language=language).run()


def main(argv: list[str] | None = None) -> None:
    tracker_main(argv)
