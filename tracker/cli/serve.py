"""`tracker serve`: the web portal (tracker/web/) on the configured database."""

from __future__ import annotations

import click

from tracker.cli.base import Obj, cli, pass_obj


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address to listen on (nginx in front for TLS)."
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (about one per core); sessions are in the database, so any of them answers.",
)
@pass_obj
def serve(obj: Obj, host: str, port: int, workers: int) -> None:
    """Serve the web portal (网页门户) until stopped with Ctrl+C (see README, 网页门户)."""
    from tracker.web.server import run

    run(obj.tracker, host=host, port=port, workers=workers, db=obj.db, config=obj.config, user=obj.user)
