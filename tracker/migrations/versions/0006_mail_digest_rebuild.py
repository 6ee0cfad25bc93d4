"""outbox digests rebuilt before sending: content lines, revision, handed, since

Revision ID: 0006
Revises: 0005
A waiting digest is rebuilt from the current state before it is sent: ``items`` holds its lines
(compared with what was approved, and saying for which unit each notice is carried), ``revision``
lets a send claim only the content it composed, and ``handed`` marks a message the server may
have (partly accepted, or the connection dropped during DATA), whose content stays fixed;
``since`` is the first day a digest waited, so that one merged over several days keeps the
reminders of those days.

Create Date: 2026-11-30 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("handed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("since", sa.Date(), nullable=True))
    # Rows from before: the server may have those it accepted for someone, those claimed, and
    # those whose connection dropped mid-conversation (the mailer's reason says so).
    op.execute(
        "UPDATE outbox SET handed = (delivered <> '[]' OR status IN ('sent', 'sending')"
        " OR last_error LIKE '%dropped the connection%')"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("items", server_default=None)
        batch_op.alter_column("revision", server_default=None)
        batch_op.alter_column("handed", server_default=None)


def downgrade() -> None:
    # The older schema knows no obsolete digest; it must still never go out.
    op.execute("UPDATE outbox SET status = 'sent', last_error = 'obsolete: not sent' WHERE status = 'obsolete'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("since")
        batch_op.drop_column("handed")
        batch_op.drop_column("revision")
        batch_op.drop_column("items")
