"""One Zoom access token for the whole deployment

Revision ID: 0007
Revises: 0006

- `zoomtoken`: the server-to-server access token every web and worker process shares, since Zoom may revoke
  the previous token each time it issues one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zoomtoken",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("access_token", sa.String(length=4000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )


def downgrade() -> None:
    op.drop_table("zoomtoken")
