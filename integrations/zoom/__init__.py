"""Zoom: the Meetings API client, webhook checks and a local emulator.

Takes plain values only: no Flask, no database, no environment variables.
"""

from integrations.zoom.auth import TokenStore
from integrations.zoom.client import DEFAULT_API_BASE_URL, DEFAULT_TOKEN_URL, ZoomClient
from integrations.zoom.errors import (
    MEETING_NOT_FOUND,
    ZoomAuthError,
    ZoomConnectionError,
    ZoomDailyLimitError,
    ZoomError,
    ZoomRateLimitError,
    ZoomServerError,
    ZoomTimeoutError,
)
from integrations.zoom.models import DialInNumber, Meeting, Registrant, Token
from integrations.zoom.retry import RetryPolicy

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_TOKEN_URL",
    "MEETING_NOT_FOUND",
    "DialInNumber",
    "Meeting",
    "Registrant",
    "RetryPolicy",
    "Token",
    "TokenStore",
    "ZoomAuthError",
    "ZoomClient",
    "ZoomConnectionError",
    "ZoomDailyLimitError",
    "ZoomError",
    "ZoomRateLimitError",
    "ZoomServerError",
    "ZoomTimeoutError",
]
