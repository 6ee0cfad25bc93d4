"""Errors a user can act on.

``InputError`` is bad input: the CLI prints its message (which names what and where) and exits
with status 2. Anything else that escapes is a fault of ours: exit 1, no traceback for the user.
"""


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


class BusyError(Exception):
    """Another process holds work that must not run twice at once, for longer than we wait.
    Not bad input (exit 1), but no fault of ours either: the message says what to do."""
