"""Attendance as the host or the coordinator marked it

Revision ID: 0013
Revises: 0012

Zoom only knows who joined through Zoom: someone who dials in by phone counts as absent. After a meeting the
host and the coordinator mark who came, one row per member (`markedattendance`), and the survey, "sorry we
missed you" and the no-show rule follow the marks when there are any.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "markedattendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("marked_by", sa.String(length=340), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id"),
    )
    op.create_index("ix_markedattendance_meeting_id", "markedattendance", ["meeting_id"])
    op.create_index("ix_markedattendance_participant_id", "markedattendance", ["participant_id"])


def downgrade() -> None:
    op.drop_table("markedattendance")
