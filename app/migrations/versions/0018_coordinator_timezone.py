"""A coordinator's own time zone

Revision ID: 0018
Revises: 0017

The console shows every time in the zone of the coordinator reading it (`coordinator.timezone`, an IANA
name), set from their browser at sign-in or chosen on their account page; empty until then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coordinator") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coordinator") as batch:
        batch.drop_column("timezone")
