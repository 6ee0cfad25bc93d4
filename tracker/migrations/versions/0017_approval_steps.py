"""approval steps of every kind: terminations and person changes wait for their chains too

Revision ID: 0017
Revises: 0016
``extensionstep`` becomes ``approvalstep``: one row per step of any request's chain, named by the
request's kind (extension, termination, person_change) and id; the extension steps are carried
over as kind ``extension``. ``changerequest`` holds terminations and person changes that wait
for their chains ([approval] termination / person_change).

Create Date: 2026-12-07 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STEP = ("position", "role", "decision", "decided_by", "decided_at", "reason")


def _step_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "changerequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["ledger_id"], ["ledger.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("changerequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changerequest_ledger_id"), ["ledger_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changerequest_unit_id"), ["unit_id"], unique=False)
    op.create_table(
        "approvalstep",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        *_step_columns(),
        sa.UniqueConstraint("kind", "request_id", "position"),
    )
    with op.batch_alter_table("approvalstep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvalstep_request_id"), ["request_id"], unique=False)
    columns = ", ".join(_STEP)
    op.execute(
        f"INSERT INTO approvalstep (kind, request_id, {columns}) "
        f"SELECT 'extension', extension_id, {columns} FROM extensionstep ORDER BY id"
    )
    with op.batch_alter_table("extensionstep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extensionstep_extension_id"))
    op.drop_table("extensionstep")


def downgrade() -> None:
    op.create_table(
        "extensionstep",
        sa.Column("extension_id", sa.Integer(), nullable=False),
        *_step_columns(),
        sa.ForeignKeyConstraint(["extension_id"], ["extension.id"]),
        sa.UniqueConstraint("extension_id", "position"),
    )
    with op.batch_alter_table("extensionstep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extensionstep_extension_id"), ["extension_id"], unique=False)
    columns = ", ".join(_STEP)
    op.execute(
        f"INSERT INTO extensionstep (extension_id, {columns}) "
        f"SELECT request_id, {columns} FROM approvalstep WHERE kind = 'extension' ORDER BY id"
    )
    with op.batch_alter_table("approvalstep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvalstep_request_id"))
    op.drop_table("approvalstep")
    with op.batch_alter_table("changerequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changerequest_unit_id"))
        batch_op.drop_index(batch_op.f("ix_changerequest_ledger_id"))
    op.drop_table("changerequest")
