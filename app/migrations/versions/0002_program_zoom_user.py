"""The Zoom user each program's meetings belong to

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(sa.Column("zoom_user", sa.String(length=320), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("zoom_user")
