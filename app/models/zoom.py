"""Zoom work waiting to be done (the Zoom outbox), and the webhook events Zoom sent us."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, json_dict_field, time_field


class ZoomOperationKind(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REGISTER = "register"
    # Takes a member who left the group off the meeting at Zoom, so their personal join link stops working.
    CANCEL_REGISTRATION = "cancel_registration"


class ZoomOperationStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ZoomOperation(SQLModel, table=True):
    """A Zoom call the app needs; the worker carries it out, retries it, and records why it failed."""

    __table_args__ = (Index("ix_zoomoperation_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    idempotency_key: str = Field(max_length=200, unique=True)
    status: str = Field(default=ZoomOperationStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    last_error: str | None = Field(default=None, max_length=2000)
    last_error_code: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = time_field()
    claimed_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at_field()
    done_at: datetime | None = time_field()


class ZoomEvent(SQLModel, table=True):
    """Every webhook delivery we accepted; the unique key makes a repeated delivery harmless."""

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=128, unique=True)
    event: str = Field(max_length=64)
    zoom_meeting_id: str | None = Field(default=None, max_length=32, index=True)
    payload: dict[str, Any] = json_dict_field()
    received_at: datetime = created_at_field()
