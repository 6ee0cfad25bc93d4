"""Use cases: one function per thing a person or the scheduler does.

The CLI (tracker.cli), the TUI (tui/) and the scheduler (tracker.runner) call these and nothing
below them. Each use case takes the ``Tracker`` (engine, settings, clock), the acting ``Actor``
and plain values (names or ids as typed); it opens the unit of work, applies the policy, commits,
and returns a small frozen dataclass, or raises ``InputError`` (nothing is written then).
Read-only questions a front end asks live in the same modules and open a read-only session.

Nothing is imported here, so that `tracker --help` stays fast: import the module you need.
"""
