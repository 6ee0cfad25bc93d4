"""What every screen needs: the services' app (database, settings, calendar, clock) and the
day the UI judges lateness on (today, or a fixed date for the demo and the tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.app import Tracker


@dataclass
class Context:
    tracker: Tracker
    as_of: dt.date
