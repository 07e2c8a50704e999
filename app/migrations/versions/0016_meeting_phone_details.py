"""What people joining a meeting by phone need

Revision ID: 0016
Revises: 0014

`meeting.zoom_dial_in_numbers` keeps the numbers Zoom gave the meeting (`country`, `number`, `city`, `type`
as Zoom names them) and `meeting.zoom_phone_passcode` the digits a phone keys in (Zoom's `h323_password`);
with the meeting id, they are what an invitation gives someone who asked to join by phone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(sa.Column("zoom_dial_in_numbers", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("zoom_phone_passcode", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.drop_column("zoom_phone_passcode")
        batch_op.drop_column("zoom_dial_in_numbers")
