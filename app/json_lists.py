"""Conditions on the elements of a JSON list column, in the SQL of the database at hand.

A registrant's languages, availability and avoid requests are JSON lists. Asking "does some element of
this list ..." in the database, rather than reading every row into Python, is what lets a page pick a few
people out of 100,000; PostgreSQL (jsonb operators) and SQLite (`json_each`) spell it differently, so each
condition here is built for the dialect of the session that will run it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB, JSONPATH
from sqlmodel import Session

# Some window of an availability list holds the hour: on its weekday, starting by its start, ending after
# its end.
_WINDOW_PATH = "$[*] ? (@.weekday == $weekday && @.start <= $start && @.end >= $end)"


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def has_any(session: Session, column: Any, values: Collection[str | int]) -> ColumnElement[bool]:
    """Some element of the list in `column` equals one of `values` (all strings, or all integers)."""
    if not values:
        return false()
    if _postgres(session):
        as_jsonb = cast(column, JSONB)
        return or_(*(as_jsonb.contains([value]) for value in values))
    elements = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value.in_(list(values))))


def has_window(session: Session, column: Any, weekday: int, start: str, end: str) -> ColumnElement[bool]:
    """Some window of the availability list in `column` (`{"weekday", "start", "end"}`, times "HH:MM", end
    maybe "24:00") covers `start` to `end` on `weekday`."""
    if _postgres(session):
        bounds = json.dumps({"weekday": weekday, "start": start, "end": end})
        return func.jsonb_path_exists(
            cast(column, JSONB), cast(literal(_WINDOW_PATH), JSONPATH), cast(literal(bounds), JSONB)
        )
    windows = func.json_each(column).table_valued("value")

    def field(key: str) -> ColumnElement[Any]:
        return func.json_extract(windows.c.value, f"$.{key}")

    return exists(
        select(literal(1))
        .select_from(windows)
        .where(and_(field("weekday") == weekday, field("start") <= start, field("end") >= end))
    )
