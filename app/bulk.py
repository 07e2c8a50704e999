"""Writing many rows at once, each at most once: one `INSERT … ON CONFLICT (key) DO NOTHING` for them all.

Queueing thousands of messages or Zoom calls row by row (a look-up, a savepoint, an insert) is what made
approving a large program take minutes. Here the unique key does the "at most once": a row whose key is taken
already, by an earlier run or by another process at the same moment, is left out by the database, with no
look-up and no error. The statement runs in the caller's transaction, like any other write of a service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_new(
    session: Session, model: type[SQLModel], rows: Iterable[Mapping[str, Any]], *, key: str
) -> None:
    """Insert the rows whose `key` is not taken yet.

    Each row is a mapping of column names to values; a column left out gets the model's default, as a row
    built with the model would (created_at, status, attempts…). Every row of a call names the same columns.

    The statement is prepared once and run for every row in one round trip (the driver's executemany;
    psycopg pipelines it). That is faster than batches of many-row VALUES, which psycopg parses anew each
    time, and it is why nothing is RETURNed: with RETURNING, SQLAlchemy switches to those batches.
    """
    rows = list(rows)
    if not rows:
        return
    session.flush()  # the rows may name objects the session has not written yet
    session.execute(
        conflict_insert(session, model.__table__).on_conflict_do_nothing(index_elements=[key]), rows
    )


def conflict_insert(session: Session, target: Any):
    """An INSERT into `target` (a model or a table) that can say what to do ON CONFLICT, in the dialect of the
    session's database."""
    return _INSERTS[session.get_bind().dialect.name](target)
