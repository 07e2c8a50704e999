"""Rows a page names by id (in its address, a form or a signed link): the row, or 404 as if it did not
exist."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, make_response, render_template

from app import database
from app.links import LinkError, read_token

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


def signed_payload(purpose: str, token: str) -> dict:
    """What a signed link of `purpose` carries; a page saying why the link does not work (400) otherwise."""
    try:
        return read_token(purpose, token)
    except LinkError as error:
        page = render_template("link_problem.html", message=str(error), expired=error.expired)
        abort(make_response(page, 400))
