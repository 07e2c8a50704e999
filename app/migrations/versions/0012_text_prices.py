"""When the worker asked Twilio what a text cost

Revision ID: 0012
Revises: 0011

Twilio's answer to a new text, and its delivery reports, carry no price: the worker asks for each text once
its delivery is known (`app/messages/text_prices.py`) and notes when, in `outboundmessage.price_asked_at`. A
partial index holds only the texts not asked about yet, so finding them never reads the whole outbox.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ASKED = sa.text("channel = 'sms' AND price_asked_at IS NULL AND provider_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("outboundmessage") as table:
        table.add_column(sa.Column("price_asked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_outboundmessage_price_not_asked", "outboundmessage", ["id"],
        postgresql_where=NOT_ASKED, sqlite_where=NOT_ASKED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_outboundmessage_price_not_asked", table_name="outboundmessage")
    with op.batch_alter_table("outboundmessage") as table:
        table.drop_column("price_asked_at")
