"""Holding a row while a change is made, so two people changing the same thing at once take turns."""

from __future__ import annotations

from sqlmodel import Session, SQLModel


def hold(session: Session, row: SQLModel) -> None:
    """Read `row` afresh and hold it until the commit (SELECT … FOR UPDATE): whoever comes second waits,
    then sees what the first did instead of acting on what both read before. SQLite lets one writer in at
    a time, so there the write itself takes turns."""
    session.flush()
    session.refresh(row, with_for_update=True)
