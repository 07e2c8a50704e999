"""The follow-up survey: each program's questions and settings, and who answered

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.survey import DEFAULT_SURVEY_QUESTIONS

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(sa.Column("survey_questions", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("survey_anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("survey_reminder_days", sa.Integer(), nullable=False, server_default="3")
        )
    program = sa.table("program", sa.column("survey_questions", sa.JSON()))
    op.execute(program.update().values(survey_questions=DEFAULT_SURVEY_QUESTIONS))
    op.create_table(
        "surveyreceipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id"),
    )
    op.create_index("ix_surveyreceipt_meeting_id", "surveyreceipt", ["meeting_id"])
    op.create_index("ix_surveyreceipt_participant_id", "surveyreceipt", ["participant_id"])


def downgrade() -> None:
    op.drop_index("ix_surveyreceipt_participant_id", table_name="surveyreceipt")
    op.drop_index("ix_surveyreceipt_meeting_id", table_name="surveyreceipt")
    op.drop_table("surveyreceipt")
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("survey_reminder_days")
        batch_op.drop_column("survey_anonymous")
        batch_op.drop_column("survey_questions")
