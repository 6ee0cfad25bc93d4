"""Errors a user can act on.

``InputError`` is bad input: the CLI prints its message (which names what and where) and exits
with status 2. Anything else that escapes is a fault of ours: exit 1, no traceback for the user.
``InputErrors`` is several of them found in one go (every bad cell of a spreadsheet), reported
together.
"""

from __future__ import annotations

from collections.abc import Iterable


class InputError(Exception):
    """Bad input from the user: a file, an argument, a config value.

    ``key`` and ``params`` name the error for a front end that words it in its own language (the
    terminal UI's catalogue); the message is the CLI's wording, and the fallback.
    """

    def __init__(self, message: str, *, key: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.key, self.params = key, params


class NotFoundError(InputError):
    """A ledger, task, unit or record named by the user does not exist."""


class StaleEditError(InputError):
    """Someone else changed the record after it was read; the write was refused."""


class InputErrors(InputError):
    """Several errors of bad input, all reported at once: the first ``LIMIT`` one per line, then
    how many more. ``errors`` holds them all (each keeps its own key, place and wording);
    ``shown`` and ``more`` are what a front end lists."""

    LIMIT = 20

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors = flat = _flat(errors)
        self.shown = flat[: self.LIMIT]
        self.more = len(flat) - len(self.shown)
        lines = [str(error) for error in self.shown]
        if self.more:
            lines.append(more_errors(self.more))
        super().__init__(
            f"{len(flat)} errors:\n" + "\n".join(f"  {line}" for line in lines), key="several", count=len(flat)
        )


def more_errors(count: int) -> str:
    """The line after the ones listed: ``…及另外N处错误``."""
    return f"…及另外{count}处错误"


def _flat(errors: Iterable[InputError]) -> list[InputError]:
    flat: list[InputError] = []
    for error in errors:
        flat.extend(error.errors if isinstance(error, InputErrors) else [error])
    return flat


def raise_all(errors: Iterable[InputError]) -> None:
    """Raise nothing for no error, the error itself for one, ``InputErrors`` for several."""
    flat = _flat(errors)
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise InputErrors(flat)


class BusyError(Exception):
    """Another process holds work that must not run twice at once, for longer than we wait.
    Not bad input (exit 1), but no fault of ours either: the message says what to do."""
