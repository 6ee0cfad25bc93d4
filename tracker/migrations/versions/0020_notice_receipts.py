"""签收 per unit addressed: one receipt per (notice, unit)

Revision ID: 0020
Revises: 0019
A notice was signed for once (``notice.acknowledged_at/_by``), so that one county signing a
criticism bulletin showed it signed to every county it named. Now each unit a notice is addressed
to signs for itself: a unit's notice (warning, interview, referral) its unit, a bulletin each unit
it names (its items' units). The chase ([notices] ack_days) is per receipt too.

Carried over: a unit's notice keeps its 签收 and chase on its one receipt. A bulletin already
signed gives the receipt to the signer's unit when the signer is a unit account (its login) of one
of the units named; otherwise the bureau's staff signed on the units' behalf, and every unit named
is signed for as it was. A chased bulletin was chased for every unit it names. The notice's own
columns are then dropped (nothing reads them). Downgrade puts them back from the receipts: the
first 签收 of a notice and its first chase, as the one-per-notice model knew them.

Create Date: 2026-12-07 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "noticereceipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chased_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "unit_id", name="uq_noticereceipt"),
    )
    op.create_index(op.f("ix_noticereceipt_notice_id"), "noticereceipt", ["notice_id"], unique=False)
    op.create_index(op.f("ix_noticereceipt_unit_id"), "noticereceipt", ["unit_id"], unique=False)
    # A unit's notice: its one receipt, as it was.
    op.execute(
        "INSERT INTO noticereceipt (notice_id, unit_id, acknowledged_at, acknowledged_by, chased_on) "
        "SELECT id, unit_id, acknowledged_at, acknowledged_by, chased_on FROM notice WHERE unit_id IS NOT NULL"
    )
    # A bulletin: a receipt per unit it names, unsigned; chased as the bulletin was.
    op.execute(
        "INSERT INTO noticereceipt (notice_id, unit_id, acknowledged_by, chased_on) "
        "SELECT DISTINCT n.id, i.unit_id, '', n.chased_on FROM notice n "
        "JOIN notice_item i ON i.notice_id = n.id WHERE n.unit_id IS NULL"
    )
    # Signed by a unit account of one of the units named: that unit's receipt alone.
    signer_unit = (
        "SELECT 1 FROM notice n JOIN account a ON a.login = n.acknowledged_by AND a.role = 'unit' "
        "JOIN unit u ON u.name = a.unit_name "
        "JOIN noticereceipt o ON o.notice_id = n.id AND o.unit_id = u.id "
        "WHERE n.id = noticereceipt.notice_id"
    )
    by_unit = (
        "SELECT 1 FROM notice n JOIN account a ON a.login = n.acknowledged_by AND a.role = 'unit' "
        "JOIN unit u ON u.name = a.unit_name AND u.id = noticereceipt.unit_id "
        "WHERE n.id = noticereceipt.notice_id AND n.unit_id IS NULL AND n.acknowledged_at IS NOT NULL"
    )
    carried = "(SELECT {column} FROM notice n WHERE n.id = noticereceipt.notice_id)"
    op.execute(
        "UPDATE noticereceipt SET "
        f"acknowledged_at = {carried.format(column='n.acknowledged_at')}, "
        f"acknowledged_by = {carried.format(column='n.acknowledged_by')} "
        f"WHERE EXISTS ({by_unit})"
    )
    # Otherwise staff signed on the units' behalf: every unit named is signed for.
    op.execute(
        "UPDATE noticereceipt SET "
        f"acknowledged_at = {carried.format(column='n.acknowledged_at')}, "
        f"acknowledged_by = {carried.format(column='n.acknowledged_by')} "
        "WHERE EXISTS (SELECT 1 FROM notice n WHERE n.id = noticereceipt.notice_id "
        "AND n.unit_id IS NULL AND n.acknowledged_at IS NOT NULL) "
        f"AND NOT EXISTS ({signer_unit})"
    )
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite 3.35+): a batch copy of ``notice``
    # would drop the table that notice_item and noticereceipt rows refer to.
    for column in ("chased_on", "acknowledged_by", "acknowledged_at"):
        op.execute(f"ALTER TABLE notice DROP COLUMN {column}")


def downgrade() -> None:
    op.add_column("notice", sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "notice", sa.Column("acknowledged_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
    )
    op.add_column("notice", sa.Column("chased_on", sa.Date(), nullable=True))
    first = (
        "(SELECT r.{column} FROM noticereceipt r WHERE r.notice_id = notice.id AND r.acknowledged_at IS NOT NULL "
        "ORDER BY r.acknowledged_at, r.id LIMIT 1)"
    )
    op.execute(
        "UPDATE notice SET "
        f"acknowledged_at = {first.format(column='acknowledged_at')}, "
        f"acknowledged_by = COALESCE({first.format(column='acknowledged_by')}, ''), "
        "chased_on = (SELECT MIN(r.chased_on) FROM noticereceipt r WHERE r.notice_id = notice.id)"
    )
    op.drop_index(op.f("ix_noticereceipt_unit_id"), table_name="noticereceipt")
    op.drop_index(op.f("ix_noticereceipt_notice_id"), table_name="noticereceipt")
    op.drop_table("noticereceipt")
