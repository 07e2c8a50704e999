"""Field helpers shared by the models, so every table spells times and JSON the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from app.database import UTCDateTime, utcnow


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def time_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def json_list_field() -> Any:
    return Field(default_factory=_empty_list, sa_type=JSON, nullable=False)


def json_dict_field(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=JSON, nullable=True)
    return Field(default_factory=_empty_dict, sa_type=JSON, nullable=False)


# Default factories are Python functions, not the builtins `list` and `dict`: pydantic inspects a factory's
# signature on every object built, and a builtin's is parsed from text each time (0.2 ms for each such field).
def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}
