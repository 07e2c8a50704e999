"""Rows a page names by id (in its address, a form or a signed link): the row, or 404 as if it did not
exist."""

from __future__ import annotations

from typing import TypeVar

from flask import abort

from app import database

Row = TypeVar("Row")


def find_row(model: type[Row], row_id: object) -> Row | None:
    """The row of `model` with this id, or None (also for no id at all)."""
    return database.session().get(model, row_id) if row_id is not None else None


def row_or_404(model: type[Row], row_id: object) -> Row:
    """The row of `model` with this id, or 404."""
    row = find_row(model, row_id)
    if row is None:
        abort(404)
    return row
