"""channels: outbox rows name their channel and whom they mention; persons' mobile and user ids

Revision ID: 0010
Revises: 0009
The outbox holds one row per (channel, recipient, day): ``channel`` says which (every row before
this one is email), ``mentions`` whom a robot's message @-mentions or a webhook addresses. A
person may have a mobile number (DingTalk @ by mobile) and DingTalk and WeCom user ids.

Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX = {"channel": "email", "mentions": "{}"}
PERSON = ("mobile", "dingtalk_id", "wecom_id")


def _text(name: str, default: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=default)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for name, default in OUTBOX.items():
            batch_op.add_column(_text(name, default))
    with op.batch_alter_table("person", schema=None) as batch_op:
        for name in PERSON:
            batch_op.add_column(_text(name, ""))
    # The defaults were for the rows already there; new rows always say (as the models do).
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for name in OUTBOX:
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("person", schema=None) as batch_op:
        for name in PERSON:
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        for name in PERSON:
            batch_op.drop_column(name)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for name in OUTBOX:
            batch_op.drop_column(name)
