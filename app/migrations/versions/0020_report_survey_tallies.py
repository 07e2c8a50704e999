"""Survey answers counted per program as they are written, and the meetings held indexed

Revision ID: 0020
Revises: 0019

The program report tallied each question's answers by parsing every response's JSON: at 100,000 responses
that alone took most of a second. `surveytally` keeps, per program, how many responses gave each answer to
each question (and how many responses there are); the app keeps it up to date with every response written
(`app.models.survey_tally`). The answers given so far are counted here, once.

The report also counts the meetings held and their attendance: `ix_meeting_held` holds the meetings that
took place alone, so a program whose meetings are still to come finds none without reading every meeting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.survey_tally import recount_tallies

# The meetings held, as `app.models.meeting.HELD` said it at this revision.
HELD = "started_at IS NOT NULL OR status IN ('started', 'ended')"

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveytally",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(), nullable=False),
        sa.Column("answer", sa.String(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "question_key", "answer"),
    )
    recount_tallies(op.get_bind())
    held = sa.text(HELD)
    op.create_index("ix_meeting_held", "meeting", ["cohort_id"], postgresql_where=held, sqlite_where=held)


def downgrade() -> None:
    op.drop_index("ix_meeting_held", table_name="meeting")
    op.drop_table("surveytally")
