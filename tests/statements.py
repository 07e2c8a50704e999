"""The SQL statements an engine sends while a block runs: each is a round trip, and a page or a job whose
statement count grows with the rows it handles does not scale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[str]]:
    """The texts of the statements `engine` sends meanwhile."""
    sent: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
