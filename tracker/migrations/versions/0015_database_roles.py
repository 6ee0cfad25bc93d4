"""database group roles: each person connects as their own role, a member of one group

Revision ID: 0015
Revises: 0014
On PostgreSQL, tracker_viewer / tracker_clerk / tracker_supervisor / tracker_admin are created
when missing and granted on this schema's tables (tracker/pg_roles.py says what each may do).
Nothing on SQLite.

Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from tracker.pg_roles import grant_groups

    grant_groups(op.get_bind())


def downgrade() -> None:
    # The roles are the cluster's, shared by every schema: revoking here would be enough, but
    # dropping the schema's tables (the earlier revisions' downgrades) takes their grants anyway.
    pass
