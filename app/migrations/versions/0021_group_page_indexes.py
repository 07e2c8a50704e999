"""Indexes for a group's page in a large program: groups by hour, registrants by condition, role and stage

Revision ID: 0021
Revises: 0020

A program of 100,000 registrants has some 17,000 groups. A group's page asks which other groups meet near
its hour (they share the program's Zoom users, so they decide whether it fits) and which groups of its
condition meet at the hours each member is free (where a member may move); both read every group of the
program without an index on the hour:
- `ix_cohort_hours` (program_id, slot): the groups starting in a few hours of the week.
- `ix_cohort_condition_hours` (program_id, condition_id, slot): a condition's groups at some hours.

Who could take a group's open place is looked for among the registrants of its condition (40,000 in such a
program), each read and their languages, hours and avoid requests parsed:
- `ix_participant_newcomers` (program_id, condition_id, status, role, stage_id): those of the group's role at
  a stage near its members', a tenth of them, found from the index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_cohort_hours": ("cohort", ["program_id", "slot"]),
    "ix_cohort_condition_hours": ("cohort", ["program_id", "condition_id", "slot"]),
    "ix_participant_newcomers": ("participant", ["program_id", "condition_id", "status", "role", "stage_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
