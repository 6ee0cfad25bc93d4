"""Which person answers for a unit now, as the one SQL condition every query uses.

A personnel change (变更) closes the old ``Person`` row (sets ``until``) and opens a new one, so the
unit's present person is its row with no ``until``; at most one per unit (index
``uq_person_current``). Notices name the person *as of their issue* instead
(``tracker.notices._person_then``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from tracker.models import Person, Unit


def in_office() -> ColumnElement[bool]:
    """A ``Person`` row not yet replaced by a personnel change."""
    return col(Person.until).is_(None)


def current_person_of_unit() -> ColumnElement[bool]:
    """Join condition for ``.outerjoin(Person, current_person_of_unit())`` on a select that has
    ``Unit``: the unit's present person (outer, since a unit may have none)."""
    return sa.and_(col(Person.unit_id) == col(Unit.id), in_office())
