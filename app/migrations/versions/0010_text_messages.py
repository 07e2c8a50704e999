"""Text messages: a mobile number and its consent, texts in the outbox, replies, and each number's pace

Revision ID: 0010
Revises: 0009

- `participant.phone` (E.164), `sms_consent_at` (when they agreed to texts), `sms_opted_out_at` (STOP).
- `program.country`, where numbers written without +country come from, and `program.texts_enabled`.
- `outboundmessage.channel` (`email` for every row so far) and what the text provider answered for a text:
  `provider_id`, `delivery_status`, `segments`, `price`, `price_unit`.
- `textreply`: texts people sent to our number, each `message_sid` once.
- `textpace`: when each sending number may send its next text.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("sms_consent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sms_opted_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_participant_phone", ["phone"])
    with op.batch_alter_table("program") as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=False, server_default="US"))
        batch_op.add_column(
            sa.Column("texts_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("outboundmessage") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), nullable=False, server_default="email"))
        batch_op.add_column(sa.Column("provider_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("delivery_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("segments", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("price", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("price_unit", sa.String(length=8), nullable=True))
        batch_op.create_index("ix_outboundmessage_provider_id", ["provider_id"])
    op.create_table(
        "textreply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("from_number", sa.String(length=16), nullable=True),
        sa.Column("body", sa.String(length=1600), nullable=False),
        sa.Column("meaning", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_by", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_sid"),
    )
    op.create_index("ix_textreply_program_id", "textreply", ["program_id"])
    op.create_index("ix_textreply_participant_id", "textreply", ["participant_id"])
    op.create_table(
        "textpace",
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender"),
    )


def downgrade() -> None:
    op.drop_table("textpace")
    op.drop_table("textreply")
    with op.batch_alter_table("outboundmessage") as batch_op:
        batch_op.drop_index("ix_outboundmessage_provider_id")
        for column in ("price_unit", "price", "segments", "delivery_status", "provider_id", "channel"):
            batch_op.drop_column(column)
    with op.batch_alter_table("program") as batch_op:
        batch_op.drop_column("texts_enabled")
        batch_op.drop_column("country")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_index("ix_participant_phone")
        for column in ("sms_opted_out_at", "sms_consent_at", "phone"):
            batch_op.drop_column(column)
