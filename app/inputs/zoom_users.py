"""A licensed Zoom user as a coordinator adds it to a program's pool: how the API names it, and how many
meetings it may run at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import FieldReader
from app.inputs.rules import email_address, flag, number

# Zoom names a user by its email address or by its id: letters, digits, "-" and "_".
_USER_ID = re.compile(r"[A-Za-z0-9_-]{6,64}")
# One meeting at a time on Pro accounts, two on Business, Education and Enterprise ones (Zoom support
# article 206122046).
MAX_CONCURRENT = 2


@dataclass(frozen=True)
class ZoomUserInput:
    user: str
    concurrent: int
    active: bool


def validate_zoom_user(
    data: Mapping[str, Any], *, user_taken: Callable[[str], bool], changing: bool = False
) -> ZoomUserInput:
    """A Zoom user for a program's pool; the same user is not listed twice (`user_taken`). When `changing`
    one already listed, its name is not read again."""
    reader = FieldReader(data)
    user = "" if changing else reader.read("user", _zoom_user)
    values = {
        "user": user,
        "concurrent": reader.read("concurrent", number(1, MAX_CONCURRENT)),
        "active": reader.read("active", flag) if changing else True,
    }
    if user and user_taken(user):
        reader.fail("user", "This Zoom user is already in the program's pool.")
    reader.finish()
    return ZoomUserInput(**values)


_ADDRESS = email_address(
    "Enter the Zoom user's email address (or its Zoom user id).",
    "Enter the Zoom user's email address like meetings@example.org, or its Zoom user id.",
)


def _zoom_user(value: Any) -> str:
    if isinstance(value, str) and _USER_ID.fullmatch(value.strip()):
        return value.strip()
    return _ADDRESS(value)
