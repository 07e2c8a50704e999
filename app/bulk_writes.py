"""Writing many rows at once: one statement per batch instead of one ORM object and flush per row.

Building a SQLModel object runs its validation and default factories, which for tens of thousands of rows
costs more than the database's own work; these take plain dictionaries instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel


def insert_rows(session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` of `model`; the columns a row leaves out take the model's defaults, as an object's would.

    The defaults are worked out once for the whole call, so every row gets the same time for a
    `created_at`-like column.
    """
    batch = _with_defaults(model, rows)
    if batch:
        session.execute(insert(model), batch)


def insert_rows_returning_ids(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]]
) -> list[int]:
    """As `insert_rows`, and the new rows' primary keys in the order of `rows`.

    Slower per row than `insert_rows` (the rows go out as large multi-row statements to read the keys back),
    so kept for the inserts that need the keys.
    """
    batch = _with_defaults(model, rows)
    if not batch:
        return []
    (key,) = model.__table__.primary_key.columns
    statement = insert(model).returning(key, sort_by_parameter_order=True)
    return list(session.execute(statement, batch).scalars())


def update_rows(session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> None:
    """Update rows of `model` by primary key: each dictionary holds the key and the columns to set.

    Dictionaries setting the same columns go out as one statement run for all of them (an executemany).
    """
    batches: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(frozenset(row), []).append(row)
    for batch in batches.values():
        session.execute(update(model), batch)


def _with_defaults(model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = {column.name for column in model.__table__.primary_key.columns}
    defaults = {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if name not in keys and not field.is_required()
    }
    return [{**defaults, **row} for row in rows]
