"""Seconds since the epoch of a time column, in the SQL of the database at hand, so that a statement can add
whole days to a time (PostgreSQL keeps `timestamptz`; SQLite keeps UTC text, read by `julianday`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

DAY_SECONDS = 86_400
_UNIX_EPOCH_JULIAN_DAY = 2_440_587.5


class epoch_seconds(FunctionElement):
    """`epoch_seconds(Meeting.starts_at)`: the column's time as seconds since 1970-01-01 00:00 UTC."""

    type = Float()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds, "postgresql")
def _postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"((julianday({column}) - {_UNIX_EPOCH_JULIAN_DAY}) * {DAY_SECONDS})"
