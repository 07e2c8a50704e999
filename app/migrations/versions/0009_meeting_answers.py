"""Members' answers for each meeting, places offered to those waiting, and what waiting people were told

Revision ID: 0009
Revises: 0008

- `meetinganswer`: a member's "I'll be there" or "I can't come this time" for one meeting.
- `seatoffer`: a place a member's absence opened, offered to someone waiting; the first to accept joins.
- `participant.suggested_slots`: the hours the last match found would place a waiting person.
- `participant.waiting_told_at`: when they were last told they are waiting (at most once a month).
- `participant.absence_asked_at`: when they were asked whether to stay after missing meetings unannounced,
  and `absence_answered_at`, when they last answered (or paused or resumed of their own accord).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _per_meeting_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id"),
    )
    op.create_index(f"ix_{name}_meeting_id", name, ["meeting_id"])
    op.create_index(f"ix_{name}_participant_id", name, ["participant_id"])


def upgrade() -> None:
    _per_meeting_table(
        "meetinganswer",
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    _per_meeting_table(
        "seatoffer",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(sa.Column("suggested_slots", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("waiting_told_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("absence_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("absence_answered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_column("absence_answered_at")
        batch_op.drop_column("absence_asked_at")
        batch_op.drop_column("waiting_told_at")
        batch_op.drop_column("suggested_slots")
    op.drop_table("seatoffer")
    op.drop_table("meetinganswer")
