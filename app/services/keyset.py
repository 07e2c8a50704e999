"""One page of a long console list, found from where the page before it ended (keyset pagination).

A page is asked for as "after" (or "before") the last (or first) row of the one shown, by its sort key and id,
so the database reads one page of an index however deep the page is, and rows added meanwhile do not shift
the pages as an offset would. The tokens are plain text for the query string: `2025-03-01T10:00:00+00:00~123`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, tuple_
from sqlmodel import Session

PAGE_SIZE = 50
SEPARATOR = "~"


@dataclass(frozen=True)
class Page:
    """One page of rows, and the tokens for the pages beside it (None where there is none)."""

    rows: list[Any]
    after: str | None  # "after=" of the next page
    before: str | None  # "before=" of the previous page


def read_page(
    session: Session,
    query: Select,
    sort: Any,
    tiebreak: Any,
    *,
    after: str | None = None,
    before: str | None = None,
    descending: bool = False,
    size: int = PAGE_SIZE,
) -> Page:
    """The page of `query`'s rows ordered by (`sort`, `tiebreak`) that follows `after` or precedes `before`
    (the first page when neither is given or the token is not one of ours); `tiebreak` must be unique."""
    backwards = after is None and before is not None
    cursor = _decode(before if backwards else after, sort, tiebreak)
    scan_descending = descending != (backwards and cursor is not None)
    if cursor is not None:
        keys = tuple_(sort, tiebreak)
        bound = tuple_(literal(cursor[0], sort.type), literal(cursor[1], tiebreak.type))
        query = query.where(keys < bound if scan_descending else keys > bound)
    order = (sort.desc(), tiebreak.desc()) if scan_descending else (sort.asc(), tiebreak.asc())
    query = query.add_columns(sort.label("page_sort"), tiebreak.label("page_id"))
    # Rows whatever the query selects (`exec` would give only the first entity of a one-entity select).
    rows = list(session.execute(query.order_by(*order).limit(size + 1)).all())
    more, rows = len(rows) > size, rows[:size]
    if backwards and cursor is not None:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, cursor is not None
    return Page(
        rows=rows,
        after=_encode(rows[-1]) if rows and has_next else None,
        before=_encode(rows[0]) if rows and has_previous else None,
    )


def _encode(row: Any) -> str:
    value = row.page_sort
    return f"{value.isoformat() if isinstance(value, datetime) else value}{SEPARATOR}{row.page_id}"


def _decode(token: str | None, sort: Any, tiebreak: Any) -> tuple[Any, Any] | None:
    if not token or SEPARATOR not in token:
        return None
    value, _, identity = token.rpartition(SEPARATOR)
    try:
        return _parse(value, sort), _parse(identity, tiebreak)
    except (ValueError, NotImplementedError):
        return None


def _parse(text: str, column: Any) -> Any:
    kind = getattr(column.type, "impl", column.type).python_type  # a TypeDecorator tells through its impl
    return datetime.fromisoformat(text) if kind is datetime else kind(text)
