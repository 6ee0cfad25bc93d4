"""The `tracker` group, its global options and the parameter types every command module shares.

Imports only what the options and `--help` need (tests/test_startup.py holds this).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.deadlines import DeadlineError, check_date
from tracker.errors import InputError
from tracker.statuses import RECORDED_STATUSES, STATUS_LABELS
from tracker.typed_dates import typed_date
from tracker.workdays import DEFAULT_TIMEZONE, WorkCalendar

if TYPE_CHECKING:
    from tracker import app as app_factory


class DateParam(click.ParamType[dt.date]):
    """A date as people type it: 2017-03-31, 2017/3/31, 2017.3.31, 20170331, 2017年3月31日, 17年3月31日,
    3月31日 (this year), 今天, 昨天, 前天, 明天 (see tracker.typed_dates)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        try:
            if isinstance(value, dt.date):
                return check_date(value, str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        today = _today(ctx)  # a bad config file is its own error, not this option's
        try:
            return typed_date(str(value), today)  # the supported years are checked there
        except InputError as exc:
            self.fail(str(exc), param, ctx)


def _today(ctx: click.Context | None) -> dt.date:
    """Today in the configured time zone: the app's when it is built, else from the settings alone
    (reading a date opens no database)."""
    obj = ctx.find_object(Obj) if ctx is not None else None
    return (obj or Obj(None, None, None, False)).today()


class MomentParam(click.DateTime):
    """A local moment (2017-05-10 09:30), its year within the supported years."""

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        moment = super().convert(value, param, ctx)
        try:
            check_date(moment.date(), str(value))
        except DeadlineError as exc:
            self.fail(str(exc), param, ctx)
        return moment


DATE = DateParam()
MOMENT = MomentParam()
STATUS_CHOICES = [s.value for s in RECORDED_STATUSES] + [STATUS_LABELS[s] for s in RECORDED_STATUSES]


class Obj:
    """Global options, and the app built from them on first use."""

    def __init__(self, db: str | None, config: Path | None, user: str | None, as_json: bool) -> None:
        self.db, self.config, self.user, self.as_json = db, config, user, as_json
        self._tracker: app_factory.Tracker | None = None

    def today(self) -> dt.date:
        """Today in the configured time zone, without opening the database when not yet open."""
        if self._tracker is not None:
            return self._tracker.today()
        from tracker import app as app_factory
        from tracker.config import load_settings

        return app_factory.today_in(load_settings(self.config).timezone, app_factory.utc_now())

    @property
    def tracker(self) -> app_factory.Tracker:
        if self._tracker is None:
            from tracker import app as app_factory

            self._tracker = app_factory.build(self.db, self.config, self.user)
        return self._tracker


def _calendar_and_timezone(config: Path | None) -> tuple[WorkCalendar, str]:
    """The working-day calendar and the time zone, all that reading a deadline needs of the settings.

    Without a config file both are the defaults, known without building the settings: pydantic's
    models take longer to build than the rest of `tracker when` (tests/unit/test_config.py checks
    that these are the defaults Settings has)."""
    if config is None:
        return WorkCalendar(), DEFAULT_TIMEZONE
    from tracker.config import load_settings

    settings = load_settings(config)
    return settings.work_calendar(), settings.timezone


pass_obj = click.make_pass_decorator(Obj)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")


def wants_json(obj: Obj, as_json: bool) -> bool:
    return obj.as_json or as_json


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="TRACKER_DB", help="Database URL (default: a SQLite file in your data folder).")
@click.option(
    "--config", "config", envvar="TRACKER_CONFIG", type=click.Path(path_type=Path), help="Config file (TOML)."
)
@click.option("--as", "user", help="Your name in the audit trail (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON from every command that reports.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="Language of the messages that refuse a deadline or a date (default: the config's, else zh).",
)
@click.version_option(package_name="tracker")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config: Path | None, user: str | None, as_json: bool, lang: str | None
) -> None:
    """督查台账 — supervision ledgers: deadlines, progress, escalation."""
    ctx.obj = Obj(db, config, user, as_json)
    _use_language(ctx, lang or _configured_language(config))


def _configured_language(config: Path | None) -> str:
    """The config's ``language``; zh without a config, or with one that cannot be read (the
    command that reads it reports that itself)."""
    if config is None:
        return "zh"
    from tracker.config import load_settings

    try:
        return load_settings(config).language
    except InputError:
        return "zh"


def _use_language(ctx: click.Context, language: str) -> None:
    """Word refusals in ``language`` for this run; the previous choice is back when it ends (a
    test runs many commands in one process)."""
    from tracker import refusals

    previous = refusals.language()
    refusals.set_language(language)
    ctx.call_on_close(lambda: refusals.set_language(previous))
