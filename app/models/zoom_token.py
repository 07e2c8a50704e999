"""The deployment's one Zoom access token."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field


class ZoomToken(SQLModel, table=True):
    """The deployment's one server-to-server access token, shared by every process: Zoom may revoke the
    previous token each time it issues one."""

    account: str = Field(primary_key=True, max_length=200, description="the Zoom account and app it is for")
    access_token: str = Field(max_length=4000)
    expires_at: datetime = time_field(nullable=False)
    issued_at: datetime = created_at_field()
