"""Writing many rows at once: one statement for them all instead of one ORM object and flush per row.

Building a SQLModel object runs its validation and default factories, which for tens of thousands of rows
costs more than the database's own work, so these take plain dictionaries. Queueing thousands of messages or
Zoom calls row by row (a look-up, a savepoint, an insert) is what made approving a large program take
minutes: `insert_new` lets the unique key do the "at most once" instead, a row whose key is taken already, by
an earlier run or by another process at the same moment, being left out by the database with no look-up and
no error. Every statement runs in the caller's transaction, like any other write of a service.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, Column, Integer, Table, Text, cast, column, func, insert, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

# Keys per `IN (…)` list: PostgreSQL takes at most 65,535 parameters in a statement.
BATCH = 10_000

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def in_batches(keys: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """`keys` in slices of `size`, for statements that name each in an `IN (…)` list."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


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
    return insert_for(dialect_name(session))(target)


def insert_for(dialect: str):
    """The `insert` of a dialect ("postgresql" or "sqlite"): its statements can say what to do ON CONFLICT."""
    return _INSERTS[dialect]


def dialect_name(session: Session) -> str:
    """The kind of database the session talks to: "postgresql" or "sqlite"."""
    return session.get_bind().dialect.name


def insert_rows(session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` of `model`; the columns a row leaves out take the model's defaults, as an object's would.

    The defaults are worked out once for the whole call, so every row gets the same time for a
    `created_at`-like column.
    """
    batch = with_defaults(model, rows)
    if batch:
        session.execute(insert(model), batch)


def insert_rows_returning_ids(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]]
) -> list[int]:
    """As `insert_whole_rows`, and the new rows' primary keys in the order of `rows`.

    The keys are read back in ascending order, the order the rows were inserted in: the one guarantee
    SQLAlchemy's own batched inserts rely on to match keys to rows."""
    if not rows:
        return []
    (key,) = model.__table__.primary_key.columns
    return sorted(session.execute(_insert_from_json(model, rows).returning(key)).scalars())


def insert_whole_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """As `insert_rows`, for rows of whole numbers, strings and None only, in one statement with one
    parameter whatever their number.

    Tens of thousands of rows sent one by one (the driver's executemany) or as many-row VALUES (a parameter
    per value, which the driver parses anew for each statement) cost more than the database's own work."""
    if rows:
        session.execute(_insert_from_json(model, rows))


def _insert_from_json(model: type[SQLModel], rows: list[dict[str, Any]]):
    """An INSERT of `rows` (with the model's defaults) that selects them, in their order, from one JSON object
    of each row's values by its position: PostgreSQL and SQLite both take an object apart with `json_each`.
    A column with one value in every row (a default, the program) is given once, as an ordinary parameter."""
    table = model.__table__
    rows = with_defaults(model, rows)
    first = rows[0]
    varying = [name for name in first if any(row[name] != first[name] for row in rows)]
    by_position = {str(position): [row[name] for name in varying] for position, row in enumerate(rows)}
    entries = func.json_each(literal(by_position, JSON)).table_valued(
        column("key", Text), column("value", JSON)
    )
    values = {name: _read_as(entries.c.value[index], table.c[name]) for index, name in enumerate(varying)}
    values |= {
        name: literal(value, table.c[name].type) for name, value in first.items() if name not in values
    }
    source = select(*values.values()).select_from(entries).order_by(cast(entries.c.key, Integer))
    return insert(model).from_select(list(values), source)


def _read_as(element: Any, target: Column) -> Any:
    """An element of a row's JSON list as the SQL type of its column: a whole number or a string."""
    return element.as_integer() if target.type.python_type is int else element.as_string()


def rows_by(session: Session, column: Any, keys: Sequence[Any]) -> list[Any]:
    """The rows whose unique `column` (a model's attribute) holds these keys, as objects, in their order:
    rows just written by `insert_rows`, read back without an insert that returns keys row by row."""
    found = rows_keyed_by(session, column, keys)
    return [found[key] for key in keys]


def rows_keyed_by(session: Session, column: Any, keys: Sequence[Any]) -> dict[Any, Any]:
    """The rows whose unique `column` (a model's attribute) holds one of these keys, as objects by key, read
    a batch of keys at a time; a key no row holds is left out."""
    model, name = column.class_, column.key
    found = {}
    for batch in in_batches(keys):
        found |= {getattr(row, name): row for row in session.exec(select(model).where(column.in_(batch)))}
    return found


def update_rows(session: Session, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> None:
    """Update rows of `model` by primary key: each dictionary holds the key and the columns to set.

    Dictionaries setting the same columns go out as one statement run for all of them (an executemany).
    """
    batches: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(frozenset(row), []).append(row)
    for batch in batches.values():
        session.execute(update(model), batch)


def with_defaults(model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with every column they leave out that has a default set to it, worked out once for the call.

    Given as values rather than left to SQLAlchemy, which would work them out row by row and name their
    parameters after their columns (so one statement writing two tables, each with a `created_at`, could not
    hold both). Read from the table, not the model's validators, which cost more than the insert itself."""
    defaults = {column.name: _default(column.default) for column in _defaulted(model.__table__)}
    return [{**defaults, **row} for row in rows]


@cache
def _defaulted(table: Table) -> tuple[Column, ...]:
    return tuple(column for column in table.columns if column.default is not None)


def _default(default: Any) -> Any:
    return default.arg(None) if default.is_callable else default.arg
