"""Indexes for the console's pages of a large program

Revision ID: 0011
Revises: 0010

On `participant`, so that a program of 100,000 registrants reads one page of its waitlist from an index in
order, and counts its registrants by status and its waiting people by reason from an index alone:
- `ix_participant_waiting` (program_id, status, verified_at, id): the waitlist, longest waiting first.
- `ix_participant_reason` (program_id, status, waitlist_reason, verified_at, id): counts by status and by
  reason, and the waitlist filtered by one reason.
- `ix_participant_zones` (program_id, condition_id, timezone): the time zones of a condition's registrants, to
  find who waiting is free at a group's hour.
- `ix_participant_registered` (program_id, created_at): the report's registrations per week.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_participant_waiting": ["program_id", "status", "verified_at", "id"],
    "ix_participant_reason": ["program_id", "status", "waitlist_reason", "verified_at", "id"],
    "ix_participant_zones": ["program_id", "condition_id", "timezone"],
    "ix_participant_registered": ["program_id", "created_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "participant", columns)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="participant")
