"""Two-factor sign-in for coordinators, and a neutral title for programs whose name names a diagnosis

Revision ID: 0006
Revises: 0005

- `coordinator.totp_secret`, `totp_confirmed_at`, `totp_last_step`: an authenticator app's shared secret, when
  its first code was accepted, and the time step of the last code accepted (a code works once).
- `recoverycode`: single-use recovery codes, hashed.
- `program.neutral_title`: what calendars and inboxes show instead of the program's name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coordinator") as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "recoverycode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinator.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recoverycode_coordinator_id", "recoverycode", ["coordinator_id"])
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(
            sa.Column("neutral_title", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("neutral_title")
    op.drop_index("ix_recoverycode_coordinator_id", table_name="recoverycode")
    op.drop_table("recoverycode")
    with op.batch_alter_table("coordinator") as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_confirmed_at")
        batch_op.drop_column("totp_secret")
