"""The `tracker` command: a thin layer over the use cases in tracker/usecases/.

Exit status: 0 success, 2 bad input (the message names what and where), 1 anything else.

``tracker.cli.base`` holds the group and its options; each module beside it registers its
commands on that group when imported here. Start-up is kept short: these modules import only
what the options and `--help` need (click, the deadline parser, the statuses). Each command
imports its use case (SQLModel, the tables, the database) when it runs, so `tracker --help` and
`tracker when` never load the database layer (tests/test_startup.py holds this).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from tracker.cli import check, dashboard, evidence, ledgers, mail, report, review, serve, unit, users  # noqa: F401  (importing registers the commands)
from tracker.cli.base import DATE, MOMENT, DateParam, Obj, cli, json_option, pass_obj, wants_json
from tracker.errors import BusyError, InputError

__all__ = ["DATE", "MOMENT", "DateParam", "Obj", "cli", "json_option", "main", "pass_obj", "wants_json"]


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"tracker: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: turns every error into a message and an exit status, never a traceback."""
    run: Callable[..., Any] = cli.main
    try:
        run(args=argv, prog_name="tracker", standalone_mode=False)
    except InputError as exc:
        _fail(str(exc), 2)
    except BusyError as exc:
        _fail(str(exc), 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError | click.BadParameter | click.FileError) else exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # a fault of ours: say so plainly, keep the traceback for debugging
        if os.environ.get("TRACKER_DEBUG"):
            raise
        _fail(f"internal error: {exc.__class__.__name__}: {exc} (run with TRACKER_DEBUG=1 for details)", 1)
