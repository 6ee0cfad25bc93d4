"""What every screen needs: the services' app (database, settings, calendar, clock) and the
day the UI judges lateness on (today, or a fixed date for the demo and the tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tracker.app import Tracker


@dataclass
class Context:
    tracker: Tracker
    as_of: dt.date
    folder: Path = field(default_factory=Path.cwd)  # where files are written and picked from
