"""The email outbox: every message is a row first, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field, time_field


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


PRICE_NOT_ASKED = "channel = 'sms' AND price_asked_at IS NULL AND provider_id IS NOT NULL"


class OutboundMessage(SQLModel, table=True):
    """`dedupe_key` is unique, so the same message can never be queued twice."""

    __table_args__ = (
        Index("ix_outboundmessage_due", "status", "send_at"),
        # The texts whose price is still to be asked of Twilio (app/messages/text_prices.py).
        Index(
            "ix_outboundmessage_price_not_asked", "id",
            postgresql_where=text(PRICE_NOT_ASKED), sqlite_where=text(PRICE_NOT_ASKED),
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # a value of app.messages.kinds.MessageKind
    channel: str = Field(default="email", max_length=8)  # a value of app.messages.kinds.Channel
    program_id: int = Field(foreign_key="program.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    host_id: int | None = Field(default=None, foreign_key="host.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    recipient: str | None = Field(default=None, max_length=320)  # an address, or a number in E.164
    locale: str = Field(default="en", max_length=8)
    send_at: datetime = created_at_field()
    not_after: datetime | None = time_field()
    status: str = Field(default=MessageStatus.PENDING, max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    claimed_at: datetime | None = time_field()
    claimed_by: str | None = Field(default=None, max_length=200)
    sent_at: datetime | None = time_field()
    dedupe_key: str = Field(max_length=200, unique=True)
    # What the text provider answered: its id for the text (Twilio's `sid`, which delivery reports name), the
    # delivery state it last reported, and the segments and price it counted.
    provider_id: str | None = Field(default=None, max_length=64, index=True)
    delivery_status: str | None = Field(default=None, max_length=16)
    segments: int | None = None
    price: str | None = Field(default=None, max_length=16)
    price_unit: str | None = Field(default=None, max_length=8)
    price_asked_at: datetime | None = time_field()  # when the worker asked Twilio for the price
    context: dict[str, Any] = json_dict_field()
    created_at: datetime = created_at_field()
