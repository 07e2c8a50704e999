"""A pool of licensed Zoom users per program, and their daily allowance

Revision ID: 0008
Revises: 0007

- `zoomuser`: a program's licensed Zoom users and how many meetings each may run at once. Each program's
  `zoom_user` becomes the first user of its pool (one meeting at a time, as on Pro), and the column goes.
- `meeting.zoom_user`: the Zoom user a meeting is created under; existing meetings keep their program's.
- `host.zoom_licensed`: the host's own Zoom user is licensed and may hold their groups' meetings.
- `zoomuserday`: creates and updates made under a Zoom user on a UTC day, and until when Zoom refused more.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zoomuser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=320), nullable=False),
        sa.Column("concurrent", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "user"),
    )
    op.create_index("ix_zoomuser_program_id", "zoomuser", ["program_id"])
    op.create_table(
        "zoomuserday",
        sa.Column("user", sa.String(length=320), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("refused_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user", "day"),
    )
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(sa.Column("zoom_user", sa.String(length=320), nullable=True))
    with op.batch_alter_table("host") as batch_op:
        batch_op.add_column(
            sa.Column("zoom_licensed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        'INSERT INTO zoomuser (program_id, "user", concurrent, active, created_at) '
        "SELECT id, zoom_user, 1, true, CURRENT_TIMESTAMP FROM program WHERE zoom_user <> ''"
    )
    op.execute(
        "UPDATE meeting SET zoom_user = (SELECT program.zoom_user FROM cohort JOIN program "
        "ON program.id = cohort.program_id WHERE cohort.id = meeting.cohort_id AND program.zoom_user <> '')"
    )
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("zoom_user")


def downgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(sa.Column("zoom_user", sa.String(length=320), nullable=False, server_default=""))
    op.execute(
        'UPDATE program SET zoom_user = COALESCE((SELECT "user" FROM zoomuser WHERE zoomuser.program_id = '
        "program.id ORDER BY zoomuser.id LIMIT 1), '')"
    )
    with op.batch_alter_table("host") as batch_op:
        batch_op.drop_column("zoom_licensed")
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.drop_column("zoom_user")
    op.drop_table("zoomuserday")
    op.drop_index("ix_zoomuser_program_id", table_name="zoomuser")
    op.drop_table("zoomuser")
