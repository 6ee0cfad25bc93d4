"""outbox claims name their sender; one current person per unit

Revision ID: 0007
Revises: 0006
``claimed_by``/``claimed_at`` say which sender claimed a ``sending`` message: another sender
takes it over only when that one is gone (a live one keeps it). A unique partial index allows
one current person (``until IS NULL``) per unit; duplicates left by concurrent changes are
repaired first: the newest stays current, the others are closed when it began.

Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("claimed_by", server_default=None)
    # Several current persons for one unit: the newest (latest since, then highest id) stays,
    # each other one is closed at the moment the newest began.
    op.execute(
        "UPDATE person SET until = (SELECT newest.since FROM person AS newest"
        " WHERE newest.unit_id = person.unit_id AND newest.until IS NULL"
        " ORDER BY newest.since DESC, newest.id DESC LIMIT 1)"
        " WHERE person.until IS NULL AND EXISTS (SELECT 1 FROM person AS other"
        " WHERE other.unit_id = person.unit_id AND other.until IS NULL"
        " AND (other.since > person.since OR (other.since = person.since AND other.id > person.id)))"
    )
    op.create_index(
        "uq_person_current",
        "person",
        ["unit_id"],
        unique=True,
        sqlite_where=sa.text("until IS NULL"),
        postgresql_where=sa.text("until IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_person_current", table_name="person")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
