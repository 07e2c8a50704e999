"""Coordinator accounts and the programs each may see."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from app.models.columns import created_at_field, time_field

SESSION_ID_SEPARATOR = ":"  # never in a token: token_urlsafe uses A-Z a-z 0-9 - _


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Coordinator(UserMixin, SQLModel, table=True):
    """A console account. Flask-Login's "alternative token": every session carries `session_token` with the
    account id (see `get_id`), so replacing the token ends every session of the account at once, wherever
    its cookie is (signing out, changing the password)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    session_token: str = Field(default_factory=new_session_token, max_length=64)
    is_admin: bool = False
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = time_field()
    last_login_at: datetime | None = time_field()
    created_at: datetime = created_at_field()
    # Two-factor sign-in (TOTP, RFC 6238): the secret is kept from enrolment on, but the factor counts only
    # once `totp_confirmed_at` says a code from the app was accepted. `totp_last_step` is the time step of
    # the last accepted code, so one code never opens two sessions.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_confirmed_at: datetime | None = time_field()
    totp_last_step: int | None = None
    # The IANA zone the console shows this coordinator's times in. Empty until they choose one or their
    # browser reports one at sign-in; meanwhile pages of a program use its zone and the others UTC.
    timezone: str | None = Field(default=None, max_length=64)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    def get_id(self) -> str:
        """What the session cookie keeps: the account id and its current session token."""
        return f"{self.id}{SESSION_ID_SEPARATOR}{self.session_token}"


class RecoveryCode(SQLModel, table=True):
    """A single-use code that signs a coordinator in when their authenticator app is lost; only its hash
    is kept."""

    id: int | None = Field(default=None, primary_key=True)
    coordinator_id: int = Field(foreign_key="coordinator.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=200)
    used_at: datetime | None = time_field()
    created_at: datetime = created_at_field()


class CoordinatorProgram(SQLModel, table=True):
    coordinator_id: int = Field(foreign_key="coordinator.id", primary_key=True, ondelete="CASCADE")
    program_id: int = Field(foreign_key="program.id", primary_key=True, ondelete="CASCADE")
