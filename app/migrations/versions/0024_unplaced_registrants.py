"""Who is waiting for a group, kept by the database: `unplaced`

Revision ID: 0024
Revises: 0023

The console's program figures, report and waitlist asked of every registrant whether they are in a group
that is not cancelled, through their membership and its group: with 10,000 of 100,000 waiting that read
most of the program's places on every page. `unplaced` holds a row for each verified registrant with no
place (their reason and when they confirmed, indexed for the waitlist's order and its counts by reason); the
triggers of `app.models.unplaced` keep it with every registrant, place and group written, and it is filled
here once from the registrants and places that exist.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.unplaced import create_unplaced_triggers, drop_unplaced_triggers, recount_unplaced

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unplaced",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("waitlist_reason", sa.String(length=32), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.create_index("ix_unplaced_waiting", "unplaced", ["program_id", "verified_at", "participant_id"])
    op.create_index(
        "ix_unplaced_reason", "unplaced", ["program_id", "waitlist_reason", "verified_at", "participant_id"]
    )
    connection = op.get_bind()
    recount_unplaced(connection)
    create_unplaced_triggers(connection)


def downgrade() -> None:
    drop_unplaced_triggers(op.get_bind())
    op.drop_table("unplaced")
