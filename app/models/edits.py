"""What a session is about to write of a row, for the counts kept as rows are flushed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect


def edited(row: Any, names: Iterable[str]) -> bool:
    """Whether the session holds a change, not yet flushed, of any of `row`'s attributes `names`."""
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in names)
